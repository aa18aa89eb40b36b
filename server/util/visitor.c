/* Who is asking: the bot rules' verdict, the User-Agent class and the
 * keyed hash of the client address. */
#include "visitor.h"

#include <sodium.h>
#include <string.h>
#include "bots.h"

void visitor_classify(struct visitor *v, const char *method, const char *user_agent,
		      const char *addr, const unsigned char *key)
{
	v->bot = bot_reason(method, user_agent);
	v->ua = ua_class(user_agent, v->bot);
	v->hashed = key != NULL;
	if (v->hashed)
		crypto_auth_hmacsha256(v->hash, (const unsigned char *)addr, strlen(addr), key);
}
