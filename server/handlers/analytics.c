/* /api/v1/analytics/...: the next-stage test, unused content, coverage and
 * usage, as JSON or (format=csv) as CSV of their main rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "analytics.h"
#include "csv.h"
#include "db_dashboards.h"
#include "handlers.h"

/* The answer's format: false when answered with a 400. */
static bool want_csv(struct req *r, bool *csv)
{
	const char *f = req_query(r, "format");
	*csv = f != NULL && strcmp(f, "csv") == 0;
	if (f != NULL && !*csv && strcmp(f, "json") != 0) {
		reply_error(r, ERR_INVALID_PARAMETER, "format", "format must be json or csv");
		return false;
	}
	return true;
}

static void reply_csv(struct req *r, const json_t *rows, const char *const *columns,
		      const char *name)
{
	size_t len = 0;
	char *text = json_is_array(rows) ? csv_write_rows(rows, columns, &len) : NULL;
	if (text == NULL) {
		reply_db(r, DB_ERROR);
		return;
	}
	char disposition[96];
	snprintf(disposition, sizeof disposition, "attachment; filename=\"%s.csv\"", name);
	reply_header(r, "Content-Disposition", disposition);
	reply_text(r, 200, "text/csv; charset=utf-8; header=present", text, len);
}

/* Answers a dashboard's JSON (from the database) as is, or its array @key
 * as CSV with @columns. */
static void reply_report(struct req *r, enum db_status s, char *json, bool csv, const char *key,
			 const char *const *columns, const char *name)
{
	if (!csv || s != DB_OK) {
		reply_db_json(r, s, NULL, 200, json);
		return;
	}
	json_t *doc = json ? json_loads(json, 0, NULL) : NULL;
	free(json);
	reply_csv(r, json_object_get(doc, key), columns, name);
	json_decref(doc);
}

void h_analytics_stage_test(struct req *r)
{
	struct an_stage_params p;
	bool csv;
	if (!want_csv(r, &csv) ||
	    !req_query_int(r, "window_days", AN_WINDOW_DAYS, 1, 365, &p.window_days) ||
	    !req_query_int(r, "min_sample", AN_MIN_SAMPLE, 1, 1000000, &p.min_sample) ||
	    !req_query_filter(r, "asset", true, &p.asset) ||
	    !req_query_filter(r, "stage", false, &p.stage) ||
	    !req_query_filter(r, "persona", false, &p.persona))
		return;
	struct db_fault f = {0};
	enum db_status s;
	json_t *rows = an_stage_test(&p, &f, &s);
	if (rows == NULL) {
		if (s == DB_INVALID)
			reply_error(r, ERR_INVALID_PARAMETER, f.field, "%s", f.detail);
		else
			reply_db(r, s);
		return;
	}
	if (csv)
		reply_csv(r, rows, an_stage_columns, "stage-test");
	else
		reply_json(r, 200,
			   json_pack("{s:i, s:i, s:s, s:o}", "window_days", p.window_days,
				     "min_sample", p.min_sample, "caveat", an_stage_caveat, "items",
				     json_incref(rows)));
	json_decref(rows);
}

void h_analytics_unused(struct req *r)
{
	static const char *const columns[] = {
	    "asset_id",		"title",      "kind",	  "owner",	 "published_at",
	    "expires_at",	"shares",     "opens",	  "human_opens", "last_shared_at",
	    "feedback_answers", "rating_avg", "made_own", "reasons",	 NULL};
	int days, grace;
	bool csv;
	if (!want_csv(r, &csv) || !req_query_int(r, "days", 90, 1, 3650, &days) ||
	    !req_query_int(r, "grace_days", 30, 0, 3650, &grace))
		return;
	char *json = NULL;
	enum db_status s = db_unused(days, grace, &json);
	reply_report(r, s, json, csv, "items", columns, "unused");
}

void h_analytics_coverage(struct req *r)
{
	static const char *const columns[] = {
	    "persona",	     "persona_name",  "stage",	"stage_name",	 "assets",
	    "shared_assets", "moving_assets", "shares", "open_requests", NULL};
	bool csv;
	if (!want_csv(r, &csv))
		return;
	char *json = NULL;
	enum db_status s = db_coverage(&json);
	reply_report(r, s, json, csv, "cells", columns, "coverage");
}

/* A day YYYY-MM-DD (calendar-valid) from the query, or @def. */
static bool day_param(struct req *r, const char *key, const char *def, char out[11])
{
	const char *v = req_query(r, key);
	char stamp[32];
	if (v == NULL) {
		snprintf(out, 11, "%s", def);
		return true;
	}
	snprintf(stamp, sizeof stamp, "%.10sT00:00:00Z", v);
	if (strlen(v) != 10 || !rfc3339_valid(stamp)) {
		reply_error(r, ERR_INVALID_PARAMETER, key, "%s must be a day, YYYY-MM-DD", key);
		return false;
	}
	snprintf(out, 11, "%s", v);
	return true;
}

/* The range from..to of the query (YYYY-MM-DD, inclusive; by default the
 * @days_back days up to today) and its group (one of @groups, by default
 * @def): false when answered with a 400. */
static bool range_params(struct req *r, int days_back, const char *const *groups, const char *def,
			 const char *groups_text, char from[11], char to[11], const char **group)
{
	char today[11], ago[11];
	time_t now = time(NULL), before = now - (time_t)(days_back - 1) * 86400;
	struct tm tm;
	strftime(today, sizeof today, "%Y-%m-%d", gmtime_r(&now, &tm));
	strftime(ago, sizeof ago, "%Y-%m-%d", gmtime_r(&before, &tm));
	if (!day_param(r, "to", today, to) || !day_param(r, "from", ago, from))
		return false;
	*group = req_query(r, "group");
	if (*group == NULL)
		*group = def;
	if (!one_of(*group, groups)) {
		reply_error(r, ERR_INVALID_PARAMETER, "group", "group must be %s", groups_text);
		return false;
	}
	if (strcmp(from, to) > 0) {
		reply_error(r, ERR_INVALID_PARAMETER, "from", "from must not be after to");
		return false;
	}
	if (atoi(to) - atoi(from) > 10) {
		reply_error(r, ERR_INVALID_PARAMETER, "from", "a range is at most ten years");
		return false;
	}
	return true;
}

void h_analytics_unused_trend(struct req *r)
{
	static const char *const columns[] = {"period",	      "at",    "published",  "unused",
					      "never_shared", "stale", "unused_pct", NULL};
	static const char *const groups[] = {"week", "month", NULL};
	int days, grace;
	char from[11], to[11];
	const char *group;
	bool csv;
	if (!want_csv(r, &csv) || !req_query_int(r, "days", 90, 1, 3650, &days) ||
	    !req_query_int(r, "grace_days", 30, 0, 3650, &grace) ||
	    !range_params(r, 365, groups, "month", "week or month", from, to, &group))
		return;
	char *json = NULL;
	enum db_status s = db_unused_trend(days, grace, from, to, group, &json);
	reply_report(r, s, json, csv, "points", columns, "unused-trend");
}

void h_analytics_usage(struct req *r)
{
	static const char *const columns[] = {"period",	     "shares",	      "opens",
					      "human_opens", "opened_shares", "share_to_open_rate",
					      "reads",	     "read_seconds",  NULL};
	static const char *const groups[] = {"day", "week", "month", NULL};
	char from[11], to[11];
	const char *group;
	bool csv;
	if (!want_csv(r, &csv) ||
	    !range_params(r, 90, groups, "week", "day, week or month", from, to, &group))
		return;
	char *json = NULL;
	enum db_status s = db_usage(from, to, group, &json);
	reply_report(r, s, json, csv, "periods", columns, "usage");
}

void h_deal_recommendations(struct req *r)
{
	const char *id = req_param(r, 0);
	int limit;
	if (!req_query_int(r, "limit", 10, 1, 50, &limit))
		return;
	enum db_status s = DB_NOT_FOUND;
	json_t *items =
	    uuid_valid(id)
		? an_recommend(id, r->user->role == ROLE_REP ? r->user->id : NULL, limit, &s)
		: NULL;
	if (items == NULL)
		reply_db(r, s);
	else
		reply_json(r, 200, json_pack("{s:o}", "items", items));
}
