/* Deal imports: a batch of rows per transaction, passed as one array per
 * field (the per-row logic is SQL: import_deal_rows(), import_deal_row()). */
#include "db_imports.h"

#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

static struct db_stmt q_batch =
    DB_STMT("SELECT outcome, field, message FROM import_deal_rows($1::text[], $2::text[],"
	    " $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])");

struct batch {
	const char *arrays[IMPORT_FIELDS];
	PGresult *res;
};

static enum db_status batch_tx(struct db *db, void *cls)
{
	struct batch *b = cls;
	enum db_status s;
	PQclear(b->res); /* from an attempt that was retried */
	b->res = db_exec(db, &q_batch, IMPORT_FIELDS, b->arrays, &s);
	return s;
}

/* Field @f of every row, as a text[] literal (malloc'd). */
static char *column(const struct import_row *rows, int n, enum import_field f)
{
	const char **v = malloc(((size_t)n + 1) * sizeof *v);
	if (v == NULL)
		return NULL;
	for (int i = 0; i < n; i++)
		v[i] = rows[i].field[f] ? rows[i].field[f] : "";
	v[n] = NULL;
	char *out = db_array(v);
	free(v);
	return out;
}

static const char *const outcomes[] = {
    [IMPORT_CREATED] = "created",	[IMPORT_UPDATED] = "updated",
    [IMPORT_TRANSITION] = "transition", [IMPORT_UNCHANGED] = "unchanged",
    [IMPORT_REFUSED] = "refused",
};

static enum import_outcome outcome_of(const char *word)
{
	for (int o = 0; o < IMPORT_REFUSED; o++)
		if (strcmp(word, outcomes[o]) == 0)
			return (enum import_outcome)o;
	return IMPORT_REFUSED;
}

enum db_status db_import_batch(const char *actor_id, const struct import_row *rows, int n,
			       void (*each)(void *cls, int i, const struct import_result *r),
			       void *cls)
{
	struct batch b = {{0}, NULL};
	char *arrays[IMPORT_FIELDS];
	bool ok = true;
	for (int f = 0; f < IMPORT_FIELDS; f++)
		ok &= (b.arrays[f] = arrays[f] = column(rows, n, (enum import_field)f)) != NULL;
	enum db_status s = ok ? db_tx(actor_id, batch_tx, &b) : DB_ERROR;
	for (int i = 0; s == DB_OK && i < n && i < PQntuples(b.res); i++) {
		struct import_result r = {outcome_of(PQgetvalue(b.res, i, 0)),
					  PQgetisnull(b.res, i, 1) ? NULL : PQgetvalue(b.res, i, 1),
					  PQgetvalue(b.res, i, 2)};
		each(cls, i, &r);
	}
	PQclear(b.res);
	for (int f = 0; f < IMPORT_FIELDS; f++)
		free(arrays[f]);
	return s;
}
