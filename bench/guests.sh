#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Guest benchmarks, for each arch (--arch x86_64|arm64; default both): the hypercall round trip
# next to the cheapest exit there is (x86_64: CPUID; arm64: PSCI_VERSION), both timed by the
# exitbench guest with the arch's counter (TSC; CNTVCT_EL0); and the cpubound guest's fixed
# work under axvm against the same guest run directly by QEMU (x86_64: Multiboot -kernel;
# arm64: the same Image at EL1, virtualization=off). Medians of RUNS (default 3). QEMU: TCG,
# -smp 2, -m 256, -cpu max. Prints figures only.
set -uo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_args "$@"
runs=${RUNS:-3}
limit=120

# How the arch's guest files end (x86_64: Multiboot ELF; arm64: Image).
guest_ext() {
    [ "$1" = x86_64 ] && echo elf || echo bin
}

for arch in "${arches[@]}"; do
    guests=$root/build/$arch/guests
    ext=$(guest_ext "$arch")
    bench_media "exitbench-$arch" "$arch" 2 256 max loglvl=warn \
        "$guests/exitbench.$ext" "domain name=exitbench debugexit" || exit 1
    exit_media=("${media[@]}")
    bench_media "cpubound-$arch" "$arch" 2 256 max loglvl=warn \
        "$guests/cpubound.$ext" "domain name=cpubound debugexit" || exit 1
    under_media=("${media[@]}")
    bench_bare "cpubound-bare-$arch" "$arch" 2 256 max "$guests/cpubound.$ext" "" || exit 1
    bare_media=("${media[@]}")

    floors=() calls=() under=() bare=() floor_name= unit=
    for _ in $(seq "$runs"); do
        bench_boot_for '^\(d1\) exitbench:' "exitbench-$arch" "${exit_media[@]}"
        [[ $boot_line =~ exitbench:\ ([a-z_]+)\ exit\ ([0-9]+)\ ns,\ hypercall\ ([0-9]+)\ ns ]] &&
            floor_name=${BASH_REMATCH[1]^^} floors+=("${BASH_REMATCH[2]}") calls+=("${BASH_REMATCH[3]}")
        bench_boot_for '^\(d1\) cpubound: [0-9]+ ' "cpubound-$arch" "${under_media[@]}"
        [[ $boot_line =~ cpubound:\ ([0-9]+)\ (.*) ]] && under+=("${BASH_REMATCH[1]}") unit=${BASH_REMATCH[2]}
        # Bare QEMU ends when the guest does (x86_64: the debug-exit port; arm64: PSCI
        # SYSTEM_OFF after the debug-exit write, which aborts there and is skipped).
        bench_boot_for '^cpubound: [0-9]+ ' "cpubound-bare-$arch" "${bare_media[@]}"
        [[ $boot_line =~ cpubound:\ ([0-9]+)\  ]] && bare+=("${BASH_REMATCH[1]}")
    done

    floor=$(bench_median ${floors[@]+"${floors[@]}"})
    call=$(bench_median ${calls[@]+"${calls[@]}"})
    under_m=$(bench_median ${under[@]+"${under[@]}"})
    bare_m=$(bench_median ${bare[@]+"${bare[@]}"})
    if [ "$arch" = x86_64 ]; then
        echo "guest exits, x86_64 SVM under TCG (median of $runs):"
    else
        echo "guest exits, arm64 EL2 under TCG (median of $runs):"
    fi
    if [ -n "$floor" ] && [ -n "$call" ]; then
        awk -v f="$floor" -v c="$call" -v name="exit floor ($floor_name)" 'BEGIN {
            printf "  %-25s %8d ns\n  %-25s %8d ns   %.2fx the floor (target 1.1x)\n",
                   name, f, "hypercall", c, c / f }'
    else
        echo "  exitbench did not report (log: build/bench/exitbench-$arch.log)"
    fi
    if [ -n "$under_m" ] && [ -n "$bare_m" ]; then
        # "TSC cycles" or "counter ticks" (CNTVCT_EL0 at CNTFRQ_EL0, 62.5 MHz under QEMU).
        awk -v u="$under_m" -v b="$bare_m" -v unit="$unit" 'BEGIN {
            printf "  %-25s %8.1f M %s\n  %-25s %8.1f M %s  %.3fx (target 1.02x)\n",
                   "cpubound under axvm", u / 1e6, unit, "cpubound bare QEMU", b / 1e6, unit, u / b }'
    else
        echo "  cpubound did not report (logs: build/bench/cpubound-*$arch.log)"
    fi
done
