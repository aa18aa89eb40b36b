/* Starting the child: fork, then only async-signal-safe calls (the
 * server is multithreaded: another thread may hold malloc's lock) until
 * execve of this very binary with a minimal environment. The child
 * becomes the leader of its own process group (killed as one), dies
 * with the thread that started it, cannot gain privileges, and runs
 * under CPU, address space (not under AddressSanitizer, which reserves
 * terabytes), file size 0, core 0 and descriptor limits, holding only
 * its input, the frame pipe and a pipe for its complaints. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static char program[PATH_MAX] = "/proc/self/exe";

void extract_set_program(const char *path)
{
	snprintf(program, sizeof program, "%s", path ? path : "/proc/self/exe");
}

/* The variables the child keeps: its limits, and the sanitizers'
 * options (tests). Nothing else: no NEXTSTAGE_DATABASE_URL, no PG*. */
static const char *const passed[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"};

struct plan {
	char *argv[4];
	char arg0[16], arg1[16], mime[128];
	char *envp[8];
	char limits[256];
	struct rlimit cpu, as, zero, nofile;
	bool limit_as;
	int in, out, err, status; /* the child's ends, and its exec failure pipe */
	pid_t parent;
};

/* In the child, between fork and exec: async-signal-safe calls only. */
__attribute__((noreturn)) static void child(const struct plan *p)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != p->parent)
		_exit(127); /* the parent died before PDEATHSIG was set */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, NULL); /* the server ignores it */
	sigaction(SIGXCPU, &dfl, NULL);
	sigaction(SIGXFSZ, &dfl, NULL);
	if (dup2(p->in, 0) < 0 || dup2(p->out, 1) < 0 || dup2(p->err, 2) < 0)
		goto fail;
	int keep = p->status; /* close-on-exec: it tells the parent exec worked */
	if (keep > 3)
		close_range(3, (unsigned)keep - 1, 0);
	close_range((unsigned)keep + 1, ~0U, 0);
	if (setrlimit(RLIMIT_CPU, &p->cpu) != 0 || setrlimit(RLIMIT_FSIZE, &p->zero) != 0 ||
	    setrlimit(RLIMIT_CORE, &p->zero) != 0 || setrlimit(RLIMIT_NOFILE, &p->nofile) != 0 ||
	    (p->limit_as && setrlimit(RLIMIT_AS, &p->as) != 0))
		goto fail;
	execve(program, p->argv, p->envp);
fail:;
	int e = errno;
	ssize_t w = write(p->status, &e, sizeof e);
	(void)w;
	_exit(127);
}

/* @fd moved to a descriptor above 2 (so dup2 onto 0-2 never meets it),
 * close-on-exec. */
static int high(int fd)
{
	if (fd < 0 || fd > 2)
		return fd;
	int h = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return h;
}

int spawn_input(int fd, size_t max, size_t *size)
{
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		*size = (size_t)st.st_size;
		if (*size > max)
			return -2;
	}
	/* A memfd sealed against writing is handed over read-only as it
	 * is; anything else is copied into one (the child must not be able
	 * to write to what the caller holds). */
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals >= 0 && (seals & F_SEAL_WRITE)) {
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		return high(open(path, O_RDONLY | O_CLOEXEC));
	}
	int m = memfd_create("nextstage-extract", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (m < 0)
		return -1;
	char buf[65536];
	off_t off = 0;
	for (;;) {
		ssize_t r = pread(fd, buf, sizeof buf, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (size_t)off + (size_t)r > max) {
			close(m);
			return r < 0 ? -1 : -2;
		}
		if (r == 0)
			break;
		for (ssize_t done = 0; done < r;) {
			ssize_t w = write(m, buf + done, (size_t)(r - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				close(m);
				return -1;
			}
			done += w;
		}
		off += r;
	}
	*size = (size_t)off;
	if (fcntl(m, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0) {
		close(m);
		return -1;
	}
	return high(m);
}

int spawn_child(int in, const char *mime, const struct extract_limits *l, struct spawned *s)
{
	struct plan p = {.arg0 = "nextstage", .arg1 = "extract", .parent = getpid()};
	if (snprintf(p.mime, sizeof p.mime, "%s", mime) >= (int)sizeof p.mime) {
		errno = EINVAL;
		return -1;
	}
	p.argv[0] = p.arg0, p.argv[1] = p.arg1, p.argv[2] = p.mime, p.argv[3] = NULL;
	ex_limits_encode(l, p.limits, sizeof p.limits);
	unsigned n = 0;
	p.envp[n++] = p.limits;
	char locale[] = "LC_ALL=C.UTF-8";
	p.envp[n++] = locale;
	char opts[3][512];
	for (size_t i = 0; i < sizeof passed / sizeof passed[0]; i++) {
		const char *v = getenv(passed[i]);
		if (v != NULL &&
		    snprintf(opts[i], sizeof opts[i], "%s=%s", passed[i], v) < (int)sizeof opts[i])
			p.envp[n++] = opts[i];
	}
	p.envp[n] = NULL;
	p.cpu = (struct rlimit){l->cpu_s, l->cpu_s + 1};
	/* the memory watchdog enforces mem_bytes on the resident size; the
	 * address space limit stops what grows faster than it looks */
	p.as = (struct rlimit){2 * l->mem_bytes + (256u << 20), 2 * l->mem_bytes + (256u << 20)};
#ifndef UNDER_ASAN
	p.limit_as = true;
#endif
	p.zero = (struct rlimit){0, 0};
	p.nofile = (struct rlimit){32, 32};

	int out[2] = {-1, -1}, err[2] = {-1, -1}, st[2] = {-1, -1};
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 || pipe2(st, O_CLOEXEC) != 0)
		goto fail;
	for (int i = 0; i < 2; i++) {
		out[i] = high(out[i]);
		err[i] = high(err[i]);
		st[i] = high(st[i]);
	}
	if (out[0] < 0 || out[1] < 0 || err[0] < 0 || err[1] < 0 || st[0] < 0 || st[1] < 0)
		goto fail;
	p.in = in, p.out = out[1], p.err = err[1], p.status = st[1];
	pid_t pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0)
		child(&p);
	setpgid(pid, pid); /* as the child does: whichever runs first */
	close(out[1]);
	close(err[1]);
	close(st[1]);
	int e = 0;
	ssize_t r;
	while ((r = read(st[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close(st[0]);
	s->pid = pid;
	s->out = out[0];
	s->err = err[0];
	if (r > 0) { /* exec failed: nothing ran */
		errno = e;
		return 1;
	}
	return 0;
fail:;
	int saved = errno;
	int fds[] = {out[0], out[1], err[0], err[1], st[0], st[1]};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	errno = saved;
	return -1;
}
