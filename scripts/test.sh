#!/usr/bin/env bash
# make test: every tier against a throwaway PostgreSQL, sanitized binaries.
# Each tier prints TAP-like lines ("ok - name" / "not ok - name"); this
# script counts them and prints "N passed, N failed" as its last line.
#
#   scripts/test.sh [TIER...]   TIER: unit, db, api, e2e, fuzz (default: all five)
#   scripts/test.sh api SUITE[::TEST]... [--each]
#                               only those API suites or tests, each alone
#                               (see tests/api/run.py; --list names them);
#                               the api tier also lints api/openapi.json
#                               (with every suite, or with openapi)
#   scripts/test.sh e2e STORY...  only those browser stories (tests/e2e/run.mjs)
#   NS_TEST_OUT=DIR             where the .tap files go (build/test-results)
#   NS_API_JOBS=N               API suites run at once (default: CPUs)
#   FUZZ_SECONDS=N              seconds per fuzz target (default 4; tests/fuzz/run.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tiers=" "
api_args=() e2e_args=() last=
for arg in "$@"; do
	case $arg in
	unit | db | api | e2e | fuzz) tiers+="$arg " last=$arg ;;
	*) if [ "$last" = e2e ]; then e2e_args+=("$arg"); else api_args+=("$arg"); fi ;;
	esac
done
[ "$tiers" != " " ] || tiers=" unit db api e2e fuzz "
out=${NS_TEST_OUT:-build/test-results}
rm -rf "$out" && mkdir -p "$out"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export NEXTSTAGE_BIN=$root/build/asan/nextstage

# A throwaway cluster: its own directory, socket and port; fsync off. The
# fuzz tier alone needs none.
pgdir=$root/var/test-pg-$$
pgport=$((55000 + $$ % 4000))
cleanup() { scripts/pg.sh destroy "$pgdir" >/dev/null 2>&1 || true; }
if [ "$tiers" != " fuzz " ]; then
	trap cleanup EXIT
	if ! url=$(NS_PG_FAST=1 scripts/pg.sh start "$pgdir" "$pgport"); then
		echo "not ok - start a throwaway PostgreSQL cluster" | tee "$out/setup.tap"
		echo "0 passed, 1 failed"
		exit 1
	fi
	export NS_PG_DIR=$pgdir NS_PG_PORT=$pgport NS_PG_URL=$url
fi

run_tier() { # name command...
	local name=$1
	shift
	[[ $tiers == *" $name "* ]] || return 0
	echo "== $name"
	"$@" 2>&1 | tee "$out/$name.tap"
	local rc=${PIPESTATUS[0]}
	# A tier that crashed without reporting a failure still fails.
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$out/$name.tap"; then
		echo "not ok - $name exited with status $rc" | tee -a "$out/$name.tap"
	fi
}

run_tier unit tests/unit/run.sh
run_tier db tests/db/run.sh
# Each API suite gets a database copied from a migrated template, and a
# server of its own (tests/api/run.py).
run_tier api python3 tests/api/run.py ${api_args[@]+"${api_args[@]}"}
# The API's contract (api/openapi.json) through a third-party linter,
# Spectral's OpenAPI rules (tests/lint, installed by scripts/deps.sh): with
# the whole api tier, or with its openapi suite. A warning fails it.
lint_contract() {
	local spectral=tests/lint/node_modules/.bin/spectral report
	if [ ! -x "$spectral" ]; then
		echo "not ok - lint api/openapi.json (no $spectral: run scripts/deps.sh)"
		return
	fi
	if report=$("$spectral" lint --ruleset tests/lint/spectral.yaml --fail-severity=warn \
		--display-only-failures api/openapi.json 2>&1); then
		echo "ok - lint api/openapi.json (spectral, spectral:oas)"
	else
		echo "not ok - lint api/openapi.json (spectral, spectral:oas)"
		printf '%s\n' "$report" | sed 's/^/  # /'
	fi
}
if [[ $tiers == *" api "* ]] && { [ ${#api_args[@]} -eq 0 ] || [[ " ${api_args[*]} " == *" openapi"* ]]; }; then
	echo "== lint"
	lint_contract | tee "$out/lint.tap"
fi
# The web app in Debian's Chromium (tests/e2e/run.mjs).
run_tier e2e node tests/e2e/run.mjs ${e2e_args[@]+"${e2e_args[@]}"}
# The parsers under libFuzzer (tests/fuzz/, built by make fuzz-build), each
# for FUZZ_SECONDS (4 by default): one line per target with its executions.
run_tier fuzz tests/fuzz/run.sh

passed=$(cat "$out"/*.tap | grep -c '^ok ')
failed=$(cat "$out"/*.tap | grep -c '^not ok ')
echo
if [ "$failed" -gt 0 ]; then
	echo "failures:"
	grep -h '^not ok ' "$out"/*.tap
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
