/* What server/http/signed.c links against beyond its verifiers: the
 * database's secrets, the configuration, the log and the replies, used
 * only by auth_check_signed and signed_request_ok, which the signatures'
 * target never calls. Each stub aborts, so a call would show. */
#include <stdlib.h>
#include "config.h"
#include "crypto.h"
#include "db_webhook_secrets.h"
#include "http_internal.h"
#include "log.h"

struct config config;

enum db_status db_webhook_keys(const char *kind, struct webhook_key **keys, size_t *n)
{
	(void)kind, (void)keys, (void)n;
	abort();
}

void db_webhook_keys_free(struct webhook_key *keys, size_t n)
{
	(void)keys, (void)n;
	abort();
}

bool crypto_open(const unsigned char key[32], const unsigned char *box, size_t len, char *plain)
{
	(void)key, (void)box, (void)len, (void)plain;
	abort();
}

void log_msg(const char *level, const char *fmt, ...)
{
	(void)level, (void)fmt;
	abort();
}

void reply_problem(struct req_private *p, enum err e, const char *field, const char *detail)
{
	(void)p, (void)e, (void)field, (void)detail;
	abort();
}

void reply_header(struct req *r, const char *name, const char *value)
{
	(void)r, (void)name, (void)value;
	abort();
}
