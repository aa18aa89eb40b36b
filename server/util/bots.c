/* The bot rules. Order matters: specific names before the generic words
 * ("bot", "crawler") so the reason says who it was. */
#include "bots.h"

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

static const char *find(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

const char *bot_reason(const char *method, const char *user_agent)
{
	if (method != NULL && strcmp(method, "HEAD") == 0)
		return "HEAD request";
	if (user_agent == NULL || *user_agent == '\0')
		return "no user agent";
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (find(user_agent, rules[i].needle) != NULL)
			return rules[i].reason;
	return NULL;
}

const char *ua_class(const char *user_agent, const char *bot)
{
	if (bot != NULL)
		return "bot";
	if (user_agent == NULL)
		return "other";
	if (find(user_agent, "thunderbird") || find(user_agent, "outlook"))
		return "email_client";
	if (find(user_agent, "mobile") || find(user_agent, "android") || find(user_agent, "iphone"))
		return "mobile";
	if (find(user_agent, "mozilla/"))
		return "browser";
	return "other";
}
