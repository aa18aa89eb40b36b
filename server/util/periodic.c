/* A thread that runs a task now and then (periodic.h). Its times count in
 * CLOCK_MONOTONIC: a clock set back does not hold it up. */
#include "periodic.h"

#include <time.h>

static bool passed(const struct timespec *due)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > due->tv_sec ||
	       (now.tv_sec == due->tv_sec && now.tv_nsec >= due->tv_nsec);
}

static void *run(void *arg)
{
	struct periodic *p = arg;
	struct timespec due;
	clock_gettime(CLOCK_MONOTONIC, &due);
	due.tv_sec += p->first_s;
	pthread_mutex_lock(&p->lock);
	while (!p->stopping) {
		if (!p->woken && !passed(&due)) {
			pthread_cond_timedwait(&p->wake, &p->lock, &due);
			continue;
		}
		p->woken = false;
		pthread_mutex_unlock(&p->lock);
		unsigned next = p->task();
		clock_gettime(CLOCK_MONOTONIC, &due);
		due.tv_sec += next;
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	if (p->done != NULL)
		p->done();
	return NULL;
}

int periodic_start(struct periodic *p)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wake, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&p->lock, NULL);
	p->stopping = p->woken = false;
	p->running = pthread_create(&p->thread, NULL, run, p) == 0;
	if (!p->running) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
	}
	return p->running ? 0 : -1;
}

void periodic_wake(struct periodic *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->woken = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void periodic_stop(struct periodic *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	p->running = false;
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
}
