/* Text as search stores it: valid UTF-8 (anything else becomes U+FFFD),
 * no control character but \n and \t (search uses \x01 and \x02 as its
 * marks), whitespace runs collapsed. Both the child and its parent run
 * every page through it: the parent trusts no byte the child sends. */
#include "extract_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void grow(struct ex_text *t, size_t more)
{
	if (t->len + more + 1 <= t->cap)
		return;
	size_t cap = t->cap ? t->cap : 256;
	while (cap < t->len + more + 1)
		cap *= 2;
	char *p = realloc(t->p, cap);
	if (p == NULL)
		ex_oom();
	t->p = p;
	t->cap = cap;
}

static void put(struct ex_text *t, const char *s, size_t n)
{
	if (t->over)
		return;
	size_t ws = t->len > 0 && t->ws != EX_WS_NONE ? 1 : 0;
	if (t->len + ws + n > t->limit) {
		t->over = true;
		return;
	}
	grow(t, ws + n);
	if (ws)
		t->p[t->len++] = t->ws == EX_WS_NEWLINE ? '\n' : t->ws == EX_WS_TAB ? '\t' : ' ';
	t->ws = EX_WS_NONE;
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

void ex_text_ws(struct ex_text *t, enum ex_ws ws)
{
	if (ws > t->ws)
		t->ws = ws;
}

/* Decodes one character at @s (@n > 0 bytes left): its length, and the
 * code point in @cp, or U+FFFD for one invalid byte. */
static size_t decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (n < len) {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = c;
	return len;
}

/* What a code point is to the text: a blank of some kind, nothing, or
 * itself. */
static enum { KEEP, DROP, BLANK, TAB, LINE } classify(unsigned cp)
{
	if (cp == '\t')
		return TAB;
	if (cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' || cp == 0x85 || cp == 0x2028 ||
	    cp == 0x2029)
		return LINE;
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == ' ' || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f || cp == 0x205f || cp == 0x3000)
		return BLANK;
	if ((cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff || cp == 0xfffe ||
	    cp == 0xffff || cp == 0xad)
		return DROP;
	return KEEP;
}

void ex_text_add(struct ex_text *t, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n && !t->over) {
		/* a run of plain printable ASCII goes in at once */
		size_t j = i;
		while (j < n && u[j] > 0x20 && u[j] < 0x7f)
			j++;
		if (j > i) {
			put(t, s + i, j - i);
			i = j;
			continue;
		}
		unsigned cp;
		size_t len = decode(u + i, n - i, &cp);
		switch (classify(cp)) {
		case KEEP:
			if (cp == 0xfffd && len == 1)
				put(t, "\xef\xbf\xbd", 3);
			else
				put(t, s + i, len);
			break;
		case DROP:
			break;
		case BLANK:
			ex_text_ws(t, EX_WS_SPACE);
			break;
		case TAB:
			ex_text_ws(t, EX_WS_TAB);
			break;
		case LINE:
			ex_text_ws(t, EX_WS_NEWLINE);
			break;
		}
		i += len;
	}
}

char *ex_text_take(struct ex_text *t, size_t *len)
{
	char *p = t->p;
	*len = t->len;
	if (p == NULL) {
		p = malloc(1);
		if (p == NULL)
			ex_oom();
	}
	p[*len] = '\0';
	size_t limit = t->limit;
	memset(t, 0, sizeof *t);
	t->limit = limit;
	return p;
}

void ex_text_free(struct ex_text *t)
{
	free(t->p);
	size_t limit = t->limit;
	memset(t, 0, sizeof *t);
	t->limit = limit;
}

void ex_size_str(size_t bytes, char *out, size_t outlen)
{
	const size_t mib = 1024 * 1024;
	if (bytes >= mib && bytes % mib == 0)
		snprintf(out, outlen, "%zu MiB", bytes / mib);
	else if (bytes >= mib)
		snprintf(out, outlen, "%.1f MiB", (double)bytes / (double)mib);
	else if (bytes >= 1024)
		snprintf(out, outlen, "%zu KiB", bytes / 1024);
	else
		snprintf(out, outlen, "%zu bytes", bytes);
}
