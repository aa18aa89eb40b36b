/* What a file is (libmagic, never the client's word) and what it may be
 * called. libmagic handles are not thread-safe: one per thread. */
#include "store.h"

#include <magic.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "log.h"
#include "model.h"

static const char *const allowed[] = {
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.", /* prefix: docx, xlsx, pptx */
    "application/vnd.oasis.opendocument.",	      /* prefix: odt, odp, ods (issue 16) */
    "application/zip",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "text/plain",
    "text/html",
    "text/markdown",
    "text/csv",
};

static bool is_allowed(const char *mime)
{
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
		size_t n = strlen(allowed[i]);
		bool prefix = allowed[i][n - 1] == '.';
		if (prefix ? strncmp(mime, allowed[i], n) == 0 : strcmp(mime, allowed[i]) == 0)
			return true;
	}
	return false;
}

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void close_magic(void *m)
{
	magic_close(m);
}

static void make_key(void)
{
	pthread_key_create(&key, close_magic);
}

static magic_t thread_magic(void)
{
	pthread_once(&once, make_key);
	magic_t m = pthread_getspecific(key);
	if (m == NULL) {
		m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
		if (m == NULL || magic_load(m, NULL) != 0) {
			log_msg("error", "libmagic: %s", m ? magic_error(m) : "magic_open failed");
			if (m != NULL)
				magic_close(m);
			return NULL;
		}
		pthread_setspecific(key, m);
	}
	return m;
}

static bool has_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);
	return n > e && strcasecmp(name + n - e, ext) == 0;
}

bool store_sniff(const void *data, size_t len, const char *filename, char *out, size_t outlen)
{
	magic_t m = thread_magic();
	const char *t = m ? magic_buffer(m, data, len) : NULL;
	snprintf(out, outlen, "%s", t ? t : "application/octet-stream");
	if (strcmp(out, "text/plain") == 0 && filename != NULL) {
		if (has_ext(filename, ".csv"))
			snprintf(out, outlen, "text/csv");
		else if (has_ext(filename, ".md") || has_ext(filename, ".markdown"))
			snprintf(out, outlen, "text/markdown");
	}
	return is_allowed(out);
}

void store_filename(const char *raw, char out[STORE_FILENAME_MAX + 1])
{
	const char *base = raw ? raw : "";
	for (const char *c = base; *c; c++)
		if (*c == '/' || *c == '\\')
			base = c + 1;
	size_t n = 0;
	for (const unsigned char *c = (const unsigned char *)base; *c;) {
		size_t l = utf8_char_len(c);
		if (l == 0 || *c < 0x20 || *c == 0x7f || *c == '"' || (n == 0 && *c == ' ')) {
			c++; /* invalid UTF-8, control characters, quotes, leading blanks */
			continue;
		}
		if (n + l > STORE_FILENAME_MAX)
			break;
		memcpy(out + n, c, l);
		n += l;
		c += l;
	}
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '.'))
		n--;
	out[n] = '\0';
	if (n == 0)
		snprintf(out, STORE_FILENAME_MAX + 1, "file");
}
