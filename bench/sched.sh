#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scheduler benchmarks, for each arch (--arch x86_64|arm64; default both): the scheduler's cost
# per context switch (two CPU hogs sharing CPU 1), and domain-create latency with 0, 10, 25 and
# 45 domains already running (it must not grow with the count). Both measured inside one boot
# by the privileged schedbench guest (tests/guests/schedbench.c) from SYSCTL_STATS and the
# arch's counter (TSC; CNTVCT_EL0). QEMU: TCG, -smp 2, -m 512, -cpu max. Prints figures only;
# exits 1 when an arch gave none.
set -uo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_args "$@"
limit=240
status=0

for arch in "${arches[@]}"; do
    guests=$root/build/$arch/guests
    ext=elf
    [ "$arch" = arm64 ] && ext=bin
    bench_media "sched-$arch" "$arch" 2 512 max loglvl=warn \
        "$guests/schedbench.$ext" "domain name=bench privileged pcpu=0" \
        "$guests/hog.$ext" "domain name=hog1 pcpu=1" \
        "$guests/hog.$ext" "domain name=hog2 pcpu=1" || exit 1
    log=$work/sched-$arch.log
    bench_boot_for 'schedbench: done' "sched-$arch" "${media[@]}"

    if [ "$arch" = x86_64 ]; then
        echo "scheduler, x86_64 SVM under TCG (one boot; 2 CPUs):"
    else
        echo "scheduler, arm64 EL2 under TCG (one boot; 2 CPUs):"
    fi
    if ! grep -aq 'schedbench: done' "$log"; then
        echo "  no figures: the bench domain did not finish (see ${log#"$root"/})"
        status=1
        continue
    fi
    grep -a 'schedbench:' "$log" | grep -av 'done' | tr -d '\r' | sed 's/^(d0) schedbench: /  /'
done
exit $status
