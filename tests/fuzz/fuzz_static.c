/* The web app's file paths (include/static_files.h): a request target as
 * sent, taken the way the server takes it (libmicrohttpd cuts the query
 * and percent-decodes the path, the router matches GET /app/{path*}),
 * then judged by static_path_suspicious and looked up by static_find
 * among a few files loaded as the app's.
 *
 * Checked against a model written here: a path that is not refused has no
 * "." or ".." segment, no empty segment (but a trailing slash, the app's
 * page), no backslash, and came from a
 * target without an encoded slash, backslash, dot or NUL; a file found is
 * the one of that exact name. The input is the target (up to a NUL). */
#include <microhttpd.h>
#include <string.h>
#include <strings.h>
#include "fuzz.h"
#include "router.h"
#include "static_files.h"

static const char *const names[] = {
    "index.html",     "app.3f2a9c1e.js",	"views/search.js",
    "views/a..b.css", "vendor/pdf/pdf.min.mjs", "fonts/x y.woff2",
};

/* The model: what a path that may be looked up must not hold. */
static bool model_unsafe(const char *path, const char *target)
{
	if (strchr(path, '\\') != NULL)
		return true;
	const char *seg = path;
	for (;;) {
		const char *slash = strchr(seg, '/');
		size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
		/* a trailing slash is no file's name: the app's page */
		if ((n == 0 && slash != NULL) || (n == 1 && seg[0] == '.') ||
		    (n == 2 && memcmp(seg, "..", 2) == 0))
			return true;
		if (slash == NULL)
			break;
		seg = slash + 1;
	}
	size_t end = strcspn(target, "?");
	static const char *const encoded[] = {"%2f", "%5c", "%2e"};
	for (size_t i = 0; i + 3 <= end; i++) {
		for (size_t k = 0; k < 3; k++)
			if (strncasecmp(target + i, encoded[k], 3) == 0)
				return true;
		if (strncmp(target + i, "%00", 3) == 0)
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool loaded;
	if (!loaded) {
		char err[128];
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			FUZZ_CHECK(static_add_bytes(names[i], names[i], strlen(names[i]), err,
						    sizeof err) == 0);
		loaded = true;
	}
	char *target = malloc(size + 1), *path = malloc(size + 1);
	if (target == NULL || path == NULL)
		goto out;
	memcpy(target, data, size);
	target[size] = '\0';
	size_t plen = strcspn(target, "?");
	memcpy(path, target, plen);
	path[plen] = '\0';
	MHD_http_unescape(path);

	static struct route_match m;
	if (route_match(routes, routes_count, M_GET, path, &m) != ROUTE_FOUND ||
	    strcmp(m.route->pattern, "/app/{path*}") != 0)
		goto out;
	const char *file = m.params[0];
	bool refused = static_path_suspicious(file, target);
	/* an empty path is the app's index, never a file of that name */
	if (!refused && *file != '\0') {
		FUZZ_CHECK(!model_unsafe(file, target));
		const struct static_file *f = static_find(file);
		if (f != NULL) {
			FUZZ_CHECK(strcmp(f->name, file) == 0);
			FUZZ_CHECK(f->len == strlen(file) && memcmp(f->data, file, f->len) == 0);
		}
	}
out:
	free(target);
	free(path);
	return 0;
}
