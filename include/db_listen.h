/* Change notifications from the database (LISTEN/NOTIFY), for caches that
 * must not outlive the rows they copy. */
#ifndef NS_DB_LISTEN_H
#define NS_DB_LISTEN_H
#include <stdbool.h>

/* What the listener reports: a notification on the channel, or that it
 * lost or (re)gained its connection. After DB_LISTEN_LOST and until
 * DB_LISTEN_READY, notifications may be missed: trust no cache. */
enum db_listen_event { DB_LISTEN_READY, DB_LISTEN_NOTIFY, DB_LISTEN_LOST };

/* Starts a thread that LISTENs on @channel on the primary, calls @on for
 * every event (on that thread: keep it short), and reconnects every second
 * while the database is away. Returns 0, or -1 if the thread can't start.
 * One listener per process. */
int db_listen_start(const char *channel, void (*on)(enum db_listen_event));

/* Stops and joins the listener thread (within about half a second). */
void db_listen_stop(void);

#endif
