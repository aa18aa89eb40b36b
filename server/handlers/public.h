/* Private to server/handlers/: what the public pages' files (public.c,
 * public_access.c, public_html.c) and the tracked links (tracked.c)
 * share. */
#ifndef NS_HANDLERS_PUBLIC_H
#define NS_HANDLERS_PUBLIC_H
#include <stdio.h>
#include "db_public.h"
#include "http.h"

/* public.c */
/* Takes a token from the bucket of @r's client address
 * (NEXTSTAGE_PUBLIC_RATE); false when there is none (answered 429 with
 * Retry-After). */
bool public_admitted(struct req *r);
/* Answers 429 (as reply_public_error) saying @detail, with Retry-After
 * @retry seconds. */
void public_refuse_rate(struct req *r, unsigned retry, const char *detail);
/* A monotonic clock in ms, for the rate limiters. */
uint64_t public_now_ms(void);
/* Serves @t: the file's bytes, or a @redirect (302, 303) to a link
 * asset's url. */
void public_serve(struct req *r, const struct db_target *t, unsigned redirect);

/* public_html.c: their HTML, every value escaped, under a strict
 * Content-Security-Policy (no script; one inline style, by its hash).
 * What a gated asset's form shows again after a refusal. */
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
/* Answers a page that is not there: DB_PAGE_MISSING (404), DB_PAGE_GONE
 * (410) or DB_PAGE_GATED (reply_public_gated of the route's id); false,
 * answering nothing, for any other state. */
bool reply_public_state(struct req *r, enum db_page_state state);
/* Adds the headers of a file served from /p/ (a sandboxing CSP, no
 * referrer); then reply_content. */
void public_file_headers(struct req *r);
/* True when the client's Accept names text/html (with q > 0). */
bool public_wants_html(const struct req *r);
/* The path the server lives under (NEXTSTAGE_PUBLIC_URL's; "" at the
 * root), for the links of server-made pages. */
const char *public_base_path(void);

/* Writes @bytes as a person reads a size ("2.4 MB") to @f. */
void public_put_size(FILE *f, long long bytes);

/* tracked.c: whether @token could be a tracked link's: URL-safe base64
 * or hex characters, 64 at most. Anything else is unknown without a
 * lookup, and never reaches (and fails) a batch of other requests'
 * opens. */
bool public_token_shaped(const char *token);

/* viewer_page.c: the page a person's browser gets at /s/{token} (a
 * tracked link to a file): the file shown in the page by
 * static/viewer/viewer.js, which reports what is read to
 * /s/{token}/engagement under the view id @view. */
struct db_viewer;
void reply_viewer_page(struct req *r, const char *token, const char *view,
		       const struct asset_content *file, const struct db_viewer *viewer);

#endif
