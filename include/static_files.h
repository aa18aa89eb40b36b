/* The web app's files (static/, and the libraries of vendor.h): read once
 * at start-up into memory, each with its type, a strong ETag (from its
 * SHA-256), a gzip copy when that is smaller, and whether its name carries
 * a content hash (then it may be cached for a year). Served by
 * server/handlers/app.c; nothing is read from disk per request, so no
 * request path can reach outside the files loaded. */
#ifndef NS_STATIC_FILES_H
#define NS_STATIC_FILES_H
#include <stdbool.h>
#include <stddef.h>

struct static_file {
	char *name; /* relative to the directory: "index.html", "views/search.js" */
	const char *type;
	unsigned char *data, *gz; /* gz: NULL when compressing does not pay */
	size_t len, gzlen;
	char etag[20]; /* "\"" 16 hex digits "\"" */
	bool hashed;   /* a name like "app.3f2a9c1e.js" */
};

/* Loads every regular file under @dir (at most 2,000 files of 8 MiB;
 * dot-files are skipped). 0, or -1 with the reason in @err. A missing
 * @dir loads nothing and is not an error (the API still serves). */
int static_load(const char *dir, char *err, size_t errlen);

/* Adds the regular file at @path (symlinks followed) under @name, beside
 * those of static_load (which forgets every file: call this after it).
 * The limits of static_load hold; a name already loaded, a directory, a
 * FIFO or a device is refused. 0, or -1 with the reason in @err. */
int static_add_file(const char *name, const char *path, char *err, size_t errlen);

/* Adds a copy of the @len bytes at @data under @name, like
 * static_add_file. 0, or -1 with the reason in @err. */
int static_add_bytes(const char *name, const void *data, size_t len, char *err, size_t errlen);

/* A gzip copy (level 9) of the @len bytes at @in, malloc'd, of *@out_len
 * bytes; NULL when out of memory or when it would not be smaller. */
unsigned char *static_gzip(const unsigned char *in, size_t len, size_t *out_len);

/* Whether a request for the file @path (as the router hands it over,
 * percent-decoded, after "/app/") could try to leave the files or hide a
 * name: "." or ".." segments, empty segments (a leading '/' too: the
 * router hands "/x" over for "/app//x"; a trailing '/' is a page of the
 * app, not a file), backslashes, or, in the
 * request target @target as sent (path and query, not decoded), an
 * encoded slash, backslash, dot or NUL before the query. Such a request
 * is answered 404 without looking the name up. Can't fail. */
bool static_path_suspicious(const char *path, const char *target);

/* The file named @name, or NULL. */
const struct static_file *static_find(const char *name);

void static_free(void);

#endif
