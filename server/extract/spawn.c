/* Starting children, the server's side. extract_run asks the zygote
 * (zygote.c) for a child per file; the zygote itself is started here,
 * once and again whenever it died, by fork and then only
 * async-signal-safe calls (the server is multithreaded: another thread
 * may hold malloc's lock) until execve of this very binary with a
 * minimal environment. The zygote leads its own process group, ends when
 * the server's end of its socket closes, cannot gain privileges, may not
 * dump core,
 * and holds only its socket to the server (stdin), /dev/null (stdout)
 * and the server's stderr; its children get the file size, descriptor,
 * CPU and address space limits (the last not under AddressSanitizer,
 * which reserves terabytes). */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "log.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifdef UNDER_ASAN
const bool ex_limit_as = false;
#else
const bool ex_limit_as = true;
#endif

/* The zygote's answer to a request comes at once: past this, it is hung. */
#define ZYGOTE_MS 5000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char program[PATH_MAX] = "/proc/self/exe";
static pid_t zygote = -1; /* under lock, with its socket */
static int zsock = -1;

/* The variables the zygote keeps: the sanitizers' options (tests), the
 * locale. Nothing else: no NEXTSTAGE_DATABASE_URL, no PG*. */
static const char *const passed[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"};

struct plan {
	char *argv[3];
	char arg0[16], arg1[16];
	char *envp[8];
	struct rlimit zero;
	int in, out, status; /* its socket, /dev/null, its exec failure pipe */
};

/* In the zygote, between fork and exec: async-signal-safe calls only.
 * No PR_SET_PDEATHSIG: it would fire when the thread that started the
 * zygote ends, not the server; the zygote ends at its socket's EOF,
 * which the server's death brings too. */
__attribute__((noreturn)) static void exec_zygote(const struct plan *p)
{
	setpgid(0, 0);
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
	if (dup2(p->in, 0) < 0 || dup2(p->out, 1) < 0)
		goto fail;
	int keep = p->status; /* close-on-exec: it tells the parent exec worked */
	if (keep > 3)
		close_range(3, (unsigned)keep - 1, 0);
	close_range((unsigned)keep + 1, ~0U, 0);
	if (setrlimit(RLIMIT_CORE, &p->zero) != 0)
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

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* Under lock. */
static void zygote_stop(void)
{
	if (zsock >= 0)
		close(zsock); /* it exits at EOF (its children die with it)... */
	if (zygote > 0) {
		struct timespec brief = {0, 50 * 1000 * 1000};
		if (waitpid(zygote, NULL, WNOHANG) == 0 && nanosleep(&brief, NULL) == 0 &&
		    waitpid(zygote, NULL, WNOHANG) != 0) {
			zygote = -1, zsock = -1;
			return;
		}
		kill(zygote, SIGKILL); /* ...or now */
		while (waitpid(zygote, NULL, 0) < 0 && errno == EINTR)
			;
	}
	zsock = -1;
	zygote = -1;
}

/* Under lock. Returns 0, or -1 (errno). */
static int zygote_start(void)
{
	struct plan p = {.arg0 = "nextstage", .arg1 = "extract"};
	p.argv[0] = p.arg0, p.argv[1] = p.arg1, p.argv[2] = NULL;
	unsigned n = 0;
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
	p.zero = (struct rlimit){0, 0};
	int fds[5] = {-1, -1, -1, -1, -1}; /* socket pair, /dev/null, status pipe */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0 ||
	    (fds[2] = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0 ||
	    pipe2(fds + 3, O_CLOEXEC) != 0)
		goto fail;
	for (int i = 0; i < 5; i++)
		if ((fds[i] = high(fds[i])) < 0)
			goto fail;
	p.in = fds[1], p.out = fds[2], p.status = fds[4];
	pid_t pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0)
		exec_zygote(&p);
	setpgid(pid, pid); /* as the zygote does: whichever runs first */
	close_all(fds + 1, 2);
	close_all(fds + 4, 1);
	int e = 0;
	ssize_t r;
	while ((r = read(fds[3], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close_all(fds + 3, 1);
	if (r > 0) { /* exec failed */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		close_all(fds, 1);
		errno = e;
		return -1;
	}
	zygote = pid;
	zsock = fds[0];
	return 0;
fail:;
	int saved = errno;
	close_all(fds, 5);
	errno = saved;
	return -1;
}

void extract_stop(void)
{
	pthread_mutex_lock(&lock);
	zygote_stop();
	pthread_mutex_unlock(&lock);
}

void extract_set_program(const char *path)
{
	pthread_mutex_lock(&lock);
	zygote_stop();
	snprintf(program, sizeof program, "%s", path ? path : "/proc/self/exe");
	pthread_mutex_unlock(&lock);
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
	struct zygote_request rq;
	memset(&rq, 0, sizeof rq);
	ex_limits_encode(l, rq.limits, sizeof rq.limits);
	if (snprintf(rq.mime, sizeof rq.mime, "%s", mime) >= (int)sizeof rq.mime) {
		errno = EINVAL;
		return -1;
	}
	int fds[8] = {-1, -1, -1, -1, -1, -1, -1, -1}; /* out, err pipes; reply pair; pidfd */
	if (pipe2(fds, O_CLOEXEC) != 0 || pipe2(fds + 2, O_CLOEXEC) != 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds + 4) != 0)
		goto fail;
	int give[ZYGOTE_FDS] = {in, fds[1], fds[3], fds[5]};
	pthread_mutex_lock(&lock);
	int rc = zsock >= 0 ? ex_send_fds(zsock, &rq, sizeof rq, give, ZYGOTE_FDS) : -1;
	if (rc != 0) { /* none yet, or it died: (re)start it, once */
		if (zygote > 0)
			log_msg("warn", "extract: the zygote is gone; starting another");
		zygote_stop();
		rc = zygote_start();
		if (rc == 0)
			rc = ex_send_fds(zsock, &rq, sizeof rq, give, ZYGOTE_FDS);
	}
	int saved = errno;
	pthread_mutex_unlock(&lock);
	close_all(fds + 1, 1);
	close_all(fds + 3, 1);
	close_all(fds + 5, 1);
	if (rc != 0) {
		errno = saved;
		goto fail;
	}
	struct zygote_started st = {.pid = -1, .error = EIO};
	struct pollfd pf = {.fd = fds[4], .events = POLLIN};
	if (poll(&pf, 1, ZYGOTE_MS) != 1 ||
	    ex_recv_fds(fds[4], &st, sizeof st, fds + 6, 1) != (ssize_t)sizeof st || st.pid <= 0) {
		errno = st.error ? st.error : EIO;
		goto fail;
	}
	s->pid = st.pid;
	s->pidfd = fds[6];
	s->out = fds[0];
	s->err = fds[2];
	s->reply = fds[4];
	return 0;
fail:;
	saved = errno;
	close_all(fds, 8);
	errno = saved;
	return -1;
}
