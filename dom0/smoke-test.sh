#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Smoke test of the dom0 and domU images on plain QEMU (TCG, no axvm underneath): boots the
# Debian kernel with each initramfs and drives its shell over the serial line. Under plain QEMU
# axvm.ko must refuse to load (no axvm CPUID signature on x86_64, no axvm node in the device
# tree on arm64), and axvm-xl and axvm-top must still work as far as they can without the
# hypervisor. Not part of `make test`: the boot tests with the hypervisor cover the same images
# for real. Every QEMU it starts is killed on exit.
#
# Usage: dom0/smoke-test.sh [--arch x86_64|arm64] [dom0|domu]...
#   (default: x86_64, both images; run `make ARCH=<arch> dom0` first). arm64 boots Debian's
#   arm64 Image at EL1 on QEMU's virt board (GICv3, -cpu max), console ttyAMA0.
# Prints "PASS smoke/<arch>/<image>" or "FAIL smoke/<arch>/<image>: <why>" per image; exit
# status 0 if all passed. Serial logs stay in build/tests/dom0-smoke/<arch>-<image>.log.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/build/tests/dom0-smoke
arch=x86_64
if [ "${1:-}" = --arch ]; then
    arch=${2:-}
    shift 2 || true
fi
case "$arch" in
x86_64)
    kernel=$root/build/x86_64/linux/vmlinuz
    qemu=(qemu-system-x86_64 -accel tcg -M pc -m 1G)
    console=ttyS0
    ;;
arm64)
    kernel=$root/build/arm64/linux/Image
    qemu=(qemu-system-aarch64 -accel tcg -M virt,gic-version=3 -cpu max -m 512M)
    console=ttyAMA0
    ;;
*) echo "usage: $0 [--arch x86_64|arm64] [dom0|domu]..." >&2; exit 2 ;;
esac
dom0_image=$root/build/$arch/dom0/initramfs.cpio.gz
domu_image=$root/build/$arch/linux/domu-initrd.img
boot_timeout=${SMOKE_BOOT_TIMEOUT:-120} # seconds to the ready line (TCG on a busy machine)
step_timeout=${SMOKE_STEP_TIMEOUT:-30}  # seconds for each command's answer

qemu_pid=
reader_pid=
log=

stop_qemu() {
    exec 3>&- 2>/dev/null
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill "$qemu_pid" 2>/dev/null
        wait "$qemu_pid" 2>/dev/null
    fi
    if [ -n "$reader_pid" ] && kill -0 "$reader_pid" 2>/dev/null; then
        kill "$reader_pid" 2>/dev/null
        wait "$reader_pid" 2>/dev/null
    fi
    qemu_pid= reader_pid=
}
trap stop_qemu EXIT

# Boot KERNEL with INITRD; the serial line goes through two FIFOs: we write commands into
# $fifo.in and a reader copies $fifo.out into $log.
start_qemu() {
    local initrd=$1 fifo=$work/serial
    rm -f "$fifo.in" "$fifo.out" "$log"
    mkfifo "$fifo.in" "$fifo.out"
    : >"$log"
    "${qemu[@]}" -smp 1 -display none -monitor none \
        -no-reboot -serial "pipe:$fifo" -kernel "$kernel" -initrd "$initrd" \
        -append "console=$console quiet panic=-1" >"$log.qemu" 2>&1 &
    qemu_pid=$!
    # Read-write opens never block on a FIFO, whether or not QEMU has opened its end yet.
    exec 3<>"$fifo.in"
    cat 0<>"$fifo.out" >>"$log" &
    reader_pid=$!
    started=$(date +%s.%N)
}

# Seconds since start_qemu, to a tenth.
elapsed() {
    awk -v now="$(date +%s.%N)" -v then="$started" 'BEGIN { printf "%.1f", now - then }'
}

# wait_for PATTERN SECONDS [COUNT]: until the log has COUNT (default 1) lines matching the
# extended regular expression, or QEMU has gone, or time is up.
wait_for() {
    local pattern=$1 limit=$2 want=${3:-1} deadline=$((SECONDS + $2)) n
    while :; do
        n=$(tr -d '\r' <"$log" | grep -cE -- "$pattern")
        [ "$n" -ge "$want" ] && return 0
        [ "$SECONDS" -lt "$deadline" ] || return 1
        kill -0 "$qemu_pid" 2>/dev/null || return 1
        sleep 0.2
    done
}

send() {
    printf '%s\n' "$1" >&3
}

# The answers below never occur in the commands typed (the console echoes those).
check_dom0() {
    local n_examples
    trap stop_qemu EXIT
    start_qemu "$dom0_image"
    wait_for '^axvm-dom0: (ready|axvm.ko did not load)' "$boot_timeout" ||
        fail "no 'axvm-dom0:' line within ${boot_timeout}s"
    ready_s=$(elapsed)
    # Without axvm, the module must have refused, and said why.
    wait_for '^axvm-dom0: axvm.ko did not load' 1 || fail "axvm.ko loaded without the hypervisor"
    wait_for '^dom0# ' "$step_timeout" || fail "no shell prompt"

    # (busybox insmod tries finit_module, then init_module: the line may be there twice.)
    send 'dmesg | grep -q "axvm: not running under the axvm hypervisor"; echo "refused=$?"'
    wait_for '^refused=0$' "$step_timeout" || fail "no 'not running under the axvm hypervisor' in dmesg"

    send 'test -e /dev/axvm; echo "devnode=$?"'
    wait_for '^devnode=1$' "$step_timeout" || fail "/dev/axvm exists although the module refused"

    # The static tools are this architecture's (uname -m: x86_64 or aarch64).
    send 'echo "machine=$(uname -m)"'
    wait_for "^machine=${arch/arm64/aarch64}\$" "$step_timeout" ||
        fail "the kernel is not ${arch/arm64/aarch64}"

    send 'axvm-xl help; echo "help-rc=$?"'
    wait_for '^Usage: axvm-xl COMMAND' "$step_timeout" && wait_for '^help-rc=0$' "$step_timeout" ||
        fail "axvm-xl help did not work"

    send 'axvm-top -b -i 1; echo "top-rc=$?"'
    wait_for '^top-rc=[0-9]' "$step_timeout" || fail "axvm-top -b -i 1 did not finish"
    wait_for '^top-rc=[1-9]' 0 || fail "axvm-top -b succeeded without the hypervisor"
    wait_for '^axvm-top: .*/dev/axvm not found' 0 || fail "axvm-top did not say that /dev/axvm is missing"

    send 'axvm-xl list; echo "list-rc=$?"'
    wait_for '/dev/axvm not found' "$step_timeout" || fail "axvm-xl list did not say /dev/axvm is missing"
    wait_for '^list-rc=[1-9]' "$step_timeout" || fail "axvm-xl list succeeded without the hypervisor"

    # Every example in the image is one of this architecture, with the files it names next to it.
    n_examples=$(zcat "$dom0_image" | cpio -t --quiet 2>/dev/null |
        grep -c '^etc/axvm/[^/]*\.xml$')
    [ "$n_examples" -gt 0 ] || fail "no examples in /etc/axvm"
    send 'axvm-xl config-check /etc/axvm/*.xml; echo "check-rc=$?"'
    wait_for '^check-rc=[0-9]' "$step_timeout" || fail "axvm-xl config-check did not finish"
    wait_for '^check-rc=0$' 1 || fail "axvm-xl config-check refused an example (see the log)"
    wait_for '^/etc/axvm/[a-z0-9-]+\.xml: ok$' 1 "$n_examples" ||
        fail "config-check did not say ok for all $n_examples examples"

    # The shell owns the console as its controlling tty: Ctrl-C stops a command.
    send 'sleep 60; echo "slept=$((60))"'
    sleep 1
    printf '\003' >&3
    send 'echo "after=$((1 + 1))"'
    wait_for '^after=2$' "$step_timeout" || fail "Ctrl-C did not stop 'sleep 60' (no job control?)"
    wait_for '^slept=60$' 0 && fail "Ctrl-C did not interrupt the command"

    send 'poweroff -f'
    wait_qemu_exit || fail "poweroff -f did not stop the machine"
    pass "dom0 ready after ${ready_s}s; module refused; help, top, list, config-check of $n_examples examples; Ctrl-C"
}

check_domu() {
    trap stop_qemu EXIT
    start_qemu "$domu_image"
    wait_for '^axvm-domu: ready$' "$boot_timeout" || fail "no 'axvm-domu: ready' within ${boot_timeout}s"
    ready_s=$(elapsed)
    wait_for '^domu# ' "$step_timeout" || fail "no shell prompt"
    send 'echo "sum=$((6 * 7))"'
    wait_for '^sum=42$' "$step_timeout" || fail "the shell does not answer"
    send 'poweroff -f'
    wait_qemu_exit || fail "poweroff -f did not stop the machine"
    pass "domu ready after ${ready_s}s; shell answers; poweroff -f"
}

wait_qemu_exit() {
    local deadline=$((SECONDS + step_timeout))
    while kill -0 "$qemu_pid" 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
    wait "$qemu_pid" 2>/dev/null
    qemu_pid=
}

# fail/pass end the image's subshell, whose EXIT trap (set in check_*) stops its QEMU.
fail() {
    echo "FAIL smoke/$arch/$image: $* (log: ${log#"$root"/})"
    exit 1
}
pass() {
    echo "PASS smoke/$arch/$image: $*"
    exit 0
}

command -v "${qemu[0]}" >/dev/null || { echo "FAIL smoke/$arch: no ${qemu[0]}"; exit 1; }
[ -f "$kernel" ] || { echo "FAIL smoke/$arch: $kernel missing (make ARCH=$arch dom0)"; exit 1; }
mkdir -p "$work"

images=("$@")
[ ${#images[@]} -gt 0 ] || images=(dom0 domu)
status=0
for image in "${images[@]}"; do
    case "$image" in
    dom0 | domu) ;;
    *) echo "usage: $0 [--arch x86_64|arm64] [dom0|domu]..." >&2; exit 2 ;;
    esac
    log=$work/$arch-$image.log
    ("check_$image") || status=1
done
exit $status
