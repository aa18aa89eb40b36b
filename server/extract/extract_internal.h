/* Inside the extractor: the frames the child sends its parent, the text
 * normaliser both sides use, and what the child's format readers share.
 * Nothing here is seen outside server/extract/. */
#ifndef NS_EXTRACT_INTERNAL_H
#define NS_EXTRACT_INTERNAL_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include "extract.h"

/* Says "out of memory" on stderr (the parent reads a child's stderr to
 * tell memory from a crash when the address space limit made an
 * allocation fail) and aborts. */
__attribute__((noreturn)) void ex_oom(void);

/* ---- frames: a type byte, a 4-byte little-endian length, the payload. */
enum frame_type {
	FRAME_PAGE = 'P',  /* a page's text (pages are numbered in order, from 1) */
	FRAME_THUMB = 'T', /* a mime length byte, the mime, the image's bytes */
	FRAME_END = 'E',   /* a status byte, then the reason (maybe empty) */
};
#define FRAME_HEADER 5

/* Writes one frame of @a then @b to @fd, going on after short writes.
 * Returns 0, or -1 when the parent is gone. */
int frame_write(int fd, enum frame_type type, const void *a, size_t alen, const void *b,
		size_t blen);

/* ---- text: valid UTF-8, no control character but \n and \t, whitespace
 * runs collapsed (to a newline if one had a line break, else a tab if it
 * was only tabs, else a space), none at the start or end. */
enum ex_ws { EX_WS_NONE, EX_WS_SPACE, EX_WS_TAB, EX_WS_NEWLINE };

struct ex_text {
	char *p; /* NUL-terminated when len > 0 */
	size_t len, cap;
	size_t limit;  /* len never passes it; past it, over is set */
	enum ex_ws ws; /* whitespace waiting for the next character */
	bool over;
};

/* Appends @n bytes of @s, normalised. Allocation failure aborts (the
 * child's memory is bounded anyway). */
void ex_text_add(struct ex_text *t, const char *s, size_t n);
/* Whitespace between what was added and what comes next. */
void ex_text_ws(struct ex_text *t, enum ex_ws ws);
/* Takes the text (the caller frees it) and empties @t, limit kept. */
char *ex_text_take(struct ex_text *t, size_t *len);
void ex_text_free(struct ex_text *t);

/* "512 MiB", "64 KiB", "100 bytes": for reasons. */
void ex_size_str(size_t bytes, char *out, size_t outlen);

/* The limits passed to the child exactly, as one string. */
void ex_limits_encode(const struct extract_limits *l, char *out, size_t outlen);
int ex_limits_decode(const char *s, struct extract_limits *l);

/* ---- the zygote (zygote.c) and the server's side of it (spawn.c). A
 * request, with ZYGOTE_FDS descriptors as SCM_RIGHTS: the file, the
 * write ends of the child's stdout and stderr pipes, the reply socket. */
#define ZYGOTE_FDS 4
struct zygote_request {
	char limits[256]; /* ex_limits_encode */
	char mime[128];
};
/* The first reply: the child's pid (-1 with error when none), with its
 * pidfd as SCM_RIGHTS. */
struct zygote_started {
	pid_t pid;
	int error;
};
/* The second, once the zygote has reaped the child. */
struct zygote_ended {
	int status; /* as from wait4 */
	struct rusage usage;
};
/* Receives one message of at most @len bytes and exactly @want
 * descriptors (close-on-exec) into @fds. Returns its length, 0 at EOF,
 * -1 on error (EBADMSG when the descriptors were not @want: none kept). */
ssize_t ex_recv_fds(int sock, void *buf, size_t len, int *fds, unsigned want);
/* Sends @len bytes with @n descriptors. Returns 0 or -1 (errno). */
int ex_send_fds(int sock, const void *buf, size_t len, const int *fds, unsigned n);
/* Whether children get an address space limit (not under ASan). */
extern const bool ex_limit_as;
/* The zygote's loop, until its socket closes. Returns the exit status. */
int ex_zygote(extract_hook hook);
/* Reads standard input as @mime under @l, frames on standard output.
 * Returns the exit status. */
int ex_child_run(const char *mime, const struct extract_limits *l);

/* ---- the child's output: what format readers add to, page by page. */
struct ex_out {
	const struct extract_limits *l;
	int fd;		     /* frames go there */
	struct ex_text page; /* the page being read */
	unsigned pages;	     /* pages sent */
	size_t text;	     /* their bytes */
	bool thumb;	     /* a thumbnail was sent */
	bool stopped;	     /* a status was set: readers stop */
	enum extract_status status;
	char reason[200];
};

/* Appends text to the current page (normalised; past the text limit it
 * stops the extraction as too_large). */
void ex_add(struct ex_out *o, const char *s, size_t n);
void ex_adds(struct ex_out *o, const char *s);
void ex_ws(struct ex_out *o, enum ex_ws ws);
/* True when the current page holds no text yet. */
bool ex_page_blank(const struct ex_out *o);
/* Sends the current page as the next one. Returns 0, or -1 once stopped
 * (past the page limit, or the parent is gone). */
int ex_page_end(struct ex_out *o);
/* Sets the outcome (the first one set wins) with a reason in printf form
 * ("" for none). Returns -1, for `return ex_stop(...)`. */
int ex_stop(struct ex_out *o, enum extract_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sends a preview unless one was sent or it is past thumb_bytes. */
void ex_thumb(struct ex_out *o, const char *mime, const void *data, size_t len);

/* A PNG of @w x @h pixels of cairo's RGB24 (xRGB in native words, rows
 * @stride bytes apart) into @out (the caller frees it). Returns 0, or -1
 * when it would pass @max bytes. */
int ex_png_xrgb(const unsigned char *px, int w, int h, int stride, size_t max, unsigned char **out,
		size_t *len);

/* ---- format readers: each returns 0 or -1 (then @o says why). */
int ex_pdf(struct ex_out *o, const void *data, size_t len);
int ex_image(struct ex_out *o, const char *mime, const void *data, size_t len);
int ex_html(struct ex_out *o, const void *data, size_t len);
int ex_docx(struct ex_out *o, const void *data, size_t len);
int ex_pptx(struct ex_out *o, const void *data, size_t len);
int ex_xlsx(struct ex_out *o, const void *data, size_t len);
int ex_odf(struct ex_out *o, const void *data, size_t len);
/* A file libmagic calls application/zip: an Office or OpenDocument file
 * it did not recognise is read as such, any other archive is empty. */
int ex_zip_file(struct ex_out *o, const void *data, size_t len);

/* ---- ZIP parts, read out of memory under unzip_bytes and unzip_ratio,
 * counted on the bytes actually inflated (declared sizes lie). */
struct ex_zip {
	void *z; /* zip_t */
	struct ex_out *o;
	size_t len;   /* the archive's size, bounding any entry's compressed size */
	size_t total; /* bytes inflated so far */
};
int ex_zip_open(struct ex_zip *z, struct ex_out *o, const void *data, size_t len);
bool ex_zip_has(struct ex_zip *z, const char *name);
/* Reads part @name into a NUL-terminated @buf (the caller frees it).
 * Returns 0, 1 when there is no such part, -1 when stopped. */
int ex_zip_read(struct ex_zip *z, const char *name, char **buf, size_t *len);
/* A preview stored in the archive (docProps/thumbnail.*, Thumbnails/...). */
void ex_zip_thumb(struct ex_zip *z);
void ex_zip_close(struct ex_zip *z);

/* ---- XML parts, streamed (xmlTextReader): no network, no DTD, no
 * entity substitution, bounded depth. */
struct ex_xml {
	void *r;   /* xmlTextReaderPtr */
	char *buf; /* the part's bytes */
	struct ex_out *o;
	const char *part;
	char err[120];
};
enum ex_node { EX_START, EX_END, EX_TEXT, EX_OTHER };
/* Opens part @part of @z. Returns 0, 1 when there is no such part, -1
 * when stopped; ex_xml_close @x in every case. */
int ex_xml_part(struct ex_xml *x, struct ex_zip *z, const char *part);
/* The same for a part the file cannot do without: 0, or -1 (@x closed)
 * when stopped, @missing the reason when there is no such part. */
int ex_xml_needed(struct ex_xml *x, struct ex_zip *z, const char *part, const char *missing);
/* The next node: 1, 0 at the end, -1 when stopped (not valid XML, a DTD,
 * too deep). */
int ex_xml_next(struct ex_xml *x);
enum ex_node ex_xml_node(const struct ex_xml *x);
/* The node's local name ("t" for <w:t>), or "". */
const char *ex_xml_name(const struct ex_xml *x);
/* A text node's value; NULL otherwise. */
const char *ex_xml_value(const struct ex_xml *x);
/* An attribute by local name, in a namespace whose URI contains @ns (any
 * when NULL); NULL when absent, else the caller frees it. */
char *ex_xml_attr(const struct ex_xml *x, const char *local, const char *ns);
bool ex_xml_empty(const struct ex_xml *x); /* <a/>: no end node follows */
/* Passes over the subtree of the element just started (its end node
 * included). Returns as ex_xml_next. */
int ex_xml_skip(struct ex_xml *x);
void ex_xml_close(struct ex_xml *x);

/* Resolves a relationship's Target against the part @from ("ppt/
 * presentation.xml" + "slides/slide1.xml" → "ppt/slides/slide1.xml").
 * Returns 0, or -1 when it climbs out of the archive or is too long. */
int ex_opc_resolve(const char *from, const char *target, char *out, size_t outlen);
/* The targets of @part's relationships (its _rels/….rels), looked up by
 * Id: fills @targets[i] for each @ids[i] (NULL when absent; the caller
 * frees them). Returns 0 or -1 when stopped. */
int ex_opc_targets(struct ex_zip *z, const char *part, char *const *ids, char **targets,
		   unsigned n);

#endif
