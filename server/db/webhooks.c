/* Outgoing webhooks: made, changed, deleted, listed, pinged
 * (db_webhooks.h). */
#include "db_webhooks.h"

#include <stdlib.h>
#include "db_internal.h"

/* $1 url, $2 events, $3 format, $4 label, $5 secret (binary), $6 sealed,
 * $7 creator, $8 active. */
static struct db_stmt q_create = DB_STMT(
    "INSERT INTO webhooks AS w (url, events, format, label, secret, sealed, created_by, active)"
    " VALUES ($1, $2::text[], coalesce($3, 'json'), $4, $5, $6::boolean, $7,"
    "  coalesce($8::boolean, true))"
    " RETURNING webhook_json(w)");

enum db_status db_webhook_create(const char *actor, const struct webhook_fields *f,
				 const unsigned char *secret, size_t len, bool sealed, char **json)
{
	char *events = db_array(f->events);
	if (events == NULL)
		return DB_ERROR;
	const char *p[] = {
	    f->url, events,   f->format, f->label, (const char *)secret, sealed ? "t" : "f",
	    actor,  f->active};
	const int lengths[] = {0, 0, 0, 0, (int)len, 0, 0, 0};
	const int formats[] = {0, 0, 0, 0, 1, 0, 0, 0};
	enum db_status s;
	PGresult *res = db_write_bin(actor, &q_create, 8, p, lengths, formats, &s);
	free(events);
	return db_text(res, s, json);
}

static struct db_stmt q_update =
    DB_STMT("UPDATE webhooks w SET url = coalesce($2, url), events = coalesce($3::text[], events),"
	    " format = coalesce($4, format), label = coalesce($5, label),"
	    " active = coalesce($6::boolean, active), updated_at = now()"
	    " WHERE id = $1::uuid RETURNING webhook_json(w)");

enum db_status db_webhook_update(const char *actor, const char *id, const struct webhook_fields *f,
				 char **json)
{
	char *events = f->events ? db_array(f->events) : NULL;
	if (f->events != NULL && events == NULL)
		return DB_ERROR;
	const char *p[] = {id, f->url, events, f->format, f->label, f->active};
	enum db_status s;
	PGresult *res = db_write(actor, &q_update, 6, p, &s);
	free(events);
	return db_text(res, s, json);
}

static struct db_stmt q_delete = DB_STMT("DELETE FROM webhooks WHERE id = $1::uuid");

enum db_status db_webhook_delete(const char *actor, const char *id)
{
	const char *p[] = {id};
	return db_write_found(actor, &q_delete, 1, p);
}

static struct db_stmt q_list =
    DB_STMT("SELECT jsonb_build_object('items', coalesce(jsonb_agg(webhook_json(w)"
	    " ORDER BY w.label, w.created_at), '[]')) FROM webhooks w");

enum db_status db_webhook_list(char **json)
{
	enum db_status s;
	PGresult *res = db_query(false, &q_list, 0, NULL, &s);
	return db_text(res, s, json);
}

static struct db_stmt q_ping = DB_STMT(
    "WITH w AS (SELECT id, label FROM webhooks WHERE id = $1::uuid),"
    " freed AS (UPDATE outbox_targets t SET hold_until = NULL, failures = 0 FROM w"
    "  WHERE t.target = w.id),"
    " o AS (INSERT INTO outbox (event_id, kind, target, webhook_id, data, text)"
    "  SELECT gen_random_uuid(), 'ping', w.id, w.id, jsonb_build_object('webhook_id', w.id),"
    "   format('A test event from nextstage to the webhook \"%s\"', w.label) FROM w"
    "  RETURNING *)"
    " SELECT outbox_json(o) FROM o");

enum db_status db_webhook_ping(const char *actor, const char *id, char **json)
{
	const char *p[] = {id};
	enum db_status s;
	PGresult *res = db_write(actor, &q_ping, 1, p, &s);
	return db_text(res, s, json);
}
