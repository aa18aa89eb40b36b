/* The server's keys kept in the database. */
#ifndef NS_DB_KEYS_H
#define NS_DB_KEYS_H
#include "db.h"

/* The key that hashes client addresses (made by the migration) into
 * @key. Read from the database once; later calls answer from memory.
 * DB_UNAVAILABLE or DB_ERROR while it can't be read (try again later). */
enum db_status db_client_key(unsigned char key[32]);

#endif
