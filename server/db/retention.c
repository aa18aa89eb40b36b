/* A retention pass (db_retention.h): one call of retention_run(). */
#include "db_retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

#define CUTOFF(n)                                                                                  \
	"CASE WHEN $" n "::integer > 0 THEN now() - make_interval(days => $" n "::integer) END"

static struct db_stmt q_run =
    DB_STMT("SELECT r::text, r->'removed'->>'opens', r->'removed'->>'page_views',"
	    " r->'removed'->>'downloads', r->'removed'->>'leads',"
	    " r->'removed'->>'lead_deliveries'"
	    " FROM retention_run(" CUTOFF("1") ", " CUTOFF("2") ") r");

enum db_status db_retention_run(const char *actor_id, unsigned events_days, unsigned leads_days,
				struct db_retention *out, char **json)
{
	char ev[16], ld[16];
	snprintf(ev, sizeof ev, "%u", events_days);
	snprintf(ld, sizeof ld, "%u", leads_days);
	const char *p[] = {ev, ld};
	enum db_status s;
	memset(out, 0, sizeof *out);
	*json = NULL;
	PGresult *res = db_write(actor_id, &q_run, 2, p, &s);
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
