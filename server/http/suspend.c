/* Requests that answer later: suspended (no thread waits for them)
 * until something wakes them, then their handler runs again. */
#include "http_internal.h"

void req_defer(struct req *r)
{
	PRIV(r)->deferred = 1;
	MHD_suspend_connection(PRIV(r)->conn);
}

void req_resume(struct req *r)
{
	MHD_resume_connection(PRIV(r)->conn);
}
