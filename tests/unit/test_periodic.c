/* The helpers of long-lived threads and growing strings (server/util/
 * periodic.c, strbuf.c): what the analytics fold, retention passes, import
 * jobs, the metrics page, CSV exports and e-mails rely on. */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include "harness.h"
#include "periodic.h"
#include "strbuf.h"

static atomic_int runs, dones;

static unsigned hourly(void)
{
	atomic_fetch_add(&runs, 1);
	return 3600;
}

static void done(void)
{
	atomic_fetch_add(&dones, 1);
}

/* Waits up to 2 s for @n runs. */
static bool ran(int n)
{
	for (int i = 0; i < 200 && atomic_load(&runs) < n; i++)
		nanosleep(&(struct timespec){0, 10000000L}, NULL);
	return atomic_load(&runs) >= n;
}

static void a_task_runs_at_the_start_then_when_woken_not_before_it_is_due(void)
{
	struct periodic p = {.task = hourly, .done = done};
	atomic_store(&runs, 0);
	atomic_store(&dones, 0);
	CHECK(periodic_start(&p) == 0);
	CHECK(ran(1));
	nanosleep(&(struct timespec){0, 100000000L}, NULL);
	CHECK(atomic_load(&runs) == 1); /* next due in an hour */
	periodic_wake(&p);
	CHECK(ran(2));
	periodic_stop(&p);
	CHECK(atomic_load(&runs) == 2 && atomic_load(&dones) == 1);
	periodic_stop(&p); /* a second stop does nothing */
	CHECK(atomic_load(&dones) == 1);
}

static void a_first_run_can_wait_and_stopping_never_starts_one(void)
{
	struct periodic p = {.task = hourly, .first_s = 3600};
	atomic_store(&runs, 0);
	CHECK(periodic_start(&p) == 0);
	nanosleep(&(struct timespec){0, 100000000L}, NULL);
	periodic_stop(&p);
	CHECK(atomic_load(&runs) == 0);
	struct periodic never = {.task = hourly};
	periodic_wake(&never); /* neither started nor stopped: nothing happens */
	periodic_stop(&never);
	CHECK(atomic_load(&runs) == 0);
}

static void a_string_grows_past_any_first_size_and_is_taken_whole(void)
{
	struct strbuf b = {0};
	size_t len = 99;
	char *s = sb_take(&b, &len);
	CHECK_STR(s, "");
	CHECK(len == 0);
	free(s);
	for (int i = 0; i < 1000; i++)
		sb_printf(&b, "%04d,", i);
	sb_puts(&b, "end");
	sb_put(&b, "\0x", 2); /* bytes, not a string */
	s = sb_take(&b, &len);
	CHECK(s != NULL && len == 5000 + 3 + 2);
	CHECK(s != NULL && strncmp(s, "0000,0001,", 10) == 0 &&
	      memcmp(s + 4990, "0998,0999,end\0x", 15) == 0);
	CHECK(b.s == NULL && b.len == 0 && !b.failed);
	free(s);
}

static void a_string_that_ran_out_of_memory_is_no_string(void)
{
	struct strbuf b = {0};
	sb_puts(&b, "half");
	b.failed = true; /* as after a failed realloc */
	sb_puts(&b, " and more");
	CHECK(b.len == 4);
	CHECK(sb_take(&b, NULL) == NULL);
	CHECK(b.s == NULL && !b.failed);
}

int main(void)
{
	TEST(a_task_runs_at_the_start_then_when_woken_not_before_it_is_due);
	TEST(a_first_run_can_wait_and_stopping_never_starts_one);
	TEST(a_string_grows_past_any_first_size_and_is_taken_whole);
	TEST(a_string_that_ran_out_of_memory_is_no_string);
	return HARNESS_EXIT();
}
