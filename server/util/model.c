/* Small helpers on the domain types. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = {
    [ROLE_REP] = "rep", [ROLE_MARKETER] = "marketer", [ROLE_ADMIN] = "admin"};

enum role role_from_name(const char *name)
{
	for (int r = ROLE_REP; r <= ROLE_ADMIN; r++)
		if (name != NULL && strcmp(name, role_names[r]) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

const char *role_name(enum role r)
{
	return (r >= ROLE_REP && r <= ROLE_ADMIN) ? role_names[r] : NULL;
}

void persona_clear(struct persona *p)
{
	free(p->description);
	p->description = NULL;
}

bool uuid_valid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	for (size_t i = 0; i < sizeof shape - 1; i++) {
		char c = s[i];
		if (shape[i] == '-' ? c != '-'
				    : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
					(c >= 'A' && c <= 'F')))
			return false;
	}
	return s[sizeof shape - 1] == '\0';
}

bool email_valid(const char *s)
{
	size_t len = strlen(s);
	const char *at = strchr(s, '@');
	if (len < 3 || len > EMAIL_MAX || at == NULL || at == s || strchr(at + 1, '@') != NULL)
		return false;
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return false;
	const char *dot = strrchr(at, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

bool slug_valid(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > SLUG_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  (i > 0 && (c == '_' || c == '-'));
		if (!ok)
			return false;
	}
	return true;
}
