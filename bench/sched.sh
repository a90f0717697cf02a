#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scheduler benchmarks (x86_64): the scheduler's cost per context switch (two CPU hogs sharing
# CPU 1), and domain-create latency with 0, 10, 25 and 45 domains already running (it must not
# grow with the count). Both measured inside one boot by the privileged schedbench guest
# (tests/guests/schedbench.c) from SYSCTL_STATS and its TSC. Prints figures only.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/build/bench
guests=$root/build/x86_64/guests
limit=240
mkdir -p "$work"

"$root/scripts/mkiso" --elf "$root/build/x86_64/axvm.elf" --out "$work/sched.iso" \
    --cmdline "loglvl=warn" \
    --module "$guests/schedbench.elf" "domain name=bench privileged pcpu=0" \
    --module "$guests/hog.elf" "domain name=hog1 pcpu=1" \
    --module "$guests/hog.elf" "domain name=hog2 pcpu=1" >/dev/null || exit 1

log=$work/sched.log
: >"$log"
timeout -k 5 $limit "$root/scripts/qemu" --arch x86_64 --smp 2 --mem 512 \
    --image "$work/sched.iso" --serial-log "$log" >/dev/null 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null && ! grep -aq 'schedbench: done' "$log"; do
    sleep 0.5
done
kill $pid 2>/dev/null
wait $pid 2>/dev/null

echo "scheduler, x86_64 SVM under TCG (one boot; 2 CPUs):"
if ! grep -aq 'schedbench: done' "$log"; then
    echo "  no figures: the bench domain did not finish (see $log)"
    exit 1
fi
grep -a 'schedbench:' "$log" | grep -av 'done' | tr -d '\r' | sed 's/^(d0) schedbench: /  /'
