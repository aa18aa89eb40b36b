/* Requests that wait for a group-committed job: the job runs on a writer
 * thread while the request is suspended, then the handler runs again. */
#include <stdlib.h>
#include <string.h>
#include "db_writer.h"
#include "handlers.h"

static void job_done(void *cls, enum db_status s, const char *result)
{
	struct job_wait *w = cls;
	w->status = s;
	w->result = result ? strdup(result) : NULL;
	req_resume(w->r);
}

static void job_wait_free(void *p)
{
	struct job_wait *w = p;
	free(w->result);
	free(w);
}

struct job_wait *job_wait_attach(struct req *r)
{
	struct job_wait *w = calloc(1, sizeof *w);
	if (w == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return NULL;
	}
	r->state = w;
	r->state_free = job_wait_free;
	return w;
}

bool job_wait_submit(struct req *r, struct job_wait *w, int stmt, int n, const char *const *params,
		     const int *lengths)
{
	w->r = r;
	struct db_job *job = db_job_new(stmt, n, params, lengths, job_done, w);
	if (job == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return false;
	}
	req_defer(r);
	db_job_submit(job);
	return true;
}
