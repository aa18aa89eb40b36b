/* API tokens: made, listed, revoked, and their last use (the lookup of a
 * token by its digest is a credential lookup: db_token_user in
 * db_users.h). Only the SHA-256 of a token is ever stored. */
#ifndef NS_DB_TOKENS_H
#define NS_DB_TOKENS_H
#include "db.h"
#include "model.h"

/* Makes a token of @user_id labelled @name with digest @hash; its id into
 * @id_out. */
enum db_status db_token_create(const char *user_id, const char *name, const unsigned char hash[32],
			       char id_out[UUID_LEN + 1]);

/* A page of the live (unrevoked) tokens, newest first, of @user_id (NULL:
 * everyone's), after keyset cursor @after (NULL: from the start): JSON
 * {"items": [token_json...]} into *@json and the next cursor (NULL at
 * the end) into *@next, both malloc'd. */
enum db_status db_token_list(const char *user_id, const char *after, int limit, char **json,
			     char **next);

/* Revokes live token @id as @actor_id, when it is @owner_id's (NULL: any
 * user's). DB_NOT_FOUND when there is no such live token (or it is
 * someone else's). The credential caches of every process hear of it by
 * the api_tokens trigger; the caller drops this process's (auth_forget). */
enum db_status db_token_revoke(const char *actor_id, const char *id, const char *owner_id);

/* Notes that token @id was used now. Cheap and never waits for the
 * database: a token already noted by this process in the last minute is
 * skipped under one of a few striped locks; a note is queued, and a thread
 * of its own writes the queue every second (api_tokens.last_used_at, one
 * UPDATE, left alone when another process wrote it in the last minute).
 * So last_used_at is at most about a minute behind a token's real last
 * use. Notes are lost on a crash, or when the database is away. Before
 * db_token_uses_start and after db_token_uses_stop, does nothing. */
void db_token_used(const char *id);
/* Starts the writer thread: 0, or -1 when it could not start. */
int db_token_uses_start(void);
/* Writes what is queued and stops the thread. */
void db_token_uses_stop(void);
/* Notes lost because the queue was full or the write failed (/metrics). */
unsigned long db_token_uses_dropped(void);

#endif
