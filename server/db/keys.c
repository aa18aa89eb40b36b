/* The server's keys kept in the database (server_keys, made by the
 * migration): the one that hashes client addresses. */
#include "db_keys.h"

#include <string.h>
#include "db_internal.h"

static struct db_stmt q_key = DB_STMT("SELECT key FROM server_keys WHERE name = 'client_hash'");

enum db_status db_client_key(unsigned char key[32])
{
	enum db_status s;
	PGresult *res = db_query_bin(&q_key, 0, NULL, &s);
	if (s == DB_OK && (PQntuples(res) != 1 || PQgetlength(res, 0, 0) != 32))
		s = DB_ERROR;
	if (s == DB_OK)
		memcpy(key, PQgetvalue(res, 0, 0), 32);
	PQclear(res);
	return s;
}
