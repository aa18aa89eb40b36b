/* API tokens: made, listed, revoked; and their last use, written in the
 * background (contracts in db_tokens.h). */
#include "db_tokens.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "crypto.h"
#include "db_internal.h"
#include "log.h"

static struct db_stmt q_create = DB_STMT("INSERT INTO api_tokens (user_id, name, token_hash)"
					 " VALUES ($1, $2, decode($3, 'hex')) RETURNING id");

enum db_status db_token_create(const char *user_id, const char *name, const unsigned char hash[32],
			       char id_out[UUID_LEN + 1])
{
	char hex[65];
	crypto_hex(hash, 32, hex);
	const char *p[] = {user_id, name, hex};
	enum db_status s;
	PGresult *res = db_write(user_id, &q_create, 3, p, &s);
	if (s == DB_OK)
		db_copy(id_out, UUID_LEN + 1, res, 0, 0);
	PQclear(res);
	return s;
}

static struct db_stmt q_list = DB_STMT(
    "WITH page AS (SELECT t.* FROM api_tokens t"
    "  WHERE t.revoked_at IS NULL AND ($1::uuid IS NULL OR t.user_id = $1::uuid)"
    "   AND " KEYSET_AFTER("t", "$2") "  ORDER BY t.created_at DESC, t.id DESC"
				      "  LIMIT $3::integer + 1)," KEYSET_TAIL("token_json", "$3"));

enum db_status db_token_list(const char *user_id, const char *after, int limit, char **json,
			     char **next)
{
	const char *p[] = {user_id, after, NULL};
	return db_list(false, &q_list, 3, p, limit, json, next);
}

static struct db_stmt q_revoke =
    DB_STMT("UPDATE api_tokens SET revoked_at = now()"
	    " WHERE id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR user_id = $2::uuid)");

enum db_status db_token_revoke(const char *actor_id, const char *id, const char *owner_id)
{
	const char *p[] = {id, owner_id};
	return db_write_found(actor_id, &q_revoke, 2, p);
}

/* ---- last use ---- */

#define SEEN_SLOTS    4096 /* tokens remembered as noted; a power of two */
#define SEEN_STRIPES  16
#define NOTE_EVERY_MS 60000
#define QUEUE_MAX     1024
#define FLUSH_MS      1000

/* When this process last noted a token (a slot per hash of its id; two
 * tokens sharing one only cost an extra note now and then). */
static struct {
	char id[UUID_LEN + 1];
	int64_t at_ms;
} seen[SEEN_SLOTS];
static pthread_mutex_t stripes[SEEN_STRIPES];
static pthread_once_t stripes_once = PTHREAD_ONCE_INIT;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* the queue */
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static char queue[QUEUE_MAX][UUID_LEN + 1];
static size_t queued;
static atomic_bool running;
static bool stopping;
static pthread_t thread;
static atomic_ulong dropped;

static void stripes_init(void)
{
	for (int i = 0; i < SEEN_STRIPES; i++)
		pthread_mutex_init(&stripes[i], NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned slot_of(const char *id)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const char *c = id; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	return h & (SEEN_SLOTS - 1);
}

/* Whether @id is due a note now (and marks it noted). */
static bool due(const char *id)
{
	unsigned i = slot_of(id);
	pthread_mutex_t *m = &stripes[i % SEEN_STRIPES];
	int64_t now = now_ms();
	pthread_mutex_lock(m);
	bool fresh = strcmp(seen[i].id, id) == 0 && now - seen[i].at_ms < NOTE_EVERY_MS;
	if (!fresh) {
		memcpy(seen[i].id, id, UUID_LEN + 1);
		seen[i].at_ms = now;
	}
	pthread_mutex_unlock(m);
	return !fresh;
}

void db_token_used(const char *id)
{
	if (!atomic_load(&running) || strlen(id) != UUID_LEN || !due(id))
		return;
	pthread_mutex_lock(&lock);
	bool taken = queued < QUEUE_MAX;
	if (taken) {
		memcpy(queue[queued++], id, UUID_LEN + 1);
		pthread_cond_signal(&wake);
	}
	pthread_mutex_unlock(&lock);
	if (!taken)
		atomic_fetch_add(&dropped, 1);
}

static struct db_stmt q_used =
    DB_STMT("UPDATE api_tokens SET last_used_at = now() WHERE id = ANY ($1::uuid[])"
	    " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')");

static void write_batch(char (*ids)[UUID_LEN + 1], size_t n)
{
	const char **v = calloc(n + 1, sizeof *v);
	for (size_t i = 0; v && i < n; i++)
		v[i] = ids[i];
	char *array = v ? db_array(v) : NULL;
	const char *p[] = {array};
	enum db_status s = DB_ERROR;
	if (array != NULL)
		PQclear(db_write(NULL, &q_used, 1, p, &s));
	if (s != DB_OK) {
		atomic_fetch_add(&dropped, n);
		log_msg("warn", "the last use of %zu API tokens was not recorded", n);
	}
	free(array);
	free(v);
}

static void *run(void *unused)
{
	(void)unused;
	static char batch[QUEUE_MAX][UUID_LEN + 1];
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!stopping && queued == 0)
			pthread_cond_wait(&wake, &lock);
		bool last = stopping;
		size_t n = queued;
		memcpy(batch, queue, n * sizeof queue[0]);
		queued = 0;
		pthread_mutex_unlock(&lock);
		if (n > 0)
			write_batch(batch, n);
		if (last)
			break;
		/* At most one write a second: notes gather meanwhile. */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += FLUSH_MS % 1000 * 1000000L;
		until.tv_sec += FLUSH_MS / 1000 + until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_mutex_lock(&lock);
		while (!stopping && pthread_cond_timedwait(&wake, &lock, &until) == 0)
			;
	}
	db_thread_done();
	return NULL;
}

int db_token_uses_start(void)
{
	pthread_once(&stripes_once, stripes_init);
	pthread_mutex_lock(&lock);
	stopping = false;
	queued = 0;
	pthread_mutex_unlock(&lock);
	if (pthread_create(&thread, NULL, run, NULL) != 0)
		return -1;
	atomic_store(&running, true);
	return 0;
}

void db_token_uses_stop(void)
{
	if (!atomic_exchange(&running, false))
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
}

unsigned long db_token_uses_dropped(void)
{
	return atomic_load(&dropped);
}
