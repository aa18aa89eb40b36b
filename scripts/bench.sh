#!/usr/bin/env bash
# make bench: measures build/nextstage against references on this machine and
# prints a table (also written to build/bench/results.txt).
#
#   scripts/bench.sh [SCENARIO...]      default: all, in the order of SCENARIOS
#
# Every figure is a ratio to a reference measured in the same run (a
# libmicrohttpd hello-world for HTTP), because absolute figures move from
# machine to machine. A benchmark is not a test: the exit status says whether
# the harness worked, not whether the targets were met.
#
# Environment: BENCH_THREADS (server threads, default nproc), BENCH_DURATION
# (10s), BENCH_WARMUP (2s), BENCH_CONNECTIONS (32), BENCH_WRK_THREADS (2).
#
# To add a scenario: write bench_NAME (start what it needs with need_*,
# measure with run_wrk or record, then call report) and add NAME to SCENARIOS.
# Load goes to 127.0.0.1 only; every step is bounded in time.
# shellcheck disable=SC2317  # functions run from traps and by computed names
set -euo pipefail
cd "$(dirname "$0")/.."

SCENARIOS=(hello healthz me)

THREADS=${BENCH_THREADS:-$(nproc)}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
CONNS=${BENCH_CONNECTIONS:-32}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
OUT=build/bench
PG_DIR=var/bench-pg
PG_PORT=54391
NS=build/nextstage
export BENCH_THREADS=$THREADS
# Only what this script sets reaches the server.
unset "${!NEXTSTAGE_@}"

BG_PIDS=()     # background servers, stopped on exit
PG_STARTED=0
FAILED=0       # harness failures (not missed targets)
declare -A RATE UNIT P99 NON2XX SOCKERR
ROWS=()        # formatted table lines, in report order
MET=0 TARGETS=0
PRINTED=0

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- processes -------------------------------------------------------------

# Stops one background process: SIGTERM, then SIGKILL after 5 s.
stop_bg() {
	local pid=$1 i st
	kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
	for ((i = 0; i < 50; i++)); do
		st=$(ps -o stat= -p "$pid" 2>/dev/null || true)
		[[ -z $st || $st == Z* ]] && break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? pid
	set +e
	trap - INT TERM
	for pid in $CHILD "${BG_PIDS[@]}"; do stop_bg "$pid"; done
	# What was measured before a failure is still worth seeing.
	if [ "$rc" != 0 ] && [ "$PRINTED" = 0 ] && [ ${#ROWS[@]} -gt 0 ]; then
		print_table "INCOMPLETE RUN (exit $rc)"
	fi
	if [ "$PG_STARTED" = 1 ]; then scripts/pg.sh destroy "$PG_DIR" >/dev/null 2>&1; fi
	# The access log of a run is large: keep its end for post-mortems.
	if [ -f "$OUT/nextstage.log" ]; then
		tail -n 2000 "$OUT/nextstage.log" >"$OUT/nextstage.log.tail"
		rm -f "$OUT/nextstage.log"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# interruptible CMD...: runs CMD in the background and waits for it, so that
# Ctrl-C or SIGTERM stops the script at once. (In the foreground, bash lets
# wrk swallow Ctrl-C, which only cuts that one run short.)
CHILD=''
interruptible() {
	local rc=0
	"$@" &
	CHILD=$!
	wait "$CHILD" || rc=$?
	CHILD=''
	return "$rc"
}

# A TCP port nothing listens on, below the ephemeral range.
free_port() {
	local p _
	for _ in {1..100}; do
		p=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	die "no free port"
}

# wait_http URL PID TIMEOUT_S LOGFILE: waits for a 200, failing early if PID dies.
wait_http() {
	local url=$1 pid=$2 deadline=$((SECONDS + $3)) logf=$4
	until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url")" = 200 ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 20 "$logf" >&2 || true
			die "server for $url exited"
		fi
		[ "$SECONDS" -lt "$deadline" ] || die "no 200 from $url after $3 s"
		sleep 0.2
	done
}

# --- what scenarios need (each starts once) ----------------------------------

HELLO_URL=
need_hello() {
	[ -z "$HELLO_URL" ] || return 0
	cc -O2 -o "$OUT/hello" tests/bench/hello.c -lmicrohttpd
	local port
	port=$(free_port)
	"$OUT/hello" "$port" 2>"$OUT/hello.log" &
	BG_PIDS+=($!)
	wait_http "http://127.0.0.1:$port/" $! 10 "$OUT/hello.log"
	HELLO_URL=http://127.0.0.1:$port
}

DB_URL=
need_db() {
	[ -z "$DB_URL" ] || return 0
	scripts/pg.sh destroy "$PG_DIR" >/dev/null 2>&1 || true # left by a killed run
	PG_STARTED=1
	DB_URL=$(timeout --foreground 90 scripts/pg.sh start "$PG_DIR" "$PG_PORT") || die "PostgreSQL did not start"
	log "PostgreSQL: $DB_URL"
}

# ns ARGS...: runs the release binary against the bench database; its
# stderr goes to build/bench/setup.log, shown if it fails.
ns() {
	if ! NEXTSTAGE_DATABASE_URL=$DB_URL timeout --foreground 60 "$NS" "$@" 2>>"$OUT/setup.log"; then
		tail -n 20 "$OUT/setup.log" >&2
		die "nextstage $* failed"
	fi
}

NS_URL='' TOKEN='' NS_PID=''
need_server() {
	[ -z "$NS_URL" ] || return 0
	[ -x "$NS" ] || die "$NS is missing (make build/nextstage)"
	need_db
	ns migrate
	echo pw-bench-123 | ns user add --email bench@example.com --name Bench --role rep >/dev/null
	TOKEN=$(ns token create --email bench@example.com --name bench)
	[ -n "$TOKEN" ] || die "nextstage token create printed nothing"
	local port
	port=$(free_port)
	# The access log (one JSON line per request on stderr) goes to a file:
	# its cost is part of the server's.
	NEXTSTAGE_DATABASE_URL=$DB_URL NEXTSTAGE_LISTEN=127.0.0.1:$port \
		NEXTSTAGE_THREADS=$THREADS "$NS" serve >"$OUT/nextstage.log" 2>&1 &
	BG_PIDS+=($!)
	NS_PID=$!
	wait_http "http://127.0.0.1:$port/healthz" "$NS_PID" 30 "$OUT/nextstage.log"
	NS_URL=http://127.0.0.1:$port
}

# --- measuring and reporting -------------------------------------------------

# record NAME RATE UNIT [P99_MS NON2XX SOCKERR]: stores one measurement
# (for references that are not wrk runs: pgbench tps, psql \copy rows/s...).
record() {
	RATE[$1]=$2 UNIT[$1]=$3 P99[$1]=${4:--} NON2XX[$1]=${5:--} SOCKERR[$1]=${6:--}
}

# run_wrk NAME URL [wrk args...]: a warm-up, then the measured run, then
# record NAME with req/s, p99 (ms), non-2xx/3xx responses and socket errors.
# The raw output stays in build/bench/NAME.wrk.txt.
run_wrk() {
	local name=$1 url=$2 raw=$OUT/$1.wrk.txt
	shift 2
	log "$name: $url (warm-up $WARMUP, then $DURATION)"
	interruptible timeout 60 wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WARMUP" "$@" "$url" >/dev/null 2>&1 || true
	if ! interruptible timeout 120 wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" "$url" \
		>"$raw" 2>&1; then
		log "$name: wrk failed:"
		cat "$raw" >&2
		FAILED=1
		record "$name" - req/s
		return 0
	fi
	# shellcheck disable=SC2046
	record "$name" $(awk '
		function ms(v) {
			if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
			if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000
			return v
		}
		/^Requests\/sec:/ { rps = $2 }
		/^ +99%/ { p99 = sprintf("%.2f", ms($2)) }
		/Non-2xx or 3xx responses:/ { bad = $NF }
		/Socket errors:/ { gsub(",", ""); se = $4 + $6 + $8 + $10 }
		END { printf "%s req/s %s %d %d\n", rps == "" ? "-" : sprintf("%.0f", rps), p99 == "" ? "-" : p99, bad, se }
	' "$raw")
	if [ "${RATE[$name]}" = - ]; then
		log "$name: no Requests/sec in $raw"
		FAILED=1
	fi
}

row() { printf '%-14s %10s %-7s %8s %8s %8s  %-13s %6s %8s  %s\n' "$@"; }

# report NAME [REFERENCE MIN_RATIO]: adds NAME's row to the table. With a
# reference, the target is RATE[NAME] >= MIN_RATIO * RATE[REFERENCE] with
# no non-2xx responses and no socket errors.
report() {
	local name=$1 ref=${2:-} min=${3:-} ratio=- target=- met=-
	if [ -n "$ref" ]; then
		TARGETS=$((TARGETS + 1))
		target=">= $min"
		ratio=$(awk -v a="${RATE[$name]}" -v b="${RATE[$ref]:--}" \
			'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')
		if [ "${NON2XX[$name]}" != - ] && [ "${NON2XX[$name]}" != 0 ]; then
			met="no (non-2xx)"
		elif [ "${SOCKERR[$name]}" != - ] && [ "${SOCKERR[$name]}" != 0 ]; then
			met="no (socket errors)"
		elif [ "$ratio" = - ]; then
			met="no (no figure)"
		elif awk -v r="$ratio" -v m="$min" 'BEGIN { exit !(r >= m) }'; then
			met=yes
			MET=$((MET + 1))
		else
			met=no
		fi
	fi
	ROWS+=("$(row "$name" "${RATE[$name]}" "${UNIT[$name]}" "${P99[$name]}" \
		"${NON2XX[$name]}" "${SOCKERR[$name]}" "${ref:-(reference)}" "$ratio" "$target" "$met")")
}

# print_table [NOTE]: prints the table and writes it to build/bench/results.txt.
print_table() {
	PRINTED=1
	{
		[ -z "${1:-}" ] || echo "$1"
		echo "nextstage bench, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
		echo "machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -r)"
		echo "server threads: $THREADS; wrk -t$WRK_THREADS -c$CONNS -d$DURATION --latency (after a $WARMUP warm-up), 127.0.0.1"
		echo
		row scenario rate unit "p99 ms" non-2xx sock-err reference ratio target met
		printf '%s\n' "${ROWS[@]}"
		echo
		echo "targets met: $MET of $TARGETS"
	} | tee "$OUT/results.txt"
}

# scenario NAME: runs bench_NAME once (a scenario runs its reference this way).
declare -A RAN
scenario() {
	[ -z "${RAN[$1]:-}" ] || return 0
	RAN[$1]=1
	"bench_$1"
	# A server that died mid-run makes every later figure meaningless.
	if [ -n "$NS_PID" ] && ! kill -0 "$NS_PID" 2>/dev/null; then
		tail -n 20 "$OUT/nextstage.log" >&2 || true
		die "nextstage exited during $1"
	fi
}

# --- scenarios -----------------------------------------------------------------

bench_hello() {
	need_hello
	run_wrk hello-world "$HELLO_URL/"
	report hello-world
}

bench_healthz() {
	scenario hello
	need_server
	run_wrk healthz "$NS_URL/healthz"
	report healthz hello-world 0.70
}

bench_me() {
	scenario hello
	need_server
	run_wrk me "$NS_URL/api/v1/me" -H "Authorization: Bearer $TOKEN"
	report me hello-world 0.40
}

# --- main ----------------------------------------------------------------------

command -v wrk >/dev/null || die "wrk is not installed (make deps)"
mkdir -p "$OUT"
rm -f "$OUT"/*.wrk.txt "$OUT"/*.log "$OUT"/*.log.tail "$OUT/results.txt"
[ $# -gt 0 ] || set -- "${SCENARIOS[@]}"
for s in "$@"; do
	declare -F "bench_$s" >/dev/null || die "unknown scenario $s (have: ${SCENARIOS[*]})"
done
start=$SECONDS
for s in "$@"; do scenario "$s"; done
print_table
log "done in $((SECONDS - start)) s"
exit "$FAILED"
