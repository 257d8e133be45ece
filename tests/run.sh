#!/usr/bin/env bash
# tests/run.sh — the test runner behind `make check`.
#
# Runs, in order: unit tests (build/tests/unit/*), the same under ASan+UBSan
# (build/asan/tests/unit/*), the cross-core primitives under ThreadSanitizer
# (build/tsan/tests/unit/test-coremu-*), guest-level tests (tests/tcg/*/run.sh)
# and functional tests (tests/functional/test-*.sh).
# Every test program prints one line per case: "PASS <case>", "FAIL <case>: why"
# or "SKIP <case>: why". The runner counts those lines (a program that exits
# non-zero without a FAIL line counts as one failure; one that prints nothing
# and exits 0 counts as one pass) and ends with "N passed, N failed".
#
# Usage: tests/run.sh [FILTER]   (FILTER: substring of the test names to run)
# Env:   TEST_TIMEOUT (seconds per program, default 1800), TEST_VERBOSE=1
set -u
cd "$(dirname "$0")/.."
filter=${1:-}
timeout_s=${TEST_TIMEOUT:-1800}
logdir=build/test-logs
mkdir -p "$logdir"
passed=0 failed=0 skipped=0
failures=()

run_one() { # name, command...
    local name=$1; shift
    [[ -n "$filter" && "$name" != *"$filter"* ]] && return
    local log="$logdir/${name//\//_}.log"
    local t0=$SECONDS
    timeout --kill-after=10 "$timeout_s" "$@" >"$log" 2>&1 </dev/null
    local rc=$?
    local dt=$((SECONDS - t0))
    local p f s
    p=$(grep -c '^PASS' "$log")
    f=$(grep -c '^FAIL' "$log")
    s=$(grep -c '^SKIP' "$log")
    if [[ $rc -ne 0 && $f -eq 0 ]]; then
        f=1
        [[ $rc -eq 124 || $rc -eq 137 ]] && echo "FAIL $name: timed out after ${timeout_s}s" >>"$log" \
            || echo "FAIL $name: exit status $rc" >>"$log"
    fi
    [[ $rc -eq 0 && $p -eq 0 && $f -eq 0 && $s -eq 0 ]] && p=1
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [[ $f -gt 0 ]]; then
        echo "FAIL $name ($p passed, $f failed, ${dt}s) — log: $log"
        grep '^FAIL' "$log" | head -20 | sed 's/^/    /'
        tail -5 "$log" | grep -v '^FAIL' | sed 's/^/    | /'
        failures+=("$name")
    else
        local sk=""
        [[ $s -gt 0 ]] && sk=", $s skipped"
        echo "ok   $name ($p passed$sk, ${dt}s)"
        [[ -n "${TEST_VERBOSE:-}" ]] && sed 's/^/    /' "$log"
    fi
}

# only binaries whose source still exists (a removed test leaves a stale binary)
unit_bin() { [[ -x "$1" && "$1" != *.d && -f "tests/unit/$(basename "$1").c" ]]; }
for t in build/tests/unit/test-*; do
    unit_bin "$t" && run_one "unit/$(basename "$t")" "$t"
done
for t in build/asan/tests/unit/test-*; do
    unit_bin "$t" && run_one "asan/$(basename "$t")" env ASAN_OPTIONS=detect_leaks=0 "$t"
done
for t in build/tsan/tests/unit/test-coremu-* build/tsan/tests/unit/test-smp-* \
         build/tsan/tests/unit/test-reemu-*; do
    unit_bin "$t" && run_one "tsan/$(basename "$t")" env TSAN_OPTIONS=halt_on_error=1 "$t"
done
for t in tests/tcg/*/run.sh; do
    [[ -x "$t" ]] && run_one "tcg/$(basename "$(dirname "$t")")" "$t"
done
for t in tests/functional/test-*.sh tests/functional/test-*.py; do
    [[ -x "$t" ]] && run_one "functional/$(basename "${t%.*}")" "$t"
done

echo
[[ ${#failures[@]} -gt 0 ]] && echo "failed programs: ${failures[*]}"
[[ $skipped -gt 0 ]] && echo "($skipped cases skipped)"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
