/* The zygote: `nextstage extract` with no type, started once by the
 * server (spawn.c) under the sandbox's limits, with its libraries loaded
 * and fontconfig read. It never reads a file itself: for each request
 * on its standard input (a socket: the limits, the type, and as
 * SCM_RIGHTS the file, the two pipes and a reply socket) it forks a
 * fresh child, which takes the file as stdin and the pipes as stdout
 * and stderr, becomes its own process group, sets the request's CPU and
 * memory limits and reads the file. The zygote sends the child's pid
 * with a pidfd on the reply socket, and when it has reaped the child,
 * its wait status and resource usage. One process per file, as with
 * fork + exec, without paying ~80 shared libraries' loading per file. */
#include "extract_internal.h"

#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <libxml/parser.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 64

static pid_t zygote_pid;

struct pending {
	pid_t pid;
	int reply;
};

/* In the forked child: the request's descriptors in place, nothing
 * else open, the request's limits; never returns. */
__attribute__((noreturn)) static void child(const struct zygote_request *rq, const int *fds,
					    const sigset_t *blocked, extract_hook hook)
{
	sigprocmask(SIG_UNBLOCK, blocked, NULL);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != zygote_pid)
		_exit(127);
	if (dup2(fds[0], 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[2], 2) < 0)
		_exit(127);
	close_range(3, ~0U, 0); /* the zygote's socket, signalfd, others' replies */
	struct extract_limits l;
	if (ex_limits_decode(rq->limits, &l) != 0)
		_exit(127);
	struct rlimit cpu = {l.cpu_s, l.cpu_s + 1}, nofile = {32, 32}, zero = {0, 0};
	size_t as = 2 * l.mem_bytes + (256u << 20);
	struct rlimit mem = {as, as};
	if (setrlimit(RLIMIT_CPU, &cpu) != 0 || setrlimit(RLIMIT_NOFILE, &nofile) != 0 ||
	    setrlimit(RLIMIT_FSIZE, &zero) != 0 || (ex_limit_as && setrlimit(RLIMIT_AS, &mem) != 0))
		_exit(127);
	int rc = hook ? hook(rq->mime) : -1;
	exit(rc >= 0 ? rc : ex_child_run(rq->mime, &l));
}

static void reply(int fd, const void *msg, size_t len, int pass_fd)
{
	ex_send_fds(fd, msg, len, &pass_fd, pass_fd >= 0 ? 1 : 0);
}

/* One request: 0, or -1 when the socket is closed (the server is gone). */
static int take(struct pending *p, const sigset_t *blocked, extract_hook hook)
{
	struct zygote_request rq;
	int fds[ZYGOTE_FDS];
	ssize_t n = ex_recv_fds(0, &rq, sizeof rq, fds, ZYGOTE_FDS);
	if (n == 0)
		return -1;
	if (n < 0)
		return errno == EINTR || errno == EAGAIN || errno == EBADMSG ? 0 : -1;
	if (n != (ssize_t)sizeof rq) { /* a short message */
		for (int i = 0; i < ZYGOTE_FDS; i++)
			close(fds[i]);
		return 0;
	}
	rq.limits[sizeof rq.limits - 1] = rq.mime[sizeof rq.mime - 1] = '\0';
	struct zygote_started st = {.pid = -1};
	unsigned slot = 0;
	while (slot < MAX_CHILDREN && p[slot].pid > 0)
		slot++;
	pid_t pid = slot < MAX_CHILDREN ? fork() : -1;
	if (pid == 0)
		child(&rq, fds, blocked, hook);
	int pidfd = pid > 0 ? pidfd_open(pid, 0) : -1;
	st.pid = pid > 0 && pidfd >= 0 ? pid : -1;
	st.error = st.pid > 0 ? 0 : errno ? errno : EAGAIN;
	reply(fds[3], &st, sizeof st, pidfd);
	if (pidfd >= 0)
		close(pidfd);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	if (pid > 0) {
		p[slot].pid = pid;
		p[slot].reply = fds[3];
	} else {
		close(fds[3]);
	}
	return 0;
}

/* Every child that ended: what it left in its process group killed
 * (while the child is a zombie its pid, the group's id, cannot be
 * reused), then its status to whoever asked for it. */
static void reap(struct pending *p)
{
	for (;;) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid <= 0)
			return;
		kill(-si.si_pid, SIGKILL);
		struct zygote_ended e;
		memset(&e, 0, sizeof e);
		pid_t pid = wait4(si.si_pid, &e.status, 0, &e.usage);
		if (pid <= 0)
			return;
		for (unsigned i = 0; i < MAX_CHILDREN; i++)
			if (p[i].pid == pid) {
				reply(p[i].reply, &e, sizeof e, -1);
				close(p[i].reply);
				p[i].pid = 0;
			}
	}
}

int ex_zygote(extract_hook hook)
{
	zygote_pid = getpid();
	sigset_t blocked;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGCHLD);
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	int sfd = signalfd(-1, &blocked, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return 1;
	/* what every child would do first, done once */
	xmlInitParser();
	FcInit();
	struct pending p[MAX_CHILDREN];
	memset(p, 0, sizeof p);
	struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
	for (;;) {
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			break;
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
				;
			reap(p);
		}
		if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && take(p, &blocked, hook) < 0)
			break;
	}
	/* the server is gone: so are the children (they die with us) */
	close(sfd);
	xmlCleanupParser();
	FcFini();
	return 0;
}
