"""The prospect's viewer of tracked links (issue 16 §3): GET /s/{token}
answering a person's browser with a viewer page (and everyone else with
the content as before, byte for byte), the viewer's file fetch
/s/{token}/file bound to the page's view id (no second open; revoked,
expired and retired links refused), the beacons POST /s/{token}/engagement
(validated and bounded, problem+json codes; bots' ignored; rate-limited
per address and per link), what the rep then sees (the share's "read" and
"reads", the notification's sentence), and dead links as a short page for
a browser, problem+json for anything else.

The documents are real: guide.pdf (5 pages) of tests/files/make_files.py.
Requests to /s/ come from fresh loopback addresses (127.99.x.y); the
suite's server takes 5 beacons a minute per address (20 per link)."""
import itertools
import json
import re
import sys
import uuid
from pathlib import Path

from nsapi.client import expect_json, expect_problem, expect_status
from nsapi.context import ctx
from nsapi.harness import check, test
from nsapi.proc import arrange, sql_literal, stored
from suites.assets import PAST, create_link_asset, get_asset, patch_asset
from suites.public import BROWSER_ACCEPT, CHROME, SLACK, esc, visit
from suites.shares import CURL, NOTES, SHARES, age, notes_of, published_file, share, unknown_token

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "files"))
import make_files  # noqa: E402  (tests/files: the extraction engineer's real files)

SERVER_ENV = {"NEXTSTAGE_BEACON_RATE": "5"}
GUIDE = make_files.pdf_bytes(make_files.guide_pages())
GUIDE_PAGES = 5
REP = {"as_": "rep"}
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"

_addresses = itertools.count(1)


def fresh_addr():
    n = next(_addresses)
    return f"127.99.{n // 250}.{n % 250 + 1}"


def browse(path, ua=CHROME, method="GET", **kw):
    """@path as a person's browser asks for a page."""
    return visit(path, method, html=True, ua=ua, addr=kw.pop("addr", None) or fresh_addr(), **kw)


def fetch(path, ua=CHROME, method="GET", headers=None, **kw):
    """@path as a script or a fetch() asks: no text/html in Accept."""
    return visit(path, method, ua=ua, headers={"Accept": "*/*", **(headers or {})},
                 addr=kw.pop("addr", None) or fresh_addr(), **kw)


def guide_share(title="Pricing guide", **fields):
    """A share (with @fields) of a published guide.pdf titled @title."""
    s = share(published_file(GUIDE, filename="guide.pdf", title=title), **fields)
    age(s)  # out of the burst window: a person's open
    return s


def viewer_of(token, **kw):
    """The viewer page of @token: (html, view id, file URL)."""
    r = browse(f"/s/{token}", **kw)
    expect_status(r, 200)
    check(r.media_type() == "text/html", f"Content-Type {r.header('Content-Type')!r}", r.describe())
    page = r.body.decode()
    view = re.search(r'data-view="(' + UUID_RE + ')"', page)
    check(view, "the viewer page has no view id", page)
    file = re.search(r'data-file="([^"]+)"', page)
    check(file, "the viewer page names no file", page)
    return page, view.group(1), file.group(1).replace("&amp;", "&")


def beacon(token, body, ua=CHROME, addr=None, raw=None):
    """A beacon as sendBeacon sends one (text/plain)."""
    data = raw if raw is not None else json.dumps(body).encode()
    return visit(f"/s/{token}/engagement", "POST", ua=ua, body=data,
                 content_type="text/plain;charset=UTF-8", addr=addr or fresh_addr())


def viewed(seen=((1, 1),)):
    """A share of the guide opened in the viewer: (share, view id, a beacon
    of that view saying @seen)."""
    s = guide_share()
    _, view, _ = viewer_of(s["token"])
    return s, view, {"view": view, "pages": GUIDE_PAGES, "seen": [list(x) for x in seen]}


def current(s):
    items = expect_json(ctx.api.get(f"{SHARES}?asset={s['asset_id']}", **REP), 200)["items"]
    return next(x for x in items if x["id"] == s["id"])


def open_count(s):
    return int(stored(f"SELECT count(*) FROM opens WHERE share_id = {sql_literal(s['id'])}")[0][0])


def reads_rows(s):
    return int(stored("SELECT count(*) FROM open_reads"
                      f" WHERE share_id = {sql_literal(s['id'])}")[0][0])


# ---------------------------------------------------------------- negotiation

@test
def a_browser_gets_the_viewer_page_and_one_open_carrying_its_view():
    s = guide_share(title="Guide <b>&</b> 'terms'")
    r = browse(f"/s/{s['token']}")
    page, view, file = viewer_of(s["token"])
    check(esc("Guide <b>&</b> 'terms'") in page and "<b>&</b>" not in page,
          "the title is not escaped in the page", page[:600])
    check(file == f"/s/{s['token']}/file?view={view}", f"file URL {file!r}")
    check('data-kind="pdf"' in page and f'data-beacon="/s/{s["token"]}/engagement"' in page,
          "the page does not say it shows a PDF or where beacons go", page)
    check('src="/app/viewer/viewer.js"' in page and "<script>" not in page
          and "style=" not in page, "the page has inline script or style", page)
    csp = r.header("Content-Security-Policy") or ""
    for part in ("default-src 'none'", "script-src 'self'", "connect-src 'self'",
                 "frame-ancestors 'none'"):
        check(part in csp, f"CSP lacks {part!r}: {csp!r}")
    check("unsafe" not in csp and "http" not in csp, f"CSP lets in more: {csp!r}")
    check(r.header("Set-Cookie") is None, f"the viewer sets a cookie: {r.header('Set-Cookie')}")
    check("no-store" in (r.header("Cache-Control") or ""), f"Cache-Control {r.header('Cache-Control')!r}")
    check(r.header("Referrer-Policy") == "no-referrer", f"Referrer-Policy {r.header('Referrer-Policy')}")
    views = stored(f"SELECT view_id, is_bot FROM opens WHERE share_id = {sql_literal(s['id'])}"
                   " ORDER BY id")
    check(len(views) == 2 and views[1] == [view, "f"] and views[0][0] != view,
          f"two page loads should be two opens, each with its own view id: {views}, page's {view}")
    check('id="download"' in page and "Download guide.pdf" in page,
          "a downloadable asset's viewer has no download button", page)


@test
def scripts_bots_and_head_still_get_the_bytes_as_before():
    s = guide_share()
    for ua, headers in ((CURL, {}), (CHROME, {}), (SLACK, {"Accept": BROWSER_ACCEPT}),
                        ("Mozilla/5.0 (compatible; Googlebot/2.1)", {"Accept": "text/html"}),
                        (CHROME, {"Accept": "text/html;q=0, */*"})):
        r = visit(f"/s/{s['token']}", ua=ua, headers=headers, addr=fresh_addr())
        check(r.status == 200 and r.body == GUIDE and r.media_type() == "application/pdf",
              f"{ua[:20]} {headers}: {r.status} {r.header('Content-Type')}, {len(r.body)} bytes")
        check("attachment" in (r.header("Content-Disposition") or ""),
              f"{ua[:20]}: Content-Disposition {r.header('Content-Disposition')!r}")
    h = browse(f"/s/{s['token']}", method="HEAD")
    check(h.status == 200 and h.media_type() == "application/pdf" and h.body == b""
          and h.header("Content-Length") == str(len(GUIDE)),
          f"HEAD in a browser: {h.status} {h.header('Content-Type')} {h.header('Content-Length')}")
    check(stored(f"SELECT count(*) FILTER (WHERE view_id IS NOT NULL) FROM opens"
                 f" WHERE share_id = {sql_literal(s['id'])}")[0][0] == "0",
          "an open that got the bytes carries a view id")


@test
def a_link_asset_still_redirects_a_browser():
    a = create_link_asset(status="published")
    s = share(a)
    r = browse(f"/s/{s['token']}")
    check(r.status == 302 and r.header("Location") == a["url"], f"{r.status} to {r.header('Location')}")


@test
def an_image_is_shown_inline_and_a_text_file_gets_a_card():
    png = make_files.png_bytes(64, 40)
    s = share(published_file(png, filename="logo.png", content_type="image/png"))
    age(s)
    page, view, file = viewer_of(s["token"])
    check('data-kind="image"' in page and f'<img src="{esc(file)}"' in page,
          "an image is not shown in the page", page)
    r = fetch(file)
    check(r.status == 200 and r.body == png, f"the image's file: {r.status}, {len(r.body)} bytes")
    text = b"Call notes: the buyer asked about pricing.\n" * 10
    t = share(published_file(text, filename="notes.txt", content_type="text/plain"))
    age(t)
    page, _, file = viewer_of(t["token"])
    check('data-kind="file"' in page and "notes.txt cannot be shown in the page: download it" in page
          and 'id="download"' in page, "a text file does not get a card with its button", page)
    check(fetch(file).body == text, "the card's file is not the text")


# ---------------------------------------------------------------- the file

@test
def the_file_url_serves_the_bytes_without_a_second_open():
    s = guide_share()
    _, view, file = viewer_of(s["token"])
    before = open_count(s)
    for _ in range(2):
        r = fetch(file)
        check(r.status == 200 and r.body == GUIDE, f"file: {r.status}, {len(r.body)} bytes")
    part = fetch(file, headers={"Range": "bytes=0-7"})
    check(part.status == 206 and part.body == GUIDE[:8], f"range: {part.status} {part.body!r}")
    check(open_count(s) == before, f"the file fetches counted opens: {open_count(s)} vs {before}")
    check("sandbox" in (r.header("Content-Security-Policy") or ""),
          f"the file is served without a sandboxing CSP: {r.header('Content-Security-Policy')}")
    for bad in (f"/s/{s['token']}/file", f"/s/{s['token']}/file?view={uuid.uuid4()}",
                f"/s/{s['token']}/file?view=nope", f"/s/{unknown_token()}/file?view={view}"):
        expect_problem(fetch(bad), 404, "not_found")
    other = guide_share()
    expect_problem(fetch(f"/s/{other['token']}/file?view={view}"), 404, "not_found")


@test
def the_file_url_respects_revoke_expiry_and_retirement():
    s = guide_share()
    _, view, file = viewer_of(s["token"])
    arrange(f"UPDATE shares SET expires_at = now() - interval '1 minute' WHERE id = {sql_literal(s['id'])}")
    expect_problem(fetch(file), 410, "gone")
    arrange(f"UPDATE shares SET expires_at = NULL WHERE id = {sql_literal(s['id'])}")
    expect_status(fetch(file), 200)
    expect_status(ctx.api.delete(f"{SHARES}/{s['id']}", **REP), 204)
    expect_problem(fetch(file), 410, "gone")
    page = browse(file)
    check(page.status == 410 and page.media_type() == "text/html", f"browser: {page.status}")
    t = guide_share()
    _, view, file = viewer_of(t["token"])
    arrange(f"UPDATE assets SET status = 'retired' WHERE id = {sql_literal(t['asset_id'])}")
    expect_problem(fetch(file), 410, "gone")


@test
def an_asset_not_downloadable_is_shown_without_a_download_button():
    a = published_file(GUIDE, filename="guide.pdf", downloadable=False)
    check(a.get("downloadable") is False, f"downloadable {a.get('downloadable')!r}")
    s = share(a)
    age(s)
    page, _, file = viewer_of(s["token"])
    check('id="download"' not in page and "not offered for download" in page,
          "a not-downloadable asset has a download button", page)
    check(expect_status(fetch(file), 200).body == GUIDE, "the viewer cannot fetch its bytes")
    b = expect_json(patch_asset(a["id"], {"downloadable": True}), 200)
    check(b["downloadable"] is True and get_asset(a["id"])["downloadable"] is True,
          f"PATCH downloadable: {b.get('downloadable')}")
    page, _, _ = viewer_of(s["token"])
    check('id="download"' in page, "downloadable again, yet no button", page)
    d = published_file()
    check(d["downloadable"] is True, f"default downloadable {d['downloadable']!r}")
    expect_problem(patch_asset(a["id"], {"downloadable": "no"}), 400, "invalid_field", "downloadable")


# ---------------------------------------------------------------- beacons

@test
def beacons_add_up_to_pages_and_seconds_on_the_share_and_its_notification():
    s = guide_share(recipient_email="dana@prospect.test")
    _, view, _ = viewer_of(s["token"])
    expect_status(beacon(s["token"], {"view": view, "pages": GUIDE_PAGES,
                                      "seen": [[1, 2.5], [2, 1.25]]}), 204)
    expect_status(beacon(s["token"], {"view": view, "pages": GUIDE_PAGES,
                                      "seen": [[2, 1], [3, 0.5]]}), 204)
    got = current(s)
    read = got.get("read") or {}
    check(read.get("pages") == GUIDE_PAGES and read.get("pages_viewed") == 3
          and read.get("seconds") == 5.3 and read.get("per_page") == {"1": 2.5, "2": 2.3, "3": 0.5},
          f"read {read}")
    reads = got.get("reads") or []
    check(len(reads) == 1 and reads[0]["pages_viewed"] == 3 and reads[0]["seconds"] == 5.3
          and reads[0]["per_page"] == {"1": 2.5, "2": 2.3, "3": 0.5} and reads[0]["opened_at"],
          f"reads {reads}")
    notes = notes_of(s["id"])
    check(len(notes) == 1 and notes[0]["message"].endswith(": read 3 of 5 pages, 5 s")
          and notes[0]["message"].startswith("dana@prospect.test opened"),
          f"notification {[n['message'] for n in notes]}")
    # a second view of the same share adds its own read
    _, second, _ = viewer_of(s["token"])
    arrange(f"UPDATE opens SET at = at - interval '5 minutes' WHERE view_id = {sql_literal(second)}")
    expect_status(beacon(s["token"], {"view": second, "pages": GUIDE_PAGES,
                                      "seen": [[5, 240]]}), 204)
    got = current(s)
    check(got["read"]["pages_viewed"] == 4 and got["read"]["seconds"] == 245.3
          and len(got["reads"]) == 2, f"two reads: {got['read']}, {got['reads']}")
    check(notes_of(s["id"])[0]["message"].endswith(": read 4 of 5 pages, 4 min"),
          f"notification {notes_of(s['id'])[0]['message']!r}")
    fresh = guide_share()
    check(current(fresh).get("read") is None and current(fresh).get("reads") == [],
          f"an unread share: {current(fresh).get('read')}, {current(fresh).get('reads')}")


@test
def beacons_are_validated_with_problem_codes():
    s = guide_share()
    _, view, _ = viewer_of(s["token"])
    ok = {"view": view, "pages": GUIDE_PAGES, "seen": [[1, 1.0]]}
    cases = [
        (None, b"{not json", 400, "invalid_json", None),
        (None, b"[1, 2]", 400, "invalid_json", None),
        ({k: v for k, v in ok.items() if k != "view"}, None, 400, "missing_field", "view"),
        ({k: v for k, v in ok.items() if k != "seen"}, None, 400, "missing_field", "seen"),
        ({**ok, "view": "not-a-uuid-but-36-characters-long-xx"}, None, 400, "invalid_field", "view"),
        ({**ok, "pages": 0}, None, 400, "invalid_field", "pages"),
        ({**ok, "pages": 10001}, None, 400, "invalid_field", "pages"),
        ({**ok, "pages": "5"}, None, 400, "invalid_field", "pages"),
        ({**ok, "seen": []}, None, 400, "invalid_field", "seen"),
        ({**ok, "seen": [[6, 1]]}, None, 400, "invalid_field", "seen"),
        ({**ok, "seen": [[0, 1]]}, None, 400, "invalid_field", "seen"),
        ({**ok, "seen": [[1, -2]]}, None, 400, "invalid_field", "seen"),
        ({**ok, "seen": [[1, 0]]}, None, 400, "invalid_field", "seen"),
        ({**ok, "seen": [[1]]}, None, 400, "invalid_field", "seen"),
        ({**ok, "seen": [["1", 2]]}, None, 400, "invalid_field", "seen"),
        ({**ok, "seen": [[1, 1]] * 101}, None, 400, "invalid_field", "seen"),
        ({**ok, "ua": "x"}, None, 400, "unknown_field", "ua"),
        ({**ok, "view": str(uuid.uuid4())}, None, 404, "not_found", None),
    ]
    for body, raw, status, code, field in cases:
        expect_problem(beacon(s["token"], body, raw=raw), status, code, field)
    expect_problem(beacon(unknown_token(), ok), 404, "not_found")
    expect_problem(beacon("bad!token", ok), 404, "not_found")
    check(reads_rows(s) == 0, "a refused beacon recorded a read")
    too_big = visit(f"/s/{s['token']}/engagement", "POST", body=b"x" * (17 << 10),
                    content_type="text/plain", addr=fresh_addr())
    expect_problem(too_big, 413, "payload_too_large")


@test
def beacons_are_bounded_by_the_time_the_view_has_lasted():
    s = guide_share()
    _, view, _ = viewer_of(s["token"])
    body = {"view": view, "pages": GUIDE_PAGES, "seen": [[1, 45]]}
    expect_problem(beacon(s["token"], body), 400, "invalid_field", "seen")  # opened just now
    expect_status(beacon(s["token"], {**body, "seen": [[1, 20]]}), 204)  # within the slack
    expect_problem(beacon(s["token"], {**body, "seen": [[2, 15]]}), 400, "invalid_field", "seen")
    arrange(f"UPDATE opens SET at = at - interval '10 minutes' WHERE view_id = {sql_literal(view)}")
    expect_status(beacon(s["token"], {**body, "seen": [[2, 300]]}), 204)
    check(current(s)["read"]["seconds"] == 320, f"read {current(s)['read']}")
    # the page count is the document's: the first beacon's, kept
    expect_problem(beacon(s["token"], {**body, "pages": 7, "seen": [[1, 1]]}), 400,
                   "invalid_field", "pages")
    # a view holds four hours at most, however long it has been open
    arrange(f"UPDATE opens SET at = at - interval '2 days' WHERE view_id = {sql_literal(view)}")
    expect_status(beacon(s["token"], {**body, "seen": [[3, 14000]]}), 204)
    expect_problem(beacon(s["token"], {**body, "seen": [[3, 100]]}), 400, "invalid_field", "seen")
    check(current(s)["read"]["seconds"] == 14320, f"read {current(s)['read']}")


@test
def beacons_of_bots_and_of_bot_opens_are_ignored():
    s, view, body = viewed(((1, 3),))
    for ua in (SLACK, CURL, None):
        expect_status(beacon(s["token"], body, ua=ua), 204)
    check(reads_rows(s) == 0 and current(s)["read"] is None, f"a bot's beacon was recorded: {current(s)['read']}")
    # an open the burst rule classed as a bot's: its view's beacons count for nothing
    arrange(f"UPDATE opens SET is_bot = true, bot_reason = 'burst: many links from one address'"
            f" WHERE view_id = {sql_literal(view)}")
    expect_status(beacon(s["token"], body), 204)
    check(reads_rows(s) == 0, "a bot open's beacon was recorded")
    # HEAD, a bot's open, never carries a view
    check(stored("SELECT count(*) FROM opens WHERE is_bot AND view_id IS NOT NULL"
                 " AND bot_reason NOT LIKE 'burst%'")[0][0] == "0", "a bot's open carries a view id")


@test
def beacons_of_a_revoked_or_expired_link_are_refused():
    s, _, body = viewed(((1, 1),))
    arrange(f"UPDATE shares SET expires_at = now() - interval '1 second' WHERE id = {sql_literal(s['id'])}")
    expect_problem(beacon(s["token"], body), 410, "gone")
    arrange(f"UPDATE shares SET expires_at = NULL WHERE id = {sql_literal(s['id'])}")
    expect_status(beacon(s["token"], body), 204)
    expect_status(ctx.api.delete(f"{SHARES}/{s['id']}", **REP), 204)
    expect_problem(beacon(s["token"], body), 410, "gone")
    check(current(s)["read"]["seconds"] == 1, f"read {current(s)['read']}")


@test
def beacons_are_limited_per_address_and_per_link():
    s, _, body = viewed(((1, 0.1),))
    addr = fresh_addr()
    for _ in range(5):
        expect_status(beacon(s["token"], body, addr=addr), 204)
    over = beacon(s["token"], body, addr=addr)
    p = expect_problem(over, 429, "rate_limited")
    retry = over.header("Retry-After") or ""
    check(retry.isdigit() and 1 <= int(retry) <= 12, f"Retry-After {retry!r}", over.describe())
    check("5 beacons a minute" in p["detail"], f"detail {p['detail']!r}")
    # the link's own bucket: 20 a minute whatever the addresses (5 taken above)
    codes = [beacon(s["token"], body).status for _ in range(16)]
    check(codes[:15] == [204] * 15 and codes[15] == 429, f"from fresh addresses: {codes}")
    other = guide_share()
    _, v2, _ = viewer_of(other["token"])
    expect_status(beacon(other["token"], {**body, "view": v2}), 204)  # another link: its own


# ---------------------------------------------------------------- dead links

@test
def dead_links_answer_a_browser_with_a_page_and_anything_else_with_a_problem():
    revoked = guide_share()
    expect_status(ctx.api.delete(f"{SHARES}/{revoked['id']}", **REP), 204)
    expired = share(published_file(GUIDE), expires_at=PAST)
    retired = guide_share()
    arrange(f"UPDATE assets SET status = 'retired' WHERE id = {sql_literal(retired['asset_id'])}")
    for token, status, words in ((unknown_token(), 404, "no link here"), ("x!", 404, "no link here"),
                                 (revoked["token"], 410, "revoked or has expired"),
                                 (expired["token"], 410, "revoked or has expired"),
                                 (retired["token"], 410, "retired")):
        page = browse(f"/s/{token}")
        check(page.status == status and page.media_type() == "text/html"
              and words in page.body.decode() and "<script" not in page.body.decode(),
              f"{token[:8]}: {page.status} {page.header('Content-Type')}", page.describe())
        check("default-src 'none'" in (page.header("Content-Security-Policy") or ""),
              f"{token[:8]}: the page's CSP {page.header('Content-Security-Policy')!r}")
        for ua in (CURL, CHROME):
            expect_problem(fetch(f"/s/{token}", ua=ua), status, "not_found" if status == 404 else "gone")


@test
def the_usage_dashboard_gains_read_time():
    def usage():
        today = stored("SELECT (now() AT TIME ZONE 'UTC')::date")[0][0]
        return expect_json(ctx.api.get(f"/api/v1/analytics/usage?from={today}&to={today}&group=day",
                                       as_="marketer"), 200)
    before = usage()
    s = guide_share(title="Read-time guide")
    for _ in range(5):  # opened by people more than any other asset: among the top ten
        _, view, _ = viewer_of(s["token"])
    expect_status(beacon(s["token"], {"view": view, "pages": GUIDE_PAGES, "seen": [[1, 12], [2, 6.5]]}), 204)
    after = usage()
    t0, t1 = before["totals"], after["totals"]
    check(t1["reads"] == t0["reads"] + 1 and abs(t1["read_seconds"] - t0["read_seconds"] - 18.5) < 0.05,
          f"totals before {t0}, after {t1}")
    check(abs(after["periods"][-1]["read_seconds"] - before["periods"][-1]["read_seconds"] - 18.5) < 0.05,
          f"today's period {after['periods'][-1]}")
    top = [a for a in after["top_assets"] if a["asset_id"] == s["asset_id"]]
    check(top and top[0]["read_seconds"] == 18.5, f"top assets {after['top_assets']}")
    csv = ctx.api.get(f"/api/v1/analytics/usage?from={after['from']}&to={after['to']}&group=day&format=csv",
                      as_="marketer")
    header = csv.body.decode().splitlines()[0]
    check(header.endswith(",reads,read_seconds"), f"CSV header {header!r}")
