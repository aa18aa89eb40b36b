#!/usr/bin/env bash
# make run: a local PostgreSQL (unless NEXTSTAGE_DATABASE_URL is set),
# migrations, a demo admin on first run, then the server until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/nextstage
pgdir=var/pg

if [ -z "${NEXTSTAGE_DATABASE_URL:-}" ]; then
	NEXTSTAGE_DATABASE_URL=$(scripts/pg.sh start "$pgdir" 54329)
	export NEXTSTAGE_DATABASE_URL
	trap 'echo "stopping the local PostgreSQL"; scripts/pg.sh stop "$pgdir"' EXIT
fi

"$bin" migrate

login=var/demo-login.txt
users=$(psql "$NEXTSTAGE_DATABASE_URL" -Atc "SELECT count(*) FROM users")
if [ "$users" = 0 ]; then
	mkdir -p var
	password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
	echo "$password" | "$bin" user add --email admin@example.com --name "Demo Admin" \
		--role admin --board >/dev/null
	umask 077
	printf 'admin@example.com %s\n' "$password" >"$login"
fi

listen=${NEXTSTAGE_LISTEN:-127.0.0.1:8080}
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
"$bin" serve --no-migrate
