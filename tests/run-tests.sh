#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Everything `make test` runs once the binaries are built: the CUnit suites on the host, then
# the QEMU boot tests of both arches. Ends with one line "N passed, N failed" (unit tests and
# boot scenarios together); exit status 0 only when nothing failed.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0

echo "== unit tests (CUnit, host, ASan/UBSan)"
unit_out=$("$root/build/host/unit-tests" 2>&1)
unit_rc=$?
echo "$unit_out"
if [[ $(grep -E '^unit: [0-9]+ passed, [0-9]+ failed$' <<<"$unit_out" | tail -1) =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
fi
if [ $unit_rc -ne 0 ] && [ $failed -eq 0 ]; then
    echo "FAIL unit-tests: the runner exited with status $unit_rc"
    failed=$((failed + 1))
fi

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
