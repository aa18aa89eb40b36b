/* The server's keys kept in the database. */
#ifndef NS_DB_KEYS_H
#define NS_DB_KEYS_H
#include "db.h"

/* The key that hashes client addresses (made by the migration). */
enum db_status db_client_key(unsigned char key[32]);

#endif
