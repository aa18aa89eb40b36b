/* Token buckets by client address in a fixed table: RL_SHARDS shards
 * (each under its own mutex) of RL_SLOTS slots. An address hashes (keyed
 * SipHash, so nobody can aim addresses at one slot) to a shard and a run
 * of RL_WAYS slots in it, where its bucket is, or goes. */
#include "ratelimit.h"

#include <arpa/inet.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define RL_SHARDS  64
#define RL_SLOTS   256
#define RL_WAYS	   8
#define RL_ENTRIES (RL_SHARDS * RL_SLOTS)

struct slot {
	unsigned char key[16]; /* see key_of */
	bool used;
	uint64_t at_ms; /* when tokens was computed */
	double tokens;
};

struct shard {
	pthread_mutex_t lock;
	struct slot slot[RL_SLOTS];
};

struct ratelimit {
	double per_ms, burst;
	unsigned char seed[crypto_shorthash_KEYBYTES];
	struct shard shard[RL_SHARDS];
};

struct ratelimit *rl_new(unsigned per_minute, unsigned burst)
{
	struct ratelimit *rl = calloc(1, sizeof *rl);
	if (rl == NULL)
		return NULL;
	rl->per_ms = per_minute / 60000.0;
	rl->burst = burst;
	randombytes_buf(rl->seed, sizeof rl->seed);
	for (int i = 0; i < RL_SHARDS; i++)
		pthread_mutex_init(&rl->shard[i].lock, NULL);
	return rl;
}

void rl_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	for (int i = 0; i < RL_SHARDS; i++)
		pthread_mutex_destroy(&rl->shard[i].lock);
	free(rl);
}

/* The bucket's key: an IPv4 address as its IPv4-mapped IPv6 form, an IPv6
 * address's first 64 bits, anything else all zero. */
static void key_of(const char *addr, unsigned char key[16])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	memset(key, 0, 16);
	if (inet_pton(AF_INET, addr, key + 12) == 1) {
		memcpy(key, mapped, sizeof mapped);
	} else if (inet_pton(AF_INET6, addr, key) == 1) {
		if (memcmp(key, mapped, sizeof mapped) != 0)
			memset(key + 8, 0, 8);
	}
}

/* Tokens of @s at @now_ms, refilled since its last use. */
static double refilled(const struct ratelimit *rl, const struct slot *s, uint64_t now_ms)
{
	double t = s->tokens + (double)(now_ms > s->at_ms ? now_ms - s->at_ms : 0) * rl->per_ms;
	return t < rl->burst ? t : rl->burst;
}

/* The slot of @key among the RL_WAYS from @start: its own, else a free
 * one, else the one nearest a full bucket (reset for @key). */
static struct slot *find(struct ratelimit *rl, struct shard *sh, unsigned start,
			 const unsigned char key[16], uint64_t now_ms)
{
	struct slot *victim = NULL;
	double most = -1;
	for (unsigned i = 0; i < RL_WAYS; i++) {
		struct slot *s = &sh->slot[(start + i) % RL_SLOTS];
		if (s->used && memcmp(s->key, key, 16) == 0)
			return s;
		double t = s->used ? refilled(rl, s, now_ms) : rl->burst + 1;
		if (t > most) {
			most = t;
			victim = s;
		}
	}
	memcpy(victim->key, key, 16);
	victim->used = true;
	victim->at_ms = now_ms;
	victim->tokens = rl->burst;
	return victim;
}

/* Takes a token from the bucket of @key. */
static bool admit(struct ratelimit *rl, const unsigned char key[16], uint64_t now_ms,
		  unsigned *retry_after_s)
{
	unsigned char h[crypto_shorthash_BYTES];
	crypto_shorthash(h, key, 16, rl->seed);
	uint64_t hv;
	memcpy(&hv, h, sizeof hv);
	struct shard *sh = &rl->shard[hv % RL_SHARDS];
	pthread_mutex_lock(&sh->lock);
	struct slot *s = find(rl, sh, (unsigned)((hv / RL_SHARDS) % RL_SLOTS), key, now_ms);
	s->tokens = refilled(rl, s, now_ms);
	s->at_ms = now_ms > s->at_ms ? now_ms : s->at_ms;
	bool ok = s->tokens >= 1;
	if (ok)
		s->tokens -= 1;
	else
		*retry_after_s = (unsigned)ceil((1 - s->tokens) / rl->per_ms / 1000);
	pthread_mutex_unlock(&sh->lock);
	if (!ok && *retry_after_s < 1)
		*retry_after_s = 1;
	return ok;
}

bool rl_admit(struct ratelimit *rl, const char *addr, uint64_t now_ms, unsigned *retry_after_s)
{
	unsigned char key[16];
	key_of(addr, key);
	return admit(rl, key, now_ms, retry_after_s);
}

bool rl_admit_name(struct ratelimit *rl, const char *name, uint64_t now_ms, unsigned *retry_after_s)
{
	unsigned char key[16];
	crypto_generichash(key, sizeof key, (const unsigned char *)name, strlen(name), NULL, 0);
	return admit(rl, key, now_ms, retry_after_s);
}
