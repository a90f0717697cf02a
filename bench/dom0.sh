#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# dom0 benchmarks (issue #5 item 8, arm64: issue #7 item 8), for each arch (--arch x86_64|arm64;
# default both), all timed on the host with bash's $EPOCHREALTIME:
#   1. boot: from starting QEMU to the serial line "axvm-dom0: ready" (x86_64: GRUB; axvm,
#      Debian's kernel as dom0, its /init), median/min/max of RUNS boots (default 5);
#   2. create: in one dom0 boot, from writing "axvm-xl create HELLO.xml" and its carriage
#      return into the serial FIFO to reading the guest's first console line, which the
#      hypervisor echoes on the serial line as "(dN) ..." (guest_console_echo=1); median of
#      RUNS create/destroy cycles (/etc/axvm/hello.xml, arm64's own on arm64);
#   3. the same for the Linux domU (x86_64: /etc/axvm/linux.xml, arm64: linux-arm64.xml): its
#      first console line, and its /init's "axvm-domu: ready";
# plus the serial round trip of a shell command in dom0 (type "echo x", see "x"), which items
# 2 and 3 include. When "axvm-xl create" fails (it says "axvm-xl: ..."), that guest is reported
# as not measured, with what axvm-xl said, and the rest goes on;
#   4. the cost of running under axvm: three workloads (a pipe into md5sum, a shell arithmetic
#      loop, a fork+exec loop), WORK_RUNS times each (default 3, one per boot) in dom0 and in
#      the same kernel and initramfs booted without axvm (x86_64: by GRUB; arm64: by QEMU's
#      -kernel at EL1), timed inside the guest with the kernel's monotonic clock
#      (/proc/timer_list, ns); medians and their ratio.
# QEMU: TCG, -smp 2, -m 1024 (arm64: -cpu cortex-a57, see set_arch); axvm:
# dom0_mem=320M, dom0 on one vCPU.
# Prints figures only; nothing here passes or fails on time. Serial logs (each line with the
# host time it was read) stay in build/bench/dom0-ARCH-*.log. Run `make ARCH=<arch> hypervisor
# dom0` first (`make bench` does).
set -uo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_args "$@"
runs=${RUNS:-5}
boot_limit=${DOM0_BOOT_LIMIT:-180}   # seconds for a boot to reach "axvm-dom0: ready"
hello_limit=${HELLO_LIMIT:-30}       # seconds from create to hello's first line
linux_limit=${LINUX_LIMIT:-60}       # seconds from create to the Linux domU's first line
step_limit=30                        # seconds for a shell command's answer
work_runs=${WORK_RUNS:-3}            # runs of each workload per boot (the median is printed)
work_limit=120                       # seconds for one workload run
fifo=$work/dom0-serial

# What differs between the arches: the machine, the command lines, the guests' files.
set_arch() {
    arch=$1
    kernel=$root/build/$arch/linux/vmlinuz
    initrd=$root/build/$arch/dom0/initramfs.cpio.gz
    cpu=max
    cmdline="console=com1 loglvl=info dom0_mem=320M guest_console_echo=1"
    dom0_cmdline="console=ttyS0 nokaslr quiet"
    hello_xml=/etc/axvm/hello.xml linux_xml=/etc/axvm/linux.xml linux_name=debian
    entry_re='dom0: dom0 kernel at '
    bare_what="the same GRUB, kernel and initramfs"
    linux_note="with 'quiet' that line appears when the kernel's console comes up"
    if [ "$arch" = arm64 ]; then
        kernel=$root/build/arm64/linux/Image
        # Not -cpu max: axvm hides pointer authentication and SVE from dom0, bare Linux would
        # use them, and TCG emulates PAC slowly (fork+exec 5x slower bare than under axvm):
        # the comparison would flatter axvm. cortex-a57 has neither, so both see one CPU.
        cpu=cortex-a57
        cmdline="console=pl011 loglvl=info dom0_mem=320M guest_console_echo=1"
        dom0_cmdline="console=ttyAMA0 nokaslr quiet"
        linux_xml=/etc/axvm/linux-arm64.xml
        linux_name=debian-arm64
        entry_re='dom0: dom0 Image at '
        bare_what="the same kernel and initramfs by QEMU's -kernel at EL1"
        linux_note="with earlycon=pl011 that line is the kernel's first message"
    fi
}

reader_pid= log=

stop_qemu() {
    exec 3>&- 2>/dev/null
    bench_stop
    if [ -n "$reader_pid" ] && kill -0 "$reader_pid" 2>/dev/null; then
        kill "$reader_pid" 2>/dev/null
        wait "$reader_pid" 2>/dev/null
    fi
    reader_pid=
}
trap stop_qemu EXIT

# Copies the serial output to stdout, one line at a time, each prefixed with the host time
# (seconds, microseconds) at which it was read; carriage returns dropped.
stamp_lines() {
    local line
    while IFS= read -r line; do
        printf '%s %s\n' "$EPOCHREALTIME" "${line//$'\r'/}"
    done
}

# Starts QEMU (boot $1; the rest: scripts/qemu's arguments) with the serial line on FIFOs and
# a reader stamping its lines into $log. Sets $started to the host time just before QEMU starts.
start_qemu() {
    log=$work/dom0-$arch-$1.log
    shift
    rm -f "$fifo.in" "$fifo.out"
    mkfifo "$fifo.in" "$fifo.out" || return 1
    : >"$log"
    # Read-write opens never block on a FIFO, whether or not QEMU has opened its end yet.
    stamp_lines 0<>"$fifo.out" >"$log" &
    reader_pid=$!
    exec 3<>"$fifo.in"
    started=$EPOCHREALTIME
    bench_start $((boot_limit + 600)) "$@" --serial-pipe "$fifo" >"$work/dom0-qemu.log" 2>&1
}

# Types $1 and a carriage return on the serial line; sets $sent to the host time after that.
send() {
    printf '%s\r' "$1" >&3
    sent=$EPOCHREALTIME
}

# Waits until a line matching the ERE $1 was read after host time $2, at most $3 seconds.
# Prints "TIME LINE" of the first such line; status 1 on timeout or when QEMU has ended.
wait_line() {
    local deadline=$((SECONDS + $3)) hit
    while :; do
        hit=$(RE=$1 AFTER=$2 awk '$1 + 0 > ENVIRON["AFTER"] + 0 {
                line = $0; sub(/^[^ ]* /, "", line)
                if (line ~ ENVIRON["RE"]) { print; exit }
            }' "$log")
        if [ -n "$hit" ]; then
            echo "$hit"
            return 0
        fi
        kill -0 "$qemu_pid" 2>/dev/null && [ $SECONDS -lt $deadline ] || return 1
        sleep 0.05
    done
}

# Milliseconds from host time $1 to host time $2.
ms_between() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'
}

# Runs a command in dom0's shell and waits for it to finish: "CMD; echo bench-done-N".
next_mark=0
shell_do() {
    next_mark=$((next_mark + 1))
    send "$1; echo bench-done-$next_mark"
    wait_line "^bench-done-$next_mark\$" "$sent" "$step_limit" >/dev/null
}

# Prints "median min max count" of its arguments (milliseconds), nothing if there are none.
stats() {
    [ $# -gt 0 ] || return 0
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
        END { printf "%s %s %s %d\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2,
                     v[1], v[NR], NR }'
}

# Prints one result line: label, then the stats in seconds or milliseconds.
report() {
    local label=$1 unit=$2 what=$3 s
    shift 3
    s=$(stats "$@")
    if [ -z "$s" ]; then
        printf '  %-22s not measured\n' "$label"
        return
    fi
    awk -v label="$label" -v unit="$unit" -v s="$s" -v runs="$runs" -v what="$what" 'BEGIN {
        split(s, v, " ")
        div = unit == "s" ? 1000 : 1; fmt = unit == "s" ? "%.2f" : "%.0f"
        printf "  %-22s " fmt " %s median  (min " fmt ", max " fmt "; %d of %d %s)\n",
               label, v[1] / div, unit, v[2] / div, v[3] / div, v[4], runs, what
    }'
}

# Whether axvm-xl can create the domain of $1 (named $2) at all: one create, untimed, for its
# exit status, then destroy. Returns 1 and says why in $why when it cannot (with what axvm-xl
# said), so that a guest this dom0 cannot run yet is skipped at once rather than waited for.
probe_create() {
    local xml=$1 name=$2 hit said status=
    why=
    send "axvm-xl create $xml; echo bench-created-\$?"
    # Not anchored: a guest's echoed console output can share the line.
    if ! hit=$(wait_line 'bench-created-[0-9]+' "$sent" "$step_limit"); then
        why="axvm-xl create did not return within $step_limit s"
    fi
    [[ $hit =~ bench-created-([0-9]+) ]] && status=${BASH_REMATCH[1]}
    if [ -n "$status" ] && [ "$status" != 0 ]; then
        # Its message: the first line after the command that is neither the hypervisor's log
        # nor a guest's console.
        said=$(AFTER=$sent awk '$1 + 0 > ENVIRON["AFTER"] + 0 {
                line = $0; sub(/^[^ ]* /, "", line); gsub(/[^[:print:]]/, "", line)
                if (line ~ /bench-created-[0-9]/) exit
                if (line ~ /axvm-xl create |^\((axvm|d[0-9]+)\) |^ *$/) next
                print line; exit }' "$log")
        why="axvm-xl create failed, exit status $status${said:+: $said}"
    fi
    destroy "$name" || why=${why:-"dom0's shell stopped answering"}
    [ -z "$why" ]
}

# Destroys the domain named $1 and waits until it is gone from the list, so that none of its
# lines can come after that and be taken for the next create's.
destroy() {
    shell_do "axvm-xl destroy $1 >/dev/null 2>&1; n=0; while axvm-xl list $1 >/dev/null 2>&1 && [ \$n -lt 50 ]; do sleep 0.1; n=\$((n + 1)); done"
}

# Creates the domain of $2 (named $3) RUNS times, each time timing its first console line and
# then destroying it; the milliseconds go to the array named $1, those until axvm-xl's
# "Started domain" line to the one named $5 and, when $6 names an array, those until the
# guest's "axvm-domu: ready" to that one. $4: seconds to wait. First probe_create; on the first
# failure it stops and says why in $why.
time_creates() {
    local -n out=$1 built=$5
    local xml=$2 name=$3 limit=$4 hit
    [ -z "${6:-}" ] || local -n ready=$6
    probe_create "$xml" "$name" || return 1
    for _ in $(seq "$runs"); do
        send "axvm-xl create $xml"
        if hit=$(wait_line '\(d[0-9]+\) ' "$sent" "$limit"); then
            out+=("$(ms_between "$sent" "${hit%% *}")")
            # When axvm-xl said "Started domain", if that line came out whole.
            started_line=$(wait_line "^Started domain $name " "$sent" 0) &&
                built+=("$(ms_between "$sent" "${started_line%% *}")")
            [ -n "$first_line" ] || first_line=$(guest_text "${hit#* }")
            if [ -n "${6:-}" ]; then
                hit=$(wait_line '\(d[0-9]+\) axvm-domu: ready' "$sent" "$limit") &&
                    ready+=("$(ms_between "$sent" "${hit%% *}")")
            fi
        else
            why="no console line within $limit s of create"
            local said
            said=$(RE='axvm-xl: |[Ee]rror|cannot' AFTER=$sent awk '$1 + 0 > ENVIRON["AFTER"] + 0 {
                    line = $0; sub(/^[^ ]* /, "", line); if (line ~ ENVIRON["RE"]) print line }' \
                "$log" | head -n 1)
            [ -n "$said" ] && why="$why; dom0 said: $said"
        fi
        destroy "$name" || { why=${why:-"dom0's shell stopped answering"}; return 1; }
        [ -z "$why" ] || return 1
    done
}

# The time of the first line matching the ERE $1 in $log (any time), relative to $started, in
# milliseconds; nothing if there is none.
phase_ms() {
    local hit
    hit=$(RE=$1 awk '{ line = $0; sub(/^[^ ]* /, "", line); if (line ~ ENVIRON["RE"]) { print $1; exit } }' "$log")
    [ -n "$hit" ] && ms_between "$started" "$hit"
}

# The guest's part of a line "... (dN) TEXT" as echoed by the hypervisor, printable characters
# only (what dom0's shell printed on the same line before it is dropped).
guest_text() {
    local text=${1//[^[:print:]]/}
    [[ $text =~ \(d[0-9]+\)\ .* ]] && text=${BASH_REMATCH[0]}
    echo "$text"
}

# The workloads: name, shell command (its output thrown away), target ratio. Each is sized to
# take a few seconds under TCG. /bin/true is a separate program (a busybox link), so ash forks
# and execs it each time.
work_names=(pipe arith fork)
declare -A work_cmds=(
    [pipe]="dd if=/dev/zero bs=64k count=${PIPE_BLOCKS:-1000} 2>/dev/null | md5sum >/dev/null"
    [arith]="i=0; while [ \$i -lt ${ARITH_LOOPS:-100000} ]; do i=\$((i + 1)); done"
    [fork]="for i in \$(seq ${FORK_LOOPS:-500}); do /bin/true; done"
)
declare -A work_what=(
    [pipe]="dd if=/dev/zero bs=64k count=${PIPE_BLOCKS:-1000} | md5sum"
    [arith]="ash loop of ${ARITH_LOOPS:-100000} i=\$((i + 1))"
    [fork]="${FORK_LOOPS:-500} x fork+exec /bin/true"
)
declare -A work_target=([pipe]=1.1 [arith]=1.1 [fork]=1.2)

# Runs this boot's share of the WORK_RUNS rounds of all three workloads for $1 (dom0 or bare)
# in boot $2 of RUNS: one round per boot while there are boots enough left, so the rounds fall
# in different boots (one boot of the bare kernel once ran the pipe twice as slowly as the
# others, all three rounds), more per boot when RUNS < WORK_RUNS. Each round runs the three in
# turn, and appends their microseconds to the arrays named PREFIX_NAME. The shell function bt
# reads the monotonic clock ("now at N nsecs", the third line of /proc/timer_list, read by the
# shell itself so no fork is counted) before and after the command and prints
# "bench-w NAME US" ("bench-w NAME" alone if that file could not be read). On a failure it
# stops and says why in PREFIX_work_why.
boot_workloads() {
    local -n rounds=${1}_work_done why_out=${1}_work_why
    local prefix=$1 left=$((work_runs - ${1}_work_done)) boots_left=$((runs - $2 + 1)) name hit n
    [ "$left" -gt 0 ] || return 0
    n=$(((left + boots_left - 1) / boots_left))
    wait_shell || { why_out="the shell did not answer (boot $2)"; return 1; }
    send 'bt() { local a= b=; { read -r _; read -r _; read -r _ _ a _; } </proc/timer_list; eval "$2"; { read -r _; read -r _; read -r _ _ b _; } </proc/timer_list; echo "bench-w $1 ${a:+${b:+$(( (b - a) / 1000 ))}}"; }'
    shell_do true || { why_out="the shell stopped answering (boot $2)"; return 1; }
    for _ in $(seq "$n"); do
        for name in "${work_names[@]}"; do
            send "bt $name '${work_cmds[$name]}'"
            if ! hit=$(wait_line "^bench-w $name( [0-9]*)?\$" "$sent" "$work_limit"); then
                why_out="no result for $name within $work_limit s (boot $2)"
                return 1
            fi
            if ! [[ $hit =~ \ [1-9][0-9]*$ ]]; then
                why_out="the guest's clock could not be read (/proc/timer_list)"
                return 1
            fi
            local -n out=${prefix}_$name
            out+=("${hit##* }")
            unset -n out
        done
        rounds=$((rounds + 1))
    done
}

# Waits for the shell of a boot that just came up: until it runs, typed lines may be lost, so
# ask until it answers.
wait_shell() {
    for _ in 1 2 3 4 5 6; do
        send "echo bench-shell"
        wait_line '^bench-shell$' "$sent" 10 >/dev/null && return 0
    done
    return 1
}

# Boots dom0 RUNS times: each boot timed to "ready", its share of the workloads, and in the
# first that comes up the shell round trips and the creates. Then the same kernel and
# initramfs without axvm, RUNS times: their boot to /init's line and their share of the
# workloads. Figures go to the global arrays print_figures reads.
measure() {
    local boot up hit t
    boots=() grubs=() banners=() entries=() bares=() rtts=() hellos=() linuxes=()
    hello_builds=() linux_builds=() linux_readies=()
    dom0_pipe=() dom0_arith=() dom0_fork=() bare_pipe=() bare_arith=() bare_fork=()
    dom0_work_done=0 bare_work_done=0 dom0_work_why= bare_work_why=
    hello_why="dom0 did not boot" linux_why="dom0 did not boot" hello_first= linux_first=
    bench_media "dom0-$arch" "$arch" 2 1024 "$cpu" "$cmdline" \
        "$kernel" "$dom0_cmdline" "$initrd" "" || exit 1
    local dom0_media=("${media[@]}")
    # The same kernel and initramfs without axvm, as axvm gives them to dom0 (one CPU, 320 MiB).
    bench_bare "dom0-bare-$arch" "$arch" 2 1024 "$cpu" "$kernel" \
        "$dom0_cmdline nr_cpus=1 mem=320M" "$initrd" || exit 1
    local bare_media=("${media[@]}")

    for boot in $(seq "$runs"); do
        start_qemu "$boot" "${dom0_media[@]}" || exit 1
        if hit=$(wait_line '^axvm-dom0: ready$' 0 "$boot_limit"); then
            boots+=("$(ms_between "$started" "${hit%% *}")")
            t=$(phase_ms "Booting .axvm'") && grubs+=("$t")
            t=$(phase_ms "^axvm [^ ]+ \\($arch\\): ") && banners+=("$t")
            t=$(phase_ms "$entry_re") && entries+=("$t")
        else
            echo "dom0: boot $boot did not reach 'axvm-dom0: ready' within $boot_limit s (log: ${log#"$root"/})"
        fi
        up=$hit
        # Before the guests, so that no domain has run yet in this boot.
        [ -z "$up" ] || boot_workloads dom0 "$boot"
        # The first boot that comes up also runs the guests; the others only time the boot.
        if [ -n "$up" ] && [ "$hello_why" = "dom0 did not boot" ]; then
            wait_shell
            for _ in $(seq "$runs"); do
                send "echo bench-rtt"
                hit=$(wait_line '^bench-rtt$' "$sent" "$step_limit") &&
                    rtts+=("$(ms_between "$sent" "${hit%% *}")")
            done
            first_line=
            time_creates hellos "$hello_xml" hello "$hello_limit" hello_builds
            hello_why=$why hello_first=$first_line first_line=
            time_creates linuxes "$linux_xml" "$linux_name" "$linux_limit" linux_builds linux_readies
            linux_why=$why linux_first=$first_line
        fi
        stop_qemu
    done

    # Without axvm, /init cannot load axvm.ko and says so instead of "ready": that line is the end.
    for boot in $(seq "$runs"); do
        start_qemu "bare-$boot" "${bare_media[@]}" || exit 1
        hit=$(wait_line '^axvm-dom0: ' 0 "$boot_limit") && bares+=("$(ms_between "$started" "${hit%% *}")")
        [ -z "$hit" ] || boot_workloads bare "$boot"
        stop_qemu
    done
}

# Why a guest's figures are missing or fewer: $1 guest, $2 why (empty: nothing to say), $3 count.
why_line() {
    [ -z "$2" ] && return
    if [ "$3" = 0 ]; then
        echo "    $1 domU: not measured ($2)"
    else
        echo "    $1 domU: stopped after $3 creates ($2)"
    fi
}

# Median of the arguments (milliseconds), nothing if there are none.
median() {
    stats "$@" | cut -d' ' -f1
}

print_figures() {
    local machine="-smp 2 -m 1024" name
    [ "$cpu" = max ] || machine+=" -cpu $cpu"
    echo "dom0 ($arch, TCG, QEMU $machine, dom0_mem=320M; host wall clock):"
    report "boot to dom0 ready" s boots "${boots[@]}"
    if [ "$arch" = x86_64 ]; then
        echo "    from starting QEMU to the serial line 'axvm-dom0: ready' (GRUB, axvm, Debian kernel, /init)"
    else
        echo "    from starting QEMU to the serial line 'axvm-dom0: ready' (axvm, Debian kernel, /init)"
    fi
    awk -v g="$(median "${grubs[@]}")" -v b="$(median "${banners[@]}")" \
        -v e="$(median "${entries[@]}")" -v r="$(median "${boots[@]}")" 'BEGIN {
        if (b == "" || e == "" || r == "") exit
        printf "    medians from QEMU start: "
        if (g != "") printf "GRUB boots axvm %.2f s, ", g / 1000
        printf "axvm banner %.2f s, dom0 kernel entered %.2f s\n", b / 1000, e / 1000
        printf "    dom0 kernel entry to ready: %.2f s\n", (r - e) / 1000
    }'
    report "same, without axvm" s boots "${bares[@]}"
    echo "    $bare_what, no axvm (nr_cpus=1 mem=320M), to /init's line"
    awk -v r="$(median "${boots[@]}")" -v n="$(median "${bares[@]}")" 'BEGIN {
        if (r != "" && n != "") printf "    difference of the medians: axvm adds %+.2f s (target: about 1 s)\n", (r - n) / 1000
    }'
    report "shell round trip" ms "commands" "${rtts[@]}"
    echo "    from typing 'echo bench-rtt' on the serial line to reading 'bench-rtt' (included below)"
    report "create hello" ms "creates" "${hellos[@]}"
    why_line hello "$hello_why" "${#hellos[@]}"
    echo "    from typing 'axvm-xl create $hello_xml' to its first console line${hello_first:+, \"$hello_first\"}"
    report "create linux" ms "creates" "${linuxes[@]}"
    why_line linux "$linux_why" "${#linuxes[@]}"
    echo "    from typing 'axvm-xl create $linux_xml' to its first console line${linux_first:+, \"$linux_first\"}"
    echo "    (target: 3 s); $linux_note"
    report "  of which create" ms "creates" "${linux_builds[@]}"
    echo "    to axvm-xl's 'Started domain $linux_name' line (built, loaded and unpaused)"
    report "  domU ready" ms "creates" "${linux_readies[@]}"
    echo "    to the domU's /init saying 'axvm-domu: ready'"
    echo "  cost of running under axvm: median (min-max) of $work_runs runs spread over the boots, timed by"
    echo "  the guest's monotonic clock; ratio = dom0 / the same kernel and initramfs without axvm:"
    for name in "${work_names[@]}"; do
        declare -n d=dom0_$name b=bare_$name
        awk -v name="$name" -v d="$(stats "${d[@]}")" -v b="$(stats "${b[@]}")" -v runs="$work_runs" \
            -v target="${work_target[$name]}" 'BEGIN {
            nd = split(d, dv, " "); nb = split(b, bv, " ")
            printf "  %-6s", name
            if (nd) printf " dom0 %5.2f s (%.2f-%.2f)", dv[1] / 1e6, dv[2] / 1e6, dv[3] / 1e6
            else printf " dom0 not measured"
            if (nb) printf ", without axvm %5.2f s (%.2f-%.2f)", bv[1] / 1e6, bv[2] / 1e6, bv[3] / 1e6
            else printf ", without axvm not measured"
            if (nd && nb && bv[1] > 0) printf ", ratio %.2f", dv[1] / bv[1]
            printf "  (target %sx)", target
            if ((nd && dv[4] < runs) || (nb && bv[4] < runs)) printf "  [%d and %d of %d runs]", dv[4], bv[4], runs
            printf "\n"
        }'
        echo "           ${work_what[$name]}"
        unset -n d b
    done
    [ "$dom0_work_done" = 0 ] && [ -z "$dom0_work_why" ] && dom0_work_why="dom0 did not boot"
    [ "$bare_work_done" = 0 ] && [ -z "$bare_work_why" ] && bare_work_why="the kernel did not boot without axvm"
    [ "$dom0_work_done" -lt "$work_runs" ] && [ -n "$dom0_work_why" ] && echo "    dom0: $dom0_work_why"
    [ "$bare_work_done" -lt "$work_runs" ] && [ -n "$bare_work_why" ] && echo "    without axvm: $bare_work_why"
}

for a in "${arches[@]}"; do
    set_arch "$a"
    started_at=$SECONDS
    measure
    print_figures
    echo "  (took $((SECONDS - started_at)) s; serial logs in ${work#"$root"/}/dom0-$arch-*.log)"
done
