"""Shares, tracked links and notifications: who may share what to which
deal, the pinned version, listing and revoking; GET /s/{token} answering
200 (the pinned bytes, Range, ETag), 302 (link assets), 404 (unknown) and
410 (revoked, expired); every open recorded before the answer, bots (the
rule table, HEAD, bursts) recorded as bots, raw vs human counts, the client
address kept only as a keyed hash; one notification per share on its first
human open.

Opens are made from distinct loopback source addresses (127.77.x.y) unless
a test is about the address: the burst rule counts the links one address
opened in the last minute, and every request of the suite comes from
127.0.0.1 otherwise."""
import hashlib
import http.client
import itertools
import json
import os
import re
import threading
import uuid

from nsapi import multipart as mp
from nsapi.client import Response, checked, expect_json, expect_problem, expect_status
from nsapi.context import ctx
from nsapi.flows import account_id
from nsapi.harness import Failure, check, test
from nsapi.proc import arrange, sql_literal, stored
from suites.assets import (FUTURE, PAST, RFC3339, UUID, add_version, create_file_asset,
                           create_link_asset, patch_asset, sha256)
from suites.deals import new_deal, other_rep

SHARES = "/api/v1/shares"
NOTES = "/api/v1/notifications"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43,}$")
SHARE_KEYS = {"id", "token", "asset_id", "version", "deal_id", "rep_id", "channel",
              "recipient_email", "expires_at", "revoked_at", "created_at", "opens",
              "human_opens", "url"}
NOTE_KEYS = {"id", "kind", "message", "share_id", "created_at", "read"}
# README, Configuration: NEXTSTAGE_PUBLIC_URL defaults to http://127.0.0.1:8080.
PUBLIC_URL = os.environ.get("NEXTSTAGE_PUBLIC_URL") or "http://127.0.0.1:8080"

REP = {"as_": "rep"}
MARKETER = {"as_": "marketer"}
ADMIN = {"as_": "admin"}

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")
FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1")
SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
CURL = "curl/8.5.0"

# (User-Agent, reason recorded): a sample of every group of the rule table.
BOT_AGENTS = [
    (SLACK, "link unfurler: Slack"),
    ("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
     "link unfurler: LinkedIn"),
    ("Twitterbot/1.0", "link unfurler: Twitter/X"),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
     "link unfurler: Facebook"),
    ("Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 "
     "skype-url-preview@microsoft.com", "link unfurler: Microsoft Teams/Skype"),
    ("TelegramBot (like TwitterBot)", "link unfurler: Telegram"),
    ("Mozilla/4.0 (compatible; ms-office; MSOffice 16)", "mail scanner: Microsoft Office preview"),
    ("Mozilla/5.0 (compatible; Mimecast URL Protect/1.0)", "mail scanner: Mimecast"),
    ("Mozilla/5.0 (compatible; Proofpoint URL Defense)", "mail scanner: Proofpoint"),
    ("Barracuda Sentinel (EE)", "mail scanner: Barracuda"),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
     "crawler: Google"),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "crawler: Bing"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "HeadlessChrome/120.0.6099.109 Safari/537.36", "automation: headless browser"),
    (CURL, "automation: script"),
    ("python-requests/2.31.0", "automation: script"),
    ("Go-http-client/1.1", "automation: script"),
    ("Mozilla/5.0 (compatible; SomeRandomBot/0.1)", "crawler: self-declared bot"),
    ("", "no user agent"),
    (None, "no user agent"),
]

_addresses = itertools.count(1)


# ---------------------------------------------------------------- helpers

def fresh_addr():
    """A loopback address no other open of this run came from."""
    n = next(_addresses)
    return f"127.77.{n // 250}.{n % 250 + 1}"


def open_link(token, ua=CHROME, method="GET", headers=None, addr=None):
    """@method /s/@token with User-Agent @ua (None: no header) from source
    address @addr (default: a fresh one). No credentials."""
    path = token if token.startswith("/") else f"/s/{token}"
    hdrs = {} if ua is None else {"User-Agent": ua}
    hdrs.update(headers or {})
    addr = addr or fresh_addr()
    conn = http.client.HTTPConnection(ctx.api.host, ctx.api.port, timeout=20,
                                      source_address=(addr, 0))
    try:
        conn.request(method, path, headers=hdrs)
        resp = conn.getresponse()
        body = resp.read()
        return checked(Response(method, path, resp.status, resp.getheaders(), body))
    except (OSError, http.client.HTTPException) as e:
        raise Failure(f"{method} {path} from {addr}: no answer ({type(e).__name__}: {e})")
    finally:
        conn.close()


def published_file(data=None, **fields):
    return create_file_asset(data, status="published", **fields)


def published_link(**fields):
    return create_link_asset(status="published", **fields)


def post_share(body, auth=REP):
    return ctx.api.post(SHARES, body, **auth)


def share(asset, auth=REP, channel="email", **fields):
    """A share of @asset (an asset object or id) by @auth; checks its shape."""
    asset_id = asset if isinstance(asset, str) else asset["id"]
    s = expect_json(post_share({"asset_id": asset_id, "channel": channel, **fields}, auth), 201)
    check_share_shape(s)
    return s


def check_share_shape(s):
    check(isinstance(s, dict), f"share is not an object: {s!r}")
    check(set(s) >= SHARE_KEYS, f"share lacks {sorted(SHARE_KEYS - set(s))}: {s}")
    check(UUID.match(str(s["id"])), f"share id {s['id']!r} is not a uuid")
    check(isinstance(s["token"], str) and TOKEN.match(s["token"]),
          f"token {s['token']!r} is not >= 43 base64url characters (256 bits)")
    check(s["url"] == f"{PUBLIC_URL}/s/{s['token']}",
          f"url {s['url']!r}, want {PUBLIC_URL}/s/{s['token']}")
    check(isinstance(s["created_at"], str) and RFC3339.match(s["created_at"]),
          f"created_at {s['created_at']!r} is not RFC 3339 UTC")
    check(isinstance(s["opens"], int) and isinstance(s["human_opens"], int),
          f"opens {s['opens']!r} / human_opens {s['human_opens']!r} are not integers")


def list_shares(params="", auth=REP):
    page = expect_json(ctx.api.get(f"{SHARES}{params}", **auth), 200)
    check(isinstance(page.get("items"), list) and "next_cursor" in page, f"not a page: {page}")
    return page


def list_all_shares(params, auth=REP, limit=None):
    """Every item of GET /shares?@params (a query string without "?"),
    following next_cursor."""
    items, cursor, pages = [], None, 0
    while True:
        q = params
        if limit:
            q += f"&limit={limit}"
        if cursor:
            q += f"&cursor={cursor}"
        page = list_shares(f"?{q}", auth)
        items += page["items"]
        cursor = page["next_cursor"]
        pages += 1
        check(pages <= 50, "more than 50 pages: the cursor does not advance")
        if cursor is None:
            return items


def ids(items):
    return [i["id"] for i in items]


def current(s, auth=REP):
    """The share @s as GET /shares lists it now (for opens / human_opens)."""
    for item in list_all_shares(f"asset={s['asset_id']}", auth):
        if item["id"] == s["id"]:
            return item
    raise Failure(f"share {s['id']} is not in GET {SHARES}?asset={s['asset_id']}")


def check_counts(s, opens, human, auth=REP):
    got = current(s, auth)
    check((got["opens"], got["human_opens"]) == (opens, human),
          f"opens/human_opens {got['opens']}/{got['human_opens']}, want {opens}/{human}")


def opens_of(share_id):
    """The opens rows of a share, oldest first."""
    rows = stored("SELECT octet_length(client_hash), encode(client_hash, 'hex'), ua_class,"
                " is_bot, coalesce(bot_reason, ''), row_to_json(o)::text FROM opens o"
                f" WHERE share_id = {sql_literal(share_id)} ORDER BY id")
    return [{"hash_len": int(r[0]) if r[0] else None, "hash": r[1], "ua_class": r[2],
             "is_bot": r[3] == "t", "reason": r[4] or None, "row": r[5]} for r in rows]


def count_rows(table, where="true"):
    return int(stored(f"SELECT count(*) FROM {table} WHERE {where}")[0][0])


def age(s, seconds=60):
    """Moves the share's creation @seconds into the past (out of the burst
    window)."""
    arrange(f"UPDATE shares SET created_at = created_at - interval '{int(seconds)} seconds'"
         f" WHERE id = {sql_literal(s['id'])}")


def notifications(auth=REP):
    """All of the caller's notifications, following next_cursor."""
    items, cursor, pages = [], None, 0
    while True:
        q = "?limit=100" + (f"&cursor={cursor}" if cursor else "")
        page = expect_json(ctx.api.get(f"{NOTES}{q}", **auth), 200)
        check(isinstance(page.get("items"), list) and "next_cursor" in page,
              f"not a page: {page}")
        items += page["items"]
        cursor = page["next_cursor"]
        pages += 1
        check(pages <= 100, "more than 100 pages of notifications")
        if cursor is None:
            return items


def notes_of(share_id, auth=REP):
    return [n for n in notifications(auth) if n.get("share_id") == share_id]


def check_note_shape(n):
    check(set(n) >= NOTE_KEYS, f"notification lacks {sorted(NOTE_KEYS - set(n))}: {n}")
    check(isinstance(n["id"], int), f"notification id {n['id']!r} is not an integer")
    check(isinstance(n["read"], bool), f"read {n['read']!r} is not a bool")
    check(isinstance(n["created_at"], str) and RFC3339.match(n["created_at"]),
          f"created_at {n['created_at']!r}")


def unknown_token():
    return os.urandom(32).hex()[:43].replace("a", "_").replace("b", "-")


# ---------------------------------------------------------------- creating

@test
def a_share_answers_a_random_token_its_url_and_the_pinned_version():
    a = published_file()
    deal = new_deal()
    recipient = f"{ctx.uniq('buyer')}@prospect.example"
    r = post_share({"asset_id": a["id"], "channel": "email", "deal_id": deal["id"],
                    "recipient_email": recipient, "expires_at": FUTURE})
    s = expect_json(r, 201)
    check_share_shape(s)
    want = {"asset_id": a["id"], "version": 1, "deal_id": deal["id"], "deal_name": deal["name"],
            "rep_id": account_id("rep"), "channel": "email", "recipient_email": recipient,
            "expires_at": FUTURE, "revoked_at": None, "opens": 0, "human_opens": 0}
    got = {k: s.get(k) for k in want}
    check(got == want, f"share differs:\n got  {got}\n want {want}")
    # Tokens are random: a second share of the same asset gets another one.
    tokens = {s["token"]} | {share(a, channel=c)["token"] for c in
                             ("link", "social", "meeting", "other")}
    check(len(tokens) == 5, f"tokens repeat: {tokens}")
    listed = expect_json(ctx.api.get(f"{SHARES}?asset={a['id']}", **REP), 200)["items"]
    check([x["token"] for x in listed if x["id"] == s["id"]] == [s["token"]],
          f"the listed token differs from the answer: {listed}")


@test
def a_link_asset_share_has_no_version():
    link = published_link()
    s = share(link, channel="link")
    check(s["version"] is None, f"a link asset's share has version {s['version']!r}")
    check(s["deal_id"] is None and s["recipient_email"] is None and s["expires_at"] is None,
          f"optional fields not null: {s}")


@test
def only_a_published_unexpired_asset_can_be_shared():
    draft = create_file_asset()
    archived = published_file()
    expect_json(patch_asset(archived["id"], {"status": "archived"}), 200)
    retired = published_file()
    expect_json(patch_asset(retired["id"], {"status": "retired"}), 200)
    expired = published_file(expires_at=PAST)
    draft_link = create_link_asset()
    before = count_rows("shares")
    for what, asset_id in (("draft", draft["id"]), ("archived", archived["id"]),
                           ("retired", retired["id"]), ("expired", expired["id"]),
                           ("draft link", draft_link["id"]), ("unknown", str(uuid.uuid4()))):
        for auth in (REP, MARKETER):
            r = post_share({"asset_id": asset_id, "channel": "email"}, auth)
            try:
                expect_problem(r, 400, "invalid_field", "asset_id")
            except Failure as e:
                raise Failure(f"{what} asset shared by {auth['as_']}: {e}", *e.details)
    check(count_rows("shares") == before, "a refused share was stored")


@test
def share_fields_are_validated_by_name():
    a = published_file()
    cases = [
        ({"channel": "email"}, "missing_field", "asset_id"),
        ({"asset_id": a["id"]}, "missing_field", "channel"),
        ({"asset_id": "not-a-uuid", "channel": "email"}, "invalid_field", "asset_id"),
        ({"asset_id": a["id"], "channel": "fax"}, "invalid_field", "channel"),
        ({"asset_id": a["id"], "channel": "email", "deal_id": "nope"}, "invalid_field",
         "deal_id"),
        ({"asset_id": a["id"], "channel": "email", "recipient_email": "not an email"},
         "invalid_field", "recipient_email"),
        ({"asset_id": a["id"], "channel": "email", "expires_at": "tomorrow"}, "invalid_field",
         "expires_at"),
        ({"asset_id": a["id"], "channel": "email", "expires_at": "2024-02-30T00:00:00Z"},
         "invalid_field", "expires_at"),
    ]
    before = count_rows("shares")
    for body, code, field in cases:
        try:
            expect_problem(post_share(body), 400, code, field)
        except Failure as e:
            raise Failure(f"body {body}: {e}", *e.details)
    check(count_rows("shares") == before, "a refused share was stored")


@test
def a_rep_cannot_share_to_someone_elses_deal():
    a = published_file()
    _, other = other_rep()
    theirs = new_deal(auth=other)
    before = count_rows("shares")
    expect_problem(post_share({"asset_id": a["id"], "channel": "email",
                               "deal_id": theirs["id"]}), 400, "invalid_field", "deal_id")
    expect_problem(post_share({"asset_id": a["id"], "channel": "email",
                               "deal_id": str(uuid.uuid4())}), 400, "invalid_field", "deal_id")
    check(count_rows("shares") == before, "a refused share was stored")
    # Their own deal is fine.
    s = share(a, auth=other, deal_id=theirs["id"])
    check(s["deal_id"] == theirs["id"], f"deal_id {s['deal_id']!r}")


@test
def a_marketer_can_share_to_any_deal():
    a = published_file()
    reps_deal = new_deal()
    s = share(a, auth=MARKETER, deal_id=reps_deal["id"])
    check(s["deal_id"] == reps_deal["id"], f"deal_id {s['deal_id']!r}")
    check(s["rep_id"] == account_id("marketer"), f"rep_id {s['rep_id']!r}, want the marketer")
    expect_problem(post_share({"asset_id": a["id"], "channel": "email",
                               "deal_id": str(uuid.uuid4())}, MARKETER),
                   400, "invalid_field", "deal_id")


@test
def a_share_pins_the_assets_current_version():
    a = published_file(mp.pdf(1500))
    first = share(a)
    expect_status(add_version(a["id"], mp.pdf(1600)), 201)
    second = share(a)
    check((first["version"], second["version"]) == (1, 2),
          f"versions {first['version']}, {second['version']}; want 1 then 2")
    check(current(first)["version"] == 1, "the first share's version moved with the asset")


# ---------------------------------------------------------------- listing and revoking

@test
def list_shows_reps_their_own_shares_and_marketers_all():
    a = published_file()
    deal = new_deal()
    _, other = other_rep()
    mine = [share(a), share(a, deal_id=deal["id"])]
    theirs = share(a, auth=other)
    marketers = share(a, auth=MARKETER, deal_id=deal["id"])
    everyone = [marketers, theirs] + mine[::-1]  # newest first
    q = f"asset={a['id']}"
    got = list_all_shares(q)
    check(ids(got) == ids(mine[::-1]), f"rep sees {ids(got)}, want own {ids(mine[::-1])}")
    check(ids(list_all_shares(q + "&mine=1")) == ids(mine[::-1]), "rep with mine=1")
    check(ids(list_all_shares(q, other)) == [theirs["id"]], "the other rep's view")
    for auth in (MARKETER, ADMIN):
        got = ids(list_all_shares(q, auth))
        check(got == ids(everyone), f"{auth['as_']} sees {got}, want all {ids(everyone)}")
    check(ids(list_all_shares(q + "&mine=1", MARKETER)) == [marketers["id"]],
          "marketer with mine=1 sees more than their own")
    # deal filter: a rep sees only their own share to the deal.
    check(ids(list_all_shares(f"deal={deal['id']}")) == [mine[1]["id"]], "rep, deal filter")
    check(ids(list_all_shares(f"deal={deal['id']}", MARKETER)) ==
          [marketers["id"], mine[1]["id"]], "marketer, deal filter")
    check(ids(list_all_shares(f"deal={deal['id']}&asset={a['id']}", other)) == [],
          "the other rep sees shares to a deal not theirs")
    # Items are the shares as created (url aside), in pages that add up.
    item = next(i for i in list_all_shares(q) if i["id"] == mine[0]["id"])
    want = {k: v for k, v in mine[0].items() if k != "url"}
    check({k: item.get(k) for k in want} == want, f"listed {item}\n created {mine[0]}")
    paged = ids(list_all_shares(q, MARKETER, limit=1))
    check(paged == ids(everyone), f"pages of 1 give {paged}, want {ids(everyone)}")


@test
def list_filters_are_validated():
    for q in ("?asset=nope", "?deal=123"):
        expect_problem(ctx.api.get(f"{SHARES}{q}", as_="rep"), 400, "invalid_parameter")
    expect_problem(ctx.api.get(f"{SHARES}?cursor=garbage", as_="rep"), 400, "invalid_parameter")


@test
def revoking_makes_the_link_gone():
    a = published_file()
    s = share(a)
    expect_status(open_link(s["token"]), 200)
    r = ctx.api.delete(f"{SHARES}/{s['id']}", as_="rep")
    expect_status(r, 204)
    check(r.body == b"", "204 with a body")
    expect_problem(open_link(s["token"]), 410, "gone")
    got = current(s)
    check(got["revoked_at"] is not None and RFC3339.match(got["revoked_at"]),
          f"revoked_at {got['revoked_at']!r} after DELETE")


@test
def a_rep_cannot_revoke_another_reps_share_but_a_marketer_can():
    a = published_file()
    s = share(a)
    _, other = other_rep()
    expect_problem(ctx.api.delete(f"{SHARES}/{s['id']}", **other), 404, "not_found")
    check(current(s)["revoked_at"] is None, "another rep's DELETE revoked the share")
    expect_status(open_link(s["token"]), 200)
    expect_status(ctx.api.delete(f"{SHARES}/{s['id']}", as_="marketer"), 204)
    expect_problem(open_link(s["token"]), 410, "gone")
    for bad in (str(uuid.uuid4()), "not-a-uuid"):
        expect_problem(ctx.api.delete(f"{SHARES}/{bad}", as_="rep"), 404, "not_found")


# ---------------------------------------------------------------- tracked links

@test
def a_tracked_link_serves_the_file_without_credentials():
    data = mp.pdf(5000)
    a = published_file(data, filename="Deck.pdf")
    s = share(a)
    r = expect_status(open_link(s["token"]), 200)
    check(r.body == data, f"GET /s/ answered {len(r.body)} bytes that differ from the upload")
    check(r.media_type() == "application/pdf", f"Content-Type {r.header('Content-Type')!r}")
    check(r.header("ETag") == f'"{sha256(data)}"', f"ETag {r.header('ETag')!r}")
    check(r.header("Content-Length") == str(len(data)),
          f"Content-Length {r.header('Content-Length')!r}")
    r = expect_status(open_link(s["token"], headers={"Range": "bytes=0-99"}), 206)
    check(r.header("Content-Range") == f"bytes 0-99/{len(data)}",
          f"Content-Range {r.header('Content-Range')!r}")
    check(r.body == data[:100], "Range 0-99: wrong bytes")
    r = expect_status(open_link(s["token"], headers={"Range": "bytes=-10"}), 206)
    check(r.body == data[-10:], "Range -10: wrong bytes")
    r = expect_status(open_link(s["token"], headers={"If-None-Match": f'"{sha256(data)}"'}),
                      304)
    check(r.body == b"", "304 with a body")
    expect_problem(open_link(s["token"], headers={"Range": f"bytes={len(data)}-"}), 416,
                   "range_not_satisfiable")


@test
def a_tracked_link_of_a_link_asset_redirects_to_its_url():
    link = published_link()
    s = share(link, channel="link")
    r = expect_status(open_link(s["token"]), 302)
    check(r.header("Location") == link["url"],
          f"Location {r.header('Location')!r}, want {link['url']!r}")
    check(len(opens_of(s["id"])) == 1, "the redirect was not recorded as an open")


@test
def unknown_tokens_are_404_and_record_nothing():
    before = count_rows("opens")
    s = share(published_file())
    for token in (unknown_token(), s["token"][:-1], s["token"] + "x", "x",
                  "A" * 200, s["token"].upper() if s["token"] != s["token"].upper() else "Z" * 43):
        expect_problem(open_link(token), 404, "not_found")
    check(count_rows("opens") == before, "an unknown token recorded an open")


@test
def an_expired_share_is_410():
    a = published_file()
    past = share(a, expires_at=PAST)
    check(past["expires_at"] == PAST, f"expires_at {past['expires_at']!r}")
    expect_problem(open_link(past["token"]), 410, "gone")
    expect_problem(open_link(past["token"], method="GET", ua=SLACK), 410, "gone")
    future = share(a, expires_at=FUTURE)
    expect_status(open_link(future["token"]), 200)
    link = share(published_link(), expires_at=PAST)
    expect_problem(open_link(link["token"]), 410, "gone")


@test
def the_link_keeps_serving_the_pinned_version():
    old, new = mp.pdf(2100), mp.pdf(2200)
    a = published_file(old)
    s = share(a)
    expect_status(add_version(a["id"], new, "v2.pdf"), 201)
    r = expect_status(open_link(s["token"]), 200)
    check(r.body == old, "after a new version the link serves other bytes than version 1")
    check(r.header("ETag") == f'"{sha256(old)}"', f"ETag {r.header('ETag')!r}, want v1's")
    r = expect_status(open_link(s["token"], headers={"Range": "bytes=10-19"}), 206)
    check(r.body == old[10:20], "a range of the pinned version")
    s2 = share(a)
    check(expect_status(open_link(s2["token"]), 200).body == new, "a new share serves v2")


# ---------------------------------------------------------------- opens

@test
def raw_and_human_open_counts():
    s = share(published_file())
    age(s)  # whatever other tests did from any address, no burst here
    expect_status(open_link(s["token"], CHROME), 200)
    expect_status(open_link(s["token"], IPHONE), 200)
    expect_status(open_link(s["token"], SLACK), 200)
    expect_status(open_link(s["token"], CURL), 200)
    expect_status(open_link(s["token"], CHROME, method="HEAD"), 200)
    check_counts(s, 5, 2)
    check_counts(s, 5, 2, MARKETER)
    rows = [(o["ua_class"], o["is_bot"], o["reason"]) for o in opens_of(s["id"])]
    want = [("browser", False, None), ("mobile", False, None),
            ("bot", True, "link unfurler: Slack"), ("bot", True, "automation: script"),
            ("bot", True, "HEAD request")]
    check(rows == want, f"opens rows\n got  {rows}\n want {want}")
    # A redirect counts the same way.
    link = share(published_link())
    age(link)
    expect_status(open_link(link["token"], FIREFOX), 302)
    expect_status(open_link(link["token"], SLACK), 302)
    check_counts(link, 2, 1)


@test
def every_bot_agent_is_recorded_as_a_bot_with_its_reason():
    s = share(published_file())
    for ua, _ in BOT_AGENTS:
        expect_status(open_link(s["token"], ua), 200)
    expect_status(open_link(s["token"], FIREFOX, method="HEAD"), 200)
    rows = opens_of(s["id"])
    want = [(ua, reason) for ua, reason in BOT_AGENTS] + [("HEAD", "HEAD request")]
    check(len(rows) == len(want), f"{len(rows)} opens recorded, want {len(want)}")
    wrong = [f"{ua!r}: is_bot {o['is_bot']}, reason {o['reason']!r}, ua_class "
             f"{o['ua_class']!r}; want reason {reason!r}"
             for (ua, reason), o in zip(want, rows)
             if not o["is_bot"] or o["reason"] != reason or o["ua_class"] != "bot"]
    check(not wrong, "bots not recorded as such:\n" + "\n".join(wrong))
    check_counts(s, len(want), 0)
    check(notes_of(s["id"]) == [], "bot opens created a notification")


@test
def the_client_address_is_kept_only_as_a_keyed_hash():
    s = share(published_file())
    age(s)
    for _ in range(2):
        expect_status(open_link(s["token"], CHROME, addr="127.0.0.1"), 200)
    other = fresh_addr()
    expect_status(open_link(s["token"], CHROME, addr=other), 200)
    rows = opens_of(s["id"])
    check(len(rows) == 3, f"{len(rows)} opens, want 3")
    for o in rows:
        check(o["hash_len"] == 32, f"client_hash is {o['hash_len']} bytes, want 32: {o['row']}")
        for raw in ("127.0.0.1", other, "127.0.0.1".encode().hex(), other.encode().hex()):
            check(raw not in o["row"], f"the opens row holds {raw!r}: {o['row']}")
    check(rows[0]["hash"] == rows[1]["hash"], "one address gave two different hashes")
    check(rows[0]["hash"] != rows[2]["hash"], "two addresses gave the same hash")
    plain = {hashlib.sha256(b"127.0.0.1").hexdigest(), hashlib.sha256(b"").hexdigest()}
    check(rows[0]["hash"] not in plain, "client_hash is an unkeyed SHA-256 of the address")
    check(not rows[0]["is_bot"], f"a browser open was classed {rows[0]['reason']!r}")


@test
def a_burst_of_new_links_from_one_address_is_a_bot():
    addr = fresh_addr()
    swept = [share(published_file()) for _ in range(5)]
    for s in swept:
        expect_status(open_link(s["token"], CHROME, addr=addr), 200)
    for s in swept:
        o = opens_of(s["id"])
        check(len(o) == 1 and not o[0]["is_bot"],
              f"one of the first 5 links from {addr} is a bot: {o}")
    fresh = share(published_file())
    expect_status(open_link(fresh["token"], CHROME, addr=addr), 200)
    o = opens_of(fresh["id"])
    check(len(o) == 1 and o[0]["is_bot"] and (o[0]["reason"] or "").startswith("burst:"),
          f"the 6th new link opened within a minute from {addr} is not a burst bot: {o}")
    check(notes_of(fresh["id"]) == [], "a burst open created a notification")
    # The same address opening a link shared more than 10 s ago: a person.
    older = share(published_file())
    age(older, 30)
    expect_status(open_link(older["token"], CHROME, addr=addr), 200)
    o = opens_of(older["id"])
    check(len(o) == 1 and not o[0]["is_bot"], f"an open of an older share is a bot: {o}")
    # Another address opening the fresh link: a person.
    expect_status(open_link(fresh["token"], CHROME), 200)
    check_counts(fresh, 2, 1)


# ---------------------------------------------------------------- notifications

@test
def the_first_human_open_notifies_the_rep_once():
    a = published_file()
    recipient = f"{ctx.uniq('cfo')}@prospect.example"
    s = share(a, recipient_email=recipient)
    age(s)
    expect_status(open_link(s["token"], SLACK), 200)
    expect_status(open_link(s["token"], CHROME, method="HEAD"), 200)
    expect_status(open_link(s["token"], CURL), 200)
    check(notes_of(s["id"]) == [], "bot opens created a notification")
    expect_status(open_link(s["token"], CHROME), 200)
    notes = notes_of(s["id"])
    check(len(notes) == 1, f"{len(notes)} notifications after the first human open, want 1")
    n = notes[0]
    check_note_shape(n)
    want = {"kind": "share_opened", "message": f"{recipient} opened {a['title']}",
            "share_id": s["id"], "read": False}
    got = {k: n.get(k) for k in want}
    check(got == want, f"notification\n got  {got}\n want {want}")
    expect_status(open_link(s["token"], IPHONE), 200)
    expect_status(open_link(s["token"], FIREFOX), 200)
    notes = notes_of(s["id"])
    check(len(notes) == 1, f"{len(notes)} notifications after three human opens, want 1")
    check_counts(s, 6, 3)
    _, other = other_rep()
    for auth in (other, MARKETER):
        check(notes_of(s["id"], auth) == [], "someone else sees the rep's notification")


@test
def the_message_names_the_recipient_the_deal_or_someone():
    a = published_file()
    deal = new_deal()
    recipient = f"{ctx.uniq('vp')}@prospect.example"
    cases = [(share(a, deal_id=deal["id"]), f"{deal['name']} opened {a['title']}"),
             (share(a, deal_id=deal["id"], recipient_email=recipient),
              f"{recipient} opened {a['title']}"),
             (share(a), f"Someone opened {a['title']}")]
    for s, _ in cases:
        age(s)
        expect_status(open_link(s["token"], FIREFOX), 200)
    for s, message in cases:
        notes = notes_of(s["id"])
        check([n["message"] for n in notes] == [message],
              f"share {s['id']}: messages {[n['message'] for n in notes]}, want [{message!r}]")


@test
def the_sharer_is_notified_whoever_they_are():
    a = published_file()
    s = share(a, auth=MARKETER)
    age(s)
    expect_status(open_link(s["token"]), 200)
    check(len(notes_of(s["id"], MARKETER)) == 1, "the marketer who shared got no notification")
    check(notes_of(s["id"]) == [], "the rep got the marketer's notification")


@test
def a_notification_is_read_by_its_owner_only():
    s = share(published_file())
    age(s)
    expect_status(open_link(s["token"]), 200)
    [n] = notes_of(s["id"])
    _, other = other_rep()
    for auth in (other, MARKETER, ADMIN):
        expect_problem(ctx.api.post(f"{NOTES}/{n['id']}/read", **auth), 404, "not_found")
    check(notes_of(s["id"])[0]["read"] is False, "someone else's read marked it read")
    r = ctx.api.post(f"{NOTES}/{n['id']}/read", as_="rep")
    expect_status(r, 204)
    check(r.body == b"", "204 with a body")
    check(notes_of(s["id"])[0]["read"] is True, "read is still false after POST /read")
    expect_status(ctx.api.post(f"{NOTES}/{n['id']}/read", as_="rep"), 204)
    for bad in ("999999999999", "abc", "-1", "1.5", "9" * 30):
        expect_problem(ctx.api.post(f"{NOTES}/{bad}/read", as_="rep"), 404, "not_found")


@test
def notifications_are_newest_first_in_pages():
    a = published_file()
    made = []
    for _ in range(3):
        s = share(a)
        age(s)
        expect_status(open_link(s["token"]), 200)
        made.append(notes_of(s["id"])[0]["id"])
    page = expect_json(ctx.api.get(f"{NOTES}?limit=2", as_="rep"), 200)
    check([n["id"] for n in page["items"]] == made[::-1][:2],
          f"first page {[n['id'] for n in page['items']]}, want {made[::-1][:2]}")
    check(page["next_cursor"] is not None, "no next_cursor after a full page")
    page = expect_json(ctx.api.get(f"{NOTES}?limit=2&cursor={page['next_cursor']}",
                                   as_="rep"), 200)
    check(page["items"] and page["items"][0]["id"] == made[0],
          f"second page starts with {page['items'][:1]}, want id {made[0]}")
    expect_problem(ctx.api.get(f"{NOTES}?cursor=abc", as_="rep"), 400, "invalid_parameter")
    expect_problem(ctx.api.get(NOTES), 401, "unauthorized")


@test
def revoked_and_unknown_tokens_answer_without_a_trace_of_the_share():
    """A revoked token's 410 says only that the link is gone: nothing of the
    share or its asset (its title, ids, URL) that a made-up token's 404
    would not also lack, every time the same, and neither records an open."""
    a = published_link()
    s = share(a)
    r = ctx.api.delete(f"{SHARES}/{s['id']}", **REP)
    check(r.status == 204, f"revoke: {r.status}", r.describe())
    fake = s["token"][:-6] + "abcdef"
    answers = {}
    for token, want in ((s["token"], 410), (fake, 404)):
        got = [open_link(token) for _ in range(3)]
        for g in got:
            expect_problem(g, want, "gone" if want == 410 else "not_found")
        check(len({g.body for g in got}) == 1,
              f"/s/{token[:8]}... answers differently each time", *(g.describe() for g in got))
        answers[want] = got[0]
    for want, g in answers.items():
        for secret in (a["title"], a["id"], a["url"], s["id"], s["token"]):
            check(secret not in g.body.decode("utf-8", "replace"),
                  f"the {want} answer holds {secret!r}", g.describe())
    check(set(answers[410].json) == set(answers[404].json),
          f"the 410 and 404 problems differ in keys: {sorted(answers[410].json)} vs"
          f" {sorted(answers[404].json)}")
    listed = expect_json(ctx.api.get(f"{SHARES}?asset={a['id']}", **REP), 200)["items"]
    check([(x["opens"], x["human_opens"]) for x in listed if x["id"] == s["id"]] == [(0, 0)],
          f"a revoked link counted opens: {listed}")


# ---------------------------------------------------------------- batches
# The group-commit writer records the opens of a batch in one call of
# open_links() (checked in SQL in tests/db/sql_checks.py): each open must
# still get its own answer, as concurrent requests show here.

@test
def concurrent_opens_are_each_answered_and_recorded_once():
    """Requests arriving together share a batch: each gets its own answer."""
    data = mp.pdf(2500)
    f = share(published_file(data))
    link_asset = published_link()
    link = share(link_asset, channel="link")
    revoked = share(published_link())
    expect_status(ctx.api.delete(f"{SHARES}/{revoked['id']}", **REP), 204)
    expired = share(published_link(), expires_at=PAST)
    for s in (f, link):
        age(s)
    kinds = ["file", "link", "revoked", "unknown", "expired", "file", "link", "file"]
    rounds, answers, lock = 4, [], threading.Lock()

    def one(kind, barrier):
        token = {"file": f["token"], "link": link["token"], "revoked": revoked["token"],
                 "expired": expired["token"], "unknown": unknown_token()}[kind]
        barrier.wait()
        r = open_link(token)
        with lock:
            answers.append((kind, r))

    for _ in range(rounds):
        barrier = threading.Barrier(len(kinds))
        threads = [threading.Thread(target=one, args=(k, barrier)) for k in kinds]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    check(len(answers) == rounds * len(kinds), f"{len(answers)} answers")
    for kind, r in answers:
        if kind == "file":
            check(r.status == 200 and r.body == data, f"file: {r.status}, {len(r.body)} bytes")
        elif kind == "link":
            check(r.status == 302 and r.header("Location") == link_asset["url"],
                  f"link: {r.status} to {r.header('Location')!r}")
        else:
            want = 404 if kind == "unknown" else 410
            check(r.status == want, f"{kind}: {r.status}, want {want}")
    check_counts(f, 3 * rounds, 3 * rounds)
    check_counts(link, 2 * rounds, 2 * rounds)
    for s in (revoked, expired):
        check(opens_of(s["id"]) == [], "a revoked or expired link recorded an open")
    check(len(notes_of(f["id"])) == 1 and len(notes_of(link["id"])) == 1,
          "not exactly one notification per share")


@test
def a_share_answers_its_reps_name_beside_the_id():
    s = share(published_link())
    check(s["rep_name"] == ctx.accounts["rep"].name, f"rep_name {s.get('rep_name')!r}")
    asset = expect_json(ctx.api.get(f"/api/v1/assets/{s['asset_id']}", **REP), 200)
    check(s["asset_title"] == asset["title"], f"asset_title {s.get('asset_title')!r}")


@test
def the_notifications_answer_counts_the_unread_ones():
    def unread():
        return expect_json(ctx.api.get(f"{NOTES}?limit=1", **REP), 200)["unread"]
    before = unread()
    s = share(published_link(), channel="link")
    age(s)
    expect_status(open_link(s["token"]), 302)
    check(unread() == before + 1, f"unread {unread()} after an open, {before} before")
    note = notes_of(s["id"])[0]
    expect_status(ctx.api.post(f"{NOTES}/{note['id']}/read", **REP), 204)
    check(unread() == before, f"unread {unread()} after reading it, {before} before")


# ---------------------------------------------------------------- internal content

@test
def internal_content_is_never_shared_and_its_old_links_die():
    """Battlecards are internal unless a marketer says otherwise; sharing
    an internal asset is refused (409 internal_only) and stores nothing,
    for a rep and a marketer alike; an asset made internal after it was
    shared stops answering its links (410), though reps still read it."""
    card = published_file(kind="battlecard")
    check(card["audience"] == "internal", f"a battlecard is {card['audience']}")
    guide = published_file()
    check(guide["audience"] == "external", f"a guide is {guide['audience']}")
    before = count_rows("shares")
    for auth in (REP, MARKETER):
        expect_problem(post_share({"asset_id": card["id"], "channel": "email"}, auth),
                       409, "internal_only", "asset_id")
    check(count_rows("shares") == before, "a refused share of internal content was stored")
    # An external battlecard (the marketer says so) can be shared.
    shareable = published_file(kind="battlecard", audience="external")
    share(shareable)
    s = share(guide)
    expect_status(open_link(s["token"]), 200)
    made_internal = expect_json(patch_asset(guide["id"], {"audience": "internal"}), 200)
    check(made_internal["audience"] == "internal", "the patch did not make it internal")
    expect_problem(open_link(s["token"], ua=CURL), 410, "gone")
    seen = expect_json(ctx.api.get(f"/api/v1/assets/{guide['id']}", as_="rep"), 200)
    check(seen["audience"] == "internal", "a rep does not see that the asset is internal")


@test
def internal_content_is_never_made_public():
    for what, fields in (("a battlecard made public", {"kind": "battlecard", "public": True,
                                                      "audience": "internal"}),
                         ("an internal public guide", {"audience": "internal", "public": True})):
        r = ctx.api.post("/api/v1/assets", {"title": ctx.uniq("x"), "kind": fields.get(
            "kind", "guide"), "intent": "sales", "url": "https://example.com/x",
            **{k: v for k, v in fields.items() if k != "kind"}}, as_="marketer")
        try:
            expect_problem(r, 409, "internal_only", "public")
        except Failure as e:
            raise Failure(f"{what}: {e}", *e.details)
    card = published_file(kind="battlecard")
    expect_problem(patch_asset(card["id"], {"public": True}), 409, "internal_only", "public")
    guide = published_file(public=True)
    expect_problem(patch_asset(guide["id"], {"audience": "internal"}), 409, "internal_only",
                   "public")
    # Both at once, the right way round: no longer public, then internal.
    both = expect_json(patch_asset(guide["id"], {"audience": "internal", "public": False}), 200)
    check((both["audience"], both["public"]) == ("internal", False), f"got {both}")
