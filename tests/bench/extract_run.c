/* The extract scenario's driver (scripts/bench.sh): every file named on
 * the command line through extract_run, one after another, with the
 * default limits and PROGRAM as the zygote (build/nextstage: `nextstage
 * extract`; a sandboxed child per file, preview included). Prints "PAGES SECONDS"
 * and exits 1 if any file was not done. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "extract.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: extract_run PROGRAM FILE.pdf...\n");
		return 2;
	}
	extract_set_program(argv[1]);
	struct extract_limits l;
	extract_limits_default(&l);
	unsigned long pages = 0;
	int bad = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 2; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		struct extract_result r;
		if (fd < 0 || extract_run(fd, "application/pdf", &l, &r) != 0) {
			fprintf(stderr, "extract_run: %s: cannot run\n", argv[i]);
			bad = 1;
		} else {
			if (r.status != EXTRACT_DONE || r.thumb == NULL) {
				fprintf(stderr, "extract_run: %s: %s %s\n", argv[i],
					extract_status_name(r.status), r.reason);
				bad = 1;
			}
			pages += r.npages;
			extract_result_clear(&r);
		}
		if (fd >= 0)
			close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	extract_stop(); /* so that the readers' CPU time counts as this process's children's */
	printf("%lu %.3f\n", pages,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return bad;
}
