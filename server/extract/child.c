/* The child: `nextstage extract MIME`, run by extract_run. It maps the
 * file on its standard input, reads it with the reader its type calls
 * for, and frames pages, a preview and an outcome on standard output. It
 * holds nothing of the server's: no database, no descriptor but these. */
#include "extract_internal.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer's built-in suppressions: fontconfig keeps its
 * configuration for the life of the process (poppler asks it for fonts
 * when it renders a preview) and frees it nowhere. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}
#endif

/* Markdown, plain text and CSV are their own text, on one page. */
static int plain(struct ex_out *o, const void *data, size_t len)
{
	ex_add(o, data, len);
	return ex_page_end(o);
}

static int no_text(struct ex_out *o, const void *data, size_t len)
{
	(void)o, (void)data, (void)len;
	return 0;
}

static int old_office(struct ex_out *o, const void *data, size_t len)
{
	(void)data, (void)len;
	return ex_stop(o, EXTRACT_EMPTY,
		       "Text is not read from the old Office formats (.doc, .xls, .ppt); saved "
		       "as .docx, .xlsx or .pptx it would be.");
}

int ex_zip_file(struct ex_out *o, const void *data, size_t len)
{
	struct ex_zip z;
	if (ex_zip_open(&z, o, data, len) != 0)
		return -1;
	int (*reader)(struct ex_out *, const void *, size_t) = NULL;
	if (ex_zip_has(&z, "mimetype") && ex_zip_has(&z, "content.xml"))
		reader = ex_odf;
	else if (ex_zip_has(&z, "word/document.xml"))
		reader = ex_docx;
	else if (ex_zip_has(&z, "ppt/presentation.xml"))
		reader = ex_pptx;
	else if (ex_zip_has(&z, "xl/workbook.xml"))
		reader = ex_xlsx;
	ex_zip_close(&z);
	return reader ? reader(o, data, len) : 0; /* an archive: no text of its own */
}

static const struct {
	const char *mime; /* a trailing '/' matches a whole family */
	int (*read)(struct ex_out *o, const void *data, size_t len);
} readers[] = {
    {"application/pdf", ex_pdf},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ex_docx},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", ex_pptx},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ex_xlsx},
    {"application/vnd.oasis.opendocument.text", ex_odf},
    {"application/vnd.oasis.opendocument.presentation", ex_odf},
    {"application/vnd.oasis.opendocument.spreadsheet", ex_odf},
    {"application/zip", ex_zip_file},
    {"application/msword", old_office},
    {"application/vnd.ms-excel", old_office},
    {"application/vnd.ms-powerpoint", old_office},
    {"text/html", ex_html},
    {"text/", plain},
    {"video/", no_text},
};

static int dispatch(struct ex_out *o, const char *mime, const void *data, size_t len)
{
	if (strncmp(mime, "image/", 6) == 0)
		return ex_image(o, mime, data, len);
	for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
		size_t n = strlen(readers[i].mime);
		bool family = readers[i].mime[n - 1] == '/';
		if (family ? strncmp(mime, readers[i].mime, n) == 0
			   : strcmp(mime, readers[i].mime) == 0)
			return readers[i].read(o, data, len);
	}
	return ex_stop(o, EXTRACT_EMPTY, "Text is not read from files of type %s.", mime);
}

/* The file, mapped (a memfd or a file) or read (a pipe); NULL with
 * @o stopped when past input_bytes. */
static void *input(struct ex_out *o, size_t *len, bool *mapped)
{
	struct stat st;
	*mapped = false;
	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (size_t)st.st_size <= o->l->input_bytes) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, STDIN_FILENO, 0);
		if (p != MAP_FAILED) {
			*mapped = true;
			*len = (size_t)st.st_size;
			return p;
		}
	}
	size_t cap = 1 << 16, n = 0;
	char *p = malloc(cap);
	for (ssize_t r = 1; p != NULL && r > 0;) {
		if (n == cap && (p = realloc(p, cap *= 2)) == NULL)
			break;
		r = pread(STDIN_FILENO, p + n, cap - n, (off_t)n);
		if (r < 0)
			r = read(STDIN_FILENO, p + n, cap - n); /* a pipe */
		n += r > 0 ? (size_t)r : 0;
		if (n > o->l->input_bytes)
			break;
	}
	if (p == NULL)
		ex_oom();
	if (n > o->l->input_bytes) {
		char size[32];
		ex_size_str(o->l->input_bytes, size, sizeof size);
		ex_stop(o, EXTRACT_TOO_LARGE, "The file is larger than %s.", size);
		free(p);
		return NULL;
	}
	*len = n;
	return p;
}

int ex_child_run(const char *mime, const struct extract_limits *l)
{
	struct ex_out o = {.l = l, .fd = STDOUT_FILENO};
	xmlInitParser();
	size_t len = 0;
	bool mapped;
	void *data = input(&o, &len, &mapped);
	if (data != NULL)
		dispatch(&o, mime, data, len);
	if (!o.stopped)
		ex_stop(&o, o.text > 0 ? EXTRACT_DONE : EXTRACT_EMPTY, "%s", "");
	unsigned char status = (unsigned char)o.status;
	int rc = frame_write(o.fd, FRAME_END, &status, 1, o.reason, strlen(o.reason));
	ex_text_free(&o.page);
	if (mapped)
		munmap(data, len);
	else
		free(data);
	xmlCleanupParser();
	return rc == 0 ? 0 : 1;
}

int extract_child_main(int argc, char **argv, extract_hook hook)
{
	bool help = argc == 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0);
	if (argc == 2)
		return ex_zygote(hook);
	if (argc != 3 || help) {
		fputs("usage: nextstage extract [MIME < FILE]\n"
		      "  Run by the server. Without MIME, the zygote: it forks a sandboxed reader\n"
		      "  per file the server sends on stdin. With MIME, reads FILE and writes the\n"
		      "  framed pages the server would get on stdout.\n",
		      help ? stdout : stderr);
		return help ? 0 : 2;
	}
	struct extract_limits l;
	extract_limits_default(&l);
	int rc = hook ? hook(argv[2]) : -1;
	return rc >= 0 ? rc : ex_child_run(argv[2], &l);
}
