/* Per-address rate limits: token buckets in a fixed-size table, so memory
 * stays bounded however many addresses a client sprays. */
#ifndef NS_RATELIMIT_H
#define NS_RATELIMIT_H
#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

/* A limiter letting each address make @per_minute requests a minute,
 * @burst at once (both >= 1). Its table has a fixed size (RL_ENTRIES in
 * ratelimit.c); NULL when out of memory. Free with rl_free. */
struct ratelimit *rl_new(unsigned per_minute, unsigned burst);
void rl_free(struct ratelimit *rl);

/* Takes a token for the client @addr (an IPv4 or IPv6 address as text;
 * an IPv6 address counts by its /64, as one host usually holds a whole
 * /64; anything else counts as one unknown address) at time @now_ms (any
 * monotonic clock, in ms). True if admitted; else false with the seconds
 * until a token is back in *@retry_after_s (at least 1). Thread-safe: a
 * mutex per shard of the table.
 *
 * When every slot an address may take holds another address, the one
 * closest to a full bucket is forgotten: a full bucket is what a new
 * address gets, so under address spraying an address that is being
 * limited is the last one forgotten. */
bool rl_admit(struct ratelimit *rl, const char *addr, uint64_t now_ms, unsigned *retry_after_s);

/* rl_admit for a bucket named by any string @name (a tracked link's
 * token, say) rather than an address: names are told apart by a 128-bit
 * hash of them. */
bool rl_admit_name(struct ratelimit *rl, const char *name, uint64_t now_ms,
		   unsigned *retry_after_s);

#endif
