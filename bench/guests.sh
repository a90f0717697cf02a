#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Guest benchmarks (x86_64): the hypercall round trip next to the bare exit floor, both timed by
# the exitbench guest with its TSC; and the cpubound guest's fixed work under axvm against the
# same ELF run directly by QEMU. Medians of RUNS (default 3). Prints figures only.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
work=$root/build/bench
guests=$root/build/x86_64/guests
limit=120
mkdir -p "$work"

# Boot once; print the first line matching regex (wait at most $limit s).
boot_for() {
    local regex=$1 log=$work/guest.log pid line=
    shift
    : >"$log"
    timeout -k 5 $limit "$root/scripts/qemu" --arch x86_64 --smp 2 --mem 256 "$@" \
        --serial-log "$log" >/dev/null 2>&1 &
    pid=$!
    while kill -0 $pid 2>/dev/null && ! line=$(grep -aEm1 "$regex" "$log"); do
        sleep 0.1
    done
    [ -z "$line" ] && line=$(grep -aEm1 "$regex" "$log")
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
    tr -d '\r' <<<"$line"
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

iso() {
    "$root/scripts/mkiso" --elf "$root/build/x86_64/axvm.elf" --out "$work/$1.iso" \
        --cmdline "loglvl=warn" --module "$guests/$1.elf" "domain name=$1 debugexit"
}

iso exitbench && iso cpubound || exit 1
floors=() calls=() under=() bare=()
for _ in $(seq "$runs"); do
    line=$(boot_for '^\(d1\) exitbench:' --image "$work/exitbench.iso")
    [[ $line =~ cpuid\ exit\ ([0-9]+)\ ns,\ hypercall\ ([0-9]+)\ ns ]] &&
        floors+=("${BASH_REMATCH[1]}") calls+=("${BASH_REMATCH[2]}")
    line=$(boot_for '^\(d1\) cpubound: [0-9]+ TSC cycles' --image "$work/cpubound.iso")
    [[ $line =~ ([0-9]+)\ TSC ]] && under+=("${BASH_REMATCH[1]}")
    line=$(boot_for '^cpubound: [0-9]+ TSC cycles' --kernel "$guests/cpubound.elf")
    [[ $line =~ ([0-9]+)\ TSC ]] && bare+=("${BASH_REMATCH[1]}")
done

floor=$(printf '%s\n' "${floors[@]}" | median)
call=$(printf '%s\n' "${calls[@]}" | median)
under_m=$(printf '%s\n' "${under[@]}" | median)
bare_m=$(printf '%s\n' "${bare[@]}" | median)
echo "guest exits, x86_64 SVM under TCG (median of $runs):"
if [ -n "$floor" ] && [ -n "$call" ]; then
    awk -v f="$floor" -v c="$call" 'BEGIN { printf "  exit floor (CPUID)  %8d ns\n  hypercall           %8d ns   %.2fx the floor (target 1.1x)\n", f, c, c / f }'
else
    echo "  exitbench did not report"
fi
if [ -n "$under_m" ] && [ -n "$bare_m" ]; then
    awk -v u="$under_m" -v b="$bare_m" 'BEGIN { printf "  cpubound under axvm %8.0f Mcycles\n  cpubound bare QEMU  %8.0f Mcycles  %.3fx (target 1.02x)\n", u / 1e6, b / 1e6, u / b }'
else
    echo "  cpubound did not report"
fi
