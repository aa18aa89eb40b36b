/* Personas and stages. Writes are audited (actor = @actor_id). */
#ifndef NS_DB_TAXONOMY_H
#define NS_DB_TAXONOMY_H
#include "db.h"
#include "model.h"

/* All personas by slug; *out malloc'd, free each with persona_clear then free(). */
enum db_status db_persona_list(struct persona **out, int *n);
enum db_status db_persona_get(const char *slug, struct persona *out);
/* DB_CONFLICT when the slug exists. */
enum db_status db_persona_create(const char *actor_id, const char *slug, const char *name,
				 const char *description, struct persona *out);
/* NULL leaves a field; @clear_description sets it to NULL. */
enum db_status db_persona_update(const char *actor_id, const char *slug, const char *name,
				 const char *description, bool clear_description,
				 struct persona *out);
/* DB_CONFLICT when an asset still uses it. */
enum db_status db_persona_delete(const char *actor_id, const char *slug);

/* All stages in position order; *out malloc'd. */
enum db_status db_stage_list(struct stage **out, int *n);
/* @position <= 0 appends; otherwise later stages shift down one.
 * @outcome NULL or "" for none. DB_CONFLICT when the slug exists. */
enum db_status db_stage_create(const char *actor_id, const char *slug, const char *name,
			       int position, const char *outcome, struct stage *out);
/* NULL / 0 leave a field; @set_outcome with @outcome NULL clears it.
 * A new position moves the stage, shifting those between. */
enum db_status db_stage_update(const char *actor_id, const char *slug, const char *name,
			       int position, bool set_outcome, const char *outcome,
			       struct stage *out);

#endif
