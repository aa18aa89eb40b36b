/* The outbox's deliveries: claimed, settled, swept, listed, redelivered
 * (db_outbox.h). */
#include "db_outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

/* $1 per target, $2 at most, $3 e-mails too, $4 the lease (seconds). The
 * targets not held; for each, its due rows up to what it may still have
 * in flight (rows sending under a lease not over); then the rows claimed,
 * with where they go. */
static struct db_stmt q_claim = DB_STMT(
    "WITH t AS (SELECT w.id FROM webhooks w WHERE w.active"
    "  UNION ALL SELECT '" OUTBOX_SMTP_TARGET "'::uuid WHERE $3::boolean),"
    " ready AS (SELECT t.id, CASE WHEN h.failures > 0 THEN 1 ELSE $1::integer END AS cap"
    "  FROM t LEFT JOIN outbox_targets h ON h.target = t.id"
    "  WHERE h.hold_until IS NULL OR h.hold_until <= now()),"
    " c AS (SELECT x.id FROM ready, LATERAL (SELECT o.id FROM outbox o"
    "   WHERE o.target = ready.id AND o.state = 'pending' AND o.next_at <= now()"
    "   ORDER BY o.next_at, o.id"
    "   LIMIT greatest(0, ready.cap - (SELECT count(*) FROM outbox b WHERE b.target = ready.id"
    "     AND b.state = 'pending' AND b.sending AND b.next_at > now()))"
    "   FOR UPDATE SKIP LOCKED) x LIMIT $2::integer),"
    " claimed AS (UPDATE outbox o SET sending = true, attempts = o.attempts + 1,"
    "   attempted_at = now(), next_at = now() + make_interval(secs => $4::double precision)"
    "  FROM c WHERE o.id = c.id RETURNING o.*)"
    " SELECT o.id, o.event_id, o.kind, o.target, w.url,"
    "  CASE WHEN w.format = 'slack' THEN jsonb_build_object('text', o.text)"
    "   ELSE jsonb_build_object('id', o.event_id, 'type', o.kind,"
    "    'created_at', rfc3339(o.created_at), 'data', o.data) END::text,"
    "  w.secret, w.sealed, u.email, u.name, o.data->>'subject', o.text,"
    "  extract(epoch FROM o.created_at)::bigint"
    " FROM claimed o LEFT JOIN webhooks w ON w.id = o.webhook_id"
    " LEFT JOIN users u ON u.id = o.user_id ORDER BY o.id");

/* The bytes of a bytea column in text (hex) form into a malloc'd buffer. */
static unsigned char *bytea_of(const PGresult *res, int row, int col, size_t *len)
{
	*len = 0;
	if (PQgetisnull(res, row, col))
		return NULL;
	return PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), len);
}

enum db_status db_outbox_claim(int max, int per_target, bool smtp, double lease_s,
			       struct outbox_claim **out, size_t *n)
{
	char cap[16], lim[16], lease[32];
	snprintf(cap, sizeof cap, "%d", per_target);
	snprintf(lim, sizeof lim, "%d", max);
	snprintf(lease, sizeof lease, "%.3f", lease_s);
	const char *p[] = {cap, lim, smtp ? "t" : "f", lease};
	*out = NULL;
	*n = 0;
	enum db_status s;
	PGresult *res = db_query(false, &q_claim, 4, p, &s);
	if (s != DB_OK)
		return s;
	int rows = PQntuples(res);
	struct outbox_claim *c = rows ? calloc((size_t)rows, sizeof *c) : NULL;
	if (rows && c == NULL) {
		PQclear(res);
		return DB_ERROR; /* the leases run out: sent later */
	}
	for (int i = 0; i < rows; i++) {
		c[i].id = db_int(res, i, 0);
		c[i].event_id = db_dup(res, i, 1);
		c[i].kind = db_dup(res, i, 2);
		c[i].target = db_dup(res, i, 3);
		c[i].url = db_dup(res, i, 4);
		c[i].body = db_dup(res, i, 5);
		c[i].secret = bytea_of(res, i, 6, &c[i].secret_len);
		c[i].sealed = !PQgetisnull(res, i, 7) && db_bool(res, i, 7);
		c[i].email_to = db_dup(res, i, 8);
		c[i].email_name = db_dup(res, i, 9);
		c[i].subject = db_dup(res, i, 10);
		c[i].text = db_dup(res, i, 11);
		c[i].created = db_int(res, i, 12);
	}
	PQclear(res);
	*out = c;
	*n = (size_t)rows;
	return DB_OK;
}

void db_outbox_claim_clear(struct outbox_claim *c)
{
	free(c->event_id);
	free(c->kind);
	free(c->target);
	free(c->url);
	free(c->body);
	PQfreemem(c->secret);
	free(c->email_to);
	free(c->email_name);
	free(c->subject);
	free(c->text);
	memset(c, 0, sizeof *c);
}

static struct db_stmt q_release =
    DB_STMT("UPDATE outbox SET sending = false, next_at = now()"
	    " WHERE id = $1::bigint AND state = 'pending' AND sending");

enum db_status db_outbox_release(long long id)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", id);
	const char *p[] = {ids};
	PGresult *res;
	enum db_status s;
	res = db_write(NULL, &q_release, 1, p, &s);
	PQclear(res);
	return s;
}

/* $1 ids, $2 their statuses, $3 their targets: deliveries made, and the
 * targets that took them no longer held. */
static struct db_stmt q_delivered = DB_STMT(
    "WITH d AS (UPDATE outbox o SET sending = false, last_status = x.status, last_error = NULL,"
    "  state = 'delivered', delivered_at = now(), next_at = now()"
    "  FROM unnest($1::bigint[], $2::integer[]) AS x(id, status)"
    "  WHERE o.id = x.id AND o.state = 'pending')"
    " UPDATE outbox_targets SET failures = 0, hold_until = NULL"
    " WHERE target = ANY ($3::uuid[]) AND (failures > 0 OR hold_until IS NOT NULL)");
/* $1 id, $2 status, $3 error. A failed try leaves the row due at once:
 * its target's hold decides when it goes again. */
static struct db_stmt q_failed =
    DB_STMT("UPDATE outbox SET sending = false, last_status = $2::integer, last_error = $3,"
	    " next_at = now() WHERE id = $1::bigint AND state = 'pending'");
/* $1 target, $2 error, $3 base, $4 max (seconds): after n failures in a
 * row held base x 2^(n-1), at most max, times 0.75 to 1.25. Tries that
 * were in flight together and fail while the target is held count once. */
static struct db_stmt q_target_failed =
    DB_STMT("INSERT INTO outbox_targets AS t (target, failures, last_error, hold_until)"
	    " VALUES ($1::uuid, 1, $2, now() + make_interval(secs => $3::double precision"
	    "  * (0.75 + random() / 2)))"
	    " ON CONFLICT (target) DO UPDATE SET last_error = $2,"
	    "  failures = CASE WHEN t.hold_until > now() THEN t.failures ELSE t.failures + 1 END,"
	    "  hold_until = CASE WHEN t.hold_until > now() THEN t.hold_until"
	    "   ELSE now() + make_interval(secs => least($4::double precision,"
	    "    $3::double precision * 2 ^ least(t.failures, 30)) * (0.75 + random() / 2)) END");

struct settle {
	const struct outbox_outcome *o;
	size_t n;
	double base_s, max_s;
};

/* Appends @item to the array literal at @p ("{" first); returns the end. */
static char *append(char *p, const char *item)
{
	if (p[-1] != '{')
		*p++ = ',';
	return p + sprintf(p, "%s", item);
}

static enum db_status settle_tx(struct db *db, void *cls)
{
	struct settle *c = cls;
	char base[32], max[32];
	snprintf(base, sizeof base, "%.3f", c->base_s);
	snprintf(max, sizeof max, "%.3f", c->max_s);
	/* ids of 20 digits, statuses of 11 (or NULL), uuids of 36, a comma each */
	char *ids = malloc(c->n * 21 + 3), *st = malloc(c->n * 12 + 3), *tg = malloc(c->n * 37 + 3);
	enum db_status s = ids && st && tg ? DB_OK : DB_ERROR;
	char *pi = ids, *ps = st, *pt = tg;
	if (s == DB_OK) {
		*pi++ = *ps++ = *pt++ = '{';
		for (size_t i = 0; i < c->n && s == DB_OK; i++) {
			const struct outbox_outcome *o = &c->o[i];
			char id[24], status[16];
			snprintf(id, sizeof id, "%lld", o->id);
			snprintf(status, sizeof status, "%d", o->status);
			if (o->ok) {
				pi = append(pi, id);
				ps = append(ps, o->status ? status : "NULL");
				pt = append(pt, o->target);
				continue;
			}
			const char *error = o->error ? o->error : "failed";
			const char *row[] = {id, o->status ? status : NULL, error};
			const char *t[] = {o->target, error, base, max};
			if ((s = db_do(db, &q_failed, 3, row)) == DB_OK)
				s = db_do(db, &q_target_failed, 4, t);
		}
		strcpy(pi, "}");
		strcpy(ps, "}");
		strcpy(pt, "}");
	}
	if (s == DB_OK && pi > ids + 1) {
		const char *p[] = {ids, st, tg};
		s = db_do(db, &q_delivered, 3, p);
	}
	free(ids);
	free(st);
	free(tg);
	return s;
}

enum db_status db_outbox_settle(const struct outbox_outcome *o, size_t n, double base_s,
				double max_s)
{
	struct settle c = {o, n, base_s, max_s};
	return n ? db_tx(NULL, settle_tx, &c) : DB_OK;
}

/* $1 the retry window (seconds): rows not sending (or whose lease is
 * over) whose run of tries began before it are parked, with why. */
static struct db_stmt q_park = DB_STMT(
    "WITH parked AS (UPDATE outbox o SET state = 'failed', sending = false,"
    "  last_error = format('not delivered within %s s: %s', $1::integer,"
    "   coalesce(o.last_error, (SELECT t.last_error FROM outbox_targets t"
    "    WHERE t.target = o.target), 'not tried (the webhook is paused, or e-mail is off)'))"
    " WHERE o.state = 'pending' AND o.since < now() - make_interval(secs => $1::integer)"
    "  AND NOT (o.sending AND o.next_at > now()) RETURNING 1)"
    " SELECT count(*) FROM parked");
static struct db_stmt q_prune =
    DB_STMT("DELETE FROM outbox WHERE state = 'delivered'"
	    " AND delivered_at < now() - make_interval(secs => $1::integer)");
static struct db_stmt q_digests =
    DB_STMT("SELECT outbox_digests(make_interval(secs => $1::integer))");

enum db_status db_outbox_sweep(double retry_s, double keep_s, double digest_s, long long *parked)
{
	char retry[32], keep[32], digest[32];
	snprintf(retry, sizeof retry, "%.0f", retry_s);
	snprintf(keep, sizeof keep, "%.0f", keep_s);
	snprintf(digest, sizeof digest, "%.0f", digest_s);
	const char *p1[] = {retry}, *p2[] = {keep}, *p3[] = {digest};
	enum db_status s;
	*parked = 0;
	PGresult *res = db_write(NULL, &q_park, 1, p1, &s);
	s = db_integer(res, s, parked);
	res = s == DB_OK ? db_write(NULL, &q_prune, 1, p2, &s) : NULL;
	PQclear(res);
	res = s == DB_OK ? db_write(NULL, &q_digests, 1, p3, &s) : NULL;
	PQclear(res);
	return s;
}

static struct db_stmt q_list = DB_STMT(
    "WITH page AS (SELECT * FROM outbox o WHERE ($1::text IS NULL OR o.state = $1)"
    "  AND ($2::uuid IS NULL OR o.webhook_id = $2::uuid)"
    "  AND ($3::text IS NULL OR (o.webhook_id IS NULL) = ($3 = 'email'))"
    "  AND ($4::bigint IS NULL OR o.id < $4::bigint) ORDER BY o.id DESC LIMIT $5::integer + 1),"
    " shown AS (SELECT * FROM page ORDER BY id DESC LIMIT $5::integer)"
    " SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(outbox_json(x)"
    "   ORDER BY x.id DESC) FROM shown x), '[]')),"
    " CASE WHEN (SELECT count(*) FROM page) > $5::integer THEN (SELECT min(id)::text FROM shown)"
    " END");

enum db_status db_outbox_list(const char *state, const char *webhook_id, const char *channel,
			      const char *after, int limit, char **json, char **next)
{
	const char *p[] = {state, webhook_id, channel, after, NULL};
	return db_list(false, &q_list, 5, p, limit, json, next);
}

/* $1 id. The target's hold and failures are forgotten: an admin asking
 * again means the receiver was mended. */
static struct db_stmt q_redeliver =
    DB_STMT("WITH r AS (SELECT o.id, o.state FROM outbox o WHERE o.id = $1::bigint FOR UPDATE),"
	    " done AS (UPDATE outbox o SET state = 'pending', sending = false, next_at = now(),"
	    "  since = now(), delivered_at = NULL FROM r WHERE o.id = r.id AND r.state <> 'pending'"
	    "  RETURNING o.*),"
	    " freed AS (UPDATE outbox_targets t SET hold_until = NULL, failures = 0 FROM done"
	    "  WHERE t.target = done.target)"
	    " SELECT r.state, (SELECT outbox_json(d) FROM done d) FROM r");

enum db_status db_outbox_redeliver(const char *actor, const char *id, char **json)
{
	const char *p[] = {id};
	enum db_status s;
	*json = NULL;
	PGresult *res = db_write(actor, &q_redeliver, 1, p, &s);
	if (s != DB_OK)
		return s;
	if (PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	else if (PQgetisnull(res, 0, 1))
		s = DB_CONFLICT;
	else
		*json = db_dup(res, 0, 1);
	PQclear(res);
	return s == DB_OK && *json == NULL ? DB_ERROR : s;
}
