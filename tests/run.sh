#!/usr/bin/env bash
# Runs every unit test binary and integration script and prints the totals.
# Each test prints one line per case: "PASS name", "FAIL name: why" or
# "SKIP name: why". A skipped case is counted as skipped, never as passed.
# A test program that dies without reporting counts as one failure.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed_runs=0

run_one() {
	local name=$1
	shift
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	printf '%s\n' "$out" | grep -E '^(PASS|FAIL|SKIP) ' >>"$log"
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
		echo "FAIL $name: exited $rc without reporting a failure" | tee -a "$log"
	fi
}

for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== unit: $t"
	run_one "$t" "$t"
done
for t in tests/integration/test_*.sh; do
	[ -f "$t" ] || continue
	echo "== integration: $t"
	run_one "$t" bash "$t"
done

passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^SKIP ' "$log")
if [ "$failed" -gt 0 ]; then
	echo "failures:"
	grep '^FAIL ' "$log"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
