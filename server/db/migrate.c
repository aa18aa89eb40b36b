/* Applies the compiled-in schema under an advisory lock: the numbered
 * migrations of schema/, then every SQL object of schema/functions/. */
#include "migrate.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto.h"

/* pg_advisory_lock key: "nextstage" in ASCII, truncated to 63 bits. */
#define MIGRATE_LOCK "7234617890111111"

static int fail(PGconn *pg, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, PQerrorMessage(pg));
	err[strcspn(err, "\n")] = '\0';
	return -1;
}

/* Runs @sql; returns 0 or -1 with the reason. */
static int exec(PGconn *pg, const char *sql, int n, const char *const *params, char *err,
		size_t errlen)
{
	PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(res);
	PQclear(res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		return fail(pg, err, errlen, sql);
	return 0;
}

static void checksum(const char *sql, char hex[65])
{
	unsigned char h[32];
	crypto_sha256(sql, strlen(sql), h);
	crypto_hex(h, sizeof h, hex);
}

/* 1 if applied with the same checksum, 0 if not applied, -1 on error or a
 * changed checksum. */
static int applied(PGconn *pg, const struct migration *m, char *err, size_t errlen)
{
	char ver[16], sum[65];
	snprintf(ver, sizeof ver, "%d", m->version);
	checksum(m->sql, sum);
	const char *p[] = {ver};
	PGresult *res =
	    PQexecParams(pg, "SELECT checksum FROM schema_migrations WHERE version = $1", 1, NULL,
			 p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return fail(pg, err, errlen, "reading schema_migrations");
	}
	int r = 0;
	if (PQntuples(res) == 1) {
		r = 1;
		if (strcmp(PQgetvalue(res, 0, 0), sum) != 0) {
			snprintf(err, errlen,
				 "migration %s was edited after it was applied; landed migrations "
				 "are never edited, add a new one",
				 m->name);
			r = -1;
		}
	}
	PQclear(res);
	return r;
}

static int apply(PGconn *pg, const struct migration *m, char *err, size_t errlen)
{
	char ver[16], sum[65];
	snprintf(ver, sizeof ver, "%d", m->version);
	checksum(m->sql, sum);
	const char *p[] = {ver, m->name, sum};
	if (exec(pg, "BEGIN", 0, NULL, err, errlen))
		return -1;
	PGresult *res = PQexec(pg, m->sql); /* several statements: simple protocol */
	ExecStatusType s = PQresultStatus(res);
	PQclear(res);
	if ((s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) ||
	    exec(pg, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
		 3, p, err, errlen) ||
	    exec(pg, "COMMIT", 0, NULL, err, errlen)) {
		if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
			fail(pg, err, errlen, m->name);
		PQclear(PQexec(pg, "ROLLBACK"));
		return -1;
	}
	fprintf(stderr, "migrate: applied %s\n", m->name);
	return 0;
}

/* The objects this transaction's CREATE OR REPLACE statements wrote, as the
 * words DROP takes: the catalog rows whose xmin is this transaction's id (a
 * replaced object's row is rewritten even when its text is unchanged). The
 * statements run in one transaction with no savepoint, so the top-level id
 * is every row's. Triggers cloned onto partitions follow their parent. */
static const char objects_written_sql[] =
    "CREATE TEMP TABLE objects_written ON COMMIT DROP AS"
    " WITH me AS (SELECT (pg_current_xact_id()::text::bigint % 4294967296)::text::xid AS x)"
    " SELECT 'ROUTINE ' || p.oid::regprocedure AS object FROM pg_proc p, me"
    "  WHERE p.xmin = me.x"
    " UNION ALL SELECT 'TRIGGER ' || quote_ident(t.tgname) || ' ON ' || t.tgrelid::regclass"
    "  FROM pg_trigger t, me WHERE t.xmin = me.x AND t.tgparentid = 0 AND NOT t.tgisinternal"
    " UNION ALL SELECT 'VIEW ' || c.oid::regclass FROM pg_rewrite r JOIN pg_class c"
    "  ON c.oid = r.ev_class, me WHERE r.xmin = me.x AND c.relkind = 'v'";

/* What an earlier run's files created that no file defines now: triggers
 * first, then views, then the routines they call. */
static const char objects_stale_sql[] =
    "SELECT object FROM schema_objects WHERE object NOT IN (SELECT object FROM objects_written)"
    " ORDER BY CASE split_part(object, ' ', 1) WHEN 'TRIGGER' THEN 0 WHEN 'VIEW' THEN 1"
    " ELSE 2 END, object";

static int drop_stale(PGconn *pg, char *err, size_t errlen)
{
	PGresult *res = PQexec(pg, objects_stale_sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return fail(pg, err, errlen, "listing dropped SQL objects");
	}
	int rc = 0;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		char sql[1024];
		snprintf(sql, sizeof sql, "DROP %s", PQgetvalue(res, i, 0));
		rc = exec(pg, sql, 0, NULL, err, errlen);
		if (rc == 0)
			fprintf(stderr, "migrate: dropped %s (no file defines it)\n",
				PQgetvalue(res, i, 0));
	}
	PQclear(res);
	return rc;
}

/* Creates or replaces every object of schema/functions/ in one transaction,
 * drops what no file defines any more and records what the files made.
 * Bodies are checked when they run, not here (check_function_bodies off),
 * so files apply in any order; views come last in sql_objects. */
static int apply_objects(PGconn *pg, char *err, size_t errlen)
{
	if (exec(pg, "BEGIN", 0, NULL, err, errlen))
		return -1;
	if (exec(pg, "SET LOCAL check_function_bodies = off", 0, NULL, err, errlen))
		goto fail;
	for (unsigned i = 0; i < sql_object_count; i++) {
		PGresult *res = PQexec(pg, sql_objects[i].sql); /* several statements */
		ExecStatusType s = PQresultStatus(res);
		PQclear(res);
		if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
			char what[128];
			snprintf(what, sizeof what, "schema/functions/%s.sql", sql_objects[i].name);
			fail(pg, err, errlen, what);
			goto fail;
		}
	}
	if (exec(pg, objects_written_sql, 0, NULL, err, errlen) || drop_stale(pg, err, errlen) ||
	    exec(pg, "DELETE FROM schema_objects", 0, NULL, err, errlen) ||
	    exec(pg, "INSERT INTO schema_objects SELECT object FROM objects_written", 0, NULL, err,
		 errlen) ||
	    exec(pg, "COMMIT", 0, NULL, err, errlen))
		goto fail;
	return 0;
fail:
	PQclear(PQexec(pg, "ROLLBACK"));
	return -1;
}

int migrate_run(const char *url, char *err, size_t errlen)
{
	const char *const keys[] = {"dbname", "connect_timeout", "application_name", "options",
				    NULL};
	const char *const vals[] = {url, "10", "nextstage-migrate",
				    "-c client_min_messages=warning", NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(pg) != CONNECTION_OK) {
		fail(pg, err, errlen, "cannot connect to the database");
		PQfinish(pg);
		return -1;
	}
	int count = -1;
	/* The lock comes first: two servers starting at once must not race
	 * even on creating the bookkeeping table. */
	if (exec(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", 0, NULL, err, errlen))
		goto out;
	if (exec(pg,
		 "CREATE TABLE IF NOT EXISTS schema_migrations ("
		 " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
		 " applied_at timestamptz NOT NULL DEFAULT now())",
		 0, NULL, err, errlen) ||
	    exec(pg, "CREATE TABLE IF NOT EXISTS schema_objects (object text PRIMARY KEY)", 0, NULL,
		 err, errlen))
		goto unlock;
	count = 0;
	for (unsigned i = 0; i < migration_count; i++) {
		int a = applied(pg, &migrations[i], err, errlen);
		if (a == 0)
			a = apply(pg, &migrations[i], err, errlen) == 0 ? 2 : -1;
		if (a < 0) {
			count = -1;
			break;
		}
		count += a == 2;
	}
	if (count >= 0 && apply_objects(pg, err, errlen))
		count = -1;
unlock:
	PQclear(PQexec(pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")"));
out:
	PQfinish(pg);
	return count;
}
