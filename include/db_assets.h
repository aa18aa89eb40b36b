/* Assets and their versions. Inputs are C values already checked by the
 * handler (types, bounds, vocabularies); the database checks what only it
 * knows (slugs, owner) and reports the field at fault. Outputs are the
 * API's JSON, as text built by SQL (schema/functions/asset_json.sql,
 * version_json.sql), so every endpoint shows the same shape. */
#ifndef NS_DB_ASSETS_H
#define NS_DB_ASSETS_H
#include <stdbool.h>
#include <stdint.h>
#include "db.h"
#include "db_blobs.h"
#include "model.h"

/* The uploaded file a version records. */
struct version_file {
	struct db_upload *upload; /* consumed by the call */
	const char *mime, *filename;
};

#define ASSET_LIST_MAX 20 /* personas, stages */
#define ASSET_TAGS_MAX 30

/* An asset's metadata as the API writes it: NULL is null or absent. A
 * create takes absent lists as empty, status as draft, public and gated as
 * false; a patch writes only the fields named in @given. */
struct asset_fields {
	const char *title, *description, *kind, *intent, *status;
	const char *personas[ASSET_LIST_MAX + 1], *stages[ASSET_LIST_MAX + 1]; /* slugs */
	const char *tags[ASSET_TAGS_MAX + 1]; /* each list NULL-terminated */
	bool public, gated;
	const char *disclosure, *owner, *expires_at, *source, *url;
	const char *audience;  /* "external", "internal"; a create without one: battlecards
				* that aren't public are internal, the rest external */
	const char *given[17]; /* patch: the field names given, NULL-terminated */
};

/* Which assets a caller may read. */
enum asset_view {
	ASSET_VIEW_ALL,	    /* marketers and admins: every asset */
	ASSET_VIEW_DECIDED, /* board members who are reps: all but drafts, what the board decides on
			     */
	ASSET_VIEW_SHARE,   /* reps: published, unexpired assets, what they may share */
};

/* The view of a user with @role, on the board or not. */
static inline enum asset_view asset_view_for(enum role role, bool board)
{
	return role >= ROLE_MARKETER ? ASSET_VIEW_ALL
	       : board		     ? ASSET_VIEW_DECIDED
				     : ASSET_VIEW_SHARE;
}

/* The asset @id as JSON text (malloc'd) in *@json, with its "usage"
 * (shares, opens, last share, stored verdicts per stage); DB_NOT_FOUND
 * when there is none or @view does not let its caller see it. */
enum db_status db_asset_get(const char *id, enum asset_view view, char **json);

/* Creates an asset from @meta owned by its owner or @actor_id, with its
 * first version from @file or, when @file is NULL, as a link (@meta has a
 * url); its id in @id, its JSON in *@json. DB_INVALID with @fault for an
 * unknown persona, stage or owner. */
enum db_status db_asset_create(const char *actor_id, const struct asset_fields *meta,
			       struct version_file *file, struct db_fault *fault,
			       char id[UUID_LEN + 1], char **json);

/* Writes the fields @patch gives (null clears).
 * DB_INVALID with @fault as above, or for a gated asset that would not be
 * public or have no disclosure; DB_CONFLICT with @fault for a status
 * change that is not allowed, a url on a file asset, or internal content
 * made public (code internal_only). */
enum db_status db_asset_update(const char *actor_id, const char *id,
			       const struct asset_fields *patch, struct db_fault *fault,
			       char **json);

/* Adds version N+1 from @file and makes it current; the version's JSON in
 * *@json. DB_CONFLICT for a link asset. */
enum db_status db_asset_add_version(const char *actor_id, const char *id, struct version_file *file,
				    char **json);

/* Where the bytes of a version are. */
struct asset_content {
	int64_t blob;
	uint64_t size;
	int version;
	char sha256[65];
	char mime[128];
	char filename[256];
};

/* Where a tracked link, a public page's file or a lead's form sends its
 * visitor: a link asset's url, or the current version's file. */
struct db_target {
	char *url; /* malloc'd (db_target_clear frees it), or NULL: @file */
	struct asset_content file;
};
/* Frees what @t holds and empties it; a zeroed @t is fine. */
void db_target_clear(struct db_target *t);

/* Version @version (0: the current one) of asset @id. DB_NOT_FOUND for no
 * such asset or version, a link asset, or an asset @view hides. */
enum db_status db_asset_content(const char *id, int version, enum asset_view view,
				struct asset_content *out);

#endif
