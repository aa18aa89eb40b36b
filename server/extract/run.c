/* extract_run: the parent's side. It reads the child's frames with poll()
 * and a deadline, checks every limit on what arrives (the child is not
 * trusted: its text is normalised again, its lengths capped), watches
 * its resident memory, kills its process group when it goes past one,
 * always reaps it, and turns however it ended into a status and a
 * sentence. */
#include "extract.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "extract_internal.h"
#include "log.h"
#include "spawn.h"

#define TICK_MS	       10   /* how often memory is looked at */
#define ERR_KEEP       1024 /* bytes of the child's stderr kept for the log */
#define THUMB_HEAD     32   /* a preview frame's mime, before its bytes */
#define MAX_REASON     199
#define ZYGOTE_REAP_MS 5000 /* the zygote reaps at once: past this it is gone */

/* Why the parent stopped the child, if it did. */
enum verdict { V_NONE, V_WALL, V_MEMORY, V_TEXT, V_PAGES, V_GARBAGE };

struct reader {
	const struct extract_limits *l;
	struct extract_result *r;
	unsigned char *buf; /* frames not yet complete */
	size_t len, cap;
	size_t skip; /* bytes of an oversized preview still to drop */
	size_t text; /* text bytes received */
	unsigned pages_cap;
	bool ended; /* the end frame came */
	enum verdict v;
	char err[ERR_KEEP + 1];
	size_t err_len;
};

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void add_page(struct reader *rd, const unsigned char *p, size_t n)
{
	struct extract_result *r = rd->r;
	if (r->npages == rd->pages_cap) {
		rd->pages_cap = rd->pages_cap ? rd->pages_cap * 2 : 16;
		r->pages = realloc(r->pages, rd->pages_cap * sizeof *r->pages);
		if (r->pages == NULL)
			ex_oom();
	}
	struct ex_text t = {.limit = n + 1};
	ex_text_add(&t, (const char *)p, n);
	struct extract_page *pg = &r->pages[r->npages];
	pg->text = ex_text_take(&t, &pg->len);
	pg->number = ++r->npages;
}

static void add_thumb(struct reader *rd, const unsigned char *p, size_t n)
{
	size_t mlen = n > 0 ? p[0] : 0;
	if (n < 1 + mlen || mlen >= sizeof rd->r->thumb_mime || rd->r->thumb != NULL)
		return;
	char mime[32];
	memcpy(mime, p + 1, mlen);
	mime[mlen] = '\0';
	if (strcmp(mime, "image/png") != 0 && strcmp(mime, "image/jpeg") != 0)
		return;
	size_t len = n - 1 - mlen;
	if (len == 0 || len > rd->l->thumb_bytes)
		return;
	rd->r->thumb = malloc(len);
	if (rd->r->thumb == NULL)
		ex_oom();
	memcpy(rd->r->thumb, p + 1 + mlen, len);
	rd->r->thumb_len = len;
	snprintf(rd->r->thumb_mime, sizeof rd->r->thumb_mime, "%s", mime);
}

static void add_end(struct reader *rd, const unsigned char *p, size_t n)
{
	if (n < 1 || p[0] > EXTRACT_FAILED) {
		rd->v = V_GARBAGE;
		return;
	}
	rd->r->status = (enum extract_status)p[0];
	struct ex_text t = {.limit = MAX_REASON};
	ex_text_add(&t, (const char *)p + 1, n - 1);
	size_t len;
	char *s = ex_text_take(&t, &len);
	snprintf(rd->r->reason, sizeof rd->r->reason, "%s", s);
	free(s);
	rd->ended = true;
}

/* Takes every complete frame out of the buffer; sets rd->v on a breach. */
static void parse(struct reader *rd)
{
	size_t at = 0;
	while (rd->v == V_NONE) {
		size_t left = rd->len - at;
		if (rd->skip > 0) {
			size_t n = left < rd->skip ? left : rd->skip;
			rd->skip -= n;
			at += n;
			if (rd->skip > 0)
				break;
			continue;
		}
		if (left < FRAME_HEADER)
			break;
		const unsigned char *h = rd->buf + at;
		size_t n =
		    (size_t)h[1] | (size_t)h[2] << 8 | (size_t)h[3] << 16 | (size_t)h[4] << 24;
		if (rd->ended) {
			rd->v = V_GARBAGE; /* nothing comes after the end */
		} else if (h[0] == FRAME_PAGE) {
			if (rd->r->npages >= rd->l->pages)
				rd->v = V_PAGES;
			else if (n > rd->l->text_bytes - rd->text)
				rd->v = V_TEXT;
		} else if (h[0] == FRAME_THUMB) {
			if (n > rd->l->thumb_bytes + THUMB_HEAD) { /* dropped, not read */
				rd->skip = n;
				at += FRAME_HEADER;
				continue;
			}
		} else if (h[0] != FRAME_END || n > 1 + 4 * MAX_REASON) {
			rd->v = V_GARBAGE;
		}
		if (rd->v != V_NONE || left < FRAME_HEADER + n)
			break;
		const unsigned char *p = h + FRAME_HEADER;
		if (h[0] == FRAME_PAGE) {
			add_page(rd, p, n);
			rd->text += n;
		} else if (h[0] == FRAME_THUMB) {
			add_thumb(rd, p, n);
		} else {
			add_end(rd, p, n);
		}
		at += FRAME_HEADER + n;
	}
	memmove(rd->buf, rd->buf + at, rd->len - at);
	rd->len -= at;
}

/* Reads what is waiting on @fd. Returns 1 when more may come, 0 at EOF. */
static int drain_out(struct reader *rd, int fd)
{
	if (rd->cap - rd->len < 65536) {
		rd->cap = rd->cap ? rd->cap * 2 : 131072;
		rd->buf = realloc(rd->buf, rd->cap);
		if (rd->buf == NULL)
			ex_oom();
	}
	ssize_t n = read(fd, rd->buf + rd->len, rd->cap - rd->len);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (n == 0)
		return 0;
	rd->len += (size_t)n;
	parse(rd);
	return 1;
}

static int drain_err(struct reader *rd, int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	size_t keep = ERR_KEEP - rd->err_len;
	if ((size_t)n < keep)
		keep = (size_t)n;
	memcpy(rd->err + rd->err_len, buf, keep);
	rd->err_len += keep;
	rd->err[rd->err_len] = '\0';
	return n > 0;
}

/* The child's resident memory in bytes, 0 when it cannot be read. */
static size_t resident(pid_t pid)
{
	char path[64], buf[128];
	snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return 0;
	unsigned long size, rss = 0;
	if (fgets(buf, sizeof buf, f) == NULL || sscanf(buf, "%lu %lu", &size, &rss) != 2)
		rss = 0;
	fclose(f);
	return (size_t)rss * (size_t)sysconf(_SC_PAGESIZE);
}

/* The zygote's word on the child once it has exited: its wait status and
 * resource usage. Without it (the zygote died too), a status made up from
 * what was seen. */
static void ended(struct reader *rd, const struct spawned *s, int *wstatus, struct rusage *ru)
{
	struct zygote_ended e;
	struct pollfd pf = {.fd = s->reply, .events = POLLIN};
	if (poll(&pf, 1, ZYGOTE_REAP_MS) == 1 &&
	    read(s->reply, &e, sizeof e) == (ssize_t)sizeof e) {
		*wstatus = e.status;
		*ru = e.usage;
		return;
	}
	*wstatus = rd->ended ? 0 : SIGKILL; /* "exited 0" or "killed by signal 9" */
	memset(ru, 0, sizeof *ru);
}

/* Watches the child until it has exited: its pipes and its pidfd, so
 * that nothing waits for a tick once it is done. Sets rd->v when it was
 * stopped. */
static void watch(struct reader *rd, const struct spawned *s, int *wstatus, struct rusage *ru)
{
	long long deadline = now_ms() + rd->l->wall_ms;
	struct pollfd fds[3] = {{.fd = s->out, .events = POLLIN},
				{.fd = s->err, .events = POLLIN},
				{.fd = s->pidfd, .events = POLLIN}};
	bool killed = false;
	long long looked = 0;
	for (;;) {
		long long t = now_ms(), left = deadline - t;
		if (!killed && rd->v == V_NONE && left <= 0)
			rd->v = V_WALL;
		if (!killed && rd->v == V_NONE && t - looked >= TICK_MS) {
			looked = t;
			if (resident(s->pid) > rd->l->mem_bytes)
				rd->v = V_MEMORY;
		}
		if (!killed && rd->v != V_NONE) {
			/* it has not exited (its pidfd said so): its group's id is its own */
			kill(-s->pid, SIGKILL);
			pidfd_send_signal(s->pidfd, SIGKILL, NULL, 0);
			killed = true;
		}
		int timeout = left < TICK_MS ? (left > 0 ? (int)left : 1) : TICK_MS;
		if (poll(fds, 3, timeout) <= 0)
			continue;
		if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && !drain_out(rd, s->out))
			fds[0].fd = -1; /* EOF: the child's exit is next */
		if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && !drain_err(rd, s->err))
			fds[1].fd = -1;
		if (fds[2].revents & POLLIN)
			break; /* it exited */
	}
	/* what it wrote before it exited */
	while (!killed && rd->v == V_NONE && fds[0].fd >= 0 && poll(fds, 1, 0) > 0 &&
	       drain_out(rd, s->out))
		;
	ended(rd, s, wstatus, ru);
}

/* What the libraries say when an allocation failed, before they abort:
 * poppler (C++), GLib, ours (ex_oom). */
static bool out_of_memory(const char *err)
{
	return strstr(err, "bad_alloc") != NULL || strstr(err, "failed to allocate") != NULL ||
	       strstr(err, "out of memory") != NULL;
}

static void conclude(struct reader *rd, int ws, const struct rusage *ru)
{
	struct extract_result *r = rd->r;
	const struct extract_limits *l = rd->l;
	char size[32];
	double cpu = (double)ru->ru_utime.tv_sec + (double)ru->ru_stime.tv_sec +
		     (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
	bool signalled = WIFSIGNALED(ws);
	int sig = signalled ? WTERMSIG(ws) : 0;
	size_t peak = (size_t)ru->ru_maxrss * 1024;
	enum extract_status s = EXTRACT_FAILED;
	char why[200] = "";
	bool abnormal = signalled || WEXITSTATUS(ws) != 0;
	if (rd->v == V_MEMORY) {
		s = EXTRACT_TOO_LARGE;
	} else if (rd->v == V_WALL) {
		snprintf(why, sizeof why, "Reading it was stopped after %u s.", l->wall_ms / 1000u);
		if (l->wall_ms < 1000)
			snprintf(why, sizeof why, "Reading it was stopped after %u ms.",
				 l->wall_ms);
	} else if (rd->v == V_TEXT) {
		s = EXTRACT_TOO_LARGE;
		ex_size_str(l->text_bytes, size, sizeof size);
		snprintf(why, sizeof why, "It has more than %s of text.", size);
	} else if (rd->v == V_PAGES) {
		s = EXTRACT_TOO_LARGE;
		snprintf(why, sizeof why, "It has more than %u pages.", l->pages);
	} else if (rd->v == V_GARBAGE) {
		snprintf(why, sizeof why, "The extractor answered garbage.");
	} else if (sig == SIGXCPU || (sig == SIGKILL && cpu >= l->cpu_s)) {
		snprintf(why, sizeof why, "Reading it used more than %u s of CPU.", l->cpu_s);
	} else if (abnormal && (peak >= l->mem_bytes / 4 * 3 || out_of_memory(rd->err))) {
		/* the address space limit: an allocation failed, the child died */
		s = EXTRACT_TOO_LARGE;
	} else if (signalled) {
		snprintf(why, sizeof why, "The extractor crashed (signal %d).", sig);
	} else if (WEXITSTATUS(ws) != 0) {
		snprintf(why, sizeof why, "The extractor failed (exit status %d).",
			 WEXITSTATUS(ws));
	} else if (!rd->ended) {
		snprintf(why, sizeof why, "The extractor stopped without an answer.");
	} else {
		return; /* the child's own word, in r already */
	}
	if (s == EXTRACT_TOO_LARGE && why[0] == '\0') {
		ex_size_str(l->mem_bytes, size, sizeof size);
		snprintf(why, sizeof why, "It needed more than %s of memory to read.", size);
	}
	r->status = s;
	snprintf(r->reason, sizeof r->reason, "%s", why);
	if (s == EXTRACT_FAILED) /* the file's fault or the reader's: the log tells */
		log_msg("warn", "extract: %s%s%.*s", why, rd->err_len ? " stderr: " : "",
			(int)rd->err_len, rd->err);
}

int extract_run(int fd, const char *mime, const struct extract_limits *l,
		struct extract_result *out)
{
	memset(out, 0, sizeof *out);
	size_t size = 0;
	int in = spawn_input(fd, l->input_bytes, &size);
	if (in == -2) {
		char lim[32];
		ex_size_str(l->input_bytes, lim, sizeof lim);
		out->status = EXTRACT_TOO_LARGE;
		snprintf(out->reason, sizeof out->reason, "The file is larger than %s.", lim);
		return 0;
	}
	if (in < 0)
		return -1;
	struct spawned s;
	int rc = spawn_child(in, mime, l, &s);
	int spawn_errno = errno;
	close(in);
	if (rc != 0) {
		log_msg("error", "extract: cannot start a reader: %s", strerror(spawn_errno));
		return -1;
	}
	struct reader rd = {.l = l, .r = out};
	int ws = 0;
	struct rusage ru;
	watch(&rd, &s, &ws, &ru);
	close(s.out);
	close(s.err);
	close(s.pidfd);
	close(s.reply);
	free(rd.buf);
	conclude(&rd, ws, &ru);
	if (out->status != EXTRACT_DONE && out->status != EXTRACT_EMPTY) {
		enum extract_status st = out->status;
		char reason[sizeof out->reason];
		memcpy(reason, out->reason, sizeof reason);
		extract_result_clear(out); /* neither pages nor preview of a failure */
		out->status = st;
		memcpy(out->reason, reason, sizeof reason);
	}
	return 0;
}
