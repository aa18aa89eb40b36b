/* Starting the sandboxed child (spawn.c), for run.c. */
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
	int out, err; /* the read ends of its standard output and error */
};

/* Runs `PROGRAM extract MIME` on @in under @l. Returns 0 with @s
 * filled; 1 when it was forked but exec failed (@s filled: reap it);
 * -1 when no process could be started (errno). */
int spawn_child(int in, const char *mime, const struct extract_limits *l, struct spawned *s);

#endif
