/* Text and a preview out of a stored file, in a child process that can't
 * hurt the server: the file is handed over as its standard input (a
 * sealed memfd), the child (forked for that one file by a zygote, this
 * binary exec'd again as `nextstage extract`) runs under CPU, memory,
 * output and time limits, with no database connection and no descriptor
 * but its pipes back, and whatever it does (crash, hang, garbage, a
 * flood) ends in a status here. */
#ifndef NS_EXTRACT_H
#define NS_EXTRACT_H
#include <stdbool.h>
#include <stddef.h>

/* A blob's text_status once extracted ("pending" is the queue's). */
enum extract_status {
	EXTRACT_DONE,	   /* text found */
	EXTRACT_EMPTY,	   /* a valid file with no text (an image, a video, a scan) */
	EXTRACT_ENCRYPTED, /* password-protected: nothing can be read */
	EXTRACT_TOO_LARGE, /* past a limit: file, pages, text or unzipped bytes */
	EXTRACT_FAILED,	   /* broken, hostile, crashed or hung: reason says which */
};

/* The names of the statuses as stored and answered: "done", "empty"... */
const char *extract_status_name(enum extract_status s);

struct extract_limits {
	unsigned cpu_s;		 /* CPU seconds of the child */
	unsigned wall_ms;	 /* killed after this long */
	size_t mem_bytes;	 /* the child's memory */
	size_t input_bytes;	 /* larger files are too_large without a child */
	size_t text_bytes;	 /* text in all; past it, too_large */
	unsigned pages;		 /* pages, slides or sheets; past it, too_large */
	size_t unzip_bytes;	 /* bytes read out of an Office or OpenDocument ZIP */
	unsigned unzip_ratio;	 /* an entry inflating more than this many times */
	size_t thumb_bytes;	 /* a preview larger than this is dropped */
	unsigned thumb_width_px; /* previews are scaled to this width */
};

/* The defaults (documented in the README), then NEXTSTAGE_EXTRACT_*
 * overrides from the environment (a value out of range is logged and the
 * default stays). */
void extract_limits_default(struct extract_limits *l);

struct extract_page {
	unsigned number; /* 1, 2, ...: page, slide or sheet */
	char *text;	 /* UTF-8, NUL-terminated, no control characters but \n and \t */
	size_t len;
};

struct extract_result {
	enum extract_status status;
	/* a sentence for a user: why, when not done; why there is no text
	 * when it is known (empty: "Text is not read from ..."); else "" */
	char reason[200];
	struct extract_page *pages;
	unsigned npages;
	/* a preview, NULL if none: a PDF's page 1 or an image scaled to
	 * thumb_width_px, or the one an Office or OpenDocument file stores */
	unsigned char *thumb;
	size_t thumb_len;
	char thumb_mime[32]; /* "image/png" or "image/jpeg" */
};

/* Extracts the file open at @fd (read from its start; the caller keeps
 * it, and its offset does not move) of type @mime (libmagic's, as
 * stored) under @l into @out, in a process of its own forked for it by
 * the zygote (started on first use and again when it died: an exec of
 * this binary, sandboxed, holding nothing of the server's). A memfd sealed with F_SEAL_WRITE is
 * handed to the child as it is; any other descriptor is first copied into one. Returns 0 with every
 * outcome of the file in @out->status (pages and a preview only when done or empty: every page in
 * order, blank ones with
 * "" as their text), or -1 when no child could be run at all (memfd,
 * pipe, fork, exec: worth a retry later; logged). Thread-safe; blocks
 * for at most about wall_ms. */
int extract_run(int fd, const char *mime, const struct extract_limits *l,
		struct extract_result *out);

/* Which program extract_run starts as `PROGRAM extract`: by default this
 * very binary (/proc/self/exe); NULL restores that. The zygote running,
 * if any, is stopped. For tests, whose binary can play a child that
 * misbehaves. Not thread-safe: call it while no extract_run runs. */
void extract_set_program(const char *path);

/* Stops the zygote, if one runs (at exit, or to see its children's CPU
 * time counted); the next extract_run starts another. Thread-safe; any
 * extract_run in flight ends as failed. */
void extract_stop(void);

/* Frees what a result holds and zeroes it. */
void extract_result_clear(struct extract_result *r);

/* A reader for types a test invents: returns an exit status for a type
 * it plays, -1 for any other. */
typedef int (*extract_hook)(const char *mime);

/* The child side, `nextstage extract [MIME]`. Without MIME: the zygote
 * extract_run starts once, whose standard input is the server's socket
 * and which forks a child per file (no file is read before that fork).
 * With MIME: reads the file on standard input and frames the result on
 * standard output (by hand, to see what the server would get). @hook is
 * NULL but in tests. Returns the exit status. */
int extract_child_main(int argc, char **argv, extract_hook hook);

#endif
