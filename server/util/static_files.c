/* The web app's files in memory (contracts in static_files.h). */
#include "static_files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "crypto.h"

#define FILES_MAX  2000
#define FILE_BYTES (8u << 20)

static struct static_file files[FILES_MAX];
static size_t nfiles;
static size_t root_len;
static char load_error[200];

static const struct {
	const char *ext, *type;
	bool compress;
} types[] = {
    {".html", "text/html; charset=utf-8", true},
    {".js", "text/javascript; charset=utf-8", true},
    {".mjs", "text/javascript; charset=utf-8", true},
    {".css", "text/css; charset=utf-8", true},
    {".json", "application/json", true},
    {".map", "application/json", true},
    {".svg", "image/svg+xml", true},
    {".txt", "text/plain; charset=utf-8", true},
    {".png", "image/png", false},
    {".jpg", "image/jpeg", false},
    {".webp", "image/webp", false},
    {".ico", "image/x-icon", true},
    {".woff2", "font/woff2", false},
    {".ttf", "font/ttf", true},
    {".pfb", "application/x-font-type1", true},
};

static const char *type_of(const char *name, bool *compress)
{
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(dot, types[i].ext) == 0) {
			*compress = types[i].compress;
			return types[i].type;
		}
	*compress = false;
	return "application/octet-stream";
}

/* A name with a part of 8 or more hex digits between dots. */
static bool hashed_name(const char *name)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	for (const char *p = strchr(base, '.'); p != NULL; p = strchr(p + 1, '.')) {
		size_t n = strspn(p + 1, "0123456789abcdef");
		if (n >= 8 && p[1 + n] == '.')
			return true;
	}
	return false;
}

unsigned char *static_gzip(const unsigned char *in, size_t len, size_t *out_len)
{
	z_stream z = {0};
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	size_t cap = deflateBound(&z, len);
	unsigned char *out = malloc(cap);
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	bool ok = out && deflate(&z, Z_FINISH) == Z_STREAM_END;
	*out_len = z.total_out;
	deflateEnd(&z);
	if (!ok || *out_len >= len) {
		free(out);
		return NULL;
	}
	return out;
}

/* Takes @data (@len bytes, malloc'd) as the file @name: its type, gzip
 * copy and ETag. 0, or -1 (then @data is freed) with the reason in
 * load_error. */
static int keep(const char *name, unsigned char *data, size_t len)
{
	if (nfiles == FILES_MAX || len > FILE_BYTES) {
		snprintf(load_error, sizeof load_error, "%s: more than %d files or %u bytes", name,
			 FILES_MAX, FILE_BYTES);
		free(data);
		return -1;
	}
	struct static_file *s = &files[nfiles];
	s->name = strdup(name);
	if (s->name == NULL) {
		snprintf(load_error, sizeof load_error, "%s: out of memory", name);
		free(data);
		return -1;
	}
	s->data = data;
	s->len = len;
	bool compress;
	s->type = type_of(name, &compress);
	s->gz = compress ? static_gzip(s->data, s->len, &s->gzlen) : NULL;
	unsigned char sum[32];
	char hex[17];
	crypto_sha256(s->data, s->len, sum);
	crypto_hex(sum, 8, hex);
	s->etag[0] = '"';
	memcpy(s->etag + 1, hex, 16);
	memcpy(s->etag + 17, "\"", 2);
	s->hashed = hashed_name(name);
	nfiles++;
	return 0;
}

/* Reads the regular file at @path (symlinks followed) as @name. 0, or -1
 * with the reason in load_error. O_NONBLOCK: a FIFO put in its place must
 * not hang the start; it is refused as not a regular file. */
static int read_file(const char *name, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(load_error, sizeof load_error, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > FILE_BYTES) {
		snprintf(load_error, sizeof load_error,
			 "%s: not a regular file of at most %u bytes", path, FILE_BYTES);
		close(fd);
		return -1;
	}
	size_t len = (size_t)st.st_size, got = 0;
	unsigned char *data = malloc(len + 1);
	while (data != NULL && got < len) {
		ssize_t n = read(fd, data + got, len - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (data == NULL || got != len) {
		snprintf(load_error, sizeof load_error, "%s: could not be read", path);
		free(data);
		return -1;
	}
	return keep(name, data, len);
}

static int add(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *name = path + root_len;
	while (*name == '/')
		name++;
	if (name[0] == '.' || strstr(name, "/.") != NULL)
		return 0; /* dot-files stay private */
	if (flag != FTW_F)
		return 0;
	(void)ftw;
	(void)st;
	return read_file(name, path) == 0 ? 0 : 1;
}

int static_load(const char *dir, char *err, size_t errlen)
{
	static_free();
	root_len = strlen(dir);
	load_error[0] = '\0';
	int rc = nftw(dir, add, 16, FTW_PHYS);
	if (rc != 0 && errno == ENOENT && load_error[0] == '\0')
		return 0;
	if (rc != 0) {
		snprintf(err, errlen, "static files: %s",
			 load_error[0] ? load_error : strerror(errno));
		return -1;
	}
	return 0;
}

int static_add_file(const char *name, const char *path, char *err, size_t errlen)
{
	if (static_find(name) != NULL) {
		snprintf(err, errlen, "%s: already loaded", name);
		return -1;
	}
	if (read_file(name, path) != 0) {
		snprintf(err, errlen, "%s", load_error);
		return -1;
	}
	return 0;
}

int static_add_bytes(const char *name, const void *data, size_t len, char *err, size_t errlen)
{
	unsigned char *copy = malloc(len + 1);
	if (copy == NULL || static_find(name) != NULL) {
		snprintf(err, errlen, "%s: %s", name, copy ? "already loaded" : "out of memory");
		free(copy);
		return -1;
	}
	memcpy(copy, data, len);
	if (keep(name, copy, len) != 0) {
		snprintf(err, errlen, "%s", load_error);
		return -1;
	}
	return 0;
}

bool static_path_suspicious(const char *path, const char *target)
{
	/* a leading '/' is an empty first segment: "/app//x" (tests/fuzz) */
	if (path[0] == '/' || strchr(path, '\\') || strstr(path, "//"))
		return true;
	for (const char *s = path; *s;) {
		size_t n = strcspn(s, "/");
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return true;
		s += n + (s[n] == '/');
	}
	size_t n = strcspn(target, "?");
	for (size_t i = 0; i + 2 < n; i++)
		if (target[i] == '%' &&
		    (strncasecmp(target + i, "%2f", 3) == 0 ||
		     strncasecmp(target + i, "%5c", 3) == 0 || strncmp(target + i, "%00", 3) == 0 ||
		     strncasecmp(target + i, "%2e", 3) == 0))
			return true;
	return false;
}

const struct static_file *static_find(const char *name)
{
	for (size_t i = 0; i < nfiles; i++)
		if (strcmp(files[i].name, name) == 0)
			return &files[i];
	return NULL;
}

void static_free(void)
{
	for (size_t i = 0; i < nfiles; i++) {
		free(files[i].name);
		free(files[i].data);
		free(files[i].gz);
	}
	nfiles = 0;
}
