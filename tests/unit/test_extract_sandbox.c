/* The extractor's runner against children that misbehave on purpose:
 * this binary, exec'd by extract_run as the zygote (`test_extract_sandbox
 * extract`), forks a child per request that, given the type test/WHAT,
 * plays a crash, a hang, a flood of text, garbage frames, a
 * CPU burn, a memory hog, a silent exit, and a probe of its own sandbox
 * (descriptors, environment, file size, privileges). Each must end in
 * failed or too_large with a sentence saying why, the test process
 * unharmed and every child reaped. */
#include "harness.h"
#include "extract.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void frame(char type, const void *p, size_t n)
{
	unsigned char h[5] = {(unsigned char)type, (unsigned char)n, (unsigned char)(n >> 8),
			      (unsigned char)(n >> 16), (unsigned char)(n >> 24)};
	if (write(1, h, 5) != 5 || (n && write(1, p, n) != (ssize_t)n))
		_exit(3);
}

/* What the sandbox looks like from inside, as one page of text. */
static int probe(void)
{
	char text[512];
	int open_fds = 0;
	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			open_fds++;
	struct rlimit nofile, core;
	getrlimit(RLIMIT_NOFILE, &nofile);
	getrlimit(RLIMIT_CORE, &core);
	signal(SIGXFSZ, SIG_IGN);
	char tmp[] = "/tmp/ns-extract-probe-XXXXXX";
	int t = mkstemp(tmp);
	errno = 0;
	ssize_t w = t >= 0 ? write(t, "x", 1) : -1;
	int werr = errno;
	if (t >= 0) {
		close(t);
		unlink(tmp);
	}
	bool db = getenv("NEXTSTAGE_DATABASE_URL") != NULL || getenv("PGPASSWORD") != NULL ||
		  getenv("NS_SECRET_FOR_TEST") != NULL;
	snprintf(text, sizeof text,
		 "fds=%d nofile=%lu core=%lu write=%zd:%s secrets=%s nnp=%d pgrp=%d", open_fds,
		 (unsigned long)nofile.rlim_cur, (unsigned long)core.rlim_cur, w,
		 werr == EFBIG ? "EFBIG" : "other", db ? "yes" : "no",
		 prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), getpgrp() == getpid());
	frame('P', text, strlen(text));
	unsigned char end[1] = {0};
	frame('E', end, 1);
	return 0;
}

static int misbehave(const char *mime)
{
	if (strncmp(mime, "test/", 5) != 0)
		return -1; /* a real type: the real reader */
	const char *what = mime + 5;
	if (strcmp(what, "crash") == 0) {
		signal(SIGSEGV, SIG_DFL); /* not the sanitizer's report: a plain crash */
		raise(SIGSEGV);
	} else if (strcmp(what, "hang") == 0) {
		for (;;)
			pause();
	} else if (strcmp(what, "flood") == 0) {
		static char page[65536];
		memset(page, 'a', sizeof page);
		for (;;)
			frame('P', page, sizeof page);
	} else if (strcmp(what, "garbage") == 0) {
		frame('P', "hello", 5);
		if (write(1, "\x7fGARBAGE-FRAME-TYPE", 19) < 0)
			return 3;
		for (;;)
			pause(); /* the parent must not wait for more */
	} else if (strcmp(what, "cpu") == 0) {
		volatile unsigned long x = 0;
		for (;;)
			x++;
	} else if (strcmp(what, "memory") == 0) {
		for (;;) { /* touched, so resident: 1 MiB a millisecond */
			char *p = malloc(1 << 20);
			if (p != NULL)
				memset(p, 1, 1 << 20);
			usleep(1000);
		}
	} else if (strcmp(what, "burst") == 0) { /* 2 GiB at once, as a decoder would */
		size_t n = (size_t)2 << 30;
		char *p = malloc(n);
		if (p == NULL) { /* the address space limit: say so and die, as libraries do */
			fputs("terminate called after throwing an instance of 'std::bad_alloc'\n",
			      stderr);
			abort();
		}
		memset(p, 1, n);
		free(p);
		return 0;
	} else if (strcmp(what, "silent") == 0) {
		return 0;
	} else if (strcmp(what, "bigframe") == 0) {
		frame('P', NULL, 0); /* a header declaring 4 GiB of text */
		if (write(1, "P\xff\xff\xff\xff", 5) < 0)
			return 3;
		for (;;)
			pause();
	} else if (strcmp(what, "probe") == 0) {
		return probe();
	} else if (strcmp(what, "dirty") == 0) { /* controls and marks in its text */
		frame('P',
		      "a\x01"
		      "b\x02"
		      "c \xff  d\n\n\ne",
		      14);
		unsigned char end[] = {0, 'o', 'k', '\x01'};
		frame('E', end, sizeof end);
		return 0;
	}
	return 2;
}

/* The processes listed in /proc/PID/task/PID/children, in @out. */
static int children(pid_t pid, pid_t *out, int max)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
	FILE *f = fopen(path, "re");
	int n = 0, c;
	while (f != NULL && n < max && fscanf(f, "%d", &c) == 1)
		out[n++] = c;
	if (f != NULL)
		fclose(f);
	return n;
}

/* The zygote (this process's one child) has no child left: each file's
 * reader was reaped before extract_run returned. */
static bool no_child_left(void)
{
	pid_t z[4], c[4];
	int n = children(getpid(), z, 4);
	return n == 1 && children(z[0], c, 4) == 0;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static struct extract_limits tight(void)
{
	struct extract_limits l;
	extract_limits_default(&l);
	l.wall_ms = 10000; /* a busy machine: tests of the deadline set their own */
	l.cpu_s = 1;
	l.mem_bytes = 160u << 20; /* the sanitizers' own memory fits under it */
	l.text_bytes = 1 << 20;
	return l;
}

/* Runs the child playing @what on an empty file; checks status and a
 * reason containing @why, and that nothing is left to reap. */
static void expect(const char *what, const struct extract_limits *l, enum extract_status want,
		   const char *why, double max_s)
{
	char mime[64];
	snprintf(mime, sizeof mime, "test/%s", what);
	int fd = memfd_create("empty", MFD_CLOEXEC);
	struct extract_result r;
	double t0 = now_s();
	int rc = extract_run(fd, mime, l, &r);
	double secs = now_s() - t0;
	close(fd);
	if (r.status != want || strstr(r.reason, why) == NULL || secs > max_s)
		printf("  # %s: %s \"%s\" in %.2f s\n", what, extract_status_name(r.status),
		       r.reason, secs);
	CHECK(rc == 0);
	CHECK(r.status == want);
	CHECK(strstr(r.reason, why) != NULL);
	CHECK(r.npages == 0 && r.pages == NULL); /* nothing kept of a failure */
	CHECK(secs <= max_s);
	CHECK(no_child_left());
	extract_result_clear(&r);
}

static void test_crash(void)
{
	struct extract_limits l = tight();
	expect("crash", &l, EXTRACT_FAILED, "The extractor crashed (signal 11)", 9);
}

static void test_hang_past_wall_time(void)
{
	struct extract_limits l = tight();
	l.wall_ms = 500;
	expect("hang", &l, EXTRACT_FAILED, "stopped after 500 ms", 4);
	l.wall_ms = 5000;
	expect("garbage", &l, EXTRACT_FAILED, "garbage", 4); /* no waiting for the deadline */
}

static void test_output_flood(void)
{
	struct extract_limits l = tight();
	expect("flood", &l, EXTRACT_TOO_LARGE, "more than 1 MiB of text", 9);
	expect("bigframe", &l, EXTRACT_TOO_LARGE, "more than 1 MiB of text", 9);
}

static void test_cpu_burn(void)
{
	struct extract_limits l = tight();
	l.wall_ms = 20000; /* CPU, not the clock, stops it (on a busy machine, later) */
	expect("cpu", &l, EXTRACT_FAILED, "used more than 1 s of CPU", 19);
}

static void test_memory_hog(void)
{
	struct extract_limits l = tight();
	l.wall_ms = 20000;
	l.cpu_s = 20;
	expect("memory", &l, EXTRACT_TOO_LARGE, "needed more than 160 MiB of memory", 19);
	/* faster than the watchdog looks: the address space limit (or, under
	 * the sanitizers, which have none, the watchdog) stops it */
	expect("burst", &l, EXTRACT_TOO_LARGE, "needed more than 160 MiB of memory", 19);
}

static void test_silent_exit(void)
{
	struct extract_limits l = tight();
	expect("silent", &l, EXTRACT_FAILED, "without an answer", 9);
}

static void test_exec_failure_is_retryable(void)
{
	struct extract_limits l = tight();
	extract_set_program("/nonexistent/nextstage");
	int fd = memfd_create("empty", MFD_CLOEXEC);
	struct extract_result r;
	CHECK(extract_run(fd, "text/plain", &l, &r) == -1);
	CHECK(r.npages == 0 && r.pages == NULL);
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD); /* no zygote either */
	close(fd);
	extract_set_program(NULL);
}

/* What the child holds: stdin, stdout, stderr and nothing else (not the
 * descriptor left open here without close-on-exec), no secret from the
 * environment, files of size 0, no core, no new privileges, a process
 * group of its own. */
static void test_sandbox_from_inside(void)
{
	struct extract_limits l = tight();
	setenv("NEXTSTAGE_DATABASE_URL", "postgresql://secret@localhost/db", 1);
	setenv("NS_SECRET_FOR_TEST", "x", 1);
	int leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: a careless caller */
	int fd = memfd_create("empty", MFD_CLOEXEC);
	struct extract_result r;
	CHECK(extract_run(fd, "test/probe", &l, &r) == 0);
	CHECK_STR(extract_status_name(r.status), "done");
	CHECK(r.npages == 1);
	if (r.npages == 1)
		CHECK_STR(r.pages[0].text,
			  "fds=3 nofile=32 core=0 write=-1:EFBIG secrets=no nnp=1 pgrp=1");
	extract_result_clear(&r);
	close(fd);
	close(leak);
	unsetenv("NEXTSTAGE_DATABASE_URL");
	unsetenv("NS_SECRET_FOR_TEST");
}

/* The parent normalises what the child says: no control characters, no
 * invalid UTF-8, even from a child that sends them. */
static void test_parent_cleans_child_text(void)
{
	struct extract_limits l = tight();
	int fd = memfd_create("empty", MFD_CLOEXEC);
	struct extract_result r;
	CHECK(extract_run(fd, "test/dirty", &l, &r) == 0);
	CHECK_STR(extract_status_name(r.status), "done");
	CHECK(r.npages == 1);
	if (r.npages == 1) {
		CHECK_STR(r.pages[0].text, "a b c \xef\xbf\xbd d\ne");
		CHECK(r.pages[0].len == strlen(r.pages[0].text));
	}
	CHECK_STR(r.reason, "ok");
	extract_result_clear(&r);
	close(fd);
}

/* A zygote that died (killed here: a reader could do the same) is
 * replaced at the next extract_run, which succeeds. */
static void test_zygote_restarts(void)
{
	struct extract_limits l = tight();
	int fd = memfd_create("empty", MFD_CLOEXEC);
	struct extract_result r;
	CHECK(extract_run(fd, "test/dirty", &l, &r) == 0);
	extract_result_clear(&r);
	pid_t z[4];
	CHECK(children(getpid(), z, 4) == 1);
	kill(z[0], SIGKILL);
	usleep(100 * 1000); /* dead: its socket closed (the server reaps it) */
	CHECK(extract_run(fd, "test/dirty", &l, &r) == 0);
	CHECK_STR(extract_status_name(r.status), "done");
	extract_result_clear(&r);
	pid_t z2[4];
	CHECK(children(getpid(), z2, 4) == 1 && z2[0] != z[0]);
	close(fd);
}

/* Several threads at once, as the server's workers: each gets its own
 * child's answer. */
static void *extract_in_thread(void *arg)
{
	struct extract_limits l = tight();
	l.wall_ms = 30000; /* four at once on a busy machine, each child's leak check included */
	int fd = memfd_create("empty", MFD_CLOEXEC);
	long ok = 0;
	for (int i = 0; i < 5; i++) {
		struct extract_result r;
		if (extract_run(fd, (const char *)arg, &l, &r) == 0 && r.status == EXTRACT_DONE &&
		    r.npages == 1 && strcmp(r.pages[0].text, "a b c \xef\xbf\xbd d\ne") == 0)
			ok++;
		extract_result_clear(&r);
	}
	close(fd);
	return (void *)ok;
}

static void test_threads(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, extract_in_thread, (void *)"test/dirty") == 0);
	for (int i = 0; i < 4; i++) {
		void *ok = NULL;
		pthread_join(t[i], &ok);
		CHECK((long)ok == 5);
	}
	CHECK(no_child_left());
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "extract") == 0)
		return extract_child_main(argc, argv, misbehave);
	TEST(test_crash);
	TEST(test_hang_past_wall_time);
	TEST(test_output_flood);
	TEST(test_cpu_burn);
	TEST(test_memory_hog);
	TEST(test_silent_exit);
	TEST(test_exec_failure_is_retryable);
	TEST(test_sandbox_from_inside);
	TEST(test_parent_cleans_child_text);
	TEST(test_zygote_restarts);
	TEST(test_threads);
	return HARNESS_EXIT();
}
