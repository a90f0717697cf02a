# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# What the bench/ scripts share (sourced, not run): which arches to measure (--arch), the boot
# media of each arch for the hypervisor with boot modules and for a kernel run by QEMU without
# it, QEMU started in the background under a time limit and always stopped, medians.
# The sourcing script sets nothing first; this sets root, work and arches.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$root/build/bench
mkdir -p "$work"

# Parses the script's arguments: "--arch x86_64|arm64" (again for both; the default is both).
bench_args() {
    arches=()
    while [ $# -gt 0 ]; do
        case "$1" in
        --arch)
            case "${2:-}" in
            x86_64 | arm64) arches+=("$2") ;;
            *) echo "${0##*/}: --arch must be x86_64 or arm64" >&2; exit 2 ;;
            esac
            shift 2 ;;
        *) echo "usage: ${0##*/} [--arch x86_64|arm64]..." >&2; exit 2 ;;
        esac
    done
    [ ${#arches[@]} -gt 0 ] || arches=(x86_64 arm64)
}

# --- QEMU -------------------------------------------------------------------------------------

qemu_pid=

# Starts scripts/qemu in the background, at most $1 seconds; the rest are its arguments. Its
# output goes where the caller's does. Sets qemu_pid, which the EXIT trap stops: call it from
# the script's own shell, not in $(...).
bench_start() {
    local limit=$1
    shift
    timeout -k 5 "$limit" "$root/scripts/qemu" "$@" &
    qemu_pid=$!
}

# Stops the QEMU of bench_start, if it still runs.
bench_stop() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill "$qemu_pid" 2>/dev/null
        wait "$qemu_pid" 2>/dev/null
    fi
    qemu_pid=
}
trap bench_stop EXIT
trap 'exit 130' INT TERM

# Boots scripts/qemu's arguments (after $1 and $2) with the serial line logged to $work/$2.log,
# until a line matches the ERE $1 or QEMU ends (at most $limit seconds). Sets boot_line to that
# line, carriage returns dropped, or to nothing if none came. (Not for $(...): the trap that
# stops QEMU is this shell's.)
bench_boot_for() {
    local regex=$1 log=$work/$2.log
    shift 2
    boot_line=
    : >"$log"
    bench_start "$limit" "$@" --serial-log "$log" >/dev/null 2>&1
    while kill -0 "$qemu_pid" 2>/dev/null && ! boot_line=$(grep -aEm1 "$regex" "$log"); do
        sleep 0.1
    done
    [ -n "$boot_line" ] || boot_line=$(grep -aEm1 "$regex" "$log")
    bench_stop
    boot_line=${boot_line//$'\r'/}
}

# --- Boot media -------------------------------------------------------------------------------
# Each sets the array media to scripts/qemu's arguments: the machine and what it boots.

# The hypervisor with boot modules, as tests/boot/run.sh builds them: $1 a name for the files
# in $work, $2 arch, $3 CPUs, $4 MiB of RAM, $5 CPU model, $6 the hypervisor's command line,
# then pairs of FILE and module string (x86_64: GRUB module2 lines in an ISO; arm64: scripts/qemu
# --module, /chosen "multiboot,module" nodes in QEMU's own device tree).
bench_media() {
    local name=$1 arch=$2 smp=$3 mem=$4 cpu=$5 cmdline=$6 args=()
    shift 6
    media=(--arch "$arch" --smp "$smp" --mem "$mem" --cpu "$cpu")
    while [ $# -gt 0 ]; do
        args+=(--module "$1" "$2")
        shift 2
    done
    if [ "$arch" = x86_64 ]; then
        "$root/scripts/mkiso" --elf "$root/build/x86_64/axvm.elf" --out "$work/$name.iso" \
            --cmdline "$cmdline" ${args[@]+"${args[@]}"} >/dev/null || return 1
        media+=(--image "$work/$name.iso")
        return 0
    fi
    media+=(--image "$root/build/arm64/axvm.bin" --cmdline "$cmdline")
    [ ${#args[@]} -eq 0 ] || media+=("${args[@]}" --module-dtb "$work/$name.dtb")
}

# A kernel run by QEMU itself, without the hypervisor: $1 a name for the files in $work, $2
# arch, $3 CPUs, $4 MiB of RAM, $5 CPU model, $6 the kernel, $7 its command line, $8 an initrd
# (optional). x86_64: a Multiboot kernel with QEMU's -kernel, or, with an initrd, a Linux
# kernel booted by GRUB (scripts/mkiso --linux). arm64: the Image with -kernel at EL1
# (virtualization=off, so HVC is QEMU's own PSCI), an initrd with QEMU's -initrd.
bench_bare() {
    local name=$1 arch=$2 smp=$3 mem=$4 cpu=$5 kernel=$6 cmdline=$7 initrd=${8:-}
    media=(--arch "$arch" --smp "$smp" --mem "$mem" --cpu "$cpu")
    if [ "$arch" = x86_64 ]; then
        if [ -z "$initrd" ]; then
            media+=(--kernel "$kernel" --cmdline "$cmdline")
            return 0
        fi
        "$root/scripts/mkiso" --linux --elf "$kernel" --out "$work/$name.iso" \
            --cmdline "$cmdline" --module "$initrd" "" >/dev/null || return 1
        media+=(--image "$work/$name.iso")
        return 0
    fi
    media+=(--no-virt --image "$kernel" --cmdline "$cmdline" ${initrd:+--initrd "$initrd"})
}

# --- Figures ----------------------------------------------------------------------------------

# The median of the arguments (numbers), nothing if there are none.
bench_median() {
    [ $# -gt 0 ] || return 0
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
