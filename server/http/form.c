/* multipart/form-data bodies: the part named "file" streams into the blob
 * store as it arrives; other parts are kept as text (FORM_FIELD_LIMIT
 * each) for the handler to read with req_form(). */
#include "http_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

static int stop(struct form *f, enum err e, const char *field, const char *detail)
{
	f->err = e;
	f->err_field = field;
	snprintf(f->err_detail, sizeof f->err_detail, "%s", detail ? detail : "");
	return 1;
}

/* A writer failure as the answer the client gets. */
static int file_failed(struct form *f, enum err e)
{
	switch (e) {
	case ERR_UNSUPPORTED_MEDIA_TYPE: {
		char d[160];
		snprintf(d, sizeof d, "files of type %s are not accepted",
			 blob_writer_meta(f->file)->mime);
		return stop(f, e, "file", d);
	}
	case ERR_PAYLOAD_TOO_LARGE:
		return stop(f, e, "file", "the file is larger than NEXTSTAGE_MAX_UPLOAD_MB");
	case ERR_INVALID_FIELD:
		return stop(f, e, "file", "the file is empty");
	default:
		return stop(f, e, NULL, NULL);
	}
}

static int on_begin(void *cls, const char *name, const char *filename, const char *type)
{
	(void)type; /* the bytes decide the type, not the client */
	struct req_private *p = cls;
	struct form *f = p->form;
	if (strcmp(name, "file") == 0) {
		if (f->file_seen)
			return stop(f, ERR_INVALID_FIELD, "file", "only one file part is allowed");
		f->file_seen = true;
		f->cur = FORM_FILE;
		enum err e = blob_writer_new(p->user.id, filename,
					     (uint64_t)config.max_upload_mb << 20, &f->file);
		return e == ERR_NONE ? 0 : stop(f, e, NULL, NULL);
	}
	for (int i = 0; i < f->nfields; i++)
		if (strcmp(f->name[i], name) == 0)
			return stop(f, ERR_INVALID_FIELD, f->name[i], "this part was sent twice");
	if (f->nfields == FORM_FIELDS_MAX)
		return stop(f, ERR_INVALID_MULTIPART, NULL, "too many parts");
	if ((f->name[f->nfields] = strdup(name)) == NULL)
		return stop(f, ERR_INTERNAL, NULL, NULL);
	f->cur = f->nfields++;
	return 0;
}

static int on_data(void *cls, const char *data, size_t len)
{
	struct form *f = ((struct req_private *)cls)->form;
	if (f->cur == FORM_FILE) {
		enum err e = blob_write(f->file, data, len);
		return e == ERR_NONE ? 0 : file_failed(f, e);
	}
	int i = f->cur;
	if (len > FORM_FIELD_LIMIT - f->len[i])
		return stop(f, ERR_PAYLOAD_TOO_LARGE, f->name[i],
			    "a text part is limited to 64 KiB");
	char *v = realloc(f->value[i], f->len[i] + len + 1);
	if (v == NULL)
		return stop(f, ERR_INTERNAL, NULL, NULL);
	memcpy(v + f->len[i], data, len);
	f->len[i] += len;
	v[f->len[i]] = '\0';
	f->value[i] = v;
	return 0;
}

static int on_end(void *cls)
{
	struct form *f = ((struct req_private *)cls)->form;
	if (f->cur == FORM_FILE) {
		enum err e = blob_close(f->file);
		if (e != ERR_NONE)
			return file_failed(f, e);
	}
	f->cur = -1;
	return 0;
}

static const struct mp_callbacks callbacks = {on_begin, on_data, on_end};

bool form_start(struct req_private *p, const char *content_type)
{
	enum mp_status st;
	p->form = calloc(1, sizeof *p->form);
	if (p->form == NULL)
		return false;
	p->form->cur = -1;
	p->form->err = ERR_NONE;
	p->form->mp = mp_new(content_type, &callbacks, p, &st);
	return p->form->mp != NULL;
}

/* Answers the form's failure and lets go of the upload at once. */
static bool refuse(struct req_private *p, enum mp_status st)
{
	struct form *f = p->form;
	if (st == MP_ABORTED && f->err != ERR_NONE)
		reply_problem(p, f->err, f->err_field, f->err_detail);
	else
		reply_problem(p, ERR_INVALID_MULTIPART, NULL, mp_status_text(st));
	blob_writer_free(f->file);
	f->file = NULL;
	return false;
}

bool form_feed(struct req_private *p, const char *data, size_t len)
{
	struct form *f = p->form;
	f->read += len;
	if (f->read > p->body_limit) {
		reply_problem(p, ERR_PAYLOAD_TOO_LARGE, NULL, NULL);
		blob_writer_free(f->file);
		f->file = NULL;
		return false;
	}
	enum mp_status st = mp_feed(f->mp, data, len);
	return st == MP_OK || refuse(p, st);
}

bool form_finish(struct req_private *p)
{
	enum mp_status st = mp_finish(p->form->mp);
	return st == MP_OK || refuse(p, st);
}

void form_free(struct form *f)
{
	if (f == NULL)
		return;
	mp_free(f->mp);
	blob_writer_free(f->file);
	for (int i = 0; i < f->nfields; i++) {
		free(f->name[i]);
		free(f->value[i]);
	}
	free(f);
}

const char *req_form(const struct req *r, const char *name)
{
	const struct form *f = ((const struct req_private *)r)->form;
	for (int i = 0; f != NULL && i < f->nfields; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i] ? f->value[i] : "";
	return NULL;
}

struct blob_writer *req_file(struct req *r)
{
	struct form *f = ((struct req_private *)r)->form;
	return f != NULL ? f->file : NULL;
}
