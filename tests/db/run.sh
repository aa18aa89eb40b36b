#!/usr/bin/env bash
# Database tier: the real binary's migrations against the throwaway
# cluster (NS_PG_URL, from scripts/test.sh). TAP-like output.
set -u
cd "$(dirname "$0")/../.."
bin=${NEXTSTAGE_BIN:?}
base=${NS_PG_URL:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
export PGOPTIONS='-c client_min_messages=warning'

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	shift
	for line in "$@"; do echo "  # $line"; done
	failed=1
}
fresh_db() { # creates database $1 and prints its conninfo
	psql "$base" -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
	echo "${base/dbname=nextstage/dbname=$1}"
}
schema_of() { # the schema and the migration bookkeeping, comparable as text
	# (pg_dump's \restrict lines carry a fresh random key each run)
	pg_dump --schema-only --no-owner "$1" | grep -vE '^(--|$|\\(un)?restrict )'
	psql "$1" -Atc "SELECT version, name, checksum FROM schema_migrations ORDER BY version"
	psql "$1" -Atc "SELECT slug, position, coalesce(outcome, '') FROM stages ORDER BY position"
}
migrations=$(ls schema/*.sql | wc -l)

# 1. Migrating an up-to-date database changes nothing.
url=$(fresh_db mig_twice)
if NEXTSTAGE_DATABASE_URL=$url "$bin" migrate 2>"$work/first.err"; then
	schema_of "$url" >"$work/first.schema"
	NEXTSTAGE_DATABASE_URL=$url "$bin" migrate 2>"$work/second.err"
	rc=$?
	schema_of "$url" >"$work/second.schema"
	if [ $rc -eq 0 ] && grep -q '0 applied' "$work/second.err" &&
		cmp -s "$work/first.schema" "$work/second.schema" &&
		[ "$(psql "$url" -Atc 'SELECT count(*) FROM schema_migrations')" = "$migrations" ]; then
		ok "migrations apply twice without change"
	else
		not_ok "migrations apply twice without change" "rc=$rc" \
			"$(diff "$work/first.schema" "$work/second.schema" | head -5)" \
			"$(cat "$work/second.err")"
	fi
else
	not_ok "migrations apply twice without change" "first migrate failed: $(cat "$work/first.err")"
fi

# 2. Two servers migrating one empty database at once: both succeed, each
# migration is applied once, seed rows are not doubled.
url=$(fresh_db mig_concurrent)
NEXTSTAGE_DATABASE_URL=$url "$bin" migrate 2>"$work/a.err" &
a=$!
NEXTSTAGE_DATABASE_URL=$url "$bin" migrate 2>"$work/b.err" &
b=$!
wait $a
rca=$?
wait $b
rcb=$?
applied=$(cat "$work/a.err" "$work/b.err" | grep -c '^migrate: applied ')
stages=$(psql "$url" -Atc 'SELECT count(*) FROM stages')
rows=$(psql "$url" -Atc 'SELECT count(*) FROM schema_migrations')
if [ $rca -eq 0 ] && [ $rcb -eq 0 ] && [ "$applied" = "$migrations" ] &&
	[ "$rows" = "$migrations" ] && [ "$stages" = 7 ]; then
	ok "concurrent migrate from two processes is safe"
else
	not_ok "concurrent migrate from two processes is safe" "rc $rca/$rcb applied=$applied rows=$rows stages=$stages" \
		"$(cat "$work/a.err" "$work/b.err")"
fi

# 3. A landed migration that was edited is refused, not silently skipped.
url=$(fresh_db mig_edited)
NEXTSTAGE_DATABASE_URL=$url "$bin" migrate 2>/dev/null
psql "$url" -qc "UPDATE schema_migrations SET checksum = 'x' WHERE version = 1"
if ! NEXTSTAGE_DATABASE_URL=$url "$bin" migrate 2>"$work/edited.err" &&
	grep -q 'edited' "$work/edited.err"; then
	ok "an edited landed migration is refused"
else
	not_ok "an edited landed migration is refused" "$(cat "$work/edited.err")"
fi

# 4. A failing migration leaves nothing half-applied: its transaction rolls
# back and it is not recorded (simulated by a conflicting object).
url=$(fresh_db mig_fail)
psql "$url" -qc "CREATE TABLE personas (x int)"
if ! NEXTSTAGE_DATABASE_URL=$url "$bin" migrate 2>"$work/fail.err" &&
	[ "$(psql "$url" -Atc "SELECT count(*) FROM schema_migrations")" = 0 ] &&
	[ "$(psql "$url" -Atc "SELECT count(*) FROM pg_tables WHERE tablename = 'users'")" = 0 ]; then
	ok "a failing migration rolls back wholly"
else
	not_ok "a failing migration rolls back wholly" "$(cat "$work/fail.err")"
fi

# 5. The audit trail records who changed what, without secrets.
url=$(fresh_db audit)
NEXTSTAGE_DATABASE_URL=$url "$bin" migrate 2>/dev/null
echo 'password-123' | NEXTSTAGE_DATABASE_URL=$url "$bin" user add --email a@example.com \
	--name A --role admin >/dev/null 2>&1
row=$(psql "$url" -Atc "SELECT action, entity, after ? 'email', after ? 'password_hash'
	FROM audit WHERE entity = 'users'")
if [ "$row" = "create|users|t|f" ]; then
	ok "audit rows carry the change and never the password hash"
else
	not_ok "audit rows carry the change and never the password hash" "got: $row"
fi

# 6. The sweep deletes blobs no version refers to, with their chunks, and
# keeps the others (and young orphans, which may be an upload's).
url=$(fresh_db sweep)
NEXTSTAGE_DATABASE_URL=$url "$bin" migrate 2>/dev/null
psql "$url" -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
INSERT INTO blobs (sha256, size, created_at) VALUES
    (sha256('kept'), 4, now() - interval '2 hours'),
    (sha256('old orphan'), 10, now() - interval '2 hours'),
    (sha256('young orphan'), 12, now());
INSERT INTO blob_chunks (blob_id, n, data) SELECT id, 0, 'bytes' FROM blobs;
INSERT INTO assets (title, kind, intent) VALUES ('Kept', 'guide', 'sales');
INSERT INTO asset_versions (asset_id, number, blob_id, mime, filename)
    SELECT a.id, 1, b.id, 'text/plain', 'k.txt' FROM assets a, blobs b
    WHERE b.sha256 = sha256('kept');
SQL
out=$(NEXTSTAGE_DATABASE_URL=$url "$bin" blobs sweep --min-age 3600 2>&1)
left=$(psql "$url" -Atc "SELECT string_agg(b.size::text, ',' ORDER BY b.size),
	(SELECT count(*) FROM blob_chunks) FROM blobs b")
if [ "$out" = "removed 1 unreferenced blobs" ] && [ "$left" = "4,12|2" ]; then
	ok "blobs sweep removes old unreferenced blobs and their chunks only"
else
	not_ok "blobs sweep removes old unreferenced blobs and their chunks only" \
		"output: $out" "left (sizes|chunks): $left, want 4,12|2"
fi

# 7. The SQL objects of schema/functions/ (one home each, drops, upgrades).
python3 tests/db/schema_objects.py || failed=1

# 8. How the SQL refuses input: project SQLSTATEs, by field.
python3 tests/db/sqlstate_checks.py || failed=1

# 9. What the schema guarantees, in SQL (checks moved from the API tier).
python3 tests/db/sql_checks.py || failed=1

# 10. The extraction queue: queued once, SKIP LOCKED, previews kept by the sweep.
python3 tests/db/extract_queue.py || failed=1

# 10b. Retention: opens not yet in the rollups wait; a busy table postpones the months.
python3 tests/db/retention_checks.py || failed=1

# 11. Two `make run`s at once: the second stops nothing of the first's.
tests/db/run_twice.sh || failed=1

exit $failed
