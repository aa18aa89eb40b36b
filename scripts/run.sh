#!/usr/bin/env bash
# make run: a local PostgreSQL (unless NEXTSTAGE_DATABASE_URL is set),
# migrations, a demo admin on first run, then the server until Ctrl-C.
# While the database has no assets, the sample library of
# scripts/demo-data.py is loaded through the API once the server is up
# (NEXTSTAGE_DEMO_DATA=0 skips it). NEXTSTAGE_VAR_DIR (default var) holds
# the cluster (pg/), the demo login and the locks; NEXTSTAGE_BIN (default
# build/nextstage) is the binary served.
#
# A run only ever stops what it started itself. Runs start one at a time
# (VAR/run.lock, held until the server answers), so a second run finds the
# first one's server and stops before it touches the cluster. Every run
# using the local cluster holds a shared lock on VAR/pg-users.lock for its
# life; the run that started the cluster stops it on exit only if it can
# then take that lock exclusively, i.e. when no other run still uses it.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${NEXTSTAGE_BIN:-build/nextstage}
var=${NEXTSTAGE_VAR_DIR:-var}
pgdir=$var/pg
listen=${NEXTSTAGE_LISTEN:-127.0.0.1:8080}
health="http://$listen/healthz"
own_pg=0   # this run started the local cluster
found_pg=0 # this run found it running (started by hand, another run, a killed run)
server=

# On any exit (Ctrl-C, an error, the server stopping): the server first,
# then the cluster this script started. The server is asked with SIGINT, as
# Ctrl-C asks it too: a second SIGINT is harmless while it finishes its
# requests (a background job ignores SIGINT except in the server's
# sigwait), while a SIGTERM arriving then would end it at once.
cleanup() {
	if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
		kill -INT "$server" 2>/dev/null || true
		for _ in $(seq 150); do
			kill -0 "$server" 2>/dev/null || break
			sleep 0.1
		done
		kill -TERM "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	if [ "$own_pg" = 1 ]; then
		if flock -xn 8; then
			echo "stopping the local PostgreSQL"
			scripts/pg.sh stop "$pgdir"
		else
			echo "leaving the local PostgreSQL running: another run.sh uses it" \
				"(scripts/pg.sh stop $pgdir stops it)"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# fd 9: one run starts at a time; the postmaster and the server never
# inherit it (9>&-), so a killed run cannot leave it held.
mkdir -p "$var"
exec 9>>"$var/run.lock"
flock -w 120 9 ||
	{ echo "run.sh: another run.sh has been starting for 2 minutes ($var/run.lock)" >&2; exit 1; }
# Any HTTP answer means the address is taken: fail before touching anything.
if curl -gsS -o /dev/null --max-time 2 "$health" 2>/dev/null; then
	echo "run.sh: something already answers on $listen; stop it or set NEXTSTAGE_LISTEN" >&2
	exit 1
fi

if [ -z "${NEXTSTAGE_DATABASE_URL:-}" ]; then
	# fd 8: this run uses the cluster (shared; waits while a leaving run
	# that holds it exclusively stops the cluster). pg.sh up exits 3 when the
	# cluster was already running: then it is not ours to stop.
	exec 8>>"$var/pg-users.lock"
	flock -s -w 120 8 || { echo "run.sh: $var/pg-users.lock is held for 2 minutes" >&2; exit 1; }
	rc=0
	NEXTSTAGE_DATABASE_URL=$(scripts/pg.sh up "$pgdir" 54329 8>&- 9>&-) || rc=$?
	case $rc in
	0) own_pg=1 ;;
	3) found_pg=1 ;;
	*) exit "$rc" ;;
	esac
	export NEXTSTAGE_DATABASE_URL
fi

"$bin" migrate

login=$var/demo-login.txt
users=$(psql "$NEXTSTAGE_DATABASE_URL" -Atc "SELECT count(*) FROM users")
if [ "$users" = 0 ]; then
	password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
	echo "$password" | "$bin" user add --email admin@example.com --name "Demo Admin" \
		--role admin --board >/dev/null
	(umask 077 && printf 'admin@example.com %s\n' "$password" >"$login")
fi
assets=$(psql "$NEXTSTAGE_DATABASE_URL" -Atc "SELECT count(*) FROM assets")

"$bin" serve --no-migrate 9>&- &
server=$!
for _ in $(seq 300); do
	curl -gfsS -o /dev/null --max-time 2 "$health" 2>/dev/null && break
	if ! kill -0 "$server" 2>/dev/null; then
		status=0
		wait "$server" || status=$?
		server=
		echo "run.sh: the server stopped (exit $status)" >&2
		exit $((status ? status : 1))
	fi
	sleep 0.1
done
curl -gfsS -o /dev/null --max-time 2 "$health" ||
	{ echo "run.sh: the server does not answer $health" >&2; exit 1; }
flock -u 9
exec 9>&-

# The demo library: only into a database without assets, as its demo admin
# (or its first admin), with a token made for it.
if [ "$assets" = 0 ] && [ "${NEXTSTAGE_DEMO_DATA:-1}" != 0 ]; then
	email=
	[ -f "$login" ] && read -r email _ <"$login"
	if [ -z "$email" ] || [ "$(echo "SELECT count(*) FROM users WHERE email = :'email' AND role = 'admin'" |
		psql "$NEXTSTAGE_DATABASE_URL" -At -v email="$email")" = 0 ]; then
		email=$(psql "$NEXTSTAGE_DATABASE_URL" -Atc \
			"SELECT email FROM users WHERE role = 'admin' AND active ORDER BY created_at LIMIT 1")
	fi
	if [ -z "$email" ]; then
		echo "demo-data: no admin user to load the sample library as; skipped" >&2
	elif ! token=$("$bin" token create --email "$email" --name demo-data) ||
		! NEXTSTAGE_TOKEN=$token python3 scripts/demo-data.py "http://$listen"; then
		echo "demo-data: the sample library was not loaded (see above); serving anyway" >&2
	fi
fi

echo
echo "nextstage: http://$listen/"
if [ -f "$login" ]; then
	read -r email password <"$login"
	echo "login:     $email / $password   (kept in $login)"
	echo "try:       curl -s -H 'Content-Type: application/json' \\"
	echo "             -d '{\"email\":\"$email\",\"password\":\"$password\"}' http://$listen/api/v1/session"
fi
echo "stop:      Ctrl-C"
if [ "$found_pg" = 1 ]; then
	echo "database:  the local PostgreSQL was already running: it stays running" \
		"(scripts/pg.sh stop $pgdir stops it)"
fi
echo
status=0
wait "$server" || status=$?
server=
exit "$status"
