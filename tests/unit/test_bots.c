/* Bot rules (server/util/bots.c): one check per row of the table with a
 * real User-Agent of that client, HEAD, a missing User-Agent, real browsers
 * that must stay human, and the coarse ua_class. */
#include <stddef.h>
#include <string.h>
#include "bots.h"
#include "harness.h"

/* bot_reason() for GET with @ua must be exactly @reason. */
#define BOT(ua, reason) CHECK_STR(bot_reason("GET", (ua)), (reason))

/* A person: bot_reason() is NULL. */
#define HUMAN(ua)                                                                                  \
	do {                                                                                       \
		const char *why_ = bot_reason("GET", (ua));                                        \
		if (why_ != NULL) {                                                                \
			printf("  # %s:%d: human UA classed as bot (%s): %s\n", __FILE__,          \
			       __LINE__, why_, (ua));                                              \
			harness_case_failed = 1;                                                   \
		}                                                                                  \
	} while (0)

static void link_unfurlers(void)
{
	/* slackbot */
	BOT("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "link unfurler: Slack");
	BOT("Slackbot 1.0 (+https://api.slack.com/robots)", "link unfurler: Slack");
	/* slack-imgproxy */
	BOT("Slack-ImgProxy (+https://api.slack.com/robots)", "link unfurler: Slack");
	/* linkedinbot */
	BOT("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
	    "link unfurler: LinkedIn");
	/* twitterbot */
	BOT("Twitterbot/1.0", "link unfurler: Twitter/X");
	/* facebookexternalhit */
	BOT("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
	    "link unfurler: Facebook");
	/* facebot */
	BOT("Facebot", "link unfurler: Facebook");
	/* skypeuripreview */
	BOT("Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 "
	    "skype-url-preview@microsoft.com",
	    "link unfurler: Microsoft Teams/Skype");
	/* microsoft teams */
	BOT("Mozilla/5.0 (compatible; Microsoft Teams Link Preview)",
	    "link unfurler: Microsoft Teams");
	/* teamsbot */
	BOT("Mozilla/5.0 (Windows NT 10.0; Win64; x64) TeamsBot/1.0",
	    "link unfurler: Microsoft Teams");
	/* discordbot */
	BOT("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
	    "link unfurler: Discord");
	/* whatsapp */
	BOT("WhatsApp/2.23.20.0 A", "link unfurler: WhatsApp");
	/* telegrambot */
	BOT("TelegramBot (like TwitterBot)", "link unfurler: Telegram");
	/* redditbot */
	BOT("Mozilla/5.0 (compatible; redditbot/1.0; +http://www.reddit.com/feedback)",
	    "link unfurler: Reddit");
	/* embedly */
	BOT("Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)",
	    "link unfurler: Embedly");
}

static void mail_scanners(void)
{
	/* ms-office */
	BOT("Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
	    "mail scanner: Microsoft Office preview");
	/* microsoft office */
	BOT("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)",
	    "mail scanner: Microsoft Office preview");
	/* safelinks */
	BOT("Mozilla/5.0 (compatible; SafeLinks/1.0; +https://aka.ms/safelinks)",
	    "mail scanner: Microsoft Safe Links");
	/* mimecast */
	BOT("Mozilla/5.0 (compatible; Mimecast URL Protect/1.0)", "mail scanner: Mimecast");
	/* proofpoint */
	BOT("Mozilla/5.0 (compatible; Proofpoint URL Defense)", "mail scanner: Proofpoint");
	/* barracuda */
	BOT("Barracuda Sentinel (EE)", "mail scanner: Barracuda");
	/* symantec */
	BOT("Mozilla/5.0 (compatible; Symantec Email Security.cloud Click-time URL Protection)",
	    "mail scanner: Symantec");
	/* forcepoint */
	BOT("Mozilla/5.0 (compatible; Forcepoint URL Sandbox)", "mail scanner: Forcepoint");
	/* trendmicro */
	BOT("Mozilla/5.0 (compatible; TrendMicro Email Security)", "mail scanner: Trend Micro");
	/* googleimageproxy */
	BOT("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com "
	    "GoogleImageProxy)",
	    "mail scanner: Gmail image proxy");
}

static void crawlers(void)
{
	/* googlebot */
	BOT("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	    "crawler: Google");
	BOT("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, "
	    "like Gecko) Chrome/120.0.6099.71 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
	    "+http://www.google.com/bot.html)",
	    "crawler: Google");
	/* google-inspectiontool */
	BOT("Mozilla/5.0 (compatible; Google-InspectionTool/1.0;)", "crawler: Google");
	/* bingbot */
	BOT("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
	    "crawler: Bing");
	/* bingpreview */
	BOT("Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) "
	    "BingPreview/1.0b",
	    "crawler: Bing preview");
	/* applebot */
	BOT("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like "
	    "Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; "
	    "+http://www.apple.com/go/applebot)",
	    "crawler: Apple");
	/* duckduckbot */
	BOT("DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", "crawler: DuckDuckGo");
	/* yandex */
	BOT("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "crawler: Yandex");
	/* baiduspider */
	BOT("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
	    "crawler: Baidu");
	/* ahrefsbot */
	BOT("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
	    "crawler: Ahrefs");
	/* semrushbot */
	BOT("Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
	    "crawler: Semrush");
	/* gptbot */
	BOT("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; "
	    "+https://openai.com/gptbot)",
	    "crawler: OpenAI");
}

static void automation(void)
{
	/* headlesschrome */
	BOT("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
	    "HeadlessChrome/120.0.6099.109 Safari/537.36",
	    "automation: headless browser");
	/* phantomjs */
	BOT("Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) "
	    "PhantomJS/2.1.1 Safari/538.1",
	    "automation: headless browser");
	/* python-requests */
	BOT("python-requests/2.31.0", "automation: script");
	/* python-urllib */
	BOT("Python-urllib/3.11", "automation: script");
	/* go-http-client */
	BOT("Go-http-client/1.1", "automation: script");
	BOT("Go-http-client/2.0", "automation: script");
	/* curl/ */
	BOT("curl/8.5.0", "automation: script");
	/* wget/ */
	BOT("Wget/1.21.4", "automation: script");
	/* java/ */
	BOT("Java/17.0.9", "automation: script");
	/* okhttp */
	BOT("okhttp/4.12.0", "automation: script");
	/* prefetch */
	BOT("Mozilla/5.0 (compatible; link-prefetch/1.0)", "prefetch");
	/* preview */
	BOT("Mozilla/5.0 (compatible; Google Web Preview)", "link preview");
}

static void generic_words(void)
{
	/* bot */
	BOT("Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)",
	    "crawler: self-declared bot");
	BOT("Mozilla/5.0 (compatible; SomeRandomBot/0.1)", "crawler: self-declared bot");
	/* crawler */
	BOT("Mozilla/5.0 (compatible; Qwantify-Crawler/1.0)", "crawler: self-declared crawler");
	BOT("ia_archiver-crawler", "crawler: self-declared crawler");
	/* spider */
	BOT("Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
	    "crawler: self-declared spider");
}

/* The generic words come after the names, so the reason says who it was. */
static void specific_names_win_over_generic_words(void)
{
	BOT("Googlebot-Image/1.0", "crawler: Google");
	BOT("Mozilla/5.0 (compatible; bingbot/2.0) BingPreview", "crawler: Bing");
	BOT("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "link unfurler: Slack");
	BOT("YandexBot spider crawler", "crawler: Yandex");
}

static void matching_is_case_insensitive(void)
{
	BOT("SLACKBOT", "link unfurler: Slack");
	BOT("CURL/7.88.1", "automation: script");
	BOT("GoogleBot", "crawler: Google");
	BOT("MIMECAST", "mail scanner: Mimecast");
}

/* Agents longer than the buffer they are lowered into are matched the
 * same way, up to their last byte. */
static void long_agents_match_to_the_end(void)
{
	char ua[3000];
	memset(ua, 'x', sizeof ua);
	memcpy(ua, "Mozilla/5.0 ", 12);
	for (size_t len = 1000; len < sizeof ua; len += 500) { /* ends with the needle */
		ua[len] = '\0';
		memcpy(ua + len - 8, "SlackBot", 8);
		BOT(ua, "link unfurler: Slack");
		CHECK_STR(ua_class(ua, NULL), "browser");
		memset(ua + len - 8, 'x', 8);
		HUMAN(ua);
		ua[len] = 'x';
	}
}

static void head_is_a_bot_whatever_the_agent(void)
{
	const char *chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
			     "like Gecko) Chrome/120.0.0.0 Safari/537.36";
	CHECK_STR(bot_reason("HEAD", chrome), "HEAD request");
	CHECK_STR(bot_reason("HEAD", NULL), "HEAD request");
	CHECK_STR(bot_reason("HEAD", ""), "HEAD request");
	CHECK_STR(bot_reason("HEAD", "curl/8.5.0"), "HEAD request");
	CHECK(bot_reason("GET", chrome) == NULL);
	CHECK(bot_reason(NULL, chrome) == NULL); /* no method: judged by the agent */
}

static void missing_or_empty_agent_is_a_bot(void)
{
	CHECK_STR(bot_reason("GET", NULL), "no user agent");
	CHECK_STR(bot_reason("GET", ""), "no user agent");
	CHECK_STR(bot_reason(NULL, NULL), "no user agent");
}

static const char *const humans[] = {
    /* Chrome: Windows, macOS, Linux, Android, iOS */
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.144 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.6045.163 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
    /* Firefox: Windows, macOS, Linux, Android, iOS */
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) FxiOS/121.0 Mobile/15E148 Safari/605.1.15",
    /* Safari: macOS, iPhone, iPad */
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Mobile/15E148 Safari/604.1",
    /* Edge: Windows, macOS, Android */
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
    "Mozilla/5.0 (Linux; Android 10; HD1913) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.144 Mobile Safari/537.36 EdgA/120.0.2210.115",
    /* Samsung Internet, Opera, Brave-like Chrome, Vivaldi */
    "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
    "Safari/537.36 Vivaldi/6.5.3206.48",
    /* Yandex Browser; Chrome Android WebView in the Instagram and Google apps */
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 YaBrowser/24.1.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/118.0.0.0 Mobile Safari/537.36 Instagram "
    "305.0.0.34.110 Android (33/13; 420dpi; 1080x2400; Google/google; Pixel 7; panther; "
    "panther; en_US; 529083166)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) GSA/300.0.598994538 Mobile/15E148 Safari/604.1",
    /* In-app browsers of the apps that also unfurl: a person tapping the link */
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 [LinkedInApp]/9.29.4853",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/444.0.0.36.112;FBBV/538917044;FBDV/iPhone15,2;"
    "FBMD/iPhone;FBSN/iOS;FBSV/17.1.2;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Teams/1.6.00.4472 Chrome/91.0.4472.164 Electron/13.6.6 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Slack/4.35.131 Chrome/118.0.5993.159 Electron/27.0.2 Safari/537.36 Sonic Slack_SSB/4.35.131",
};

/* Not listed, a known false positive (reported): Android WebView and
 * non-Chrome browsers on CUBOT phones send the model, e.g. "Mozilla/5.0
 * (Linux; Android 10; CUBOT X30 Build/QP1A.190711.020; wv) ...", which the
 * generic "bot" substring classes as a self-declared bot. Substring rules
 * cannot tell "CUBOT" from "SomeBot" without weakening the generic rule. */
static void real_browsers_are_people(void)
{
	for (size_t i = 0; i < sizeof humans / sizeof humans[0]; i++)
		HUMAN(humans[i]);
}

static void ua_classes(void)
{
	CHECK_STR(ua_class("Slackbot 1.0", "link unfurler: Slack"), "bot");
	CHECK_STR(ua_class(NULL, "no user agent"), "bot");
	CHECK_STR(
	    ua_class("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0", "HEAD request"),
	    "bot");
	CHECK_STR(ua_class(NULL, NULL), "other");
	CHECK_STR(ua_class(humans[0], NULL), "browser");  /* Chrome on Windows */
	CHECK_STR(ua_class(humans[6], NULL), "browser");  /* Firefox on Windows */
	CHECK_STR(ua_class(humans[11], NULL), "browser"); /* Safari on macOS */
	CHECK_STR(ua_class(humans[14], NULL), "browser"); /* Edge on Windows */
	CHECK_STR(ua_class(humans[3], NULL), "mobile");	  /* Chrome on Android */
	CHECK_STR(ua_class(humans[9], NULL), "mobile");	  /* Firefox on Android */
	CHECK_STR(ua_class(humans[12], NULL), "mobile");  /* Safari on iPhone */
	CHECK_STR(ua_class(humans[13], NULL), "mobile");  /* Safari on iPad ("Mobile/") */
	CHECK_STR(ua_class("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 "
			   "Thunderbird/115.6.0",
			   NULL),
		  "email_client");
	CHECK_STR(ua_class("Outlook-iOS/723.4027091.prod.iphone (4.2343.0)", NULL), "email_client");
	CHECK_STR(ua_class("SomeClient/1.0", NULL), "other");
	CHECK_STR(ua_class("", NULL), "other");
}

int main(void)
{
	TEST(link_unfurlers);
	TEST(mail_scanners);
	TEST(crawlers);
	TEST(automation);
	TEST(generic_words);
	TEST(specific_names_win_over_generic_words);
	TEST(matching_is_case_insensitive);
	TEST(long_agents_match_to_the_end);
	TEST(head_is_a_bot_whatever_the_agent);
	TEST(missing_or_empty_agent_is_a_bot);
	TEST(real_browsers_are_people);
	TEST(ua_classes);
	return HARNESS_EXIT();
}
