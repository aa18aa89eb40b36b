/* Applies the compiled-in schema/ migrations under an advisory lock. */
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
		 0, NULL, err, errlen))
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
unlock:
	PQclear(PQexec(pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")"));
out:
	PQfinish(pg);
	return count;
}
