/* Public asset pages and the leads of gated ones (schema/0015). A page's
 * views and plain downloads are recorded by the group-commit writer
 * (DB_JOB_PAGE_HIT in db_writer.h); a form's lead is recorded here. */
#ifndef NS_DB_LEADS_H
#define NS_DB_LEADS_H
#include <stdbool.h>
#include "db.h"

/* What the public page of asset @asset (a uuid) shows, as JSON text in
 * *@out ({id, title, description, kind, gated, disclosure,
 * disclosure_sha256, link, filename, size}), or the word 'missing' or
 * 'gone' (public_state() in SQL). Records nothing: for showing a form
 * again. */
enum db_status db_public_page(const char *asset, char **out);

/* Records the lead @lead (JSON text: name, email, company?, consent
 * 'yes'|'no', disclosure_sha256?; already checked) of the gated asset
 * @asset, sent from the address hashed @client_hash (bytea text "\x...",
 * or NULL) with User-Agent class @ua and bot reason @bot (NULL: a
 * person), and its download. It replaces the current lead of the same
 * asset and email (kept as history). *@out: 'missing', 'gone',
 * 'not_gated', 'disclosure_changed' (nothing recorded for these), or where
 * the content is, as JSON text: {url} or {blob, size, version, sha256,
 * mime, filename}. */
enum db_status db_lead_record(const char *asset, const char *lead, const char *client_hash,
			      const char *ua, const char *bot, char **out);

/* A page of current leads, newest first, as db_deal_list. @asset,
 * @readiness ('sales_ready' | 'nurture') and @consent ("t" | "f") filter
 * when not NULL. @sales_view: only what a rep may see, consented
 * sales-ready leads of published, unexpired assets. */
enum db_status db_lead_list(const char *asset, const char *readiness, const char *consent,
			    bool sales_view, const char *after, int limit, char **json,
			    char **next);

#endif
