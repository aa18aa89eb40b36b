/* Per-address token buckets (server/util/ratelimit.c), on a made-up clock. */
#include <sodium.h>
#include <stdlib.h>
#include "harness.h"
#include "ratelimit.h"

/* Requests admitted of @n from @addr at @now_ms. */
static int admitted(struct ratelimit *rl, const char *addr, int n, uint64_t now_ms)
{
	int ok = 0;
	unsigned retry;
	for (int i = 0; i < n; i++)
		ok += rl_admit(rl, addr, now_ms, &retry);
	return ok;
}

static void a_burst_then_refusals_with_retry_after(void)
{
	struct ratelimit *rl = rl_new(60, 5);
	CHECK(admitted(rl, "192.0.2.1", 5, 1000) == 5);
	unsigned retry = 0;
	CHECK(!rl_admit(rl, "192.0.2.1", 1000, &retry));
	CHECK(retry == 1); /* 60 a minute: one a second */
	rl_free(rl);

	rl = rl_new(2, 2);
	CHECK(admitted(rl, "192.0.2.1", 3, 1000) == 2);
	CHECK(!rl_admit(rl, "192.0.2.1", 1000, &retry));
	CHECK(retry == 30); /* 2 a minute: one every 30 s */
	CHECK(!rl_admit(rl, "192.0.2.1", 21000, &retry));
	CHECK(retry == 10);
	rl_free(rl);
}

static void tokens_come_back_with_time_up_to_the_burst(void)
{
	struct ratelimit *rl = rl_new(60, 3);
	CHECK(admitted(rl, "192.0.2.7", 10, 0) == 3);
	CHECK(admitted(rl, "192.0.2.7", 10, 2000) == 2); /* two seconds, two tokens */
	CHECK(admitted(rl, "192.0.2.7", 10, 3500) == 1);
	CHECK(admitted(rl, "192.0.2.7", 10, 3600000) == 3); /* an hour: the burst, no more */
	/* a clock going back gives nothing */
	CHECK(admitted(rl, "192.0.2.7", 1, 1000) == 0);
	rl_free(rl);
}

static void addresses_have_their_own_buckets(void)
{
	struct ratelimit *rl = rl_new(60, 2);
	CHECK(admitted(rl, "192.0.2.1", 3, 0) == 2);
	CHECK(admitted(rl, "192.0.2.2", 3, 0) == 2);
	CHECK(admitted(rl, "2001:db8::1", 3, 0) == 2);
	CHECK(admitted(rl, "2001:db8:0:1::1", 3, 0) == 2);
	rl_free(rl);
}

static void ipv6_counts_by_its_64_and_mapped_ipv4_as_ipv4(void)
{
	struct ratelimit *rl = rl_new(60, 4);
	CHECK(admitted(rl, "2001:db8::1", 2, 0) == 2);
	CHECK(admitted(rl, "2001:db8::ffff:2", 2, 0) == 2);
	CHECK(admitted(rl, "2001:db8::abcd:3", 2, 0) == 0); /* same /64: used up */
	CHECK(admitted(rl, "::ffff:192.0.2.9", 2, 0) == 2);
	CHECK(admitted(rl, "192.0.2.9", 3, 0) == 2); /* the same host */
	CHECK(admitted(rl, "::ffff:192.0.2.10", 1, 0) == 1);
	/* anything unreadable shares one bucket */
	CHECK(admitted(rl, "", 3, 0) == 3);
	CHECK(admitted(rl, "not an address", 3, 0) == 1);
	rl_free(rl);
}

/* Sprayed addresses neither grow the table (it is fixed) nor free the
 * address being limited: its bucket is the emptiest, the last evicted. */
static void spraying_addresses_does_not_reset_a_limited_one(void)
{
	struct ratelimit *rl = rl_new(1, 3);
	CHECK(admitted(rl, "198.51.100.7", 5, 0) == 3);
	char addr[64];
	int sprayed = 0;
	for (unsigned i = 0; i < 200000; i++) {
		snprintf(addr, sizeof addr, "10.%u.%u.%u", i >> 16 & 255, i >> 8 & 255, i & 255);
		sprayed += admitted(rl, addr, 1, 1000);
	}
	CHECK(sprayed == 200000);
	CHECK(admitted(rl, "198.51.100.7", 1, 1000) == 0);
	rl_free(rl);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	TEST(a_burst_then_refusals_with_retry_after);
	TEST(tokens_come_back_with_time_up_to_the_burst);
	TEST(addresses_have_their_own_buckets);
	TEST(ipv6_counts_by_its_64_and_mapped_ipv4_as_ipv4);
	TEST(spraying_addresses_does_not_reset_a_limited_one);
	return HARNESS_EXIT();
}
