/* A thread that runs a task now and then (periodic.c): first @first_s
 * seconds after the start, then as often as the task says, and at once
 * when woken. Stopping waits for a run in progress, never starts one.
 *
 *   static struct periodic fold = {.task = fold_task, .done = db_thread_done};
 *   periodic_start(&fold); ... periodic_stop(&fold);
 */
#ifndef NS_PERIODIC_H
#define NS_PERIODIC_H
#include <pthread.h>
#include <stdbool.h>

struct periodic {
	/* Runs on the thread, one run at a time; returns the seconds until
	 * the next run. */
	unsigned (*task)(void);
	unsigned first_s;   /* seconds from the start to the first run (0: at once) */
	void (*done)(void); /* runs on the thread as it ends (NULL: nothing) */
	/* the thread's own */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping, woken, running;
};

/* Starts the thread: 0, or -1 when it could not start. */
int periodic_start(struct periodic *p);

/* Makes the thread run the task as soon as it is free. */
void periodic_wake(struct periodic *p);

/* Stops the thread (after the run in progress, if any). Does nothing if it
 * never started. */
void periodic_stop(struct periodic *p);

#endif
