/* Webhook secrets: created, rotated with an overlap, revoked, listed, and
 * read back for signature checks. The stored bytes are bytea, passed and
 * read in binary. */
#include "db_webhook_secrets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

#define LIVE "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())"

/* Expired secrets keep no value: wiped (no audit entry: the audit leaves
 * the secret out, so nothing it shows changed). */
static struct db_stmt q_wipe_expired = DB_STMT(
    "UPDATE webhook_secrets SET secret = '\\x' WHERE expires_at <= now() AND secret <> '\\x'");
static struct db_stmt q_count =
    DB_STMT("SELECT count(*) FROM webhook_secrets WHERE kind = $1 AND " LIVE);
/* $1 kind, $2 label, $3 the stored bytes (binary), $4 sealed, $5 what it
 * replaces, $6 the creator. */
static struct db_stmt q_insert =
    DB_STMT("INSERT INTO webhook_secrets AS w (kind, label, secret, sealed, replaces, created_by)"
	    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING webhook_secret_json(w)");

/* Inserts @w as @kind / @label (replacing @replaces, or NULL). */
static enum db_status insert(struct db *db, const char *actor, const struct webhook_secret_new *w,
			     const char *kind, const char *label, const char *replaces,
			     struct db_fault *fault, char **json)
{
	const char *p[] = {kind,     label, (const char *)w->bytes, w->sealed ? "t" : "f",
			   replaces, actor};
	const int lengths[] = {0, 0, (int)w->len, 0, 0, 0};
	const int formats[] = {0, 0, 1, 0, 0, 0};
	enum db_status s;
	PGresult *res = db_exec_bin(db, &q_insert, 6, p, lengths, formats, 0, &s);
	if (s == DB_CONFLICT)
		return db_refuse(fault, s, "label", "a current %s secret has this label", kind);
	return db_text(res, s, json);
}

struct create {
	const char *actor;
	const struct webhook_secret_new *w;
	struct db_fault *fault;
	char **json;
};

static enum db_status create_tx(struct db *db, void *cls)
{
	struct create *c = cls;
	enum db_status s = db_do(db, &q_wipe_expired, 0, NULL);
	const char *k[] = {c->w->kind};
	PGresult *res = s == DB_OK ? db_exec(db, &q_count, 1, k, &s) : NULL;
	long long live = s == DB_OK ? db_int(res, 0, 0) : 0;
	PQclear(res);
	if (s != DB_OK)
		return s;
	if (live >= WEBHOOK_SECRETS_MAX)
		return db_refuse(c->fault, DB_CONFLICT, "kind",
				 "there are %d live %s secrets already; revoke some first",
				 WEBHOOK_SECRETS_MAX, c->w->kind);
	return insert(db, c->actor, c->w, c->w->kind, c->w->label, NULL, c->fault, c->json);
}

enum db_status db_webhook_secret_create(const char *actor_id, const struct webhook_secret_new *w,
					struct db_fault *fault, char **json)
{
	struct create c = {actor_id, w, fault, json};
	*json = NULL;
	return db_tx(actor_id, create_tx, &c);
}

static struct db_stmt q_lock =
    DB_STMT("SELECT kind, label, expires_at IS NOT NULL"
	    " FROM webhook_secrets WHERE id = $1 AND " LIVE " FOR UPDATE");
static struct db_stmt q_expire =
    DB_STMT("UPDATE webhook_secrets w SET expires_at = now() + make_interval(secs => $2::bigint)"
	    " WHERE id = $1 RETURNING webhook_secret_json(w)");

struct rotate {
	const char *actor, *id;
	const struct webhook_secret_new *w;
	long overlap_s;
	struct db_fault *fault;
	char **json, **previous;
};

static enum db_status rotate_tx(struct db *db, void *cls)
{
	struct rotate *c = cls;
	free(*c->previous);
	free(*c->json);
	*c->previous = *c->json = NULL;
	const char *p[] = {c->id};
	enum db_status s = db_do(db, &q_wipe_expired, 0, NULL);
	PGresult *res = s == DB_OK ? db_exec(db, &q_lock, 1, p, &s) : NULL;
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	char *kind = s == DB_OK ? db_dup(res, 0, 0) : NULL;
	char *label = s == DB_OK ? db_dup(res, 0, 1) : NULL;
	bool rotated = s == DB_OK && db_bool(res, 0, 2);
	PQclear(res);
	if (s == DB_OK && (kind == NULL || label == NULL))
		s = DB_ERROR;
	else if (s == DB_OK && rotated)
		s = db_refuse(c->fault, DB_CONFLICT, NULL,
			      "this secret was rotated already: rotate the one that replaced it");
	else if (s == DB_OK && c->w->generated && strcmp(kind, "hubspot") == 0)
		s = db_refuse(c->fault, DB_INVALID, "secret",
			      "a HubSpot client secret comes from HubSpot: give the new one");
	if (s == DB_INVALID)
		c->fault->missing = true;
	char overlap[24];
	snprintf(overlap, sizeof overlap, "%ld", c->overlap_s);
	const char *e[] = {c->id, overlap};
	if (s == DB_OK) {
		res = db_exec(db, &q_expire, 2, e, &s);
		s = db_text(res, s, c->previous);
	}
	if (s == DB_OK)
		s = insert(db, c->actor, c->w, kind, label, c->id, c->fault, c->json);
	free(kind);
	free(label);
	return s;
}

enum db_status db_webhook_secret_rotate(const char *actor_id, const char *id,
					const struct webhook_secret_new *w, long overlap_s,
					struct db_fault *fault, char **json, char **previous)
{
	*json = *previous = NULL;
	struct rotate c = {actor_id, id, w, overlap_s, fault, json, previous};
	enum db_status s = db_tx(actor_id, rotate_tx, &c);
	if (s != DB_OK) {
		free(*json);
		free(*previous);
		*json = *previous = NULL;
	}
	return s;
}

static struct db_stmt q_revoke =
    DB_STMT("UPDATE webhook_secrets SET revoked_at = now(), secret = '\\x'"
	    " WHERE id = $1 AND " LIVE);

enum db_status db_webhook_secret_revoke(const char *actor_id, const char *id)
{
	const char *p[] = {id};
	return db_write_found(actor_id, &q_revoke, 1, p);
}

static struct db_stmt q_list =
    DB_STMT("SELECT jsonb_build_object('items', coalesce(jsonb_agg(webhook_secret_json(w)"
	    "  ORDER BY w.label, w.kind, w.created_at DESC), '[]'))"
	    " FROM webhook_secrets w WHERE " LIVE
	    "  AND ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR label = $2)");

enum db_status db_webhook_secret_list(const char *kind, const char *label, char **json)
{
	const char *p[] = {kind, label};
	enum db_status s;
	PGresult *res = db_query(false, &q_list, 2, p, &s);
	return db_text(res, s, json);
}

static struct db_stmt q_keys =
    DB_STMT("SELECT secret, sealed FROM webhook_secrets"
	    " WHERE kind = $1 AND " LIVE " ORDER BY created_at DESC LIMIT 100");

enum db_status db_webhook_keys(const char *kind, struct webhook_key **keys, size_t *n)
{
	_Static_assert(WEBHOOK_SECRETS_MAX == 100, "q_keys reads WEBHOOK_SECRETS_MAX rows");
	*keys = NULL;
	*n = 0;
	const char *p[] = {kind};
	enum db_status s;
	PGresult *res = db_query_bin(&q_keys, 1, p, &s);
	if (s != DB_OK)
		return s;
	int rows = PQntuples(res);
	struct webhook_key *k = rows ? calloc((size_t)rows, sizeof *k) : NULL;
	if (rows && k == NULL)
		s = DB_ERROR;
	for (int i = 0; s == DB_OK && i < rows; i++) {
		k[i].len = (size_t)PQgetlength(res, i, 0);
		k[i].sealed = *PQgetvalue(res, i, 1) != 0; /* binary boolean: one byte */
		k[i].bytes = malloc(k[i].len + 1);
		if (k[i].bytes == NULL) {
			db_webhook_keys_free(k, (size_t)rows);
			k = NULL;
			s = DB_ERROR;
			break;
		}
		memcpy(k[i].bytes, PQgetvalue(res, i, 0), k[i].len);
	}
	PQclear(res);
	if (s == DB_OK) {
		*keys = k;
		*n = (size_t)rows;
	}
	return s;
}

void db_webhook_keys_free(struct webhook_key *keys, size_t n)
{
	for (size_t i = 0; keys != NULL && i < n; i++) {
		if (keys[i].bytes != NULL)
			explicit_bzero(keys[i].bytes, keys[i].len);
		free(keys[i].bytes);
	}
	free(keys);
}
