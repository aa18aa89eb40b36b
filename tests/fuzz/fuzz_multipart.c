/* multipart/form-data (include/multipart.h), as the upload routes read it.
 *
 * The input: one byte that seeds how the body is cut, one byte that says
 * after how many parts a callback stops the parser (0: never), the
 * Content-Type header's value up to the first LF, then the body. The body
 * is parsed twice, once in one piece and once in pieces of 1 to 4096
 * bytes: both must hand out the same parts and end with the same status.
 * The callbacks check what the header promises (names, filenames and types
 * within their limits, at most MP_PARTS_MAX parts, data only inside a part,
 * every part begun before it ends). */
#include <stdbool.h>
#include <string.h>
#include "fuzz.h"
#include "multipart.h"

struct seen {
	struct fuzz_digest d;
	unsigned parts, stop_after;
	bool in_part;
};

static int on_begin(void *cls, const char *name, const char *filename, const char *type)
{
	struct seen *s = cls;
	FUZZ_CHECK(!s->in_part);
	FUZZ_CHECK(name != NULL && strlen(name) <= MP_NAME_MAX);
	FUZZ_CHECK(filename == NULL || strlen(filename) <= MP_FILENAME_MAX);
	FUZZ_CHECK(type == NULL || strlen(type) <= MP_TYPE_MAX);
	FUZZ_CHECK(++s->parts <= MP_PARTS_MAX);
	s->in_part = true;
	fuzz_digest_tag(&s->d, 'B', strlen(name));
	fuzz_digest_add(&s->d, name, strlen(name));
	fuzz_digest_tag(&s->d, 'F', filename ? strlen(filename) : UINT64_MAX);
	if (filename)
		fuzz_digest_add(&s->d, filename, strlen(filename));
	fuzz_digest_tag(&s->d, 'T', type ? strlen(type) : UINT64_MAX);
	if (type)
		fuzz_digest_add(&s->d, type, strlen(type));
	return 0;
}

static int on_data(void *cls, const char *data, size_t len)
{
	struct seen *s = cls;
	FUZZ_CHECK(s->in_part && len > 0);
	fuzz_digest_add(&s->d, data, len);
	return 0;
}

static int on_end(void *cls)
{
	struct seen *s = cls;
	FUZZ_CHECK(s->in_part);
	s->in_part = false;
	fuzz_digest_tag(&s->d, 'E', s->parts);
	return s->stop_after != 0 && s->parts == s->stop_after;
}

static const struct mp_callbacks callbacks = {on_begin, on_data, on_end};

/* Parses @body in pieces cut by @seed (0: in one piece); the statuses of
 * the feeds and the finish into *@st, what was handed out into @s. */
static bool parse(const char *type, const char *body, size_t len, uint32_t seed, struct seen *s,
		  enum mp_status *st)
{
	enum mp_status made;
	struct mp_parser *p = mp_new(type, &callbacks, s, &made);
	if (p == NULL) {
		FUZZ_CHECK(made == MP_BAD_CONTENT_TYPE || made == MP_NOMEM);
		*st = made;
		return false;
	}
	enum mp_status fed = MP_OK;
	for (size_t at = 0; at < len && fed == MP_OK;) {
		size_t n = seed ? fuzz_piece(&seed) : len;
		n = n < len - at ? n : len - at;
		fed = mp_feed(p, body + at, n);
		at += n;
	}
	enum mp_status end = mp_finish(p);
	/* a dead parser stays dead */
	FUZZ_CHECK(fed == MP_OK || end == fed);
	FUZZ_CHECK(fed == MP_OK || mp_feed(p, "x", 1) == fed);
	FUZZ_CHECK(mp_status_text(end) != NULL);
	if (end == MP_OK)
		FUZZ_CHECK(s->parts > 0 && !s->in_part);
	*st = end;
	mp_free(p);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint32_t seed = data[0] | 0x100u;
	unsigned stop_after = data[1] % 8;
	const char *rest = (const char *)data + 2;
	size_t left = size - 2;
	const char *lf = memchr(rest, '\n', left);
	if (lf == NULL)
		return 0;
	size_t tlen = (size_t)(lf - rest);
	char *type = malloc(tlen + 1);
	if (type == NULL)
		return 0;
	memcpy(type, rest, tlen);
	type[tlen] = '\0';
	/* the body in a buffer of its own, so ASan sees a read past its end */
	size_t blen = left - tlen - 1;
	char *body = malloc(blen ? blen : 1);
	if (body == NULL) {
		free(type);
		return 0;
	}
	memcpy(body, lf + 1, blen);

	struct seen whole = {.stop_after = stop_after}, cut = {.stop_after = stop_after};
	fuzz_digest_init(&whole.d);
	fuzz_digest_init(&cut.d);
	enum mp_status st_whole, st_cut;
	if (parse(type, body, blen, 0, &whole, &st_whole)) {
		parse(type, body, blen, seed, &cut, &st_cut);
		FUZZ_CHECK(st_whole == st_cut);
		FUZZ_CHECK(whole.parts == cut.parts);
		FUZZ_CHECK(whole.d.h == cut.d.h);
	}
	free(type);
	free(body);
	return 0;
}
