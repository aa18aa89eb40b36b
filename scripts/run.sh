#!/usr/bin/env bash
# make run: a local PostgreSQL (unless NEXTSTAGE_DATABASE_URL is set),
# migrations, a demo admin on first run, then the server until Ctrl-C.
# While the database has no assets, the sample library of
# scripts/demo-data.py is loaded through the API once the server is up
# (NEXTSTAGE_DEMO_DATA=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/nextstage
pgdir=var/pg
own_pg=0
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
		echo "stopping the local PostgreSQL"
		scripts/pg.sh stop "$pgdir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${NEXTSTAGE_DATABASE_URL:-}" ]; then
	NEXTSTAGE_DATABASE_URL=$(scripts/pg.sh start "$pgdir" 54329)
	export NEXTSTAGE_DATABASE_URL
	own_pg=1
fi

"$bin" migrate

login=var/demo-login.txt
users=$(psql "$NEXTSTAGE_DATABASE_URL" -Atc "SELECT count(*) FROM users")
if [ "$users" = 0 ]; then
	mkdir -p var
	password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
	echo "$password" | "$bin" user add --email admin@example.com --name "Demo Admin" \
		--role admin --board >/dev/null
	(umask 077 && printf 'admin@example.com %s\n' "$password" >"$login")
fi
assets=$(psql "$NEXTSTAGE_DATABASE_URL" -Atc "SELECT count(*) FROM assets")

listen=${NEXTSTAGE_LISTEN:-127.0.0.1:8080}
health="http://$listen/healthz"
if curl -gfsS -o /dev/null --max-time 2 "$health" 2>/dev/null; then
	echo "run.sh: something already answers on $listen; stop it or set NEXTSTAGE_LISTEN" >&2
	exit 1
fi
"$bin" serve --no-migrate &
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
echo
status=0
wait "$server" || status=$?
server=
exit "$status"
