#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot-time benchmark: wall time from starting QEMU to the hypervisor's banner line on the
# serial port, for each arch (--arch x86_64|arm64; default both), median of RUNS boots (default
# 5). QEMU runs TCG at -smp 4, -m 256; x86_64 includes GRUB. Prints figures only; nothing here
# passes or fails on time.
set -uo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_args "$@"
runs=${RUNS:-5}
limit=60 # seconds before a boot counts as failed

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# One boot; sets t to the milliseconds until the banner, or to nothing if it never came.
boot_once() {
    local arch=$1 log=$work/$1.log start
    shift
    : >"$log"
    t=
    start=$(now_ms)
    bench_start $limit --arch "$arch" --smp 4 --mem 256 "$@" --serial-log "$log" >/dev/null 2>&1
    while kill -0 "$qemu_pid" 2>/dev/null; do
        if grep -aq "^axvm [^ ]* ($arch): " "$log"; then
            t=$(($(now_ms) - start))
            break
        fi
        sleep 0.01
    done
    bench_stop
}

report() {
    local arch=$1 sorted n
    shift
    sorted=$(printf '%s\n' "$@" | sort -n)
    n=$#
    if [ "$n" -eq 0 ]; then
        printf '  %-7s no boot reached the banner within %ss\n' "$arch" "$limit"
        return
    fi
    awk -v arch="$arch" -v n="$n" -v runs="$runs" '
        { v[NR] = $1 }
        END {
            med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            printf "  %-7s %6.3f s median   (min %.3f, max %.3f, %d of %d boots)\n",
                   arch, med / 1000, v[1] / 1000, v[n] / 1000, n, runs
        }' <<<"$sorted"
}

echo "boot time, QEMU start to banner (TCG, -smp 4, -m 256, median of $runs):"
for arch in "${arches[@]}"; do
    if [ "$arch" = x86_64 ]; then
        "$root/scripts/mkiso" --elf "$root/build/x86_64/axvm.elf" --out "$work/axvm.iso" \
            --cmdline "console=com1 loglvl=info" || exit 1
    fi
    times=()
    for _ in $(seq "$runs"); do
        if [ "$arch" = x86_64 ]; then
            boot_once x86_64 --image "$work/axvm.iso"
        else
            boot_once arm64 --image "$root/build/arm64/axvm.bin" --cmdline "loglvl=info"
        fi
        [ -n "$t" ] && times+=("$t")
    done
    report "$arch" ${times[@]+"${times[@]}"}
done
