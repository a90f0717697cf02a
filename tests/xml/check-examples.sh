#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks every domain definition in xml/examples/: against the RELAX NG schema with xmllint,
# then through the loader with `axvm-xl config-check` (when build/toolstack/axvm-xl is built),
# in a temporary directory laid out like dom0's /etc/axvm/guests: the examples, the test guests
# `make guests` built, and placeholders for the other files they name (kernels, initrds).
# Prints one line per example, "PASS xml/<name>" or "FAIL xml/<name>: <why>"; exit status 0
# only when every example passed.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
schema=$root/xml/schema/axvm-domain.rng
xl=$root/build/toolstack/axvm-xl
built_guests=$root/build/x86_64/guests

stage=$(mktemp -d "${TMPDIR:-/tmp}/axvm-examples-XXXXXX") || exit 1
trap 'rm -rf "$stage"' EXIT
guests=$stage/guests
mkdir -p "$guests"

# The files an example names (<kernel>, <initrd>, <module>), one per line.
named_files() {
    local n i
    n=$(xmllint --xpath 'count(//os/kernel|//os/initrd|//os/module)' "$1" 2>/dev/null) || return 0
    for ((i = 1; i <= n; i++)); do
        xmllint --xpath "normalize-space((//os/kernel|//os/initrd|//os/module)[$i])" "$1"
        echo
    done
}

# Put a file an example names in place: a built test guest, or a placeholder.
stage_file() {
    local name=$1 dir=$2 target
    case $name in
    /*) return 0 ;; # absolute: it must exist as it is
    esac
    target=$dir/$name
    [ -e "$target" ] && return 0
    mkdir -p "$(dirname "$target")"
    if [ -f "$built_guests/$(basename "$name")" ]; then
        ln -s "$built_guests/$(basename "$name")" "$target"
    else
        echo "placeholder for $name" >"$target"
    fi
}

# A message about a staged file, naming the example's own path instead.
shown() {
    echo "${1//$guests\//xml/examples/}"
}

if [ ! -x "$xl" ]; then
    echo "check-examples: $xl is not built (make toolstack); checking with xmllint only" >&2
fi

examples=("$root"/xml/examples/*.xml)
if [ ! -e "${examples[0]}" ]; then
    echo "FAIL xml/examples: no examples in $root/xml/examples"
    exit 1
fi

failed=0
for example in "${examples[@]}"; do
    name=$(basename "$example" .xml)
    cp "$example" "$guests/"
    while IFS= read -r file; do
        [ -n "$file" ] && stage_file "$file" "$guests"
    done < <(named_files "$example")

    if ! why=$(xmllint --noout --relaxng "$schema" "$guests/$name.xml" 2>&1); then
        why=$(grep -v 'fails to validate$' <<<"$why" | head -n 1)
        echo "FAIL xml/$name: xmllint: $(shown "${why:-does not validate}")"
        failed=$((failed + 1))
        continue
    fi
    if [ -x "$xl" ] && ! why=$(AXVM_SCHEMA=$schema "$xl" config-check "$guests/$name.xml" 2>&1); then
        echo "FAIL xml/$name: axvm-xl config-check: $(shown "$(head -n 1 <<<"$why")")"
        failed=$((failed + 1))
        continue
    fi
    echo "PASS xml/$name"
done
[ "$failed" -eq 0 ]
