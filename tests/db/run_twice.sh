#!/usr/bin/env bash
# `make run` twice (scripts/run.sh with NEXTSTAGE_BIN): a run only ever
# stops what it started itself. The runs here share a var directory of
# their own (NEXTSTAGE_VAR_DIR, so their own local cluster) and a free
# port. TAP-like output.
set -u
set -m # each run in a process group of its own, so that it can get a Ctrl-C
cd "$(dirname "$0")/../.."
bin=${NEXTSTAGE_BIN:?}
work=$(mktemp -d)
var=$work/var
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
listen=127.0.0.1:$port
runs=" "
failed=0

cleanup() {
	local pid
	for pid in $runs; do kill -TERM -- "-$pid" 2>/dev/null; done
	for pid in $runs; do wait "$pid" 2>/dev/null; done
	scripts/pg.sh destroy "$var/pg" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	shift
	local line
	for line in "$@"; do
		while IFS= read -r line; do echo "  # $line"; done <<<"$line"
	done
	failed=1
}

unset NEXTSTAGE_DATABASE_URL
export NEXTSTAGE_BIN=$bin NEXTSTAGE_VAR_DIR=$var NEXTSTAGE_LISTEN=$listen NEXTSTAGE_DEMO_DATA=0 \
	NEXTSTAGE_THREADS=2 NS_PG_FAST=1
pgurl=$(scripts/pg.sh url "$var/pg")

start_run() { # NAME: scripts/run.sh in the background, output in $work/NAME.out, pid in $pid
	scripts/run.sh >"$work/$1.out" 2>&1 &
	pid=$!
	runs+="$pid "
}
finished() { # PID SECONDS: waits for the run to end; its exit status in $rc (124: still running)
	local _
	for _ in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		rc=124
		return 1
	fi
	rc=0
	wait "$1" || rc=$?
	runs=${runs/ $1 / }
}
http() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$listen$1"; }
serving() { [ "$(http /healthz)" = 200 ] && [ "$(http /readyz)" = 200 ]; }
db_up() { psql "$pgurl" -Atc 'SELECT 1' >/dev/null 2>&1; }
ctrl_c() { kill -INT -- "-$1"; }
# The run's output is exactly one line (no blank one) saying the port is taken.
one_line() { [ "$(grep -c '' "$1")" = 1 ] && grep -q '^run.sh: something already answers on ' "$1"; }

# 1. A second run while the first serves: it fails fast, the first keeps
# serving with its database.
start_run first
a=$pid
for _ in $(seq 900); do
	serving && break
	kill -0 "$a" 2>/dev/null || break
	sleep 0.1
done
if ! serving; then
	not_ok "run.sh: a first run serves" "$(tail -n 5 "$work/first.out")"
	exit 1
fi
start_run second
b=$pid
finished "$b" 60
if [ "$rc" != 0 ] && [ "$rc" != 124 ] && one_line "$work/second.out"; then
	ok "run.sh: a second run on a served address exits non-zero with one line"
else
	not_ok "run.sh: a second run on a served address exits non-zero with one line" "exit $rc" \
		"$(head -n 5 "$work/second.out")"
fi
if kill -0 "$a" 2>/dev/null && serving && db_up; then
	ok "run.sh: the first run keeps serving (/healthz, /readyz) after the second one exits"
else
	not_ok "run.sh: the first run keeps serving (/healthz, /readyz) after the second one exits" \
		"healthz $(http /healthz), readyz $(http /readyz)" "$(tail -n 3 "$work/first.out")"
fi

# 2. Ctrl-C ends the first run with the server and the cluster it started.
ctrl_c "$a"
finished "$a" 30
if [ "$rc" != 124 ] && grep -q '^stopping the local PostgreSQL' "$work/first.out" && ! db_up &&
	[ "$(http /healthz)" = 000 ]; then
	ok "run.sh: Ctrl-C stops the server and the PostgreSQL the run started"
else
	not_ok "run.sh: Ctrl-C stops the server and the PostgreSQL the run started" "exit $rc" \
		"$(tail -n 3 "$work/first.out")"
fi

# 3. Two runs started at once, on a cluster started by someone else: one
# serves, the other exits non-zero with one line; neither stops the cluster.
scripts/pg.sh start "$var/pg" >/dev/null
start_run third
c=$pid
start_run fourth
d=$pid
loser=
for _ in $(seq 900); do
	if ! kill -0 "$c" 2>/dev/null; then loser=$c winner=$d name=third && break; fi
	if ! kill -0 "$d" 2>/dev/null; then loser=$d winner=$c name=fourth && break; fi
	sleep 0.1
done
if [ -n "$loser" ]; then
	finished "$loser" 1
	if [ "$rc" != 0 ] && one_line "$work/$name.out" && kill -0 "$winner" 2>/dev/null && serving; then
		ok "run.sh: of two runs started at once one serves, the other exits non-zero with one line"
	else
		not_ok "run.sh: of two runs started at once one serves, the other exits non-zero with one line" \
			"exit $rc" "$(head -n 5 "$work/$name.out")" "healthz $(http /healthz), readyz $(http /readyz)"
	fi
	ctrl_c "$winner"
	finished "$winner" 30
	if [ "$rc" != 124 ] && db_up && [ "$(http /healthz)" = 000 ]; then
		ok "run.sh: Ctrl-C of a run leaves running the PostgreSQL it found running"
	else
		not_ok "run.sh: Ctrl-C of a run leaves running the PostgreSQL it found running" "exit $rc" \
			"$(tail -n 3 "$work/third.out" "$work/fourth.out")"
	fi
else
	not_ok "run.sh: of two runs started at once one serves, the other exits non-zero with one line" \
		"both still run after 90 s" "$(tail -n 3 "$work/third.out" "$work/fourth.out")"
fi

exit $failed
