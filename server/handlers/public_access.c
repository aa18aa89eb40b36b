/* POST /p/{id}/access: a gated asset's form. The fields are checked
 * against a spec as JSON bodies are; a lead is then one transaction
 * (db_lead_record) that also records the download, and the
 * answer is the content itself. A refused form is shown again to a
 * browser, with what was typed and why; anything else gets problem+json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "db_public.h"
#include "handlers.h"
#include "public.h"
#include "urlform.h"

/* A refused form: a browser gets the page again, with the values sent and
 * @sentence above the form; anything else problem+json (@e, @field,
 * @detail). */
static void refuse_form(struct req *r, const json_t *form, enum err e, const char *field,
			const char *detail, const char *sentence)
{
	if (!public_wants_html(r)) {
		reply_public_error(r, e, field, detail);
		return;
	}
	enum db_page_state state;
	json_t *page;
	enum db_status s = db_public_page(req_param(r, 0), &state, &page);
	if (s != DB_OK)
		reply_public_db(r, s);
	else if (!reply_public_state(r, state)) {
		struct public_form f = {json_string_value(json_object_get(form, "name")),
					json_string_value(json_object_get(form, "email")),
					json_string_value(json_object_get(form, "company")),
					sentence};
		reply_public_page(r, err_status(e), page, &f);
	}
	json_decref(page);
}

/* Leading and trailing blanks off every value; empty values left out (a
 * browser sends the fields left empty). */
static void tidy(json_t *form)
{
	const char *key;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(form, tmp, key, v)
	{
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);
		while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL)
			len--;
		size_t lead = strspn(s, " \t\r\n");
		if (lead >= len)
			json_object_del(form, key);
		else if (lead > 0 || len < json_string_length(v))
			json_object_set_new(form, key, json_stringn(s + lead, len - lead));
	}
}

static bool has_control(const char *s)
{
	for (; s != NULL && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* What a browser's visitor is told about each field. */
static const char *sentence_for(const char *field)
{
	static const char *const said[][2] = {
	    {"name", "Please give your name (up to 200 characters)."},
	    {"email", "Please give an email address such as name@example.com."},
	    {"company", "The company name is up to 200 characters."},
	    {"consent", "Please choose yes or no: may we follow up with you?"},
	};
	for (size_t i = 0; field != NULL && i < sizeof said / sizeof said[0]; i++)
		if (strcmp(field, said[i][0]) == 0)
			return said[i][1];
	return "The form could not be read. Please fill it in again.";
}

/* Checks the form; false when refused (answered). */
static bool form_ok(struct req *r, json_t *form)
{
	static const char *const yes_no[] = {"yes", "no", NULL};
	const char *name = NULL, *email = NULL, *company = NULL, *consent = NULL, *sha = NULL;
	struct js_field spec[] = {
	    JS_STR("name", &name, JS_REQUIRED, 1, 200),
	    JS_STR("email", &email, JS_REQUIRED, 3, EMAIL_MAX),
	    JS_STR("company", &company, 0, 1, 200),
	    JS_ONE_OF("consent", &consent, JS_REQUIRED, yes_no),
	    JS_STR("disclosure_sha256", &sha, 0, 64, 64),
	};
	struct js_error e;
	char detail[200];
	tidy(form);
	if (!js_parse(form, spec, sizeof spec / sizeof spec[0], &e)) {
		snprintf(detail, sizeof detail, "%s %s", e.field ? e.field : "", e.detail);
		refuse_form(r, form, e.code, e.field, detail, sentence_for(e.field));
		return false;
	}
	const char *bad = !email_valid(email)	 ? "email"
			  : has_control(name)	 ? "name"
			  : has_control(company) ? "company"
						 : NULL;
	if (bad != NULL) {
		snprintf(detail, sizeof detail, "%s is not valid", bad);
		refuse_form(r, form, ERR_INVALID_FIELD, bad, detail, sentence_for(bad));
		return false;
	}
	return true;
}

static bool form_encoded(const char *type)
{
	size_t n = type ? strcspn(type, "; \t") : 0;
	return n == 33 && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
}

/* Records the lead of @form and answers with the content. */
static void record(struct req *r, const json_t *form)
{
	struct visitor v;
	req_visitor(r, &v);
	char *lead = json_dumps(form, JSON_COMPACT);
	enum db_page_state state;
	struct db_target t = {0};
	enum db_status s = lead ? db_lead_record(req_param(r, 0), lead, &v, &state, &t) : DB_ERROR;
	free(lead);
	if (s != DB_OK)
		reply_public_db(r, s);
	else if (reply_public_state(r, state))
		;
	else if (state == DB_PAGE_NOT_GATED)
		reply_public_error(r, ERR_NOT_FOUND, NULL,
				   "this asset has no form: its page links to it");
	else if (state == DB_PAGE_DISCLOSURE_CHANGED)
		refuse_form(r, form, ERR_CONFLICT, "disclosure_sha256",
			    "the disclosure changed since the form was shown",
			    "What happens after you download has changed since you opened this "
			    "page. Please read it again and choose.");
	else if (t.url != NULL && public_wants_html(r))
		/* CSP form-action would stop a browser following a redirect
		 * to another site: a page links there instead. */
		reply_public_link(r, t.url);
	else
		public_serve(r, &t, 303);
	db_target_clear(&t);
}

void h_public_access(struct req *r)
{
	if (!public_admitted(r))
		return;
	if (!uuid_valid(req_param(r, 0))) {
		reply_public_error(r, ERR_NOT_FOUND, NULL, "there is no public page here");
		return;
	}
	if (!form_encoded(req_header(r, "Content-Type"))) {
		reply_public_error(r, ERR_UNSUPPORTED_MEDIA_TYPE, NULL,
				   "send the form as application/x-www-form-urlencoded");
		return;
	}
	size_t len;
	const char *body = req_body(r, &len);
	struct urlform_error ue;
	json_t *form = urlform_parse(body, len, &ue);
	if (form == NULL)
		refuse_form(r, NULL, ue.code, *ue.field ? ue.field : NULL, ue.detail,
			    sentence_for(*ue.field ? ue.field : NULL));
	else if (form_ok(r, form))
		record(r, form);
	json_decref(form);
}
