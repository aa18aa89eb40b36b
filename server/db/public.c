/* The public pages' side of the database: the rules are SQL functions
 * (schema/functions/public_state.sql, public_hit.sql, record_lead.sql), which answer a word
 * ('missing', 'gone', 'gated', 'not_gated', 'disclosure_changed') or JSON;
 * they are read into C here and nowhere else. */
#include "db_public.h"

#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

/* @word as a state: true, or false when it is none of the words (then
 * it is the JSON that follows a live page). */
static bool state_of(const char *word, enum db_page_state *state)
{
	static const struct {
		const char *word;
		enum db_page_state state;
	} words[] = {
	    {"missing", DB_PAGE_MISSING},
	    {"gone", DB_PAGE_GONE},
	    {"gated", DB_PAGE_GATED},
	    {"not_gated", DB_PAGE_NOT_GATED},
	    {"disclosure_changed", DB_PAGE_DISCLOSURE_CHANGED},
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(word, words[i].word) == 0) {
			*state = words[i].state;
			return true;
		}
	*state = DB_PAGE_LIVE;
	return false;
}

/* A page answered as JSON text: a new object in *@page. */
static enum db_status page_of(const char *json, json_t **page)
{
	*page = json_loads(json, 0, NULL);
	return *page != NULL ? DB_OK : DB_ERROR;
}

static struct db_stmt q_page =
    DB_STMT("SELECT CASE public_state(a) WHEN 'live' THEN public_page_json(a)::text"
	    " ELSE public_state(a) END"
	    " FROM (SELECT (SELECT x FROM assets x WHERE x.id = $1::uuid) AS a) q");

enum db_status db_public_page(const char *asset, enum db_page_state *state, json_t **page)
{
	const char *p[] = {asset};
	char *out = NULL;
	enum db_status s;
	PGresult *res = db_query(false, &q_page, 1, p, &s);
	*page = NULL;
	s = db_text(res, s, &out);
	if (s == DB_OK && !state_of(out, state))
		s = page_of(out, page);
	free(out);
	return s;
}

static struct db_stmt q_record =
    DB_STMT("SELECT record_lead($1::uuid, $2::jsonb, $3::bytea, $4, $5)");

enum db_status db_lead_record(const char *asset, const char *lead, const struct visitor *v,
			      enum db_page_state *state, struct db_target *t)
{
	char hash[DB_HASH_TEXT], *out = NULL;
	const char *p[] = {asset, lead, db_hash_text(v, hash), v->ua, v->bot};
	enum db_status s;
	PGresult *res = db_write(NULL, &q_record, 5, p, &s);
	*t = (struct db_target){0};
	s = db_text(res, s, &out);
	if (s == DB_OK && !state_of(out, state) && !db_target_read(out, t))
		s = DB_ERROR;
	free(out);
	return s;
}

/* $1 asset id, $2 'view' or 'download', $3 client hash (bytea text, or
 * NULL), $4 User-Agent class, $5 bot reason (NULL: a person). */
static struct db_job_stmt q_hit = {DB_STMT("SELECT public_hit($1::uuid, $2, $3::bytea, $4, $5)"),
				   false};

/* On the writer thread: the answer is read on the request's own. */
static void done(void *cls, enum db_status s, char *result)
{
	struct db_page_visit *pv = cls;
	pv->status = s;
	pv->answer = result;
	pv->wake.fn(pv->wake.cls);
}

void db_page_visit_submit(struct db_page_visit *pv, const char *asset, enum db_page_hit hit,
			  const struct visitor *v, struct db_wake wake)
{
	char hash[DB_HASH_TEXT];
	const char *p[] = {asset, hit == DB_PAGE_VIEW ? "view" : "download", db_hash_text(v, hash),
			   v->ua, v->bot};
	*pv = (struct db_page_visit){.hit = hit, .wake = wake};
	struct db_job *job = db_job_new(&q_hit, 5, p, NULL, done, pv);
	if (job != NULL) {
		db_job_submit(job);
		return;
	}
	pv->status = DB_ERROR;
	wake.fn(wake.cls);
}

enum db_status db_page_visit_outcome(const struct db_page_visit *pv, enum db_page_state *state,
				     json_t **page, struct db_target *t)
{
	*page = NULL;
	*t = (struct db_target){0};
	if (pv->status != DB_OK || pv->answer == NULL) /* not recorded */
		return pv->status == DB_OK ? DB_ERROR : pv->status;
	if (state_of(pv->answer, state))
		return DB_OK;
	if (pv->hit == DB_PAGE_VIEW)
		return page_of(pv->answer, page);
	return db_target_read(pv->answer, t) ? DB_OK : DB_ERROR;
}

void db_page_visit_clear(struct db_page_visit *pv)
{
	free(pv->answer);
	pv->answer = NULL;
}
