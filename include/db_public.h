/* What the public asset pages (/p/) ask the database (public.c): a
 * page's state and what it shows, its views and downloads (one job of the
 * group-commit writer each, db_writer.h: the lookup and the record,
 * committed before the answer), and the lead a gated asset's form leaves
 * (schema/functions/public_*.sql, record_lead.sql). The leads' list is db_leads.h. */
#ifndef NS_DB_PUBLIC_H
#define NS_DB_PUBLIC_H
#include <jansson.h>
#include "db.h"
#include "db_assets.h"
#include "db_writer.h"
#include "visitor.h"

/* Where a public page stands (public_state() in SQL), and what stopped a
 * request to it. Nothing is recorded unless it is DB_PAGE_LIVE. */
enum db_page_state {
	DB_PAGE_LIVE,
	DB_PAGE_MISSING,   /* absent, not public, a draft or archived: nothing tells which */
	DB_PAGE_GONE,	   /* retired, or published and past expires_at */
	DB_PAGE_GATED,	   /* the file of a gated asset, asked for without its form */
	DB_PAGE_NOT_GATED, /* a form sent for an asset that has none */
	DB_PAGE_DISCLOSURE_CHANGED, /* the form showed another disclosure than the current one */
};

/* What the page of asset @asset (a uuid) shows, without recording a
 * view (to show a form again): DB_OK with *@state, and for DB_PAGE_LIVE
 * the page in *@page (a new object: id, title, description, kind, gated,
 * disclosure, disclosure_sha256, link, filename, size); else the failure. */
enum db_status db_public_page(const char *asset, enum db_page_state *state, json_t **page);

/* Records the lead @lead (JSON text: name, email, company?, consent
 * 'yes'|'no', disclosure_sha256?; already checked) of the gated asset
 * @asset, sent by @v, and its download, in one transaction. It replaces
 * the current lead of the same asset and email (kept as history). DB_OK
 * with *@state (DB_PAGE_LIVE: recorded; DB_PAGE_MISSING, _GONE,
 * _NOT_GATED, _DISCLOSURE_CHANGED: nothing recorded) and for DB_PAGE_LIVE
 * the content in *@t (clear it with db_target_clear); else the failure. */
enum db_status db_lead_record(const char *asset, const char *lead, const struct visitor *v,
			      enum db_page_state *state, struct db_target *t);

enum db_page_hit { DB_PAGE_VIEW, DB_PAGE_DOWNLOAD };

/* One view or download of a public page, from its submission to its
 * outcome: the caller keeps it until it has read the outcome. Its fields
 * are public.c's. */
struct db_page_visit {
	enum db_page_hit hit;
	enum db_status status;
	char *answer; /* public_hit()'s */
	struct db_wake wake;
};

/* Queues the @hit of asset @asset's page (a uuid) by @v; @wake runs once
 * it is committed or failed, or at once when out of memory. */
void db_page_visit_submit(struct db_page_visit *pv, const char *asset, enum db_page_hit hit,
			  const struct visitor *v, struct db_wake wake);

/* After the wake: DB_OK with *@state (DB_PAGE_LIVE: recorded; _MISSING,
 * _GONE, or _GATED for a download: not recorded) and for DB_PAGE_LIVE the
 * page of a view in *@page (a new object, as db_public_page) or the
 * content of a download in *@t (clear it with db_target_clear); else the
 * failure (nothing recorded: DB_UNAVAILABLE, DB_FULL, DB_ERROR). */
enum db_status db_page_visit_outcome(const struct db_page_visit *pv, enum db_page_state *state,
				     json_t **page, struct db_target *t);

/* Frees what @pv holds. */
void db_page_visit_clear(struct db_page_visit *pv);

#endif
