/* The viewer's file fetch and its beacons (db_engagement.h). */
#include "db_engagement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

/* Read from the primary: the open that made the view was committed an
 * instant ago, and a replica may not have it yet. */
static struct db_stmt q_file = DB_STMT(
    "SELECT a.status = 'retired', s.revoked_at IS NULL AND a.status <> 'retired'"
    "  AND a.audience = 'external' AND (s.expires_at IS NULL OR s.expires_at >= now()),"
    " v.blob_id, b.size, v.number, encode(b.sha256, 'hex'), v.mime, v.filename"
    " FROM shares s JOIN assets a ON a.id = s.asset_id"
    " JOIN asset_versions v ON v.asset_id = s.asset_id AND v.number = s.version"
    " JOIN blobs b ON b.id = v.blob_id"
    " WHERE s.token = $1"
    "  AND EXISTS (SELECT 1 FROM opens o WHERE o.share_id = s.id AND o.view_id = $2::uuid)");

enum db_status db_viewer_file(const char *token, const char *view_id, enum db_open_state *state,
			      struct asset_content *out)
{
	const char *p[] = {token, view_id};
	enum db_status s;
	PGresult *res = db_query(false, &q_file, 2, p, &s);
	if (s != DB_OK)
		return s;
	if (PQntuples(res) == 0)
		*state = DB_OPEN_MISSING;
	else if (db_bool(res, 0, 0))
		*state = DB_OPEN_RETIRED;
	else if (!db_bool(res, 0, 1))
		*state = DB_OPEN_GONE;
	else {
		*state = DB_OPEN_SERVED;
		db_content_row(res, 2, out);
	}
	PQclear(res);
	return DB_OK;
}

#define STR(x)	STR_(x)
#define STR_(x) #x
/* $1 token, $2 view id, $3 page count, $4 pages, $5 seconds. */
static struct db_job_stmt q_read = {
    DB_STMT("SELECT record_read($1, $2::uuid, $3::integer, $4::integer[], $5::float8[], " STR(
	DB_READ_SLACK_S) ", " STR(DB_READ_CAP_S) ")"),
    false};

static void done(void *cls, enum db_status s, char *result)
{
	struct db_read *rd = cls;
	rd->status = s;
	rd->answer = result;
	rd->wake.fn(rd->wake.cls);
}

/* @n numbers as the text of a PostgreSQL array, or NULL when out of
 * memory: integers when @ints, else @reals to the millisecond. */
static char *numbers(const int *ints, const double *reals, size_t n)
{
	char *s = malloc(n * 24 + 3), *p = s;
	if (s == NULL)
		return NULL;
	*p++ = '{';
	for (size_t i = 0; i < n; i++)
		p += ints ? sprintf(p, "%s%d", i ? "," : "", ints[i])
			  : sprintf(p, "%s%.3f", i ? "," : "", reals[i]);
	strcpy(p, "}");
	return s;
}

void db_read_submit(struct db_read *rd, const char *token, const char *view_id, int pages,
		    const int *page, const double *seconds, size_t n, struct db_wake wake)
{
	char count[16];
	snprintf(count, sizeof count, "%d", pages);
	char *pl = numbers(page, NULL, n), *sl = numbers(NULL, seconds, n);
	const char *p[] = {token, view_id, count, pl, sl};
	*rd = (struct db_read){.wake = wake};
	struct db_job *job = pl && sl ? db_job_new(&q_read, 5, p, NULL, done, rd) : NULL;
	free(pl);
	free(sl);
	if (job != NULL) {
		db_job_submit(job);
		return;
	}
	rd->status = DB_ERROR;
	wake.fn(wake.cls);
}

enum db_status db_read_outcome(const struct db_read *rd, enum db_read_state *state)
{
	static const struct {
		const char *word;
		enum db_read_state state;
	} words[] = {
	    {"recorded", DB_READ_RECORDED}, {"missing", DB_READ_MISSING},
	    {"gone", DB_READ_GONE},	    {"ignored", DB_READ_IGNORED},
	    {"pages", DB_READ_PAGES},	    {"too_long", DB_READ_TOO_LONG},
	};
	if (rd->status != DB_OK || rd->answer == NULL)
		return rd->status == DB_OK ? DB_ERROR : rd->status;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(rd->answer, words[i].word) == 0) {
			*state = words[i].state;
			return DB_OK;
		}
	return DB_ERROR;
}

void db_read_clear(struct db_read *rd)
{
	free(rd->answer);
	rd->answer = NULL;
}
