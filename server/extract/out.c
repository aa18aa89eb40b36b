/* The child's side of the pipe: pages, a preview and an outcome, framed
 * (extract_internal.h), each limit checked before anything is sent. */
#include "extract_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

void ex_oom(void)
{
	static const char msg[] = "nextstage extract: out of memory\n";
	ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)w;
	abort();
}

int frame_write(int fd, enum frame_type type, const void *a, size_t alen, const void *b,
		size_t blen)
{
	size_t len = alen + blen;
	if (len > UINT32_MAX)
		return -1;
	unsigned char h[FRAME_HEADER] = {(unsigned char)type, (unsigned char)len,
					 (unsigned char)(len >> 8), (unsigned char)(len >> 16),
					 (unsigned char)(len >> 24)};
	if (write_all(fd, h, sizeof h) != 0 || (alen && write_all(fd, a, alen) != 0) ||
	    (blen && write_all(fd, b, blen) != 0))
		return -1;
	return 0;
}

int ex_stop(struct ex_out *o, enum extract_status s, const char *fmt, ...)
{
	if (o->stopped)
		return -1;
	o->stopped = true;
	o->status = s;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->reason, sizeof o->reason, fmt, ap);
	va_end(ap);
	return -1;
}

static void check_over(struct ex_out *o)
{
	if (o->page.over) {
		char size[32];
		ex_size_str(o->l->text_bytes, size, sizeof size);
		ex_stop(o, EXTRACT_TOO_LARGE, "It has more than %s of text.", size);
	}
}

void ex_add(struct ex_out *o, const char *s, size_t n)
{
	if (o->stopped)
		return;
	o->page.limit = o->l->text_bytes - o->text;
	ex_text_add(&o->page, s, n);
	check_over(o);
}

void ex_adds(struct ex_out *o, const char *s)
{
	if (s != NULL)
		ex_add(o, s, strlen(s));
}

void ex_ws(struct ex_out *o, enum ex_ws ws)
{
	ex_text_ws(&o->page, ws);
}

bool ex_page_blank(const struct ex_out *o)
{
	return o->page.len == 0;
}

int ex_page_end(struct ex_out *o)
{
	if (o->stopped)
		return -1;
	if (o->pages >= o->l->pages)
		return ex_stop(o, EXTRACT_TOO_LARGE, "It has more than %u pages.", o->l->pages);
	size_t len;
	char *text = ex_text_take(&o->page, &len);
	int rc = frame_write(o->fd, FRAME_PAGE, text, len, NULL, 0);
	free(text);
	if (rc != 0)
		return ex_stop(o, EXTRACT_FAILED, "The server stopped listening.");
	o->pages++;
	o->text += len;
	return 0;
}

void ex_thumb(struct ex_out *o, const char *mime, const void *data, size_t len)
{
	size_t mlen = strlen(mime);
	if (o->stopped || o->thumb || len == 0 || len > o->l->thumb_bytes || mlen > 31)
		return;
	unsigned char head[32];
	head[0] = (unsigned char)mlen;
	memcpy(head + 1, mime, mlen);
	if (frame_write(o->fd, FRAME_THUMB, head, mlen + 1, data, len) == 0)
		o->thumb = true;
}
