/* Domain types shared by the HTTP and database layers (names are the API's). */
#ifndef NS_MODEL_H
#define NS_MODEL_H
#include <stdbool.h>
#include <stddef.h>

enum role { ROLE_NONE = 0, ROLE_REP = 1, ROLE_MARKETER = 2, ROLE_ADMIN = 3 };

/* "rep" | "marketer" | "admin" <-> enum role; unknown -> ROLE_NONE / NULL. */
enum role role_from_name(const char *name);
const char *role_name(enum role r);

#define UUID_LEN       36
#define EMAIL_MAX      254
#define NAME_MAX_BYTES 200
#define SLUG_MAX       64
#define TIME_LEN       32

struct user {
	char id[UUID_LEN + 1];
	char email[EMAIL_MAX + 1];
	char name[NAME_MAX_BYTES + 1];
	enum role role;
	bool board;
	bool active;
	char created_at[TIME_LEN];   /* RFC 3339 UTC */
	char email_notifications[8]; /* none, each (e-mail per notification), daily */
};

struct persona {
	char slug[SLUG_MAX + 1];
	char name[NAME_MAX_BYTES + 1];
	char *description; /* heap, may be NULL; free with persona_clear */
};

struct stage {
	char slug[SLUG_MAX + 1];
	char name[NAME_MAX_BYTES + 1];
	int position;
	char outcome[8]; /* "" | "won" | "lost" */
};

void persona_clear(struct persona *p);

/* True for the canonical 8-4-4-4-12 hex form. */
bool uuid_valid(const char *s);
/* True for a plausible address: one '@', something on each side, a dot in
 * the domain, no spaces or control characters, at most EMAIL_MAX bytes. */
bool email_valid(const char *s);
/* True for ^[a-z0-9][a-z0-9_-]{0,63}$ (persona and stage slugs). */
bool slug_valid(const char *s);

#define PASSWORD_MIN 8

/* Assets: the closed vocabularies of kind, intent and status (README, "The
 * content library"; NULL-terminated). */
extern const char *const asset_kinds[];
extern const char *const asset_intents[];
extern const char *const asset_audiences[]; /* external, internal */
extern const char *const asset_statuses[];
/* True if @v is one of the NULL-terminated @set. */
bool one_of(const char *v, const char *const *set);
/* True if an asset may go from status @from to @to (the same is fine). */
bool asset_transition_ok(const char *from, const char *to);
/* True for an RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM). */
bool rfc3339_valid(const char *s);
/* True for a listing cursor "<RFC 3339 time> <uuid>" (newest-first pages). */
bool keyset_valid(const char *s);
/* True for an absolute http:// or https:// URL without spaces or controls. */
bool http_url_valid(const char *s);
/* The length of the valid UTF-8 sequence that starts at @c (1 for ASCII,
 * NUL included), or 0 when it is not one: a stray or missing continuation
 * byte, an overlong form, a surrogate or a code point past U+10FFFF.
 * Reads no byte past a NUL. */
size_t utf8_char_len(const unsigned char *c);
/* True if the NUL-terminated @s is valid UTF-8 throughout. */
bool utf8_valid(const char *s);

#endif
