/* The dashboards: unused content, the persona x stage coverage matrix and
 * usage over time, each one statement over the rollups (tables of schema/0012),
 * answering the API's JSON; and the fold that keeps the rollups current. */
#include "db_dashboards.h"

#include <stdlib.h>
#include "db_internal.h"

/* The unused list (README, Analytics: "Unused"): the reasons of asset_problems()
 * (schema/functions/asset_problems.sql), shared with the review queue; with what reps said of each
 * asset (their current feedback). */
static struct db_stmt q_unused =
    DB_STMT("WITH f AS (SELECT asset_id, count(*) AS answers, round(avg(rating), 2) AS rating_avg,"
	    "   count(*) FILTER (WHERE made_own) AS made_own"
	    "  FROM feedback WHERE replaced_at IS NULL GROUP BY 1),"
	    " a AS (SELECT a.id, a.title, a.kind, a.owner, a.published_at, a.expires_at, p.*,"
	    "   coalesce(f.answers, 0) AS feedback_answers, f.rating_avg,"
	    "   coalesce(f.made_own, 0) AS made_own"
	    "  FROM asset_problems($1::integer, $2::integer) p JOIN assets a ON a.id = p.asset_id"
	    "  LEFT JOIN f ON f.asset_id = a.id)"
	    " SELECT jsonb_build_object('items', coalesce(jsonb_agg(jsonb_build_object("
	    "   'asset_id', id, 'title', title, 'kind', kind, 'owner', owner,"
	    "   'published_at', rfc3339(published_at), 'expires_at', rfc3339(expires_at),"
	    "   'shares', shares, 'opens', opens, 'human_opens', human_opens,"
	    "   'last_shared_at', rfc3339(last_shared_at), 'feedback_answers', feedback_answers,"
	    "   'rating_avg', rating_avg, 'made_own', made_own, 'reasons', to_jsonb(reasons))"
	    "   ORDER BY published_at, id) FILTER (WHERE cardinality(reasons) > 0), '[]'),"
	    "  'summary', jsonb_build_object('published', count(*),"
	    "   'unused', count(*) FILTER (WHERE cardinality(reasons) > 0),"
	    "   'never_shared', count(*) FILTER (WHERE 'never_shared' = ANY (reasons)),"
	    "   'stale', count(*) FILTER (WHERE 'stale' = ANY (reasons)),"
	    "   'never_opened', count(*) FILTER (WHERE 'never_opened' = ANY (reasons)),"
	    "   'fails_stage_test', count(*) FILTER (WHERE 'fails_stage_test' = ANY (reasons)),"
	    "   'expired', count(*) FILTER (WHERE 'expired' = ANY (reasons)),"
	    "   'unused_pct', CASE WHEN count(*) > 0 THEN round(100.0 * count(*) FILTER"
	    "    (WHERE reasons && ARRAY['never_shared', 'stale']) / count(*), 1) ELSE 0 END),"
	    "  'days', $1::integer, 'grace_days', $2::integer)"
	    " FROM a");

enum db_status db_unused(int days, int grace_days, char **json)
{
	char d[16], g[16];
	snprintf(d, sizeof d, "%d", days);
	snprintf(g, sizeof g, "%d", grace_days);
	const char *p[] = {d, g};
	enum db_status s;
	PGresult *res = db_query(true, &q_unused, 2, p, &s);
	return db_text(res, s, json);
}

/* Every persona x stage cell, empty ones included (they are the gaps); the
 * frequent zero-result searches, each with the newest content request of
 * the same words (folded as the searches are), so that a search already
 * planned for says so. */
static struct db_stmt q_coverage = DB_STMT(
    "WITH pub AS (SELECT a.id, a.personas, a.stages, coalesce(u.shares, 0) AS shares"
    "  FROM assets a LEFT JOIN usage_asset_now u ON u.asset_id = a.id"
    "  WHERE a.status = 'published' AND (a.expires_at IS NULL OR a.expires_at > now())),"
    " cells AS (SELECT p.slug AS persona, p.name AS persona_name, st.slug AS stage,"
    "   st.name AS stage_name, st.position,"
    "   count(pub.id) AS assets, count(pub.id) FILTER (WHERE pub.shares > 0) AS shared_assets,"
    "   count(pub.id) FILTER (WHERE EXISTS (SELECT 1 FROM stage_verdicts v"
    "    WHERE v.asset_id = pub.id AND v.stage = st.slug AND v.verdict = 'moves_deals'))"
    "    AS moving_assets,"
    "   coalesce(sum(pub.shares), 0) AS shares,"
    "   (SELECT count(*) FROM content_requests r WHERE r.persona = p.slug"
    "    AND r.stage = st.slug AND r.status IN ('open', 'planned', 'in_progress'))"
    "    AS open_requests"
    "  FROM personas p CROSS JOIN stages st"
    "  LEFT JOIN pub ON p.slug = ANY (pub.personas) AND st.slug = ANY (pub.stages)"
    "  GROUP BY p.slug, p.name, st.slug, st.name, st.position),"
    " z AS (SELECT lower(btrim(query)) AS query, count(*) AS searches, max(at) AS last_at"
    "  FROM searches WHERE results = 0 AND at > now() - interval '30 days'"
    "   AND btrim(query) <> ''"
    "  GROUP BY 1 ORDER BY 2 DESC, 3 DESC LIMIT 20)"
    " SELECT jsonb_build_object("
    "  'cells', (SELECT coalesce(jsonb_agg(jsonb_build_object('persona', persona,"
    "    'persona_name', persona_name, 'stage', stage, 'stage_name', stage_name,"
    "    'assets', assets, 'shared_assets', shared_assets, 'moving_assets', moving_assets,"
    "    'shares', shares, 'open_requests', open_requests) ORDER BY persona, position), '[]')"
    "   FROM cells),"
    "  'zero_result_searches', (SELECT coalesce(jsonb_agg(jsonb_build_object('query', query,"
    "    'searches', searches, 'last_searched_at', rfc3339(last_at),"
    "    'request', (SELECT jsonb_build_object('id', r.id, 'status', r.status)"
    "     FROM content_requests r WHERE lower(btrim(r.title)) = z.query"
    "     ORDER BY r.created_at DESC, r.id DESC LIMIT 1))"
    "    ORDER BY searches DESC, last_at DESC), '[]') FROM z))");

enum db_status db_coverage(char **json)
{
	enum db_status s;
	PGresult *res = db_query(true, &q_coverage, 0, NULL, &s);
	return db_text(res, s, json);
}

/* The rollup rows of one dimension ("asset" or "rep") for the range: whole
 * months [lo, hi) from the monthly rows, the days around them (none twice
 * when the range holds no whole month) from the daily ones, and the rows
 * past the marks alike. Index-only scans of the covering primary key. */
#define IN_RANGE(dim)                                                                              \
	"SELECT * FROM usage_rollup WHERE kind = '" dim "_month'"                                  \
	"  AND day >= (SELECT lo FROM m) AND day < (SELECT hi FROM m)"                             \
	" UNION ALL SELECT * FROM usage_rollup WHERE kind = '" dim "_day'"                         \
	"  AND day >= $1::date AND day < (SELECT least(lo, $2::date + 1) FROM m)"                  \
	" UNION ALL SELECT * FROM usage_rollup WHERE kind = '" dim "_day'"                         \
	"  AND day >= (SELECT greatest(hi, lo) FROM m) AND day <= $2::date"                        \
	" UNION ALL SELECT tail.* FROM tail, m WHERE tail.day BETWEEN $1::date AND $2::date"       \
	"  AND ((tail.kind = '" dim "_month' AND tail.day >= m.lo AND tail.day < m.hi)"            \
	"   OR (tail.kind = '" dim "_day' AND (tail.day < m.lo OR tail.day >= m.hi)))"

/* Usage between two days (inclusive), per day, week or month. The rows:
 * per day in all, per asset and per rep for the whole months of the range
 * [lo, hi) and per day at its ends; the rollups plus the rows past their
 * marks (computed once). Rep adoption lists every active rep, those who
 * shared nothing in the range too, with their last share ever. */
static struct db_stmt q_usage = DB_STMT(
    "WITH tail AS MATERIALIZED (SELECT d.* FROM rollup_marks ms, rollup_marks mo,"
    "   usage_rows(ms.done, 9223372036854775807, mo.done, 9223372036854775807) d"
    "  WHERE ms.source = 'shares' AND mo.source = 'opens'),"
    " m AS (SELECT (date_trunc('month', $1::date - 1) + interval '1 month')::date AS lo,"
    "   date_trunc('month', $2::date + 1)::date AS hi),"
    " per AS (SELECT date_trunc($3, day)::date AS period, sum(shares) AS shares,"
    "   sum(opens) AS opens, sum(human_opens) AS human_opens,"
    "   sum(opened_shares) AS opened_shares"
    "  FROM (SELECT * FROM usage_rollup WHERE kind = 'day' AND day BETWEEN $1::date AND $2::date"
    "        UNION ALL"
    "        SELECT * FROM tail WHERE kind = 'day' AND day BETWEEN $1::date AND $2::date) x"
    "  GROUP BY 1),"
    " a AS (SELECT id AS asset_id, sum(shares) AS shares, sum(opens) AS opens,"
    "   sum(human_opens) AS human_opens FROM (" IN_RANGE(
	"asset") ") x GROUP BY 1),"
		 " reps AS (SELECT id AS rep_id, sum(shares) AS shares, sum(opens) AS opens,"
		 "   sum(human_opens) AS human_opens FROM (" IN_RANGE(
		     "rep") ") x GROUP BY 1),"
			    " periods AS (SELECT g::date AS period FROM "
			    "generate_series(date_trunc($3, $1::date),"
			    "   $2::date, ('1 ' || $3)::interval) g)"
			    " SELECT jsonb_build_object('from', $1::date, 'to', $2::date, 'group', "
			    "$3,"
			    "  'periods', (SELECT coalesce(jsonb_agg(jsonb_build_object('period', "
			    "ps.period,"
			    "    'shares', coalesce(p.shares, 0), 'opens', coalesce(p.opens, 0),"
			    "    'human_opens', coalesce(p.human_opens, 0),"
			    "    'opened_shares', coalesce(p.opened_shares, 0),"
			    "    'share_to_open_rate', round(p.opened_shares::numeric / "
			    "nullif(p.shares, 0), 4))"
			    "    ORDER BY ps.period), '[]')"
			    "   FROM periods ps LEFT JOIN per p ON p.period = ps.period),"
			    "  'totals', (SELECT jsonb_build_object('shares', "
			    "coalesce(sum(shares), 0),"
			    "    'opens', coalesce(sum(opens), 0), 'human_opens', "
			    "coalesce(sum(human_opens), 0),"
			    "    'opened_shares', coalesce(sum(opened_shares), 0),"
			    "    'share_to_open_rate', round(sum(opened_shares)::numeric / "
			    "nullif(sum(shares), 0), 4))"
			    "   FROM per),"
			    "  'top_assets', (SELECT "
			    "coalesce(jsonb_agg(jsonb_build_object('asset_id', t.asset_id,"
			    "    'title', x.title, 'shares', t.shares, 'opens', t.opens,"
			    "    'human_opens', t.human_opens) ORDER BY t.shares DESC, "
			    "t.human_opens DESC, x.title), '[]')"
			    "   FROM (SELECT * FROM a WHERE shares > 0 OR opens > 0"
			    "         ORDER BY shares DESC, human_opens DESC LIMIT 10) t"
			    "   JOIN assets x ON x.id = t.asset_id),"
			    "  'top_reps', (SELECT coalesce(jsonb_agg(jsonb_build_object('rep_id', "
			    "t.rep_id,"
			    "    'name', u.name, 'shares', t.shares, 'opens', t.opens,"
			    "    'human_opens', t.human_opens) ORDER BY t.shares DESC, "
			    "t.human_opens DESC, u.name), '[]')"
			    "   FROM (SELECT * FROM reps WHERE shares > 0 ORDER BY shares DESC, "
			    "human_opens DESC"
			    "         LIMIT 10) t JOIN users u ON u.id = t.rep_id),"
			    "  'rep_adoption', (SELECT jsonb_build_object('reps_sharing', count(*) "
			    "FILTER"
			    "    (WHERE u.id IN (SELECT rep_id FROM reps WHERE shares > 0)), "
			    "'reps', count(*),"
			    "    'rate', round(count(*) FILTER (WHERE u.id IN"
			    "     (SELECT rep_id FROM reps WHERE shares > 0))::numeric / "
			    "nullif(count(*), 0), 4),"
			    "    'by_rep', coalesce(jsonb_agg(jsonb_build_object('rep_id', u.id,"
			    "     'name', u.name, 'shares', coalesce(r.shares, 0),"
			    "     'human_opens', coalesce(r.human_opens, 0),"
			    "     'last_shared_at', rfc3339((SELECT max(s.created_at) FROM shares s"
			    "      WHERE s.rep_id = u.id)))"
			    "     ORDER BY coalesce(r.shares, 0) DESC, u.name, u.id), '[]'))"
			    "   FROM users u LEFT JOIN reps r ON r.rep_id = u.id"
			    "   WHERE u.role = 'rep' AND u.active))");

enum db_status db_usage(const char *from, const char *to, const char *group, char **json)
{
	const char *p[] = {from, to, group};
	enum db_status s;
	PGresult *res = db_query(true, &q_usage, 3, p, &s);
	return db_text(res, s, json);
}

/* The unused percentage at the end of each period (00:00 UTC of the next
 * period's first day, or now for the period under way), as the summary
 * of db_unused counts it then. An asset published now counts from its
 * publication, or from its first share when that is earlier (history
 * back-filled before it was published here); what it was then is read
 * from its shares (shares_asset: one backward index probe per asset and
 * point). Assets archived or retired since, and internal ones (as in
 * asset_problems), are not counted. */
static struct db_stmt q_unused_trend = DB_STMT(
    "WITH pts AS (SELECT g::date AS period,"
    "   least(g + ('1 ' || $5)::interval, now()) AS at"
    "  FROM generate_series(date_trunc($5, $3::date), $4::date, ('1 ' || $5)::interval) g"
    "  WHERE g <= now()),"
    " a AS (SELECT a.id, a.published_at, f.first_at FROM assets a"
    "  CROSS JOIN LATERAL (SELECT min(s.created_at) AS first_at FROM shares s"
    "   WHERE s.asset_id = a.id) f"
    "  WHERE a.status = 'published' AND a.audience = 'external'),"
    " x AS (SELECT p.period, p.at, count(*) AS published,"
    "   count(*) FILTER (WHERE l.last_at IS NULL"
    "    AND a.published_at <= p.at - make_interval(days => $2::integer)) AS never_shared,"
    "   count(*) FILTER (WHERE l.last_at < p.at - make_interval(days => $1::integer)) AS stale"
    "  FROM pts p JOIN a ON least(a.published_at, a.first_at) <= p.at"
    "  CROSS JOIN LATERAL (SELECT max(s.created_at) AS last_at FROM shares s"
    "   WHERE s.asset_id = a.id AND s.created_at <= p.at) l"
    "  GROUP BY p.period, p.at)"
    " SELECT jsonb_build_object('from', $3::date, 'to', $4::date, 'group', $5,"
    "  'days', $1::integer, 'grace_days', $2::integer,"
    "  'points', coalesce(jsonb_agg(jsonb_build_object('period', p.period,"
    "   'at', rfc3339(p.at), 'published', coalesce(x.published, 0),"
    "   'unused', coalesce(x.never_shared + x.stale, 0),"
    "   'never_shared', coalesce(x.never_shared, 0), 'stale', coalesce(x.stale, 0),"
    "   'unused_pct', round(100.0 * (x.never_shared + x.stale) / nullif(x.published, 0), 1))"
    "   ORDER BY p.period), '[]'))"
    " FROM pts p LEFT JOIN x ON x.period = p.period");

enum db_status db_unused_trend(int days, int grace_days, const char *from, const char *to,
			       const char *group, char **json)
{
	char d[16], g[16];
	snprintf(d, sizeof d, "%d", days);
	snprintf(g, sizeof g, "%d", grace_days);
	const char *p[] = {d, g, from, to, group};
	enum db_status s;
	PGresult *res = db_query(true, &q_unused_trend, 5, p, &s);
	return db_text(res, s, json);
}

static struct db_stmt q_fold = DB_STMT("SELECT analytics_fold()");

enum db_status db_analytics_fold(void)
{
	enum db_status s;
	PQclear(db_query(false, &q_fold, 0, NULL, &s));
	return s;
}
