/* A streaming multipart/form-data parser (RFC 7578, RFC 2046): bytes go in
 * as they arrive, in pieces of any size; parts come out through callbacks,
 * their bodies piece by piece, so a file part is never held in memory.
 * Pure C, no I/O: the HTTP layer feeds it. */
#ifndef NS_MULTIPART_H
#define NS_MULTIPART_H
#include <stdbool.h>
#include <stddef.h>

#define MP_BOUNDARY_MIN 8    /* shorter boundaries are refused (see README) */
#define MP_BOUNDARY_MAX 70   /* RFC 2046 */
#define MP_HEADERS_MAX	8192 /* bytes of one part's header block */
#define MP_NAME_MAX	200  /* bytes of a part's name */
#define MP_FILENAME_MAX 1024 /* bytes of a part's raw filename */
#define MP_TYPE_MAX	200  /* bytes of a part's Content-Type */
#define MP_PARTS_MAX	16

/* What a callback returns: 0 to go on; anything else stops the parser,
 * and mp_feed/mp_finish return MP_ABORTED (the caller knows why). */
struct mp_callbacks {
	/* A part begins. @name is the form field name (never NULL, may be
	 * empty), @filename the raw filename parameter or NULL when absent,
	 * @content_type the part's Content-Type or NULL. All three are
	 * NUL-terminated and valid only during the call. */
	int (*part_begin)(void *cls, const char *name, const char *filename,
			  const char *content_type);
	/* Body bytes of the current part (@len > 0). */
	int (*part_data)(void *cls, const char *data, size_t len);
	/* The current part ended (its closing boundary was seen). */
	int (*part_end)(void *cls);
};

enum mp_status {
	MP_OK = 0,
	MP_BAD_CONTENT_TYPE, /* not multipart/form-data, or no usable boundary */
	MP_MALFORMED,	     /* the body does not follow the format */
	MP_TOO_LARGE,	     /* a header block, name or part count past its limit */
	MP_ABORTED,	     /* a callback returned non-zero */
	MP_NOMEM,
};

struct mp_parser;

/* A parser for a body with Content-Type header value @content_type (e.g.
 * "multipart/form-data; boundary=xyz", boundary possibly quoted; the type
 * is case-insensitive). Returns NULL with *@st = MP_BAD_CONTENT_TYPE when
 * the header is not multipart/form-data or its boundary is missing,
 * shorter than MP_BOUNDARY_MIN or longer than MP_BOUNDARY_MAX, or with
 * MP_NOMEM. @cb and @cls are kept; @cb must outlive the parser. */
struct mp_parser *mp_new(const char *content_type, const struct mp_callbacks *cb, void *cls,
			 enum mp_status *st);

/* Parses the next @len bytes of the body. Once it returns anything but
 * MP_OK, the parser is dead: every later call returns the same status.
 * Text before the first boundary (the preamble) and after the closing
 * boundary (the epilogue) is ignored. */
enum mp_status mp_feed(struct mp_parser *p, const char *data, size_t len);

/* The body has ended: MP_OK only if the closing boundary ("--B--") was
 * seen and at least one part came before it; MP_MALFORMED otherwise
 * (e.g. an unterminated last part, an empty body). */
enum mp_status mp_finish(struct mp_parser *p);

/* A short English description of @st, for error details. */
const char *mp_status_text(enum mp_status st);

/* Frees the parser; NULL is fine. */
void mp_free(struct mp_parser *p);

#endif
