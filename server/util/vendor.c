/* The packaged libraries of the web app (contracts in vendor.h).
 *
 * Only the files listed are loaded, never a whole directory tree: a
 * package's directory holds much the app never asks for (pdf.js's viewer,
 * source maps, its debugger). Symlinks are followed, because Debian's
 * layout is made of them (web/cmaps -> /usr/share/pdf.js/cmaps); that is
 * safe here because what is read is chosen at start-up by this table and
 * no request path ever reaches the disk. A listed directory is read one
 * level deep, regular files only, dot-files skipped: no recursion, so no
 * symlink loop. */
#include "vendor.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include "config.h"
#include "log.h"
#include "static_files.h"

/* Relative to the package's directory: a file, or "dir/" for every file
 * directly in it. */
static const char *const pdfjs_files[] = {
    "build/pdf.js",	   /* the library (a UMD script: it sets pdfjsLib) */
    "build/pdf.worker.js", /* the worker that parses PDFs off the main thread */
    "web/cmaps/",	   /* character maps, fetched when a PDF's fonts need one */
    "web/standard_fonts/", /* for PDFs that name the 14 standard fonts without embedding */
    NULL};

/* Chart.js 3.9 as ES modules: the module and the one chunk it imports
 * (./chunks/helpers.segment.js); the UMD builds and the .mjs copies are
 * left out. */
static const char *const chartjs_files[] = {
    "chart.esm.js",		 /* import { Chart, registerables } */
    "chunks/helpers.segment.js", /* imported by chart.esm.js */
    NULL};

struct mount {
	const char *name;    /* served at /app/vendor/<name>/ */
	const char *dir;     /* where the package puts it */
	const char *package; /* named in the warning when it is missing */
	const char *without; /* what the app does without it, for that warning */
	const char *const *files;
};

/* Adds @m->dir/@rel as vendor/<name>/@rel. 0, or -1 with the reason. */
static int add_file(const struct mount *m, const char *rel, char *err, size_t errlen)
{
	char path[PATH_MAX], name[PATH_MAX];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", m->dir, rel) >= sizeof path ||
	    (size_t)snprintf(name, sizeof name, "vendor/%s/%s", m->name, rel) >= sizeof name) {
		snprintf(err, errlen, "%s/%s: path too long", m->dir, rel);
		return -1;
	}
	return static_add_file(name, path, err, errlen);
}

/* Adds every regular file directly in @m->dir/@rel (which ends in '/'). */
static int add_dir(const struct mount *m, const char *rel, char *err, size_t errlen)
{
	char path[PATH_MAX], sub[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", m->dir, rel);
	struct dirent **list;
	int n = scandir(path, &list, NULL, alphasort);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		struct stat st;
		const char *e = list[i]->d_name;
		if (rc == 0 && e[0] != '.' &&
		    (size_t)snprintf(sub, sizeof sub, "%s%s", path, e) < sizeof sub &&
		    stat(sub, &st) == 0 && S_ISREG(st.st_mode)) {
			snprintf(sub, sizeof sub, "%s%s", rel, e);
			rc = add_file(m, sub, err, errlen);
		}
		free(list[i]);
	}
	free(list);
	return rc;
}

/* Whether every listed entry is there (a file, or a directory for "dir/"):
 * the package is installed. Otherwise false with what is missing in @err. */
static bool installed(const struct mount *m, char *err, size_t errlen)
{
	for (const char *const *f = m->files; *f != NULL; f++) {
		char path[PATH_MAX];
		struct stat st;
		bool dir = (*f)[strlen(*f) - 1] == '/';
		snprintf(path, sizeof path, "%s/%s", m->dir, *f);
		if (stat(path, &st) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return false;
		}
		if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "%s: not a %s", path,
				 dir ? "directory" : "regular file");
			return false;
		}
	}
	return true;
}

static int load(const struct mount *m, char *err, size_t errlen)
{
	if (!installed(m, err, errlen))
		return -1;
	for (const char *const *f = m->files; *f != NULL; f++) {
		bool dir = (*f)[strlen(*f) - 1] == '/';
		if ((dir ? add_dir : add_file)(m, *f, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int vendor_load(const struct config *c)
{
	const struct mount mounts[] = {
	    {"pdf", c->pdfjs_dir, "libjs-pdf", "PDFs are offered as downloads only", pdfjs_files},
	    {"chart", c->chartjs_dir, "libjs-chart.js",
	     "the dashboards show their tables without charts", chartjs_files},
	};
	char err[PATH_MAX + 200], prefix[64];
	json_t *loaded = json_object();
	for (size_t i = 0; i < sizeof mounts / sizeof mounts[0]; i++) {
		const struct mount *m = &mounts[i];
		if (load(m, err, sizeof err) != 0) {
			log_msg("warn", "no /app/vendor/%s/ (Debian's %s): %s; %s", m->name,
				m->package, err, m->without);
			continue;
		}
		snprintf(prefix, sizeof prefix, "/app/vendor/%s/", m->name);
		json_object_set_new(loaded, m->name, json_string(prefix));
	}
	int n = (int)json_object_size(loaded);
	char *text = json_dumps(loaded, JSON_COMPACT);
	if (text == NULL ||
	    static_add_bytes("vendor/mounts.json", text, strlen(text), err, sizeof err) != 0)
		log_msg("warn", "no /app/vendor/mounts.json: %s", text ? err : "out of memory");
	free(text);
	json_decref(loaded);
	return n;
}
