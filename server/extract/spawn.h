/* Starting the sandboxed children (spawn.c), for run.c. */
#ifndef NS_EXTRACT_SPAWN_H
#define NS_EXTRACT_SPAWN_H
#include <stddef.h>
#include <sys/types.h>
#include "extract_internal.h"

/* A descriptor the child may read @fd's bytes from and not write to:
 * @fd itself reopened read-only when it is a memfd sealed against
 * writes, else a sealed copy. Sets @size. Returns the descriptor, -2
 * when the file is larger than @max, -1 on failure (errno). */
int spawn_input(int fd, size_t max, size_t *size);

struct spawned {
	pid_t pid;    /* also its process group */
	int pidfd;    /* readable once it has exited; signals it race-free */
	int out, err; /* the read ends of its standard output and error */
	int reply;    /* the zygote's word on it: a struct zygote_ended */
};

/* Has the zygote (started or restarted here) fork a child reading @in as
 * @mime under @l. Returns 0 with @s filled (the caller closes its
 * descriptors), or -1 when no child could be started (errno). */
int spawn_child(int in, const char *mime, const struct extract_limits *l, struct spawned *s);

#endif
