#!/usr/bin/env bash
# Runs each fuzz target (built by `make fuzz-build` into build/fuzz/) for
# FUZZ_SECONDS seconds, one at a time, and prints one TAP-like line per
# target with the executions it made: "ok - fuzz NAME: ..." when nothing
# was found, "not ok - fuzz NAME: ..." with libFuzzer's report and the
# input it kept (build/fuzz/crashes/) otherwise.
#
#   tests/fuzz/run.sh [NAME...]   NAME: a target (default: every one built)
#   FUZZ_SECONDS=N                seconds per target (default 4; make fuzz: 600)
#   FUZZ_RUNS=N                   also stop a target after N executions
#   FUZZ_RSS_MB=N                 memory limit per target (default 1024)
#
# Each target starts from its seeds (tests/fuzz/corpus/NAME/, checked in,
# never written) and the inputs earlier runs found (build/fuzz/work/NAME/,
# where new ones go). A crash's input belongs in the seeds once fixed.
set -u
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-4}
rss=${FUZZ_RSS_MB:-1024}
if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for b in build/fuzz/fuzz_*; do [ -x "$b" ] && names+=("${b#build/fuzz/fuzz_}"); done
fi
if [ ${#names[@]} -eq 0 ]; then
	echo "not ok - fuzz: no targets in build/fuzz (make fuzz-build)"
	exit 1
fi
mkdir -p build/fuzz/logs build/fuzz/crashes
rc=0
for name in "${names[@]}"; do
	bin=build/fuzz/fuzz_$name seeds=tests/fuzz/corpus/$name work=build/fuzz/work/$name
	log=build/fuzz/logs/$name.log
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz $name: $bin is not built (make fuzz-build)"
		rc=1
		continue
	fi
	mkdir -p "$work"
	opts=(-max_total_time="$seconds" -rss_limit_mb="$rss" -timeout=10 -print_final_stats=1
	      -artifact_prefix="build/fuzz/crashes/$name-")
	[ -n "${FUZZ_RUNS:-}" ] && opts+=(-runs="$FUZZ_RUNS")
	[ -f "tests/fuzz/$name.dict" ] && opts+=(-dict="tests/fuzz/$name.dict")
	[ -f "tests/fuzz/$name.options" ] && read -r -a extra <"tests/fuzz/$name.options" &&
		opts+=("${extra[@]}")
	start=$SECONDS
	"$bin" "${opts[@]}" "$work" "$seeds" >"$log" 2>&1
	status=$?
	took=$((SECONDS - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	added=$(sed -n 's/^stat::new_units_added: *//p' "$log")
	if [ "$status" -eq 0 ] && [ -n "$execs" ]; then
		echo "ok - fuzz $name: ${execs} execs in ${took} s (${rate}/s), ${added} new inputs"
	else
		echo "not ok - fuzz $name: exit status $status after ${execs:-?} execs in ${took} s (log: $log)"
		grep -m1 -B2 -A14 -E '^==[0-9]+==ERROR|runtime error|property failed|^==[0-9]+== ERROR' "$log" |
			head -24 | sed 's/^/  # /'
		grep -h -m1 -o 'Test unit written to .*' "$log" | sed 's/^/  # /'
		rc=1
	fi
done
exit $rc
