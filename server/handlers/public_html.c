/* The HTML of the public pages (/p/): written here, every value through
 * html_put, under a Content-Security-Policy that allows no script at all
 * and only the one inline style below, by its hash. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "config.h"
#include "handlers.h"
#include "html.h"
#include "public.h"

static const char style[] =
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}"
    "main{max-width:40rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px}"
    ".description{white-space:pre-line}"
    ".disclosure{border-left:4px solid #2f6fde;padding:.5rem 1rem;background:#eef3fd}"
    ".error{color:#a61b1b;font-weight:600}"
    "label{display:block;margin:.75rem 0}"
    "input[type=text],input[type=email]{display:block;width:100%;padding:.4rem;"
    "box-sizing:border-box}"
    "fieldset label{display:inline-block;margin-right:1.5rem}"
    ".button,button{display:inline-block;padding:.6rem 1.2rem;background:#2f6fde;color:#fff;"
    "border:0;border-radius:4px;text-decoration:none;font:inherit;cursor:pointer}";

static char page_csp[256];

static void make_csp(void)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(sizeof h, sodium_base64_VARIANT_ORIGINAL)];
	crypto_hash_sha256(h, (const unsigned char *)style, strlen(style));
	sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
	snprintf(page_csp, sizeof page_csp,
		 "default-src 'none'; style-src 'sha256-%s'; form-action 'self'; "
		 "frame-ancestors 'none'; base-uri 'none'",
		 b64);
}

/* Headers of every page and error of /p/. */
static void page_headers(struct req *r)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, make_csp);
	reply_header(r, "Content-Security-Policy", page_csp);
	reply_header(r, "Referrer-Policy", "no-referrer");
}

void public_file_headers(struct req *r)
{
	/* An uploaded HTML file must never run as a page of this origin. */
	reply_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
	reply_header(r, "Referrer-Policy", "no-referrer");
}

bool public_wants_html(const struct req *r)
{
	const char *accept = req_header(r, "Accept");
	for (const char *c = accept; c != NULL && *c;) {
		c += strspn(c, " \t,");
		size_t item = strcspn(c, ","), type = strcspn(c, ";,");
		while (type > 0 && (c[type - 1] == ' ' || c[type - 1] == '\t'))
			type--;
		if (type == 9 && strncasecmp(c, "text/html", 9) == 0) {
			const char *q = strstr(c, "q=");
			return q == NULL || q > c + item || strtod(q + 2, NULL) > 0;
		}
		c += item;
	}
	return false;
}

/* So links work behind a proxy that adds a path. */
const char *public_base_path(void)
{
	const char *host = strstr(config.public_url, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;
	return path ? path : "";
}

/* A new page as far as the end of <h1>; the caller writes the rest and
 * ends it with end_page. */
static FILE *begin_page(char **buf, size_t *len, const char *title)
{
	FILE *f = open_memstream(buf, len);
	if (f == NULL)
		return NULL;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      f);
	html_put(f, title);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<h1>", style);
	html_put(f, title);
	fputs("</h1>\n", f);
	return f;
}

/* Ends the page begun in *@buf (open_memstream's: read only after
 * fclose) and answers it. */
static void end_page(struct req *r, unsigned status, FILE *f, char **buf, size_t *len)
{
	fputs("</main>\n</body>\n</html>\n", f);
	if (fclose(f) != 0) {
		free(*buf);
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	page_headers(r);
	reply_text(r, status, "text/html; charset=utf-8", *buf, *len);
}

static const char *text(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

void public_put_size(FILE *f, long long bytes)
{
	if (bytes < 1024)
		fprintf(f, "%lld bytes", bytes);
	else if (bytes < 1024 * 1024)
		fprintf(f, "%.1f kB", (double)bytes / 1024);
	else
		fprintf(f, "%.1f MB", (double)bytes / (1024 * 1024));
}

/* The disclosure, then the form: a visitor reads what follow-up will happen
 * before leaving any detail (README, "Public asset pages and leads"). */
static void put_gate(FILE *f, const json_t *page, const struct public_form *form)
{
	const struct public_form none = {0};
	form = form ? form : &none;
	fputs("<section class=\"disclosure\">\n<h2>What happens after you download</h2>\n<p>", f);
	html_put(f, text(page, "disclosure"));
	fputs("</p>\n</section>\n", f);
	if (form->error != NULL) {
		fputs("<p class=\"error\" role=\"alert\">", f);
		html_put(f, form->error);
		fputs("</p>\n", f);
	}
	fprintf(f, "<form method=\"post\" action=\"%s/p/", public_base_path());
	html_put(f, text(page, "id"));
	fputs("/access\">\n<input type=\"hidden\" name=\"disclosure_sha256\" value=\"", f);
	html_put(f, text(page, "disclosure_sha256"));
	fputs("\">\n<label>Name <input type=\"text\" name=\"name\" required maxlength=\"200\" "
	      "autocomplete=\"name\" value=\"",
	      f);
	html_put(f, form->name);
	fputs("\"></label>\n<label>Email <input type=\"email\" name=\"email\" required "
	      "maxlength=\"254\" autocomplete=\"email\" value=\"",
	      f);
	html_put(f, form->email);
	fputs("\"></label>\n<label>Company (optional) <input type=\"text\" name=\"company\" "
	      "maxlength=\"200\" autocomplete=\"organization\" value=\"",
	      f);
	html_put(f, form->company);
	/* No choice is made for the visitor: neither radio is checked. */
	fputs("\"></label>\n<fieldset>\n<legend>May we follow up with you as described "
	      "above?</legend>\n"
	      "<label><input type=\"radio\" name=\"consent\" value=\"yes\" required> Yes</label>\n"
	      "<label><input type=\"radio\" name=\"consent\" value=\"no\"> No, only the "
	      "download (then we keep neither your name nor your e-mail)</label>\n</fieldset>\n"
	      "<p><button type=\"submit\">Download</button></p>\n"
	      "</form>\n",
	      f);
}

void reply_public_page(struct req *r, unsigned status, const json_t *page,
		       const struct public_form *form)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = begin_page(&buf, &len, text(page, "title"));
	if (f == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	fputs("<p class=\"description\">", f);
	html_put(f, text(page, "description"));
	fputs("</p>\n", f);
	if (json_is_true(json_object_get(page, "gated"))) {
		put_gate(f, page, form);
	} else {
		fprintf(f, "<p><a class=\"button\" href=\"%s/p/", public_base_path());
		html_put(f, text(page, "id"));
		if (json_is_true(json_object_get(page, "link"))) {
			fputs("/file\">Open</a></p>\n", f);
		} else {
			fputs("/file\">Download ", f);
			html_put(f, text(page, "filename"));
			fputs(" (", f);
			public_put_size(f, json_integer_value(json_object_get(page, "size")));
			fputs(")</a></p>\n", f);
		}
	}
	end_page(r, status, f, &buf, &len);
}

/* A short page: @title, a sentence, and a link when @href is set. */
static void message_page(struct req *r, unsigned status, const char *title, const char *message,
			 const char *href, const char *link_text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = begin_page(&buf, &len, title);
	if (f == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	fputs("<p>", f);
	html_put(f, message);
	fputs("</p>\n", f);
	if (href != NULL) {
		fputs("<p><a class=\"button\" href=\"", f);
		html_put(f, href);
		fputs("\">", f);
		html_put(f, link_text);
		fputs("</a></p>\n", f);
	}
	end_page(r, status, f, &buf, &len);
}

void reply_public_error(struct req *r, enum err e, const char *field, const char *detail)
{
	if (!public_wants_html(r)) {
		page_headers(r);
		reply_error(r, e, field, "%s", detail ? detail : err_title(e));
		return;
	}
	message_page(r, err_status(e), err_title(e), detail ? detail : err_title(e), NULL, NULL);
}

void reply_public_link(struct req *r, const char *url)
{
	message_page(r, 200, "Thank you", "Your details are recorded. The content is here:", url,
		     url);
}

void reply_public_gated(struct req *r, const char *id)
{
	if (!public_wants_html(r)) {
		reply_public_error(r, ERR_FORBIDDEN, NULL,
				   "this file is given through the form on its page");
		return;
	}
	char where[ROUTE_MAX_PATH];
	snprintf(where, sizeof where, "%s/p/%s", public_base_path(), id);
	page_headers(r);
	reply_header(r, "Location", where);
	reply_empty(r, 303);
}

void reply_public_db(struct req *r, enum db_status s)
{
	if (s == DB_UNAVAILABLE)
		reply_header(r, "Retry-After", "5");
	if (s == DB_FULL)
		reply_header(r, "Retry-After", STORAGE_FULL_RETRY_S);
	reply_public_error(r,
			   s == DB_NOT_FOUND	 ? ERR_NOT_FOUND
			   : s == DB_UNAVAILABLE ? ERR_DB_UNAVAILABLE
			   : s == DB_FULL	 ? ERR_STORAGE_FULL
						 : ERR_INTERNAL,
			   NULL, NULL);
}

bool reply_public_state(struct req *r, enum db_page_state state)
{
	switch (state) {
	case DB_PAGE_MISSING:
		reply_public_error(r, ERR_NOT_FOUND, NULL, "there is no public page here");
		return true;
	case DB_PAGE_GONE:
		reply_public_error(r, ERR_GONE, NULL, "this content is no longer available");
		return true;
	case DB_PAGE_GATED:
		reply_public_gated(r, req_param(r, 0));
		return true;
	case DB_PAGE_LIVE:
	case DB_PAGE_NOT_GATED:
	case DB_PAGE_DISCLOSURE_CHANGED:
		break;
	}
	return false;
}
