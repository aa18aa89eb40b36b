/* The LISTEN thread: one connection of its own, blocked in poll() on the
 * socket, with a short timeout so that a stop request is seen. */
#include "db_listen.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include "db_internal.h"
#include "log.h"

static pthread_t thread;
static atomic_bool stopping, started;
static char listen_sql[96];
static void (*notify_cb)(enum db_listen_event);

/* A connection listening on the channel, or NULL. */
static PGconn *subscribe(void)
{
	char err[256];
	PGconn *pg = db_connect(db_primary_url(), err, sizeof err);
	if (pg == NULL)
		return NULL;
	PGresult *res = PQexec(pg, listen_sql);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		log_msg("error", "%s failed: %s", listen_sql, PQerrorMessage(pg));
	PQclear(res);
	if (!ok) {
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

/* Waits for notifications until the connection breaks or stop is asked. */
static void drain(PGconn *pg)
{
	while (!atomic_load(&stopping)) {
		struct pollfd pfd = {.fd = PQsocket(pg), .events = POLLIN};
		int n = poll(&pfd, 1, 500);
		if (n == 0)
			continue;
		if (n < 0 || !PQconsumeInput(pg))
			return;
		for (PGnotify *note; (note = PQnotifies(pg)) != NULL; PQfreemem(note))
			notify_cb(DB_LISTEN_NOTIFY);
		if (PQstatus(pg) != CONNECTION_OK)
			return;
	}
}

static void *run(void *unused)
{
	(void)unused;
	while (!atomic_load(&stopping)) {
		PGconn *pg = subscribe();
		if (pg != NULL) {
			notify_cb(DB_LISTEN_READY);
			drain(pg);
			notify_cb(DB_LISTEN_LOST);
			PQfinish(pg);
		}
		for (int i = 0; i < 10 && !atomic_load(&stopping); i++)
			usleep(100 * 1000);
	}
	return NULL;
}

int db_listen_start(const char *channel, void (*on)(enum db_listen_event))
{
	snprintf(listen_sql, sizeof listen_sql, "LISTEN \"%s\"", channel);
	notify_cb = on;
	atomic_store(&stopping, false);
	if (pthread_create(&thread, NULL, run, NULL) != 0)
		return -1;
	atomic_store(&started, true);
	return 0;
}

void db_listen_stop(void)
{
	if (!atomic_exchange(&started, false))
		return;
	atomic_store(&stopping, true);
	pthread_join(thread, NULL);
}
