"""Public asset pages (GET /p/{id}, GET /p/{id}/file, POST /p/{id}/access)
and their leads (GET /api/v1/leads): who gets a page (404, 410), the HTML
(escaped, the disclosure before the form, no consent chosen in advance,
a strict Content-Security-Policy), leads and their readiness, what reps
may see, the views and downloads recorded (bots as bots, never as
shares), and the per-address rate limit (429 with Retry-After).

Requests to /p/ come from fresh loopback addresses (127.88.x.y), so the
rate limit of the server under test never mixes them up; the 429 test
runs a server of its own with a low NEXTSTAGE_PUBLIC_RATE."""
import base64
import hashlib
import http.client
import itertools
import re
import urllib.parse

from nsapi import multipart as mp
from nsapi.client import Response, checked, expect_json, expect_problem, expect_status
from nsapi.context import ctx
from nsapi.harness import Failure, check, test
from nsapi.proc import Server, sql_literal, stored
from suites.assets import PAST, add_version, create_file_asset, create_link_asset, patch_asset

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")
SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FORM_TYPE = "application/x-www-form-urlencoded"
LEADS = "/api/v1/leads"
DISCLOSURE = "A sales rep will call you within two business days and email you once a month."

_addresses = itertools.count(1)


# ---------------------------------------------------------------- helpers

def fresh_addr():
    """A loopback address no other request of this suite came from."""
    n = next(_addresses)
    return f"127.88.{n // 250}.{n % 250 + 1}"


def visit(path, method="GET", html=False, ua=CHROME, body=None, content_type=FORM_TYPE,
          addr=None, port=None, headers=None):
    """@method @path without credentials, from @addr (default: a fresh
    address); @html sends a browser's Accept header; @body (a dict is
    form-encoded, bytes go as they are) with @content_type."""
    hdrs = {} if ua is None else {"User-Agent": ua}
    if html:
        hdrs["Accept"] = BROWSER_ACCEPT
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else urllib.parse.urlencode(body).encode()
        hdrs["Content-Type"] = content_type
    hdrs.update(headers or {})
    addr = addr or fresh_addr()
    conn = http.client.HTTPConnection(ctx.api.host, port or ctx.api.port, timeout=20,
                                      source_address=(addr, 0))
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        return checked(Response(method, path, resp.status, resp.getheaders(), resp.read()))
    except (OSError, http.client.HTTPException) as e:
        raise Failure(f"{method} {path} from {addr}: no answer ({type(e).__name__}: {e})")
    finally:
        conn.close()


def submit(asset_id, fields, html=False, **kw):
    return visit(f"/p/{asset_id}/access", "POST", html=html, body=fields, **kw)


def person(**fields):
    """Form fields of a fresh visitor; @fields override (None drops one)."""
    body = {"name": "Pat Prospect", "email": ctx.uniq_email("lead"), "company": "Acme AP",
            "consent": "yes"}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def public_file(data=None, gated=False, intent="educational", **fields):
    extra = {"disclosure": DISCLOSURE} if gated else {}
    extra.update(fields)
    return create_file_asset(data, status="published", public=True, gated=gated, intent=intent,
                             **extra)


def esc(s):
    """The server's escaping (server/util/html.c)."""
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def html_of(resp, status=200):
    expect_status(resp, status)
    check(resp.media_type() == "text/html", f"Content-Type {resp.header('Content-Type')!r}",
          resp.describe())
    return resp.body.decode("utf-8")


def leads_of(asset_id):
    """The stored leads of @asset_id, oldest first; "email", "name" and
    "company" None where nothing of the person was kept, "key" the keyed
    hash that stands for the e-mail (key_of)."""
    rows = stored("SELECT coalesce(email, '-'), consent, readiness, intent, disclosure,"
                  " coalesce(version, 0), replaced_at IS NOT NULL, length(client_hash),"
                  " coalesce(company, '-'), coalesce(name, '-'), encode(email_key, 'hex')"
                  f" FROM leads WHERE asset_id = {sql_literal(asset_id)} ORDER BY created_at, id")
    kept = lambda v: None if v == "-" else v  # noqa: E731
    return [{"email": kept(r[0]), "consent": r[1] == "t", "readiness": r[2], "intent": r[3],
             "disclosure": r[4], "version": int(r[5]), "replaced": r[6] == "t",
             "hash_len": int(r[7] or 0), "company": kept(r[8]), "name": kept(r[9]),
             "key": r[10]} for r in rows]


def key_of(email):
    """The keyed hash a lead of @email is stored under."""
    return stored(f"SELECT encode(lead_email_key({sql_literal(email)}), 'hex')")[0][0]


def views_of(asset_id):
    rows = stored("SELECT kind, ua_class, is_bot, coalesce(bot_reason, ''), length(client_hash),"
                " encode(client_hash, 'hex'), row_to_json(v)::text FROM page_views v"
                f" WHERE asset_id = {sql_literal(asset_id)} ORDER BY id")
    return [{"kind": r[0], "ua_class": r[1], "is_bot": r[2] == "t", "reason": r[3] or None,
             "hash_len": int(r[4] or 0), "hash": r[5], "row": r[6]} for r in rows]


def list_leads(query="", as_="marketer"):
    return expect_json(ctx.api.get(f"{LEADS}?{query}", as_=as_), 200)["items"]


def inputs_of(page):
    return re.findall(r"<input\b[^>]*>", page)


# ---------------------------------------------------------------- pages

@test
def a_public_page_shows_title_description_and_a_download_link():
    data = mp.pdf(3000)
    a = public_file(data, title="Invoice automation guide", description="How to start.\nStep 2.")
    page = html_of(visit(f"/p/{a['id']}"))
    check("<h1>Invoice automation guide</h1>" in page, "the title is not the page's heading", page)
    check("How to start.\nStep 2." in page, "the description is not on the page", page)
    check(f'href="/p/{a["id"]}/file"' in page, "no download link to /p/{id}/file", page)
    check("<form" not in page and not inputs_of(page), "a page that is not gated has a form", page)
    resp = expect_status(visit(f"/p/{a['id']}/file"), 200)
    check(resp.body == data, f"the file link served {len(resp.body)} other bytes")
    check((resp.header("Content-Disposition") or "").startswith("attachment"),
          f"Content-Disposition {resp.header('Content-Disposition')!r}")
    link = create_link_asset(status="published", public=True)
    page = html_of(visit(f"/p/{link['id']}"))
    check(f'href="/p/{link["id"]}/file"' in page, "a link asset's page has no link", page)
    resp = expect_status(visit(f"/p/{link['id']}/file"), 302)
    check(resp.header("Location") == link["url"], f"redirected to {resp.header('Location')!r}")


@test
def every_public_answer_carries_a_strict_content_security_policy():
    a = public_file(gated=True)
    resp = visit(f"/p/{a['id']}")
    page = html_of(resp)
    csp = resp.header("Content-Security-Policy") or ""
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    for name, want in (("default-src", ["'none'"]), ("form-action", ["'self'"]),
                       ("frame-ancestors", ["'none'"]), ("base-uri", ["'none'"])):
        check(directives.get(name) == want, f"CSP {name} is {directives.get(name)}, want {want}",
              csp)
    check("script-src" not in directives and "unsafe" not in csp,
          "the CSP allows scripts or unsafe sources", csp)
    check("<script" not in page and not re.search(r"<[^>]*\son\w+\s*=", page),
          "the page carries a script or an event handler", page)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    hashes = ["'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
              for s in styles]
    check(styles and directives.get("style-src") == hashes,
          f"style-src {directives.get('style-src')} does not allow exactly the page's style "
          f"{hashes}", csp)
    check(resp.header("X-Content-Type-Options") == "nosniff", "no nosniff", resp.describe())
    check(resp.header("Referrer-Policy") == "no-referrer",
          f"Referrer-Policy {resp.header('Referrer-Policy')!r}")
    answers = {"404 page": visit("/p/00000000-0000-0000-0000-000000000000", html=True),
               "404 problem": visit("/p/00000000-0000-0000-0000-000000000000"),
               "served file": submit(a["id"], person())}
    for what, r in answers.items():
        got = r.header("Content-Security-Policy") or ""
        check("default-src 'none'" in got and r.header("Referrer-Policy") == "no-referrer",
              f"{what}: CSP {got!r}, Referrer-Policy {r.header('Referrer-Policy')!r}",
              r.describe(200))
    check("sandbox" in (answers["served file"].header("Content-Security-Policy") or ""),
          "a file served from /p/ is not sandboxed")


@test
def a_gated_page_shows_the_disclosure_before_any_input_field():
    a = public_file(gated=True, intent="sales")
    page = html_of(visit(f"/p/{a['id']}"))
    check(esc(DISCLOSURE) in page, "the disclosure text is not on the page", page)
    at = page.index(esc(DISCLOSURE))
    firsts = {t: page.find(t) for t in ("<form", "<input", "<button", "<fieldset")}
    check(all(0 < i for i in firsts.values()), f"the form is incomplete: {firsts}", page)
    late = {t: i for t, i in firsts.items() if i < at}
    check(not late, f"{sorted(late)} come before the disclosure (at {at})", page)
    check(f'action="/p/{a["id"]}/access"' in page and 'method="post"' in page,
          "the form does not post to /p/{id}/access", page)
    names = [re.search(r'name="([^"]+)"', i).group(1) for i in inputs_of(page)]
    check({"name", "email", "company", "consent"} <= set(names), f"form fields {names}")
    radios = [i for i in inputs_of(page) if 'type="radio"' in i]
    values = sorted(re.search(r'value="([^"]*)"', i).group(1) for i in radios)
    check(values == ["no", "yes"], f"consent radios {radios}")
    check(all("checked" not in i for i in radios), f"a consent answer is chosen already: {radios}")
    check(f"/p/{a['id']}/file" not in page, "a gated page links to its file", page)


@test
def hostile_titles_descriptions_and_disclosures_are_escaped():
    title = 'Tom & Jerry <script>alert("title")</script>'
    description = "</textarea><img src=x onerror=alert(1)> \"quoted\" 'single' &amp;"
    disclosure = "We call you.</p><script>alert('disclosure')</script><p title=\"x\">"
    a = public_file(gated=True, title=title, description=description, disclosure=disclosure)
    page = html_of(visit(f"/p/{a['id']}"))
    for raw in (title, description, disclosure):
        check(raw not in page, f"{raw!r} is on the page unescaped", page)
        check(esc(raw) in page, f"{esc(raw)!r} is not on the page", page)
    for marker in ("<script", "<img", "</textarea>", "Tom & Jerry", '"quoted"', "'single'"):
        check(marker not in page, f"{marker!r} reached the page", page)
    # what a visitor typed comes back escaped too, in attribute values
    name = '"><script>alert("name")</script>'
    page = html_of(submit(a["id"], person(name=name, company="A & 'B'", consent=None),
                          html=True), 400)
    check(name not in page and f'value="{esc(name)}"' in page,
          "the name sent is not shown back escaped", page)
    check('value="A &amp; &#39;B&#39;"' in page, "the company sent is not shown back escaped",
          page)


@test
def retired_and_expired_are_410_not_public_drafts_and_archived_404():
    hidden = {
        "not public": create_file_asset(status="published", public=False),
        "draft": create_file_asset(status="draft", public=True),
        "archived": public_file(),
    }
    expect_json(patch_asset(hidden["archived"]["id"], {"status": "archived"}), 200)
    gone = {"retired": public_file(gated=True), "expired": public_file(expires_at=PAST)}
    expect_json(patch_asset(gone["retired"]["id"], {"status": "retired"}), 200)
    for label, asset in list(hidden.items()) + list(gone.items()):
        status, code = (404, "not_found") if label in hidden else (410, "gone")
        for path, method, body in ((f"/p/{asset['id']}", "GET", None),
                                   (f"/p/{asset['id']}/file", "GET", None),
                                   (f"/p/{asset['id']}/access", "POST", person())):
            try:
                expect_problem(visit(path, method, body=body), status, code)
                page = html_of(visit(path, method, html=True, body=body), status)
            except Failure as e:
                raise Failure(f"{label}: {method} {path}: {e}", *e.details)
            check(asset["title"] not in page, f"{label}: the {status} page shows the title")
        check(views_of(asset["id"]) == [] and leads_of(asset["id"]) == [],
              f"{label}: requests were recorded")
    retired = html_of(visit(f"/p/{gone['retired']['id']}", html=True), 410)
    check("no longer available" in retired, "the 410 page does not say the content is gone",
          retired)
    for bad in ("00000000-0000-0000-0000-000000000000", "not-a-uuid", "1%27%20OR%201=1"):
        expect_problem(visit(f"/p/{bad}"), 404, "not_found")
        expect_problem(visit(f"/p/{bad}/access", "POST", body=person()), 404, "not_found")


@test
def errors_are_html_for_browsers_and_problem_json_otherwise():
    missing = "/p/00000000-0000-0000-0000-000000000000"
    expect_problem(visit(missing), 404, "not_found")
    expect_problem(visit(missing, headers={"Accept": "application/json"}), 404, "not_found")
    expect_problem(visit(missing, headers={"Accept": "text/html;q=0, */*"}), 404, "not_found")
    page = html_of(visit(missing, html=True), 404)
    check("<h1>" in page and "no public page here" in page, "the 404 page says nothing", page)
    page = html_of(visit(missing, headers={"Accept": "TEXT/HTML"}), 404)
    check(page.startswith("<!DOCTYPE html>"), "the 404 page is not an HTML document", page)


# ---------------------------------------------------------------- leads

@test
def consent_and_intent_decide_readiness():
    sales = public_file(gated=True, intent="sales")
    educational = public_file(gated=True, intent="educational")
    cases = [(sales, "yes", "sales_ready"), (sales, "no", "nurture"),
             (educational, "yes", "nurture"), (educational, "no", "nurture")]
    for asset, consent, readiness in cases:
        who = person(consent=consent)
        expect_status(submit(asset["id"], who), 200)
        rows = [lead for lead in leads_of(asset["id"]) if lead["key"] == key_of(who["email"])]
        check(len(rows) == 1, f"{len(rows)} leads for one submission")
        lead = rows[0]
        # Who declined follow-up is not kept: only that they took the file.
        kept = consent == "yes"
        want = {"consent": kept, "readiness": readiness, "intent": asset["intent"],
                "disclosure": DISCLOSURE, "company": "Acme AP" if kept else None,
                "name": "Pat Prospect" if kept else None, "email": who["email"] if kept else None}
        got = {k: lead[k] for k in want}
        check(got == want, f"{asset['intent']} asset, consent {consent}: {got}, want {want}")
        check(lead["hash_len"] == 32, f"the lead's client hash is {lead['hash_len']} bytes")
    listed = {(i["email"], i["readiness"], i["consent"])
              for i in list_leads(f"asset={sales['id']}")}
    check(len(listed) == 2 and {r for _, r, _ in listed} == {"sales_ready", "nurture"},
          f"leads listed for the sales asset: {listed}")
    raw = stored(f"SELECT row_to_json(l)::text FROM leads l WHERE asset_id = {sql_literal(sales['id'])}")
    check(all("127.88." not in r[0] for r in raw), "a lead row holds the client address")


@test
def a_missing_or_other_consent_is_refused_and_records_nothing():
    a = public_file(gated=True, intent="sales")
    expect_problem(submit(a["id"], person(consent=None)), 400, "missing_field", "consent")
    expect_problem(submit(a["id"], person(consent="")), 400, "missing_field", "consent")
    expect_problem(submit(a["id"], person(consent="maybe")), 400, "invalid_field", "consent")
    expect_problem(submit(a["id"], person(consent="YES")), 400, "invalid_field", "consent")
    expect_problem(submit(a["id"], b"name=Pat&email=pat%40example.com&consent=yes&consent=no"),
                   400, "invalid_field", "consent")
    who = person(consent=None, name="Pat <b>P</b>")
    page = html_of(submit(a["id"], who, html=True), 400)
    check("choose yes or no" in page, "the page shown again does not ask for a choice", page)
    check(page.index(esc(DISCLOSURE)) < page.index("<form"), "the disclosure moved after the form")
    check(f'value="{who["email"]}"' in page and f'value="{esc(who["name"])}"' in page,
          "the values sent are not shown again", page)
    radios = [i for i in inputs_of(page) if 'type="radio"' in i]
    check(len(radios) == 2 and all("checked" not in i for i in radios),
          f"the form shown again chose for the visitor: {radios}")
    check(leads_of(a["id"]) == [] and views_of(a["id"]) == [],
          "a refused form recorded a lead or a download")


@test
def form_fields_are_checked_by_name():
    a = public_file(gated=True)
    cases = [
        (person(name=None), 400, "missing_field", "name"),
        (person(name="   "), 400, "missing_field", "name"),
        (person(name="x" * 201), 400, "invalid_field", "name"),
        (person(name="bell\x07"), 400, "invalid_field", "name"),
        (person(email=None), 400, "missing_field", "email"),
        (person(email="not-an-address"), 400, "invalid_field", "email"),
        (person(email="a@b"), 400, "invalid_field", "email"),
        (person(company="c" * 201), 400, "invalid_field", "company"),
        (person(color="blue"), 400, "unknown_field", "color"),
        (person(disclosure_sha256="short"), 400, "invalid_field", "disclosure_sha256"),
        (b"name=Pat&email=pat%40example.com&consent=y%zz", 400, "bad_request", None),
        (b"name=%C3%28&email=pat%40example.com&consent=yes", 400, "invalid_field", "name"),
    ]
    for body, status, code, field in cases:
        try:
            expect_problem(submit(a["id"], body), status, code, field)
        except Failure as e:
            raise Failure(f"body {body!r}: {e}", *e.details)
    expect_problem(submit(a["id"], b'{"name": "Pat"}', content_type="application/json"), 415,
                   "unsupported_media_type")
    expect_problem(submit(a["id"], b"x" * (17 << 10)), 413, "payload_too_large")
    check(leads_of(a["id"]) == [], f"refused forms recorded leads: {leads_of(a['id'])}")
    ok = person(name="  Pat Spaces  ", email=" pat.spaces@example.com ", company="")
    expect_status(submit(a["id"], ok), 200)
    got = stored("SELECT name, email, company IS NULL FROM leads WHERE asset_id = "
               f"{sql_literal(a['id'])}")
    check(got == [["Pat Spaces", "pat.spaces@example.com", "t"]],
          f"blanks around values are kept or an empty company is stored: {got}")


@test
def the_access_form_serves_the_current_versions_bytes():
    a = public_file(mp.pdf(2000), gated=True)
    v2 = mp.pdf(5000)
    expect_status(add_version(a["id"], v2), 201)
    resp = expect_status(submit(a["id"], person()), 200)
    check(resp.body == v2, f"the form served {len(resp.body)} bytes, not version 2's {len(v2)}")
    check((resp.header("Content-Disposition") or "").startswith("attachment"),
          f"Content-Disposition {resp.header('Content-Disposition')!r}")
    check(resp.header("ETag") == f'"{hashlib.sha256(v2).hexdigest()}"',
          f"ETag {resp.header('ETag')!r}")
    check(leads_of(a["id"])[0]["version"] == 2, f"the lead records {leads_of(a['id'])}")
    resp = expect_status(submit(a["id"], person(), html=True), 200)
    check(resp.body == v2, "a browser's form did not get the file")
    link = create_link_asset(status="published", public=True, gated=True, disclosure=DISCLOSURE)
    resp = expect_status(submit(link["id"], person()), 303)
    check(resp.header("Location") == link["url"], f"Location {resp.header('Location')!r}")
    page = html_of(submit(link["id"], person(), html=True))
    check(f'href="{esc(link["url"])}"' in page, "the thank-you page does not link to the url", page)
    check([lead["version"] for lead in leads_of(link["id"])] == [0, 0],
          f"a link asset's leads have a version: {leads_of(link['id'])}")


@test
def a_gated_file_is_given_only_through_its_form():
    a = public_file(gated=True)
    expect_problem(visit(f"/p/{a['id']}/file"), 403, "forbidden")
    resp = expect_status(visit(f"/p/{a['id']}/file", html=True), 303)
    check(resp.header("Location") == f"/p/{a['id']}", f"a browser is sent to {resp.header('Location')!r}")
    check(views_of(a["id"]) == [], "a refused download was recorded")
    plain = public_file()
    expect_problem(submit(plain["id"], person()), 404, "not_found")
    check(leads_of(plain["id"]) == [], "a lead was recorded for an asset without a form")


@test
def a_repeat_submission_replaces_the_lead_and_keeps_the_history():
    a = public_file(gated=True, intent="sales")
    email = ctx.uniq_email("repeat")
    expect_status(submit(a["id"], person(email=email, consent="yes")), 200)
    expect_status(submit(a["id"], person(email=email.upper(), consent="no")), 200)
    rows = leads_of(a["id"])
    check([(r["consent"], r["replaced"]) for r in rows] == [(True, True), (False, False)],
          f"leads after yes then no: {rows}")
    check(all((r["name"], r["email"], r["company"]) == (None, None, None) for r in rows),
          f"a withdrawn consent left the person's details: {rows}")
    check(len({r["key"] for r in rows}) == 1, "the two submissions are not told to be one person's")
    raw = stored(f"SELECT row_to_json(l)::text FROM leads l WHERE asset_id = {sql_literal(a['id'])}")
    check(all(email.lower() not in r[0].lower() for r in raw), f"the e-mail is still stored: {raw}")
    listed = list_leads(f"asset={a['id']}")
    check(len(listed) == 1 and listed[0]["consent"] is False
          and listed[0]["readiness"] == "nurture", f"current leads: {listed}")
    check(list_leads(f"asset={a['id']}", as_="rep") == [],
          "a rep still sees a lead whose consent was withdrawn")


@test
def a_changed_disclosure_makes_the_visitor_read_it_again():
    a = public_file(gated=True, intent="sales")
    page = html_of(visit(f"/p/{a['id']}"))
    shown = re.search(r'name="disclosure_sha256" value="([0-9a-f]{64})"', page)
    check(shown, "the form carries no disclosure_sha256", page)
    check(shown.group(1) == hashlib.sha256(DISCLOSURE.encode()).hexdigest(),
          "disclosure_sha256 is not the SHA-256 of the disclosure shown")
    changed = "We will also share your details with our partners."
    expect_json(patch_asset(a["id"], {"disclosure": changed}), 200)
    stale = person(disclosure_sha256=shown.group(1))
    expect_problem(submit(a["id"], stale), 409, "conflict", "disclosure_sha256")
    page = html_of(submit(a["id"], stale, html=True), 409)
    check(esc(changed) in page and "has changed" in page, "the new disclosure is not shown", page)
    check(leads_of(a["id"]) == [], "a lead was recorded under a disclosure it did not see")
    fresh = re.search(r'name="disclosure_sha256" value="([0-9a-f]{64})"', page).group(1)
    expect_status(submit(a["id"], person(disclosure_sha256=fresh)), 200)
    check([lead["disclosure"] for lead in leads_of(a["id"])] == [changed],
          f"the lead's disclosure: {leads_of(a['id'])}")


@test
def reps_never_see_nurture_or_unconsented_leads_and_marketers_see_all():
    sales = public_file(gated=True, intent="sales")
    educational = public_file(gated=True, intent="educational")
    archived = public_file(gated=True, intent="sales")
    made = {}
    for label, asset, consent in (("ready", sales, "yes"), ("declined", sales, "no"),
                                  ("educational yes", educational, "yes"),
                                  ("educational no", educational, "no"),
                                  ("ready but archived", archived, "yes")):
        who = person(consent=consent)
        expect_status(submit(asset["id"], who), 200)
        made[(asset["id"], consent == "yes")] = label  # declined leads carry no e-mail
    expect_json(patch_asset(archived["id"], {"status": "archived"}), 200)
    ids = [sales["id"], educational["id"], archived["id"]]

    def seen(as_, extra=""):
        return sorted(made[(i["asset_id"], i["consent"])] for a in ids
                      for i in list_leads(f"asset={a}{extra}", as_=as_))

    everything = sorted(made.values())
    for who in ("marketer", "admin"):
        check(seen(who) == everything, f"{who} sees {seen(who)}, want {everything}")
    for who in ("rep", "board"):
        check(seen(who) == ["ready"], f"{who} sees {seen(who)}, want only ['ready']")
        for extra in ("&readiness=nurture", "&consent=no", "&consent=false"):
            check(seen(who, extra) == [], f"{who} with {extra} sees {seen(who, extra)}")
    check(seen("marketer", "&readiness=nurture") == ["declined", "educational no",
                                                     "educational yes"],
          f"marketer's nurture leads: {seen('marketer', '&readiness=nurture')}")
    check(seen("marketer", "&consent=no") == ["declined", "educational no"],
          f"marketer's unconsented leads: {seen('marketer', '&consent=no')}")
    ready = [i for i in list_leads(f"asset={sales['id']}", as_="rep")]
    keys = {"id", "asset_id", "asset_title", "version", "name", "email", "company", "consent",
            "disclosure", "intent", "readiness", "created_at"}
    check(len(ready) == 1 and set(ready[0]) == keys, f"a lead's fields: {ready}")
    check("client_hash" not in str(ready), "the client hash is shown")


@test
def the_leads_list_pages_and_checks_its_parameters():
    a = public_file(gated=True)
    emails = [ctx.uniq_email("paged") for _ in range(3)]
    for e in emails:
        expect_status(submit(a["id"], person(email=e)), 200)
    seen, cursor = [], None
    for _ in range(5):
        q = f"asset={a['id']}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = expect_json(ctx.api.get(f"{LEADS}?{q}", as_="marketer"), 200)
        check(len(page["items"]) <= 2, f"limit 2 gave {len(page['items'])} items")
        seen += [i["email"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    check(seen == emails[::-1], f"pages gave {seen}, want newest first {emails[::-1]}")
    for query, field in (("asset=nope", "asset"), ("readiness=hot", "readiness"),
                         ("consent=maybe", "consent"), ("limit=201", "limit"),
                         ("cursor=garbage!", "cursor")):
        expect_problem(ctx.api.get(f"{LEADS}?{query}", as_="marketer"), 400,
                       "invalid_parameter", field)
    expect_problem(ctx.api.get(LEADS), 401, "unauthorized")


# ---------------------------------------------------------------- views

@test
def page_views_and_downloads_are_recorded_with_bots_marked_and_never_as_shares():
    a = public_file(gated=True, intent="sales")
    plain = public_file()
    addr = fresh_addr()
    expect_status(visit(f"/p/{a['id']}", addr=addr), 200)
    expect_status(visit(f"/p/{a['id']}", ua=SLACK), 200)
    expect_status(visit(f"/p/{a['id']}", method="HEAD"), 200)
    expect_status(visit(f"/p/{a['id']}", ua=None), 200)
    expect_status(submit(a["id"], person(), addr=addr), 200)
    expect_status(visit(f"/p/{plain['id']}/file"), 200)
    rows = [(v["kind"], v["ua_class"], v["is_bot"], v["reason"]) for v in views_of(a["id"])]
    want = [("view", "browser", False, None), ("view", "bot", True, "link unfurler: Slack"),
            ("view", "bot", True, "HEAD request"), ("view", "bot", True, "no user agent"),
            ("download", "browser", False, None)]
    check(rows == want, f"page_views {rows}, want {want}")
    views = views_of(a["id"])
    check(all(v["hash_len"] == 32 and addr not in v["row"] for v in views),
          f"client hashes: {[v['row'] for v in views]}")
    check(views[0]["hash"] == views[4]["hash"] != views[1]["hash"],
          "one address gave two hashes, or two addresses one")
    check([v["kind"] for v in views_of(plain["id"])] == ["download"],
          f"the plain file's download: {views_of(plain['id'])}")
    detail = expect_json(ctx.api.get(f"/api/v1/assets/{a['id']}", as_="rep"), 200)
    want_counts = {"views": 4, "human_views": 1, "downloads": 1, "human_downloads": 1,
                   "leads": 1, "sales_ready_leads": 1}
    check(detail.get("public_page") == want_counts,
          f"public_page {detail.get('public_page')}, want {want_counts}")
    check(detail["usage"]["shares"] == 0 and detail["usage"]["opens"] == 0,
          f"public page requests counted as shares or opens: {detail['usage']}")
    check(expect_json(ctx.api.get(f"/api/v1/shares?asset={a['id']}", as_="admin"), 200)["items"]
          == [], "a share was made for a public page")
    check("feedback" in detail, "the asset lost its feedback summary")


# ---------------------------------------------------------------- rate limit

@test
def the_rate_limit_answers_429_with_retry_after():
    a = public_file(gated=True)
    srv = Server(env={"NEXTSTAGE_PUBLIC_RATE": "3"})
    srv.stderr_path = ctx.logdir / "rate-server.stderr"
    srv.stdout_path = ctx.logdir / "rate-server.stdout"
    srv.start()
    try:
        srv.wait_healthy()
        addr = fresh_addr()
        for i in range(3):
            expect_status(visit(f"/p/{a['id']}", addr=addr, port=srv.port), 200)
        over = visit(f"/p/{a['id']}", addr=addr, port=srv.port)
        p = expect_problem(over, 429, "rate_limited")
        retry = over.header("Retry-After") or ""
        check(retry.isdigit() and 1 <= int(retry) <= 20,
              f"Retry-After {retry!r} (3 a minute: a token every 20 s)", over.describe())
        check("3 requests a minute" in p["detail"], f"detail {p['detail']!r}")
        page = html_of(visit(f"/p/{a['id']}", addr=addr, port=srv.port, html=True), 429)
        check("retry in" in page, "the 429 page does not say when to retry", page)
        for path, method, body in ((f"/p/{a['id']}/file", "GET", None),
                                   (f"/p/{a['id']}/access", "POST", person())):
            r = visit(path, method, body=body, addr=addr, port=srv.port)
            expect_problem(r, 429, "rate_limited")
            check(r.header("Retry-After"), f"{method} {path}: 429 without Retry-After")
        check(len(leads_of(a["id"])) == 0, "a limited form recorded a lead")
        expect_status(visit(f"/p/{a['id']}", port=srv.port), 200)  # another address
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10,
                                          source_address=(addr, 0))
        conn.request("GET", "/healthz")
        check(conn.getresponse().status == 200, "the limit reached beyond /p/")
        conn.close()
        check(not srv.new_sanitizer_report(), "sanitizer report", srv.stderr_tail())
    finally:
        srv.terminate()
    # the server under test (60 a minute by default) let the suite's
    # requests through: it counts addresses one by one
    expect_status(visit(f"/p/{a['id']}"), 200)
