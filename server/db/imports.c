/* Deal imports: a batch of rows per transaction (the per-row logic is SQL,
 * import_deal_row()). */
#include "db_imports.h"

#include "db_internal.h"

static struct db_stmt q_batch =
    DB_STMT("SELECT import_deal_row(r) FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY"
	    " AS t(r, i) ORDER BY i");

struct batch {
	const char *rows;
	PGresult *res;
};

static enum db_status batch_tx(struct db *db, void *cls)
{
	struct batch *b = cls;
	const char *p[] = {b->rows};
	enum db_status s;
	PQclear(b->res); /* from an attempt that was retried */
	b->res = db_exec(db, &q_batch, 1, p, &s);
	return s;
}

enum db_status db_import_batch(const char *actor_id, const char *rows,
			       void (*each)(void *cls, int i, const char *outcome), void *cls)
{
	struct batch b = {rows, NULL};
	enum db_status s = db_tx(actor_id, batch_tx, &b);
	if (s == DB_OK)
		for (int i = 0; i < PQntuples(b.res); i++)
			each(cls, i, PQgetvalue(b.res, i, 0));
	PQclear(b.res);
	return s;
}
