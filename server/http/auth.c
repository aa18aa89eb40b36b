/* Who is calling: bearer API tokens and session cookies. Only SHA-256
 * digests of either are ever stored or compared.
 *
 * Resolved credentials are cached for up to AUTH_CACHE_TTL_S, and only
 * while the database can tell us about changes: triggers on users,
 * sessions and api_tokens NOTIFY on AUTH_CHANNEL
 * (schema/functions/notify_auth_change.sql), and
 * every notification, every loss of the listening connection and every
 * change made by this process bump a generation number that makes all
 * entries stale at once. A token's use is noted (db_token_used) on every
 * request it authenticates, cached or not; the note costs no database
 * round trip. */
#include "auth.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "crypto.h"
#include "db_listen.h"
#include "db_tokens.h"
#include "db_users.h"

#define AUTH_CHANNEL	 "nextstage_auth"
#define AUTH_CACHE_TTL_S 60
#define AUTH_CACHE_SLOTS 1024 /* a power of two */

struct cached {
	unsigned char digest[32];
	enum auth_via via;
	uint64_t gen;
	int64_t expires_ms; /* CLOCK_MONOTONIC */
	struct user user;
	char id[UUID_LEN + 1]; /* a token's id ("" for a session) */
};

static struct cached cache[AUTH_CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint_fast64_t generation = 1; /* 0 marks an empty slot */
static atomic_bool listening;
static atomic_ulong hits, misses;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct cached *slot(const unsigned char digest[32])
{
	return &cache[(digest[0] | (unsigned)digest[1] << 8) & (AUTH_CACHE_SLOTS - 1)];
}

static bool cache_get(const unsigned char digest[32], enum auth_via via, struct user *u,
		      char id[UUID_LEN + 1])
{
	if (!atomic_load(&listening))
		return false;
	uint64_t gen = atomic_load(&generation);
	struct cached *c = slot(digest);
	pthread_mutex_lock(&cache_lock);
	bool hit = c->gen == gen && c->via == via && memcmp(c->digest, digest, 32) == 0 &&
		   now_ms() < c->expires_ms;
	if (hit) {
		*u = c->user;
		memcpy(id, c->id, UUID_LEN + 1);
	}
	pthread_mutex_unlock(&cache_lock);
	atomic_fetch_add(hit ? &hits : &misses, 1);
	return hit;
}

/* Stores what was read under generation @gen (taken before the read, so
 * that a change notified meanwhile makes the entry stale). */
static void cache_put(const unsigned char digest[32], enum auth_via via, uint64_t gen,
		      const struct user *u, const char id[UUID_LEN + 1], long valid_s)
{
	if (valid_s == 0 || !atomic_load(&listening))
		return;
	if (valid_s < 0 || valid_s > AUTH_CACHE_TTL_S)
		valid_s = AUTH_CACHE_TTL_S;
	struct cached *c = slot(digest);
	pthread_mutex_lock(&cache_lock);
	memcpy(c->digest, digest, 32);
	c->via = via;
	c->gen = gen;
	c->expires_ms = now_ms() + valid_s * 1000;
	c->user = *u;
	memcpy(c->id, id, UUID_LEN + 1);
	pthread_mutex_unlock(&cache_lock);
}

void auth_forget(void)
{
	atomic_fetch_add(&generation, 1);
}

static void on_change(enum db_listen_event e)
{
	if (e == DB_LISTEN_LOST)
		atomic_store(&listening, false);
	auth_forget();
	if (e == DB_LISTEN_READY)
		atomic_store(&listening, true);
}

int auth_cache_start(void)
{
	return db_listen_start(AUTH_CHANNEL, on_change);
}

void auth_cache_stop(void)
{
	db_listen_stop();
	atomic_store(&listening, false);
}

void auth_cache_stats(unsigned long *hit, unsigned long *miss)
{
	*hit = atomic_load(&hits);
	*miss = atomic_load(&misses);
}

/* The user behind credential @digest, from the cache or the database,
 * and a token's id into @id ("" for a session). */
static enum db_status lookup(const unsigned char digest[32], enum auth_via via, struct user *u,
			     char id[UUID_LEN + 1])
{
	if (cache_get(digest, via, u, id))
		return DB_OK;
	uint64_t gen = atomic_load(&generation);
	long valid_s = 0;
	id[0] = '\0';
	enum db_status s = via == AUTH_VIA_BEARER ? db_token_user(digest, u, &valid_s, id)
						  : db_session_user(digest, u, &valid_s);
	if (s == DB_OK)
		cache_put(digest, via, gen, u, id, valid_s);
	return s;
}

bool auth_cookie_value(const char *header, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	for (const char *c = header; c != NULL && *c != '\0';) {
		while (*c == ' ' || *c == ';')
			c++;
		size_t len = strcspn(c, ";");
		if (len > nl && strncmp(c, name, nl) == 0 && c[nl] == '=') {
			size_t vl = len - nl - 1;
			if (vl >= outlen)
				return false;
			memcpy(out, c + nl + 1, vl);
			out[vl] = '\0';
			return vl > 0;
		}
		c += len;
	}
	return false;
}

enum db_status auth_identify(const char *authorization, const char *cookie, struct user *u,
			     enum auth_via *via)
{
	unsigned char hash[32];
	char id[UUID_LEN + 1];
	*via = AUTH_VIA_NONE;
	if (authorization != NULL && strncasecmp(authorization, "Bearer ", 7) == 0) {
		const char *token = authorization + 7;
		*via = AUTH_VIA_BEARER;
		if (strncmp(token, API_TOKEN_PREFIX, strlen(API_TOKEN_PREFIX)) != 0 ||
		    strlen(token) > 128)
			return DB_NOT_FOUND;
		crypto_sha256(token, strlen(token), hash);
		enum db_status s = lookup(hash, AUTH_VIA_BEARER, u, id);
		if (s == DB_OK)
			db_token_used(id); /* its last use, written in the background */
		return s;
	}
	char value[128];
	if (auth_cookie_value(cookie, SESSION_COOKIE, value, sizeof value)) {
		*via = AUTH_VIA_COOKIE;
		crypto_sha256(value, strlen(value), hash);
		return lookup(hash, AUTH_VIA_COOKIE, u, id);
	}
	return DB_NOT_FOUND;
}

bool auth_allows(const struct user *u, enum route_auth need)
{
	switch (need) {
	case AUTH_PUBLIC:
		return true;
	case AUTH_USER:
		return u != NULL;
	case AUTH_MARKETER:
		return u != NULL && u->role >= ROLE_MARKETER;
	case AUTH_BOARD:
		return u != NULL && (u->board || u->role == ROLE_ADMIN);
	case AUTH_BOARD_READ:
		return u != NULL && (u->board || u->role >= ROLE_MARKETER);
	case AUTH_ADMIN:
		return u != NULL && u->role == ROLE_ADMIN;
	case AUTH_SIGNED:
	case AUTH_SIGNED_HUBSPOT:
		return false;
	}
	return false;
}
