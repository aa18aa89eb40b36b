/* A retention pass (db_retention.h): retention_rows(), then
 * retention_months(), each in a transaction of its own
 * (schema/functions/retention_rows.sql says why). */
#include "db_retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

#define CUTOFF(n)                                                                                  \
	"CASE WHEN $" n "::integer > 0 THEN now() - make_interval(days => $" n "::integer) END"

static struct db_stmt q_rows =
    DB_STMT("SELECT retention_rows(" CUTOFF("1") ", " CUTOFF("2") ")::text");
static struct db_stmt q_months =
    DB_STMT("SELECT r::text, r->'removed'->>'opens', r->'removed'->>'page_views',"
	    " r->'removed'->>'downloads', r->'removed'->>'leads',"
	    " r->'removed'->>'lead_deliveries'"
	    " FROM retention_months(" CUTOFF("1") ", $2::jsonb) r");

enum db_status db_retention_run(const char *actor_id, unsigned events_days, unsigned leads_days,
				struct db_retention *out, char **json)
{
	char ev[16], ld[16];
	snprintf(ev, sizeof ev, "%u", events_days);
	snprintf(ld, sizeof ld, "%u", leads_days);
	memset(out, 0, sizeof *out);
	*json = NULL;
	const char *p[] = {ev, ld};
	enum db_status s;
	char *rows = NULL;
	PGresult *res = db_write(actor_id, &q_rows, 2, p, &s);
	if ((s = db_text(res, s, &rows)) != DB_OK)
		return s;
	const char *p2[] = {ev, rows};
	res = db_write(actor_id, &q_months, 2, p2, &s);
	free(rows);
	if (s == DB_OK && PQntuples(res) == 1) {
		long long *counts[] = {&out->opens, &out->page_views, &out->downloads, &out->leads,
				       &out->lead_deliveries};
		for (int i = 0; i < 5; i++)
			*counts[i] = strtoll(PQgetvalue(res, 0, i + 1), NULL, 10);
		*json = strdup(PQgetvalue(res, 0, 0));
		if (*json == NULL)
			s = DB_ERROR;
	} else if (s == DB_OK) {
		s = DB_ERROR;
	}
	PQclear(res);
	return s;
}
