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
/* Where a target points, as open_links() and asset_target_json() say it:
 * its url (borrowed from @t) for a link asset, else NULL with the file's
 * place in *@c. */
const char *target_content(const json_t *t, struct asset_content *c);
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
/* A new job_wait kept in r->state and freed with the request; NULL when
 * out of memory (answered 500). */
struct job_wait *job_wait_attach(struct req *r);
/* Makes the job, suspends @r and submits it; @w must live as long as the
 * request (keep it in r->state). False when it could not (answered 500). */
bool job_wait_submit(struct req *r, struct job_wait *w, int stmt, int n, const char *const *params,
		     const int *lengths);
/* tracked.c */
void h_tracked_open(struct req *r);
/* client.c: who is asking, as an open or a page view records it: @hash
 * the bytea text ("\x" and 64 hex digits) of the keyed hash of the client
 * address, or NULL when the key can't be read (the address is then not
 * recorded at all); @ua the User-Agent class; @bot the bot reason (NULL:
 * looks like a person). */
#define CLIENT_HASH_TEXT 67
struct visitor {
	const char *hash, *ua, *bot;
	char hash_text[CLIENT_HASH_TEXT];
};
void visitor_of(const struct req *r, struct visitor *v);
/* leads.c */
void h_leads_list(struct req *r);
/* public.c, public_access.c: the public asset pages (/p/). */
void h_public_page(struct req *r);
void h_public_file(struct req *r);
void h_public_access(struct req *r);
/* Takes a token from the bucket of @r's client address
 * (NEXTSTAGE_PUBLIC_RATE); false when there is none (answered 429 with
 * Retry-After). */
bool public_admitted(struct req *r);
/* Serves @target (as target_content reads it): the file's bytes, or a
 * @redirect (302, 303) to a link asset's url. */
void public_serve(struct req *r, const json_t *target, unsigned redirect);
/* public_html.c: their HTML, every value escaped, under a strict
 * Content-Security-Policy (no script; one inline style, by its hash). */
/* What a gated asset's form shows again after a refusal. */
struct public_form {
	const char *name, *email, *company; /* as sent, or NULL */
	const char *error;		    /* said above the form, or NULL */
};
/* Answers @status with the page of @page (public_page_json() in SQL):
 * title, description, then a download link, or for a gated asset its
 * disclosure and after it the form (@form: values and error to show
 * again, or NULL). */
void reply_public_page(struct req *r, unsigned status, const json_t *page,
		       const struct public_form *form);
/* Answers @e: a short HTML page saying @detail (NULL: the registry's
 * title) when the client accepts text/html, else problem+json as
 * reply_error. */
void reply_public_error(struct req *r, enum err e, const char *field, const char *detail);
/* Answers 200 with a page linking to @url (a link asset after its form). */
void reply_public_link(struct req *r, const char *url);
/* The file of gated asset @id, asked for without its form: a browser is
 * sent to the form (303), anything else gets 403. */
void reply_public_gated(struct req *r, const char *id);
/* Answers a failed database call (404, 503 with Retry-After, 500) as
 * reply_public_error. */
void reply_public_db(struct req *r, enum db_status s);
/* Answers @word of public_state() in SQL, 'missing' (404) or 'gone'
 * (410); false, answering nothing, for any other text. */
bool reply_public_state(struct req *r, const char *word);
/* Adds the headers of a file served from /p/ (a sandboxing CSP, no
 * referrer); then reply_content. */
void public_file_headers(struct req *r);
/* True when the client's Accept names text/html (with q > 0). */
bool public_wants_html(const struct req *r);
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
