/* Who opens a tracked link: crawlers, link unfurlers, mail scanners and
 * prefetchers are not prospects. One table of rules (server/util/bots.c),
 * each covered by a test. */
#ifndef NS_BOTS_H
#define NS_BOTS_H

/* Why a request by @method with User-Agent @user_agent (NULL if absent) is
 * a bot, or NULL for a person. Case-insensitive substring rules, first
 * match wins. Can't fail. */
const char *bot_reason(const char *method, const char *user_agent);

/* A coarse class of the client for reports: "bot", "mobile", "browser",
 * "email_client" or "other". */
const char *ua_class(const char *user_agent, const char *bot);

#endif
