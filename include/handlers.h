/* Every handler in server/handlers/, one file per resource. The route
 * table (server/http/routes.c) is the only caller. */
#ifndef NS_HANDLERS_H
#define NS_HANDLERS_H
#include "http.h"

/* ops.c */
void h_healthz(struct req *r);
void h_readyz(struct req *r);
void h_metrics(struct req *r);
/* session.c */
void h_session_create(struct req *r);
void h_session_delete(struct req *r);
void h_me(struct req *r);
void h_token_create(struct req *r);
/* users.c */
void h_users_list(struct req *r);
void h_users_create(struct req *r);
void h_users_update(struct req *r);
/* personas.c */
void h_personas_list(struct req *r);
void h_personas_create(struct req *r);
void h_personas_update(struct req *r);
void h_personas_delete(struct req *r);
/* stages.c */
void h_stages_list(struct req *r);
void h_stages_create(struct req *r);
void h_stages_update(struct req *r);

/* assets.c */
void h_assets_create(struct req *r);
void h_assets_get(struct req *r);
void h_assets_update(struct req *r);
void h_assets_add_version(struct req *r);
/* asset_content.c */
void h_assets_content(struct req *r);
struct asset_content;
/* Streams the bytes of @c with ETag, If-None-Match and Range handling. */
void reply_content(struct req *r, const struct asset_content *c, const char *cache_control);
/* asset_search.c */
void h_assets_search(struct req *r);

/* deals.c */
void h_deals_list(struct req *r);
void h_deals_create(struct req *r);
void h_deals_get(struct req *r);
void h_deals_update(struct req *r);
void h_deals_stage(struct req *r);
void h_analytics_stage_test(struct req *r);
void h_analytics_unused(struct req *r);
void h_analytics_coverage(struct req *r);
void h_analytics_usage(struct req *r);
void h_deal_recommendations(struct req *r);
void h_audit_list(struct req *r);
void h_feedback_give(struct req *r);
void h_requests_create(struct req *r);
void h_requests_list(struct req *r);
void h_requests_update(struct req *r);
void h_reviews_queue(struct req *r);
void h_reviews_decide(struct req *r);

/* shares.c */
void h_shares_create(struct req *r);
void h_shares_list(struct req *r);
void h_shares_revoke(struct req *r);
/* job_wait.c: a request waiting for a group-committed job (db_writer.h).
 * The job runs on a writer thread while the request is suspended; then
 * the route's handler runs again (r->resumed) and finds the outcome here. */
struct job_wait {
	struct req *r;
	enum db_status status;
	char *result; /* the job's first value (malloc'd; free it), or NULL */
};
/* Makes the job, suspends @r and submits it; @w must live as long as the
 * request (keep it in r->state). False when it could not (answered 500). */
bool job_wait_submit(struct req *r, struct job_wait *w, int stmt, int n, const char *const *params,
		     const int *lengths);
/* tracked.c */
void h_tracked_open(struct req *r);
/* notifications.c */
void h_notifications_list(struct req *r);
void h_notifications_read(struct req *r);

/* events.c */
void h_events_ingest(struct req *r);
/* imports.c */
void h_import_deals(struct req *r);
extern const struct route_stream import_stream;
/* crm.c */
void h_crm_hook(struct req *r);
void h_aliases_list(struct req *r);
void h_aliases_set(struct req *r);
void h_aliases_delete(struct req *r);

/* JSON views of domain objects, shared by handlers. */
json_t *user_json(const struct user *u);

#endif
