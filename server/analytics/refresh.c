/* The analytics thread: folds new shares and opens into the rollups every
 * couple of seconds, and re-runs the default next-stage test now and then
 * so that the stored verdicts (search by lift, unused, coverage,
 * recommendations) stay current. */
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include "analytics.h"
#include "db_dashboards.h"
#include "log.h"

#define FOLD_EVERY_S	 2
#define VERDICTS_EVERY_S 600

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping, running;

static void *run(void *unused)
{
	(void)unused;
	time_t verdicts_due = 0;
	pthread_mutex_lock(&lock);
	while (!stopping) {
		pthread_mutex_unlock(&lock);
		if (db_analytics_fold() != DB_OK)
			log_msg("warn", "analytics: the usage rollups were not folded");
		if (time(NULL) >= verdicts_due) {
			struct an_stage_params p = {AN_WINDOW_DAYS, AN_MIN_SAMPLE, NULL, NULL,
						    NULL};
			struct db_fault f;
			enum db_status s;
			json_decref(an_stage_test(&p, &f, &s));
			verdicts_due =
			    time(NULL) + (s == DB_OK ? VERDICTS_EVERY_S : FOLD_EVERY_S * 5);
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += FOLD_EVERY_S;
		pthread_mutex_lock(&lock);
		if (!stopping)
			pthread_cond_timedwait(&wake, &lock, &until);
	}
	pthread_mutex_unlock(&lock);
	db_thread_done();
	return NULL;
}

int an_refresh_start(void)
{
	stopping = false;
	running = pthread_create(&thread, NULL, run, NULL) == 0;
	return running ? 0 : -1;
}

void an_refresh_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = false;
}
