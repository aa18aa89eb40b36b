/* Who is asking, wherever a request is recorded (tracked-link opens,
 * public page views and downloads, leads): the keyed hash that stands for
 * the client's address (never the address itself), the User-Agent class
 * and the bot rules' verdict (bots.h). */
#ifndef NS_VISITOR_H
#define NS_VISITOR_H
#include <stdbool.h>

#define VISITOR_HASH_LEN 32

struct visitor {
	/* HMAC-SHA256 of the client address under the server's key; when
	 * the key could not be read, @hashed is false and the address is not
	 * recorded at all */
	bool hashed;
	unsigned char hash[VISITOR_HASH_LEN];
	const char *ua;	 /* the User-Agent class (ua_class; a static string) */
	const char *bot; /* the bot reason (static), or NULL: looks like a person */
};

/* Classifies a request by @method with User-Agent @user_agent (NULL when
 * absent) from the address @addr (text; "" when unknown) into *@v, hashing
 * @addr under @key (VISITOR_HASH_LEN bytes; NULL: not hashed). Can't fail. */
void visitor_classify(struct visitor *v, const char *method, const char *user_agent,
		      const char *addr, const unsigned char *key);

#endif
