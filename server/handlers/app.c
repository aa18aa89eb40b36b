/* The web app: GET / and /app/... answer the files of static/ (loaded at
 * start-up, see static_files.h). A path under /app/ that names no file and
 * has no extension is a page of the app (a deep link, a reload): it gets
 * index.html, whose modules route it; under /app/vendor/ (the packaged
 * libraries, vendor.h) there are files only. Every answer carries the app's
 * Content-Security-Policy: scripts, styles and everything else from this
 * origin only, nothing inline, no framing. */
#include <stdio.h>
#include <string.h>
#include "handlers.h"
#include "static_files.h"

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self';"
			  " img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self';"
			  " object-src 'none'; base-uri 'none'; form-action 'self';"
			  " frame-ancestors 'none'";

static void serve(struct req *r, const struct static_file *f)
{
	reply_header(r, "ETag", f->etag);
	reply_header(r, "Cache-Control",
		     f->hashed ? "public, max-age=31536000, immutable" : "no-cache");
	reply_header(r, "Vary", "Accept-Encoding");
	reply_header(r, "Content-Security-Policy", csp);
	reply_header(r, "Referrer-Policy", "same-origin");
	reply_header(r, "X-Frame-Options", "DENY");
	if (reply_not_modified(r, f->etag))
		return;
	if (f->gz != NULL && req_accepts_gzip(r)) {
		reply_header(r, "Content-Encoding", "gzip");
		reply_bytes(r, 200, f->type, f->gz, f->gzlen);
		return;
	}
	reply_bytes(r, 200, f->type, f->data, f->len);
}

void h_app_index(struct req *r)
{
	const struct static_file *f = static_find("index.html");
	if (f == NULL) {
		reply_error(r, ERR_NOT_FOUND, NULL,
			    "the web app is not installed (no static/index.html)");
		return;
	}
	serve(r, f);
}

void h_app_file(struct req *r)
{
	const char *path = req_param(r, 0);
	if (static_path_suspicious(path, req_target(r))) {
		reply_error(r, ERR_NOT_FOUND, NULL, "no such file");
		return;
	}
	const struct static_file *f = path[0] ? static_find(path) : NULL;
	if (f != NULL) {
		serve(r, f);
		return;
	}
	const char *last = strrchr(path, '/');
	if (strchr(last ? last : path, '.') != NULL || /* a file that is not there */
	    strncmp(path, "vendor/", 7) == 0) {	       /* the libraries hold no pages */
		reply_error(r, ERR_NOT_FOUND, NULL, "no such file");
		return;
	}
	h_app_index(r);
}
