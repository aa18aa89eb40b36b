/* application/x-www-form-urlencoded bodies (include/urlform.h), as the
 * public access form (POST /p/{token}) posts them, then checked against
 * that form's spec (include/json_spec.h) as its handler does.
 *
 * Checked: a decoded form is an object of strings, one per name, never
 * more than the body has pairs; encoded again (every byte but letters and
 * digits as %XX, spaces as '+') it decodes to the same object; a refusal
 * is one of the errors the header lists, with a reason. (A name may be
 * empty, "=x" being a pair as the URL standard reads it, so an
 * ERR_INVALID_FIELD may name the field "".) */
#include <string.h>
#include "fuzz.h"
#include "json_spec.h"
#include "model.h"
#include "urlform.h"

/* @obj as a form body, malloc'd (*@len bytes). */
static char *encode(json_t *obj, size_t *len)
{
	size_t cap = 1;
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) cap += 3 * (strlen(key) + json_string_length(v)) + 2;
	char *out = malloc(cap), *o = out;
	if (out == NULL)
		return NULL;
	static const char hexd[] = "0123456789ABCDEF";
	json_object_foreach(obj, key, v)
	{
		if (o != out)
			*o++ = '&';
		for (int part = 0; part < 2; part++) {
			const char *s = part ? json_string_value(v) : key;
			size_t n = part ? json_string_length(v) : strlen(key);
			if (part)
				*o++ = '=';
			for (size_t i = 0; i < n; i++) {
				unsigned char c = (unsigned char)s[i];
				if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				    (c >= '0' && c <= '9')) {
					*o++ = (char)c;
				} else if (c == ' ') {
					*o++ = '+';
				} else {
					*o++ = '%';
					*o++ = hexd[c >> 4];
					*o++ = hexd[c & 15];
				}
			}
		}
	}
	*len = (size_t)(o - out);
	return out;
}

/* The public access form's fields (server/handlers/public_access.c). */
static void access_form(const json_t *form)
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
	if (js_parse(form, spec, sizeof spec / sizeof spec[0], &e)) {
		FUZZ_CHECK(name && email && consent && utf8_valid(name) && utf8_valid(email));
		FUZZ_CHECK(strlen(name) >= 1 && strlen(name) <= 200);
		FUZZ_CHECK(strcmp(consent, "yes") == 0 || strcmp(consent, "no") == 0);
		FUZZ_CHECK(sha == NULL || strlen(sha) == 64);
		email_valid(email);
	} else {
		FUZZ_CHECK(e.field != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = malloc(size ? size : 1);
	if (body == NULL)
		return 0;
	memcpy(body, data, size);
	struct urlform_error e;
	json_t *form = urlform_parse(body, size, &e);
	if (form == NULL) {
		FUZZ_CHECK(e.code == ERR_BAD_REQUEST || e.code == ERR_INVALID_FIELD ||
			   e.code == ERR_INTERNAL);
		FUZZ_CHECK(e.detail[0] != '\0' && strlen(e.detail) < sizeof e.detail);
		free(body);
		return 0;
	}
	FUZZ_CHECK(json_is_object(form));
	size_t pairs = 0;
	for (size_t i = 0; i < size; i++)
		pairs += (i == 0 || body[i - 1] == '&') && body[i] != '&';
	FUZZ_CHECK(json_object_size(form) <= pairs);
	const char *key;
	json_t *v;
	json_object_foreach(form, key, v)
	{
		FUZZ_CHECK(json_is_string(v) && utf8_valid(key));
		FUZZ_CHECK(strlen(json_string_value(v)) == json_string_length(v));
	}
	size_t len = 0;
	char *again = encode(form, &len);
	if (again != NULL) {
		json_t *back = urlform_parse(again, len, &e);
		FUZZ_CHECK(back != NULL && json_equal(back, form));
		json_decref(back);
		free(again);
	}
	access_form(form);
	json_decref(form);
	free(body);
	return 0;
}
