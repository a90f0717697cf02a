#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Everything `make test` runs once the binaries are built: the CUnit suites on the host, then
# the QEMU boot tests of both arches. Ends with one line "N passed, N failed" (unit tests and
# boot scenarios together); exit status 0 only when nothing failed.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0

# Run a CUnit runner; add its "unit: N passed, M failed" line to the totals.
run_cunit() {
    local bin=$1 out rc
    out=$("$bin" 2>&1)
    rc=$?
    echo "$out"
    if [[ $(grep -E '^unit: [0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -1) =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        [ "$rc" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ] && rc_failure "$bin" "$rc"
    else
        rc_failure "$bin" "$rc"
    fi
}

rc_failure() {
    echo "FAIL $(basename "$1"): the runner exited with status $2 before its summary"
    failed=$((failed + 1))
}

echo "== unit tests: hypervisor core (CUnit, host, ASan/UBSan)"
run_cunit "$root/build/host/unit-tests"
echo "== unit tests: toolstack (CUnit, host, ASan/UBSan/LSan)"
run_cunit "$root/build/host/toolstack-tests"

echo "== domain XML examples (xmllint --relaxng, then the loader)"
xml_log=$(mktemp)
"$root/tests/xml/check-examples.sh" | tee "$xml_log"
passed=$((passed + $(grep -c '^PASS ' "$xml_log")))
failed=$((failed + $(grep -c '^FAIL ' "$xml_log")))
rm -f "$xml_log"

echo "== boot tests (QEMU, TCG, both arches)"
boot_log=$(mktemp)
trap 'rm -f "$boot_log"' EXIT
"$root/tests/boot/run-all.sh" default | tee "$boot_log"
passed=$((passed + $(grep -c '^PASS ' "$boot_log")))
failed=$((failed + $(grep -c '^FAIL ' "$boot_log")))
if grep -q '^FAIL ' "$boot_log"; then
    echo "serial logs of failed boots are under build/tests/boot/"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
