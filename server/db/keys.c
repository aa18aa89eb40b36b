/* The server's keys kept in the database (server_keys, made by the
 * migration): the one that hashes client addresses. It never changes, so
 * it is read once; the lock only guards that first read. */
#include "db_keys.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include "db_internal.h"

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char client_key[32];
static atomic_bool have_key;

static struct db_stmt q_key = DB_STMT("SELECT key FROM server_keys WHERE name = 'client_hash'");

static enum db_status read_key(void)
{
	enum db_status s;
	PGresult *res = db_query_bin(&q_key, 0, NULL, &s);
	if (s == DB_OK && (PQntuples(res) != 1 || PQgetlength(res, 0, 0) != 32))
		s = DB_ERROR;
	if (s == DB_OK) {
		memcpy(client_key, PQgetvalue(res, 0, 0), 32);
		atomic_store(&have_key, true);
	}
	PQclear(res);
	return s;
}

enum db_status db_client_key(unsigned char key[32])
{
	enum db_status s = DB_OK;
	if (!atomic_load(&have_key)) {
		pthread_mutex_lock(&key_lock);
		if (!atomic_load(&have_key))
			s = read_key();
		pthread_mutex_unlock(&key_lock);
	}
	if (s == DB_OK)
		memcpy(key, client_key, 32);
	return s;
}
