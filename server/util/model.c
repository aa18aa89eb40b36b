/* Small helpers on the domain types. */
#include "model.h"

#include <stdlib.h>
#include <ctype.h>
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

const char *const asset_kinds[] = {
    "guide",	  "ebook", "whitepaper", "case_study", "product_sheet", "one_pager", "deck",
    "battlecard", "video", "webinar",	 "blog_post",  "template",	"other",     NULL};
const char *const asset_intents[] = {"educational", "sales", NULL};
const char *const asset_audiences[] = {"external", "internal", NULL};
const char *const asset_statuses[] = {"draft", "published", "archived", "retired", NULL};

bool one_of(const char *v, const char *const *set)
{
	for (; v != NULL && *set != NULL; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

bool asset_transition_ok(const char *from, const char *to)
{
	static const char *const allowed[][2] = {
	    {"draft", "published"},    {"draft", "archived"},	 {"published", "draft"},
	    {"published", "archived"}, {"published", "retired"}, {"archived", "published"},
	    {"archived", "retired"},   {"retired", "published"}, {"retired", "archived"},
	};
	if (strcmp(from, to) == 0)
		return true;
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
		if (strcmp(allowed[i][0], from) == 0 && strcmp(allowed[i][1], to) == 0)
			return true;
	return false;
}

/* Matches @s against @pattern, where 'd' is a digit and anything else
 * itself; returns the rest of @s or NULL. */
static const char *shape(const char *s, const char *pattern)
{
	for (; *pattern; pattern++, s++) {
		if (*pattern == 'd' ? !isdigit((unsigned char)*s) : *s != *pattern)
			return NULL;
	}
	return s;
}

/* The number of @n digits at @s, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool rfc3339_valid(const char *s)
{
	const char *rest = shape(s, "dddd-dd-ddTdd:dd:dd");
	if (rest == NULL)
		return false;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int year = digits(s, 4), mon = digits(s + 5, 2), day = digits(s + 8, 2),
	    h = digits(s + 11, 2), m = digits(s + 14, 2), sec = digits(s + 17, 2);
	if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || h > 23 || m > 59 || sec > 60)
		return false;
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (mon == 2 && day == 29 && !leap)
		return false;
	if (*rest == '.') {
		if (!isdigit((unsigned char)*++rest))
			return false;
		while (isdigit((unsigned char)*rest))
			rest++;
	}
	if (*rest == 'Z')
		return rest[1] == '\0';
	if ((*rest != '+' && *rest != '-') || shape(rest + 1, "dd:dd") == NULL || rest[6] != '\0')
		return false;
	return digits(rest + 1, 2) <= 23 && digits(rest + 4, 2) <= 59;
}

bool http_url_valid(const char *s)
{
	const char *rest = strncmp(s, "https://", 8) == 0  ? s + 8
			   : strncmp(s, "http://", 7) == 0 ? s + 7
							   : NULL;
	if (rest == NULL || *rest == '\0' || *rest == '/')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return false;
	return true;
}

bool keyset_valid(const char *c)
{
	char t[40];
	const char *sp = strchr(c, ' ');
	if (sp == NULL || (size_t)(sp - c) >= sizeof t)
		return false;
	memcpy(t, c, (size_t)(sp - c));
	t[sp - c] = '\0';
	return rfc3339_valid(t) && uuid_valid(sp + 1);
}

size_t utf8_char_len(const unsigned char *c)
{
	size_t n = c[0] < 0x80	  ? 1
		   : c[0] < 0xC2  ? 0
		   : c[0] < 0xE0  ? 2
		   : c[0] < 0xF0  ? 3
		   : c[0] <= 0xF4 ? 4
				  : 0;
	for (size_t i = 1; i < n; i++)
		if ((c[i] & 0xC0) != 0x80)
			return 0;
	if ((c[0] == 0xE0 && c[1] < 0xA0) || (c[0] == 0xED && c[1] > 0x9F) ||
	    (c[0] == 0xF0 && c[1] < 0x90) || (c[0] == 0xF4 && c[1] > 0x8F))
		return 0;
	return n;
}

bool utf8_valid(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c;) {
		size_t n = utf8_char_len(c);
		if (n == 0)
			return false;
		c += n;
	}
	return true;
}
