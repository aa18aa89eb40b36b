/* Who is calling: bearer API tokens and session cookies. Only SHA-256
 * digests of either are ever stored or compared. */
#include "auth.h"

#include <string.h>
#include <strings.h>
#include "crypto.h"
#include "db_users.h"

bool auth_cookie_value(const char *header, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	for (const char *c = header; c != NULL && *c != '\0';) {
		while (*c == ' ' || *c == ';')
			c++;
		size_t len = strcspn(c, ";");
		if (len > nl && strncmp(c, name, nl) == 0 && c[nl] == '=') {
			size_t vl = len - nl - 1;
			if (vl >= outlen)
				return false;
			memcpy(out, c + nl + 1, vl);
			out[vl] = '\0';
			return vl > 0;
		}
		c += len;
	}
	return false;
}

enum db_status auth_identify(const char *authorization, const char *cookie, struct user *u,
			     enum auth_via *via)
{
	unsigned char hash[32];
	*via = AUTH_VIA_NONE;
	if (authorization != NULL && strncasecmp(authorization, "Bearer ", 7) == 0) {
		const char *token = authorization + 7;
		*via = AUTH_VIA_BEARER;
		if (strncmp(token, API_TOKEN_PREFIX, strlen(API_TOKEN_PREFIX)) != 0 ||
		    strlen(token) > 128)
			return DB_NOT_FOUND;
		crypto_sha256(token, strlen(token), hash);
		return db_token_user(hash, u);
	}
	char value[128];
	if (auth_cookie_value(cookie, SESSION_COOKIE, value, sizeof value)) {
		*via = AUTH_VIA_COOKIE;
		crypto_sha256(value, strlen(value), hash);
		return db_session_user(hash, u);
	}
	return DB_NOT_FOUND;
}

bool auth_allows(const struct user *u, enum route_auth need)
{
	switch (need) {
	case AUTH_PUBLIC:
		return true;
	case AUTH_USER:
		return u != NULL;
	case AUTH_MARKETER:
		return u != NULL && u->role >= ROLE_MARKETER;
	case AUTH_BOARD:
		return u != NULL && (u->board || u->role == ROLE_ADMIN);
	case AUTH_ADMIN:
		return u != NULL && u->role == ROLE_ADMIN;
	}
	return false;
}
