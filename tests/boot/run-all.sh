#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every boot scenario of a group (default: "default") from tests/boot/cases.ini, several
# QEMUs side by side (BOOT_JOBS, default: the number of CPUs), and prints one PASS/FAIL line per
# scenario as it finishes. Exit status: 0 when all passed.
# Usage: tests/boot/run-all.sh [GROUP] [NAME-FILTER-REGEX]
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
ini=${BOOT_CASES:-$root/tests/boot/cases.ini}
group=${1:-default}
filter=${2:-.}
jobs=${BOOT_JOBS:-$(nproc)}

# A case in the group, and NAME@smpN for each N of its smp_also (the same boot with N CPUs).
cases=$(awk -v group="$group" '
    function flush() {
        if (!in_group) return
        print name
        for (i = 1; i <= n_also; i++) print name "@smp" also[i]
    }
    /^\[/ { flush(); name = substr($0, 2, index($0, "]") - 2); in_group = 0; n_also = 0 }
    /^groups[[:space:]]*=/ { if ((" " $0 " ") ~ ("[ =,]" group "[ ,]")) in_group = 1 }
    /^smp_also[[:space:]]*=/ {
        v = $0; sub(/^[^=]*=/, "", v); gsub(/^[ ,]+|[ ,]+$/, "", v); n_also = split(v, also, /[ ,]+/)
    }
    END { flush() }' "$ini" |
    grep -E -- "$filter")
[ -n "$cases" ] || { echo "run-all: no boot cases in group '$group' match '$filter'" >&2; exit 1; }

results=$(mktemp)
trap 'rm -f "$results"' EXIT
# Each run.sh prints exactly one short line, so parallel appends do not interleave.
xargs -P "$jobs" -I{} "$root/tests/boot/run.sh" {} <<<"$cases" | tee "$results"
! grep -q '^FAIL ' "$results"
