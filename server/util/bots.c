/* The bot rules. Order matters: specific names before the generic words
 * ("bot", "crawler") so the reason says who it was. */
#include "bots.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *needle, *reason;
} rules[] = {
    /* link unfurlers */
    {"slackbot", "link unfurler: Slack"},
    {"slack-imgproxy", "link unfurler: Slack"},
    {"linkedinbot", "link unfurler: LinkedIn"},
    /* before twitterbot: Telegram says "TelegramBot (like TwitterBot)" */
    {"telegrambot", "link unfurler: Telegram"},
    {"twitterbot", "link unfurler: Twitter/X"},
    {"facebookexternalhit", "link unfurler: Facebook"},
    {"facebot", "link unfurler: Facebook"},
    {"skypeuripreview", "link unfurler: Microsoft Teams/Skype"},
    {"microsoft teams", "link unfurler: Microsoft Teams"},
    {"teamsbot", "link unfurler: Microsoft Teams"},
    {"discordbot", "link unfurler: Discord"},
    {"whatsapp", "link unfurler: WhatsApp"},
    {"redditbot", "link unfurler: Reddit"},
    {"embedly", "link unfurler: Embedly"},
    /* mail security scanners and previews */
    {"ms-office", "mail scanner: Microsoft Office preview"},
    {"microsoft office", "mail scanner: Microsoft Office preview"},
    {"safelinks", "mail scanner: Microsoft Safe Links"},
    {"mimecast", "mail scanner: Mimecast"},
    {"proofpoint", "mail scanner: Proofpoint"},
    {"barracuda", "mail scanner: Barracuda"},
    {"symantec", "mail scanner: Symantec"},
    {"forcepoint", "mail scanner: Forcepoint"},
    {"trendmicro", "mail scanner: Trend Micro"},
    {"googleimageproxy", "mail scanner: Gmail image proxy"},
    /* search engines and crawlers */
    {"googlebot", "crawler: Google"},
    {"google-inspectiontool", "crawler: Google"},
    {"bingbot", "crawler: Bing"},
    {"bingpreview", "crawler: Bing preview"},
    {"applebot", "crawler: Apple"},
    {"duckduckbot", "crawler: DuckDuckGo"},
    {"yandex", "crawler: Yandex"},
    {"baiduspider", "crawler: Baidu"},
    {"ahrefsbot", "crawler: Ahrefs"},
    {"semrushbot", "crawler: Semrush"},
    {"gptbot", "crawler: OpenAI"},
    /* automation */
    {"headlesschrome", "automation: headless browser"},
    {"phantomjs", "automation: headless browser"},
    {"python-requests", "automation: script"},
    {"python-urllib", "automation: script"},
    {"go-http-client", "automation: script"},
    {"curl/", "automation: script"},
    {"wget/", "automation: script"},
    {"java/", "automation: script"},
    {"okhttp", "automation: script"},
    {"prefetch", "prefetch"},
    {"preview", "link preview"},
    /* generic words last */
    {"bot", "crawler: self-declared bot"},
    {"crawler", "crawler: self-declared crawler"},
    {"spider", "crawler: self-declared spider"},
};

/* The User-Agent lowered (ASCII letters only, as strncasecmp compares)
 * once, so that each rule (every needle is lower case) is one strstr, not
 * a case-insensitive compare at every position. A longer one than fits
 * is searched in place, the slow way. */
struct ua {
	const char *raw, *low;
	char buf[1024];
};

static void ua_lower(struct ua *u, const char *raw)
{
	size_t n = strlen(raw);
	u->raw = raw;
	u->low = NULL;
	if (n >= sizeof u->buf)
		return;
	for (size_t i = 0; i <= n; i++)
		u->buf[i] = raw[i] >= 'A' && raw[i] <= 'Z' ? (char)(raw[i] - 'A' + 'a') : raw[i];
	u->low = u->buf;
}

static bool find(const struct ua *u, const char *needle)
{
	if (u->low != NULL)
		return strstr(u->low, needle) != NULL;
	size_t n = strlen(needle);
	for (const char *hay = u->raw; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

const char *bot_reason(const char *method, const char *user_agent)
{
	if (method != NULL && strcmp(method, "HEAD") == 0)
		return "HEAD request";
	if (user_agent == NULL || *user_agent == '\0')
		return "no user agent";
	struct ua u;
	ua_lower(&u, user_agent);
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (find(&u, rules[i].needle))
			return rules[i].reason;
	return NULL;
}

const char *ua_class(const char *user_agent, const char *bot)
{
	if (bot != NULL)
		return "bot";
	if (user_agent == NULL)
		return "other";
	struct ua u;
	ua_lower(&u, user_agent);
	if (find(&u, "thunderbird") || find(&u, "outlook"))
		return "email_client";
	if (find(&u, "mobile") || find(&u, "android") || find(&u, "iphone"))
		return "mobile";
	if (find(&u, "mozilla/"))
		return "browser";
	return "other";
}
