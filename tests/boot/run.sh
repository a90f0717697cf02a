#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one boot scenario of tests/boot/cases.ini: builds its boot media, starts QEMU (TCG) in the
# background under a hard time limit, watches the serial log for the expected lines, always
# stops QEMU, then prints one line, "PASS <arch>/<name>" or "FAIL <arch>/<name>: <why>".
# The serial log stays in build/tests/boot/<arch>-<name>/serial.log.
# Usage: tests/boot/run.sh ARCH/NAME[@smpN]    (exit status 0 on PASS)
# ARCH/NAME@smpN runs the case with N CPUs instead of its smp (run-all.sh does this for each
# number of its smp_also).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
ini=${BOOT_CASES:-$root/tests/boot/cases.ini}
name=${1:?usage: run.sh ARCH/NAME[@smpN]}
section_name=${name%@smp*}
smp_override=
[ "$section_name" = "$name" ] || smp_override=${name##*@smp}
work=$root/build/tests/boot/${name//\//-}
log=$work/serial.log
text=$work/serial.txt
log2=$work/serial2.log
text2=$work/serial2.txt

arch= cpu= tcg= smp=2 mem=128 virt=on cmdline= timeout=120 reject='PANIC|FATAL|no timer tick|did not come online'
expects=() expects2=() counts=() sames=() modules=() checks=() sends=() snaps=()
screen_cols=80 screen_rows=24
qemu_pid= reader_pid= pipe=

fail() {
    echo "FAIL $name: $* (log: ${log#"$root"/})"
    exit 1
}

stop_qemu() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill "$qemu_pid" 2>/dev/null
        wait "$qemu_pid" 2>/dev/null
    fi
    qemu_pid=
    if [ -n "$reader_pid" ]; then
        kill "$reader_pid" 2>/dev/null
        wait "$reader_pid" 2>/dev/null
    fi
    reader_pid=
}
trap stop_qemu EXIT

# Section $1's "key<TAB>value" lines, keys and values trimmed, comments and blanks skipped.
read_section() {
    awk -v want="[$1]" '
        /^[[:space:]]*(#|$)/ { next }
        /^\[/ { sub(/[[:space:]]+$/, ""); in_section = ($0 == want); found = found || in_section; next }
        in_section {
            i = index($0, "="); key = substr($0, 1, i - 1); value = substr($0, i + 1)
            gsub(/^[[:space:]]+|[[:space:]]+$/, "", key); gsub(/^[[:space:]]+|[[:space:]]+$/, "", value)
            print key "\t" value
        }
        END { if (!found) exit 1 }' "$ini"
}

# Section $1's keys; "include = OTHER" reads OTHER's lines in its place (at most 4 deep).
load_case() {
    local key value section
    section=$(read_section "$1") || { echo "FAIL $name: no such case [$1] in ${ini#"$root"/}"; exit 1; }
    while IFS=$'\t' read -r key value; do
        case "$key" in
        include)
            [ "${2:-0}" -lt 4 ] || { echo "FAIL $name: includes nested too deep at [$value]"; exit 1; }
            load_case "$value" $((${2:-0} + 1)) ;;
        arch) arch=$value ;;
        cpu) cpu=$value ;;
        tcg) tcg=$value ;;
        smp) smp=$value ;;
        mem) mem=$value ;;
        virt) virt=$value ;;
        cmdline) cmdline=$value ;;
        timeout) timeout=$value ;;
        reject) reject=$value ;;
        expect) expects+=("$value") ;;
        expect2) expects2+=("$value") ;;
        count) counts+=("$value") ;;
        same) sames+=("$value") ;;
        module) modules+=("$value") ;;
        check) checks+=("$value") ;;
        send) sends+=("S$value") ;;
        keys) sends+=("K$value") ;;
        snap) sends+=("P$value") ;;
        expect_snap) snaps+=("$value") ;;
        screen) screen_cols=${value%x*} screen_rows=${value#*x} ;;
        groups | smp_also) ;;
        *) echo "FAIL $name: unknown key '$key' in ${ini#"$root"/}"; exit 1 ;;
        esac
    done <<<"$section"
}

# A module spec's string: what follows the first space ("FILE" alone: an empty string).
module_string() {
    case $1 in
    *" "*) echo "${1#* }" ;;
    *) echo "" ;;
    esac
}

# Resolve a module spec's file: gen:SIZE makes a file of that size (repeatable content).
module_file() {
    local spec=$1 index=$2 file
    if [ "${spec#gen:}" != "$spec" ]; then
        file=$work/module$index.bin
        head -c "${spec#gen:}" /dev/zero | tr '\0' 'A' >"$file" || return 1
        echo "$file"
    else
        echo "$root/$spec"
    fi
}

module_size_mib() {
    local total=0 spec file
    for spec in ${modules[@]+"${modules[@]}"}; do
        file=$(module_file "${spec%% *}" x) && total=$((total + $(stat -c %s "$file")))
    done
    echo $((total >> 20))
}

# x86_64: a GRUB ISO with the command line and module2 lines.
media_x86_64() {
    local args=() i=0 spec file
    for spec in ${modules[@]+"${modules[@]}"}; do
        file=$(module_file "${spec%% *}" $i) || return 1
        args+=(--module "$file" "$(module_string "$spec")")
        i=$((i + 1))
    done
    "$root/scripts/mkiso" --elf "$root/build/x86_64/axvm.elf" --out "$work/boot.iso" \
        --cmdline "$cmdline" ${args[@]+"${args[@]}"} || return 1
    qemu_args=(--image "$work/boot.iso")
}

# arm64: QEMU's own device tree plus /chosen "multiboot,module" nodes, files loaded under them.
# The tree's order is the modules' order; fdtput -c puts a new node first, so add them last-first.
media_arm64() {
    local i file
    qemu_args=(--image "$root/build/arm64/axvm.bin" --cmdline "$cmdline")
    [ ${#modules[@]} -eq 0 ] && return 0
    for i in "${!modules[@]}"; do
        file=$(module_file "${modules[i]%% *}" "$i") || return 1
        qemu_args+=(--module "$file" "$(module_string "${modules[i]}")")
    done
    qemu_args+=(--module-dtb "$work/boot.dtb")
}

first_missing_expect() {
    local e
    for e in ${expects[@]+"${expects[@]}"}; do
        grep -Eq -- "$e" "$text" || { echo "$e"; return 0; }
    done
    for e in ${expects2[@]+"${expects2[@]}"}; do
        grep -Eq -- "$e" "$text2" || { echo "$e (on the second serial port)"; return 0; }
    done
    return 1
}

# The steps, in order, each once REGEX shows up in what the machine printed after the previous
# step: "send = REGEX => TEXT" types TEXT and a carriage return on the serial port; "keys =
# REGEX => KEYS" types KEYS as they are, backslash escapes expanded (\e, \r, ...), for
# full-screen programs; "snap = REGEX => NAME" waits a second more for the screen to settle,
# then renders everything the serial line printed so far through a terminal emulator
# (tests/boot/screen.py, "screen = COLSxROWS") into NAME.screen, a screen capture that
# "expect_snap = NAME => REGEX" lines check. The expects are checked once every step is done.
next_send=0 send_from=0

run_sends() {
    local step kind regex line
    while [ "$next_send" -lt ${#sends[@]} ]; do
        step=${sends[next_send]}
        kind=${step:0:1}
        step=${step:1}
        regex=${step%% => *}
        line=${step#* => }
        tail -c +$((send_from + 1)) "$text" | grep -Eq -- "$regex" || return 1
        send_from=$(stat -c %s "$text")
        case $kind in
        S) printf '%s\r' "$line" >"$pipe.in" ;;
        K) printf '%b' "$line" >"$pipe.in" ;;
        P) sleep 1
           /usr/bin/python3 "$root/tests/boot/screen.py" "$log" 0 "$screen_cols" \
               "$screen_rows" >"$work/$line.screen" 2>"$work/$line.screen.err" ||
               fail "could not render the screen $line (see ${work#"$root"/}/$line.screen.err)" ;;
        esac
        next_send=$((next_send + 1))
    done
    return 0
}

check_snaps() {
    local s shot regex
    for s in ${snaps[@]+"${snaps[@]}"}; do
        shot=${s%% => *}
        regex=${s#* => }
        [ -f "$work/$shot.screen" ] || fail "no screen capture $shot"
        grep -Eq -- "$regex" "$work/$shot.screen" ||
            fail "screen $shot (${work#"$root"/}/$shot.screen) shows no line matching '$regex'"
    done
}

# Wait until every expect is seen, a rejected line shows up, QEMU ends, or time runs out.
watch_serial() {
    local deadline=$((SECONDS + timeout)) missing bad
    while :; do
        tr -d '\r' <"$log" >"$text" 2>/dev/null
        [ ${#expects2[@]} -gt 0 ] && tr -d '\r' <"$log2" >"$text2" 2>/dev/null
        if bad=$(grep -Em1 -- "$reject" "$text"); then
            fail "unexpected line: $bad"
        fi
        if ! run_sends; then
            missing="${sends[next_send]:1}"
            missing="${missing%% => *} (step $((next_send + 1)) of ${#sends[@]})"
        elif ! missing=$(first_missing_expect) && ! missing=$(first_count_short); then
            return 0
        fi
        if ! kill -0 "$qemu_pid" 2>/dev/null; then
            fail "QEMU ended before this appeared: $missing"
        fi
        if [ $SECONDS -ge $deadline ]; then
            fail "timed out after ${timeout}s waiting for: $missing"
        fi
        sleep 0.2
    done
}

# A count whose lines have not all appeared yet (the last ones may follow the last expect).
first_count_short() {
    local c regex want
    for c in ${counts[@]+"${counts[@]}"}; do
        regex=${c% = *}
        want=${c##* = }
        [ "$(grep -Ec -- "$regex" "$text")" -ge "$want" ] || { echo "$want lines matching $regex"; return 0; }
    done
    return 1
}

check_counts() {
    local c regex want got
    for c in ${counts[@]+"${counts[@]}"}; do
        regex=${c% = *}
        want=${c##* = }
        got=$(grep -Ec -- "$regex" "$text")
        [ "$got" = "$want" ] || fail "$got lines match '$regex', expected $want"
    done
}

# Every line matching REGEX carries the same first group, and there are at least two.
check_sames() {
    local regex values
    for regex in ${sames[@]+"${sames[@]}"}; do
        values=$(sed -nE "s/.*${regex}.*/\1/p" "$text" | sort -u)
        [ "$(grep -Ec -- "$regex" "$text")" -ge 2 ] || fail "fewer than two lines match '$regex'"
        [ "$(wc -l <<<"$values")" -eq 1 ] || fail "lines matching '$regex' disagree: $(echo $values)"
    done
}

banner_regex() {
    echo "^axvm [^ ]+ \($arch\): ([0-9]+) CPUs online, ([0-9]+) MiB RAM, ([0-9]+) MiB free$"
}

# The banner contract: CPU count, then virt: lines, then the command line as given.
check_banner() {
    local banner after
    banner=$(grep -Em1 "$(banner_regex)" "$text") || fail "no banner line for $arch"
    [[ $banner =~ $(banner_regex) ]]
    [ "${BASH_REMATCH[1]}" = "$smp" ] || fail "banner says ${BASH_REMATCH[1]} CPUs online, QEMU has $smp"
    after=$(awk -v re="$(banner_regex)" 'seen { print } $0 ~ re { seen = 1 }' "$text")
    [[ $(head -1 <<<"$after") == virt:* ]] || fail "no 'virt:' line right after the banner"
    grep -Fxq -- "cmdline: $cmdline" <<<"$after" || fail "no 'cmdline: $cmdline' line after the banner"
}

# Free memory against the loader's map: total = the usable ranges; free = total less the
# modules and the hypervisor's own use, which is small.
check_memory() {
    local sum=0 start end line total free mods
    while read -r line; do
        [[ $line =~ boot:\ mem\ (0x[0-9a-f]+)-(0x[0-9a-f]+)\ usable$ ]] || continue
        start=${BASH_REMATCH[1]} end=${BASH_REMATCH[2]}
        sum=$((sum + end - start + 1))
    done <"$text"
    [ $sum -gt 0 ] || fail "no usable memory ranges in the log"
    [[ $(grep -Em1 "$(banner_regex)" "$text") =~ $(banner_regex) ]] || fail "no banner line"
    total=${BASH_REMATCH[2]} free=${BASH_REMATCH[3]} mods=$(module_size_mib)
    [ "$total" = $((sum >> 20)) ] || fail "banner says $total MiB RAM, the map's usable ranges add up to $((sum >> 20)) MiB"
    [ "$total" -le "$mem" ] || fail "banner says $total MiB RAM but QEMU has $mem MiB"
    [ "$free" -le $((total - mods - 1)) ] || fail "$free MiB free is more than RAM less modules ($total - $mods MiB) allows"
    [ "$free" -ge $((total - mods - 16)) ] || fail "$free MiB free: the hypervisor uses more than 16 MiB of $total MiB"
}

main() {
    load_case "$section_name"
    smp=${smp_override:-$smp}
    rm -rf "$work" && mkdir -p "$work"
    : >"$log"
    case "$arch" in
    x86_64 | arm64) ;;
    *) fail "arch must be x86_64 or arm64" ;;
    esac
    "media_$arch" >"$work/media.log" 2>&1 || fail "could not build the boot media (see ${work#"$root"/}/media.log)"
    local extra=()
    [ "$virt" = off ] && extra+=(--no-virt)
    if [ ${#sends[@]} -gt 0 ]; then
        # Interactive: the serial port is a FIFO pair; a reader copies the output to the log.
        pipe=$work/serial
        mkfifo "$pipe.in" "$pipe.out" || fail "cannot make the serial FIFOs"
        extra+=(--serial-pipe "$pipe")
        cat "$pipe.out" >"$log" &
        reader_pid=$!
    else
        extra+=(--serial-log "$log")
    fi
    [ ${#expects2[@]} -gt 0 ] && : >"$log2" && extra+=(--serial2-log "$log2")
    timeout -k 5 $((timeout + 30)) "$root/scripts/qemu" --arch "$arch" --smp "$smp" --mem "$mem" \
        ${cpu:+--cpu "$cpu"} ${tcg:+--tcg "$tcg"} "${qemu_args[@]}" ${extra[@]+"${extra[@]}"} \
        >"$work/qemu.log" 2>&1 &
    qemu_pid=$!
    watch_serial
    check_counts
    check_sames
    check_snaps
    local c
    for c in ${checks[@]+"${checks[@]}"}; do
        "check_$c"
    done
    echo "PASS $name"
}

main
