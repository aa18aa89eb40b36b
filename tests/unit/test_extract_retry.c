/* The extraction workers' retry delays (extract_worker.h): the base at
 * the first retry, doubled per failed attempt, an hour at most, scaled by
 * the jitter, and no overflow however many attempts. */
#include "extract_worker.h"
#include "harness.h"

static void first_retry_waits_the_base_times_the_jitter(void)
{
	CHECK(extract_retry_delay_ms(30000, 0, 1.0) == 30000);
	CHECK(extract_retry_delay_ms(30000, 0, 0.5) == 15000);
	CHECK(extract_retry_delay_ms(100, 0, 1.499) == 149);
}

static void each_failed_attempt_doubles_the_delay(void)
{
	for (int a = 0; a < 6; a++)
		CHECK(extract_retry_delay_ms(100, a, 1.0) == 100u << a);
	CHECK(extract_retry_delay_ms(30000, 4, 1.0) == 480000);
}

static void the_delay_stops_growing_at_an_hour(void)
{
	CHECK(extract_retry_delay_ms(30000, 7, 1.0) == 3600000);
	CHECK(extract_retry_delay_ms(30000, 1000000, 1.0) == 3600000);
	CHECK(extract_retry_delay_ms(3600000, 40, 1.49) == 5364000);
	CHECK(extract_retry_delay_ms(1, 1000, 0.5) == 1800000);
}

int main(void)
{
	TEST(first_retry_waits_the_base_times_the_jitter);
	TEST(each_failed_attempt_doubles_the_delay);
	TEST(the_delay_stops_growing_at_an_hour);
	return HARNESS_EXIT();
}
