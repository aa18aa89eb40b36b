/* The viewer page of a tracked link (public.h: reply_viewer_page). The
 * server writes the page, every value through html_put; the file is shown
 * by static/viewer/viewer.js (PDFs with pdf.js, from /app/vendor/pdf/),
 * images and video by the browser, anything else as a download card. The
 * page's data attributes tell the script where the bytes and the beacons
 * go and under which view id; no cookie is set, nothing is asked of
 * another origin (the Content-Security-Policy below forbids it), nothing
 * about the browser is collected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "db_opens.h"
#include "handlers.h"
#include "html.h"
#include "public.h"

/* Scripts and styles from this origin only, none inline; pdf.js's worker
 * and its font and character-map fetches from this origin too. */
static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self';"
			  " img-src 'self' blob: data:; media-src 'self'; font-src 'self';"
			  " connect-src 'self'; worker-src 'self'; base-uri 'none';"
			  " form-action 'none'; frame-ancestors 'none'";

/* How the page shows @mime: "pdf", "image", "video" or "file". */
static const char *kind_of(const char *mime)
{
	if (strcmp(mime, "application/pdf") == 0)
		return "pdf";
	if (strncmp(mime, "image/", 6) == 0)
		return "image";
	if (strncmp(mime, "video/", 6) == 0)
		return "video";
	return "file";
}

/* The download button, or why there is none. */
static void put_download(FILE *f, const char *file_url, const struct asset_content *file,
			 bool downloadable)
{
	if (!downloadable) {
		fputs("<p class=\"muted\">The publisher shows this here only; it is not offered "
		      "for download.</p>\n",
		      f);
		return;
	}
	fputs("<a class=\"button\" id=\"download\" href=\"", f);
	html_put(f, file_url);
	fputs("\" download=\"", f);
	html_put(f, file->filename);
	fputs("\">Download ", f);
	html_put(f, file->filename);
	fputs(" (", f);
	public_put_size(f, (long long)file->size);
	fputs(")</a>\n", f);
}

/* What is in the frame: a box the script fills for a PDF, the image or
 * the video itself, or a card for any other file. */
static void put_content(FILE *f, const char *kind, const char *file_url,
			const struct asset_content *file, const struct db_viewer *viewer)
{
	fputs("<div class=\"frame\" id=\"frame\">\n", f);
	if (strcmp(kind, "image") == 0) {
		fputs("<img src=\"", f);
		html_put(f, file_url);
		fputs("\" alt=\"", f);
		html_put(f, viewer->title);
		fputs("\">\n", f);
	} else if (strcmp(kind, "video") == 0) {
		fputs("<video controls preload=\"metadata\" src=\"", f);
		html_put(f, file_url);
		fputs("\" aria-label=\"", f);
		html_put(f, viewer->title);
		fputs("\"></video>\n", f);
	} else if (strcmp(kind, "pdf") == 0) {
		fputs("<noscript><p>This document is shown with JavaScript.</p></noscript>\n", f);
	} else {
		fputs("<p class=\"card\">", f);
		html_put(f, file->filename);
		fputs(viewer->downloadable ? " cannot be shown in the page: download it to open it."
					   : " cannot be shown in the page.",
		      f);
		fputs("</p>\n", f);
	}
	fputs("</div>\n", f);
}

void reply_viewer_page(struct req *r, const char *token, const char *view,
		       const struct asset_content *file, const struct db_viewer *viewer)
{
	const char *base = public_base_path(), *kind = kind_of(file->mime);
	char file_url[ROUTE_MAX_PATH + 64], beacon[ROUTE_MAX_PATH + 64];
	snprintf(file_url, sizeof file_url, "%s/s/%s/file?view=%s", base, token, view);
	snprintf(beacon, sizeof beacon, "%s/s/%s/engagement", base, token);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      f);
	html_put(f, viewer->title);
	fprintf(f,
		"</title>\n<link rel=\"icon\" href=\"%s/app/icon.svg\" type=\"image/svg+xml\">\n"
		"<link rel=\"stylesheet\" href=\"%s/app/style.css\">\n"
		"<link rel=\"stylesheet\" href=\"%s/app/viewer/viewer.css\">\n"
		"<script type=\"module\" src=\"%s/app/viewer/viewer.js\"></script>\n</head>\n"
		"<body>\n<header class=\"bar\">\n<h1>",
		base, base, base, base);
	html_put(f, viewer->title);
	fputs("</h1>\n", f);
	put_download(f, file_url, file, viewer->downloadable);
	fprintf(f,
		"</header>\n<main id=\"viewer\" data-kind=\"%s\" data-pages=\"%d\" "
		"data-flush=\"%u\" data-view=\"",
		kind, viewer->pages, config.viewer_flush_s);
	html_put(f, view);
	fputs("\" data-file=\"", f);
	html_put(f, file_url);
	fputs("\" data-beacon=\"", f);
	html_put(f, beacon);
	fputs("\" data-title=\"", f);
	html_put(f, viewer->title);
	fputs("\">\n", f);
	put_content(f, kind, file_url, file, viewer);
	fputs("</main>\n</body>\n</html>\n", f);
	if (fclose(f) != 0) {
		free(buf);
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	reply_header(r, "Content-Security-Policy", csp);
	reply_header(r, "Referrer-Policy", "no-referrer");
	reply_header(r, "Cache-Control", "private, no-store"); /* a view id per load */
	reply_header(r, "X-Frame-Options", "DENY");
	reply_text(r, 200, "text/html; charset=utf-8", buf, len);
}
