#!/usr/bin/env bash
# A project-local PostgreSQL 15 cluster.
#   scripts/pg.sh start DIR [PORT]   create (first time) and start; prints the conninfo
#   scripts/pg.sh up DIR [PORT]      the same, but exits 3 (after printing the conninfo)
#                                    when the server was already running, so that the
#                                    caller knows whether it is its to stop
#   scripts/pg.sh stop DIR           stop (fast: open sessions are cut)
#   scripts/pg.sh url DIR [PORT]     print the conninfo
#   scripts/pg.sh destroy DIR        stop and delete
# The cluster listens on a Unix socket in DIR/run only (no TCP), so it never
# collides with a system cluster. Starts and stops of one DIR take turns
# (DIR/pg.lock), so two at once neither race initdb nor start it twice.
# PostgreSQL refuses to run as root: as root the cluster belongs to the
# postgres user. NS_PG_FAST=1 turns off fsync for throwaway test clusters.
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop|url|destroy DIR [PORT]}
dir=$(mkdir -p "${2:?DIR}" && cd "$2" && pwd)
port=${3:-54329}
bin=/usr/lib/postgresql/15/bin
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
# As root the cluster belongs to postgres, which may not be able to enter
# the checkout (e.g. under /root): then it lives in a directory of its own
# under /var/tmp, keyed by DIR, and DIR only names it.
key=$(echo "$dir" | sha1sum | cut -c1-12)
home=$dir
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
	home=/var/tmp/nextstage-pg-$key
fi
# The socket path must fit in sun_path (107 bytes).
sockdir=$home/run
if [ ${#sockdir} -gt 80 ]; then
	sockdir=/tmp/ns-pg-$key
fi
url="host=$sockdir port=$port dbname=nextstage user=nextstage"

# The lock is fd 7; the postmaster must not inherit it (7>&- below), or it
# would hold the lock for as long as it runs.
take_turn() {
	exec 7>>"$dir/pg.lock"
	flock -w 120 7 || { echo "pg.sh: $dir/pg.lock is held for 2 minutes; giving up" >&2; exit 1; }
}

case "$cmd" in
url) echo "$url" ;;
start | up)
	take_turn
	started=0
	mkdir -p "$home" "$sockdir"
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -p "$home"
		chown postgres:postgres "$home" "$sockdir"
	fi
	if [ ! -f "$home/data/PG_VERSION" ]; then
		as_owner "$bin/initdb" -D "$home/data" -U nextstage --auth=trust -E UTF8 \
			--locale=C.UTF-8 >"$home/initdb.log" 2>&1 ||
			{ cat "$home/initdb.log" >&2; exit 1; }
		{
			echo "listen_addresses = ''"
			echo "unix_socket_directories = '$sockdir'"
			echo "unix_socket_permissions = 0700"
			echo "port = $port"
			echo "max_connections = 200"
			echo "logging_collector = off"
			if [ "${NS_PG_FAST:-0}" = 1 ]; then
				echo "fsync = off"
				echo "synchronous_commit = off"
				echo "full_page_writes = off"
			fi
		} | as_owner tee -a "$home/data/postgresql.conf" >/dev/null
	fi
	if ! as_owner "$bin/pg_ctl" -D "$home/data" status >/dev/null 2>&1; then
		as_owner "$bin/pg_ctl" -D "$home/data" -l "$home/postgres.log" -w -t 60 start >/dev/null 7>&- ||
			{ tail -n 20 "$home/postgres.log" >&2; exit 1; }
		started=1
	fi
	as_owner "$bin/psql" -h "$sockdir" -p "$port" -U nextstage -d postgres -qtAc \
		"SELECT 1 FROM pg_database WHERE datname = 'nextstage'" | grep -q 1 ||
		as_owner "$bin/createdb" -h "$sockdir" -p "$port" -U nextstage nextstage
	echo "$url"
	[ "$cmd" = start ] || [ "$started" = 1 ] || exit 3
	;;
stop)
	take_turn
	if [ -f "$home/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$home/data" status >/dev/null 2>&1; then
		as_owner "$bin/pg_ctl" -D "$home/data" -m fast -w stop >/dev/null
	fi
	;;
destroy)
	"$0" stop "$dir" || true
	rm -rf "$dir" "$home" "/tmp/ns-pg-$key"
	;;
*) echo "pg.sh: unknown command $cmd" >&2; exit 2 ;;
esac
