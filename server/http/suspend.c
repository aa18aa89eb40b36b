/* Requests that answer later: suspended (no thread waits for them)
 * until something wakes them (a group-committed job, db_writer.h), then
 * their handler runs again. */
#include "http_internal.h"

void req_defer(struct req *r)
{
	PRIV(r)->deferred = 1;
	if (!pool_defers(PRIV(r)))
		MHD_suspend_connection(PRIV(r)->conn);
}

void req_resume(struct req *r)
{
	MHD_resume_connection(PRIV(r)->conn);
}

static void wake(void *r)
{
	req_resume(r);
}

struct db_wake req_wait(struct req *r)
{
	req_defer(r);
	return (struct db_wake){wake, r};
}
