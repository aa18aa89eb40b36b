"""Assets: creating them (multipart upload or JSON link), reading, patching,
status changes, new versions, validation, who may do what, the audit
trail, stored file names, the type decided from the bytes, the upload size
limit, and that a refused request stores nothing.

The server runs with NEXTSTAGE_MAX_UPLOAD_MB=5 (nsapi/context.py)."""
import hashlib
import re
import socket
import urllib.parse

from nsapi import multipart as mp
from nsapi.client import MIB, expect_json, expect_problem, expect_status, read_response
from nsapi.context import ctx
from nsapi.flows import account_id, audit_entries, create_persona, create_user, list_stages
from nsapi.harness import Failure, check, test
from nsapi.proc import stored

ASSETS = "/api/v1/assets"
LIMIT = 5 * MIB + 64 * 1024  # NEXTSTAGE_MAX_UPLOAD_MB=5, plus 64 KiB of form overhead
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
STORE_TABLES = ("assets", "asset_versions", "blobs", "blob_chunks")
ASSET_KEYS = {"id", "title", "description", "kind", "intent", "personas", "stages", "tags",
              "status", "audience", "public", "gated", "disclosure", "owner", "expires_at",
              "source", "url", "current_version", "created_at", "updated_at"}
VERSION_KEYS = {"number", "sha256", "size", "mime", "filename", "created_by", "created_at"}
FUTURE = "2099-01-01T00:00:00Z"
PAST = "2020-01-01T00:00:00Z"


# ---------------------------------------------------------------- helpers

def meta(**fields):
    """Valid metadata with a fresh title; @fields override or add."""
    body = {"title": f"Asset {ctx.uniq('title')}", "kind": "guide", "intent": "educational"}
    body.update(fields)
    return body


def upload(metadata, data, filename="file.pdf", content_type="application/octet-stream",
           as_="marketer", boundary=None):
    """POST /assets as multipart with a metadata part and a file part."""
    body, ctype = mp.asset_form(metadata, data, filename, content_type, boundary)
    return ctx.api.post(ASSETS, raw=body, content_type=ctype, as_=as_)


def post_form(parts, as_="marketer", boundary=None, path=ASSETS, terminate=True):
    body, ctype = mp.encode(parts, boundary, terminate)
    return ctx.api.post(path, raw=body, content_type=ctype, as_=as_)


def create_file_asset(data=None, filename="file.pdf", content_type="application/pdf", **fields):
    """A file asset made by the marketer (a small PDF unless @data)."""
    data = mp.pdf() if data is None else data
    return expect_json(upload(meta(**fields), data, filename, content_type), 201)


def create_link_asset(**fields):
    body = meta(url=f"https://example.com/{ctx.uniq('doc')}", **fields)
    return expect_json(ctx.api.post(ASSETS, body, as_="marketer"), 201)


def get_asset(asset_id, as_="marketer"):
    return expect_json(ctx.api.get(f"{ASSETS}/{asset_id}", as_=as_), 200)


def patch_asset(asset_id, body, as_="marketer"):
    return ctx.api.patch(f"{ASSETS}/{asset_id}", body, as_=as_)


def add_version(asset_id, data, filename="v.pdf", content_type="application/pdf",
                as_="marketer"):
    body, ctype = mp.version_form(data, filename, content_type)
    return ctx.api.post(f"{ASSETS}/{asset_id}/versions", raw=body, content_type=ctype, as_=as_)


def download(asset_id, as_="marketer", query="", headers=None, method="GET"):
    return ctx.api.request(method, f"{ASSETS}/{asset_id}/content{query}", as_=as_,
                           headers=headers)


# Previews are blobs too, written by the extraction workers whenever they
# finish (suites/extraction.py): not an upload's.
NOT_PREVIEW = {"blobs": "id", "blob_chunks": "blob_id"}


def store_counts():
    """Rows in the tables an upload writes."""
    def count(t):
        where = (f" WHERE {NOT_PREVIEW[t]} NOT IN (SELECT thumb_blob_id FROM blob_texts"
                 " WHERE thumb_blob_id IS NOT NULL)") if t in NOT_PREVIEW else ""
        return f"(SELECT count(*) FROM {t}{where})"
    sql = "SELECT " + ", ".join(count(t) for t in STORE_TABLES)
    return dict(zip(STORE_TABLES, (int(v) for v in stored(sql)[0])))


def check_nothing_stored(before, what):
    after = store_counts()
    check(after == before, f"{what} left rows behind: before {before}, after {after}")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# What the extraction workers change by themselves, at any time
# (suites/extraction.py).
EXTRACTION_FIELDS = ("text_status", "text_reason", "pages", "thumbnail")


def without_extraction(x):
    """An asset or a version without EXTRACTION_FIELDS (in its versions too)."""
    if not isinstance(x, dict):
        return x
    return {k: ([without_extraction(v) for v in x[k]] if k == "versions" else
                without_extraction(x[k]) if k == "current_version" else x[k])
            for k in x if k not in EXTRACTION_FIELDS}


def check_asset_shape(a):
    check(isinstance(a, dict), f"asset is not an object: {a!r}")
    check(set(a) >= ASSET_KEYS, f"asset lacks {sorted(ASSET_KEYS - set(a))}: {a}")
    check(UUID.match(str(a["id"])), f"id {a['id']!r} is not a uuid")
    for k in ("created_at", "updated_at"):
        check(isinstance(a[k], str) and RFC3339.match(a[k]), f"{k} {a[k]!r} is not RFC 3339 UTC")
    for k in ("personas", "stages", "tags"):
        check(isinstance(a[k], list), f"{k} {a[k]!r} is not a list")
    for k in ("public", "gated"):
        check(isinstance(a[k], bool), f"{k} {a[k]!r} is not a bool")
    v = a["current_version"]
    if v is not None:
        check(isinstance(v, dict) and set(v) >= VERSION_KEYS,
              f"current_version lacks {sorted(VERSION_KEYS - set(v or {}))}: {v}")
        check(SHA256.match(str(v["sha256"])), f"sha256 {v['sha256']!r}")
        check(isinstance(v["number"], int) and v["number"] >= 1, f"number {v['number']!r}")
        check(isinstance(v["size"], int), f"size {v['size']!r}")
        check(RFC3339.match(str(v["created_at"])), f"version created_at {v['created_at']!r}")


def content_disposition(resp):
    """(fallback filename, decoded filename*) of a Content-Disposition."""
    value = resp.header("Content-Disposition")
    check(value is not None, "no Content-Disposition header", resp.describe())
    check("\r" not in value and "\n" not in value, f"CR/LF in Content-Disposition {value!r}")
    check(value.lower().startswith("attachment"), f"Content-Disposition {value!r}")
    m = re.search(r'(?:^|;)\s*filename="((?:[^"\\]|\\.)*)"\s*(?:;|$)', value)
    check(m, f"no quoted filename= parameter in {value!r}")
    fallback = m.group(1)
    check(all(0x20 <= ord(c) < 0x7F for c in fallback),
          f"filename= fallback is not printable ASCII: {fallback!r}")
    m = re.search(r"filename\*=UTF-8''([^;\s]*)", value, re.IGNORECASE)
    check(m, f"no filename*=UTF-8''... parameter in {value!r}")
    check(all((c.isascii() and c.isalnum()) or c in "%!#$&+-.^_`|~" for c in m.group(1)),
          f"filename* has characters that should be percent-encoded: {m.group(1)!r}")
    return fallback, urllib.parse.unquote(m.group(1), encoding="utf-8", errors="strict")


def stored_filename(filename, data=None):
    """Uploads with @filename; returns the asset."""
    return create_file_asset(data if data is not None else mp.text(), filename, "text/plain")


def problem_field_if_any(p, field):
    check(p.get("field") in (None, field), f"problem names field {p.get('field')!r}, not {field!r}")


# ---------------------------------------------------------------- create and read

@test
def multipart_upload_creates_a_draft_file_asset_with_location():
    data = mp.pdf(3000)
    persona = create_persona()
    m = meta(description="What buyers ask first", kind="whitepaper", intent="sales",
             personas=[persona], stages=["discovery"], tags=["pricing", "emea"],
             source="Field marketing", expires_at=FUTURE)
    r = upload(m, data, "Pricing Whitepaper.pdf", "application/pdf")
    a = expect_json(r, 201)
    check_asset_shape(a)
    check(r.header("Location") == f"{ASSETS}/{a['id']}",
          f"Location {r.header('Location')!r}, want {ASSETS}/{a['id']}", r.describe())
    want = {"title": m["title"], "description": "What buyers ask first", "kind": "whitepaper",
            "intent": "sales", "personas": [persona], "stages": ["discovery"],
            "tags": ["pricing", "emea"], "status": "draft", "public": False, "gated": False,
            "disclosure": None, "owner": account_id("marketer"), "expires_at": FUTURE,
            "source": "Field marketing", "url": None}
    got = {k: a.get(k) for k in want}
    check(got == want, f"created asset differs:\n got  {got}\n want {want}")
    v = a["current_version"]
    want_v = {"number": 1, "sha256": sha256(data), "size": len(data), "mime": "application/pdf",
              "filename": "Pricing Whitepaper.pdf", "created_by": account_id("marketer")}
    got_v = {k: v.get(k) for k in want_v}
    check(got_v == want_v, f"current_version differs:\n got  {got_v}\n want {want_v}")


@test
def json_with_url_creates_a_link_asset_without_a_version():
    url = f"https://example.com/blog/{ctx.uniq('post')}?a=1&b=2"
    r = ctx.api.post(ASSETS, meta(url=url, kind="blog_post"), as_="marketer")
    a = expect_json(r, 201)
    check_asset_shape(a)
    check(a["url"] == url, f"url {a['url']!r}, want {url!r}")
    check(a["current_version"] is None, f"a link asset has current_version {a['current_version']}")
    check(a["description"] == "" and a["status"] == "draft" and a["kind"] == "blog_post",
          f"defaults: {a}")
    check(r.header("Location") == f"{ASSETS}/{a['id']}", f"Location {r.header('Location')!r}")
    http_url = "http://example.com/plain"
    a2 = expect_json(ctx.api.post(ASSETS, meta(url=http_url), as_="marketer"), 201)
    check(a2["url"] == http_url, f"http:// url stored as {a2['url']!r}")


@test
def get_by_id_answers_the_created_asset():
    a = create_file_asset(tags=["one"])
    got = get_asset(a["id"])
    check(without_extraction(got) == without_extraction(a), f"GET differs from the POST answer:\n GET  {got}\n POST {a}")
    link = create_link_asset()
    check(get_asset(link["id"]) == link, "GET of a link asset differs from the POST answer")


@test
def unknown_or_malformed_asset_id_is_404():
    for path in (f"{ASSETS}/00000000-0000-0000-0000-000000000000", f"{ASSETS}/not-a-uuid",
                 f"{ASSETS}/12345", f"{ASSETS}/00000000-0000-0000-0000-000000000000/content"):
        expect_problem(ctx.api.get(path, as_="marketer"), 404, "not_found")


@test
def lists_are_normalised_personas_sorted_stages_by_position_tags_deduplicated():
    p1, p2 = create_persona(), create_persona()
    # Ask in an order that is neither alphabetical nor by position.
    stages = ["negotiation", "discovery", "proposal"]
    a = create_link_asset(personas=[p2, p1], stages=stages,
                          tags=["zeta", "alpha", "zeta", "mid", "alpha"])
    check(a["personas"] == sorted([p1, p2]), f"personas {a['personas']}, want sorted")
    position = {s["slug"]: s["position"] for s in list_stages()}
    want = sorted(stages, key=lambda s: position[s])
    check(a["stages"] == want, f"stages {a['stages']}, want by position {want}")
    check(a["tags"] == ["zeta", "alpha", "mid"], f"tags {a['tags']}, want given order deduplicated")
    check(get_asset(a["id"])["stages"] == want, "GET orders stages differently")


@test
def owner_defaults_to_the_caller_and_may_name_another_user():
    check(create_link_asset()["owner"] == account_id("marketer"), "owner is not the caller")
    other = create_user("marketer")[0]["id"]
    a = create_link_asset(owner=other)
    check(a["owner"] == other, f"owner {a['owner']}, want {other}")
    r = ctx.api.post(ASSETS, meta(url="https://example.com/x",
                                  owner="00000000-0000-0000-0000-000000000001"), as_="marketer")
    expect_problem(r, 400, "invalid_field", "owner")


@test
def gated_public_asset_with_a_disclosure_is_created():
    text = "We will email you twice about this guide."
    a = create_link_asset(public=True, gated=True, disclosure=text)
    check((a["public"], a["gated"], a["disclosure"]) == (True, True, text), f"created {a}")


# ---------------------------------------------------------------- validation

@test
def unknown_persona_or_stage_slug_is_400_naming_the_field():
    before = store_counts()
    persona = create_persona()
    cases = [({"personas": [persona, f"no-such-persona-{ctx.run_id}"]}, "personas"),
             ({"stages": ["discovery", f"no-such-stage-{ctx.run_id}"]}, "stages")]
    for fields, field in cases:
        r = ctx.api.post(ASSETS, meta(url="https://example.com/x", **fields), as_="marketer")
        expect_problem(r, 400, "invalid_field", field)
        expect_problem(upload(meta(**fields), mp.pdf()), 400, "invalid_field", field)
    check_nothing_stored(before, "refused creates")


@test
def missing_required_fields_are_named():
    before = store_counts()
    for field in ("title", "kind", "intent"):
        m = meta(url="https://example.com/x")
        del m[field]
        expect_problem(ctx.api.post(ASSETS, m, as_="marketer"), 400, "missing_field", field)
        m = meta()
        del m[field]
        expect_problem(upload(m, mp.pdf()), 400, "missing_field", field)
    check_nothing_stored(before, "refused creates")


@test
def wrong_types_and_values_are_named():
    before = store_counts()
    cases = [
        ("title", 5), ("title", ""), ("title", "x" * 301), ("description", "d" * 20001),
        ("kind", "podcast"), ("kind", 3), ("intent", "entertainment"), ("personas", "one"),
        ("personas", [1]), ("stages", "discovery"), ("tags", "solo"), ("tags", [""]),
        ("tags", ["t" * 51]), ("tags", [f"t{i}" for i in range(31)]), ("status", "retired"),
        ("status", "deleted"), ("public", "yes"), ("gated", 1), ("disclosure", ""),
        ("owner", "not-a-uuid"), ("expires_at", "tomorrow"), ("expires_at", 1700000000),
        ("source", "s" * 201), ("source", 7), ("audience", "partners"), ("audience", True),
    ]
    for field, value in cases:
        r = ctx.api.post(ASSETS, meta(url="https://example.com/x", **{field: value}),
                         as_="marketer")
        expect_problem(r, 400, "invalid_field", field)
    expect_problem(upload(meta(kind="podcast"), mp.pdf()), 400, "invalid_field", "kind")
    # At the limits: accepted.
    ok = create_link_asset(title="x" * 300, tags=[f"t{i}" for i in range(30)],
                           source="s" * 200)
    check(len(ok["title"]) == 300 and len(ok["tags"]) == 30, "limits not kept")
    before["assets"] += 1
    check_nothing_stored(before, "refused creates")


@test
def unknown_metadata_key_is_unknown_field():
    before = store_counts()
    r = ctx.api.post(ASSETS, meta(url="https://example.com/x", colour="red"), as_="marketer")
    problem_field_if_any(expect_problem(r, 400, "unknown_field"), "colour")
    problem_field_if_any(expect_problem(upload(meta(colour="red"), mp.pdf()), 400,
                                        "unknown_field"), "colour")
    check_nothing_stored(before, "refused creates")


@test
def gated_needs_a_disclosure_and_a_public_asset():
    before = store_counts()
    url = "https://example.com/gated"
    r = ctx.api.post(ASSETS, meta(url=url, public=True, gated=True), as_="marketer")
    expect_problem(r, 400, "missing_field", "disclosure")
    r = ctx.api.post(ASSETS, meta(url=url, public=False, gated=True, disclosure="We call you."),
                     as_="marketer")
    expect_problem(r, 400, "invalid_field", "gated")
    r = ctx.api.post(ASSETS, meta(url=url, gated=True, disclosure="We call you."),
                     as_="marketer")  # public defaults to false
    expect_problem(r, 400, "invalid_field", "gated")
    expect_problem(upload(meta(public=True, gated=True), mp.pdf()), 400, "missing_field",
                   "disclosure")
    check_nothing_stored(before, "refused creates")
    # A patch naming the fields is refused the same way, on the field.
    a = create_link_asset()
    r = ctx.api.patch(f"{ASSETS}/{a['id']}", {"public": False, "gated": True,
                                              "disclosure": "We call you."}, as_="marketer")
    expect_problem(r, 400, "invalid_field", "gated")
    r = ctx.api.patch(f"{ASSETS}/{a['id']}", {"public": True, "gated": True, "disclosure": None},
                      as_="marketer")
    expect_problem(r, 400, "missing_field", "disclosure")
    check(get_asset(a["id"])["gated"] is False, "a refused patch changed the asset")


@test
def url_is_required_in_json_mode_refused_in_multipart_and_must_be_http():
    before = store_counts()
    expect_problem(ctx.api.post(ASSETS, meta(), as_="marketer"), 400, "missing_field", "url")
    for bad in ("ftp://example.com/x", "javascript:alert(1)", "example.com/x", "",
                "https://example.com/" + "a" * 2000, 42):
        r = ctx.api.post(ASSETS, meta(url=bad), as_="marketer")
        expect_problem(r, 400, "invalid_field", "url")
    r = upload(meta(url="https://example.com/x"), mp.pdf())
    expect_problem(r, 400, "invalid_field", "url")
    check_nothing_stored(before, "refused creates")


@test
def multipart_parts_missing_or_doubled_are_named():
    before = store_counts()
    m, pdf = mp.metadata_part(meta()), mp.file_part(mp.pdf(), "a.pdf", "application/pdf")
    expect_problem(post_form([pdf]), 400, "missing_field", "metadata")
    expect_problem(post_form([m]), 400, "missing_field", "file")
    expect_problem(post_form([m, pdf, mp.file_part(mp.pdf(), "b.pdf")]), 400, "invalid_field",
                   "file")
    expect_problem(post_form([m, mp.metadata_part(meta()), pdf]), 400, "invalid_field",
                   "metadata")
    for bad in ("[1, 2]", "\"title\"", "{not json", ""):
        expect_problem(post_form([mp.metadata_part(bad), pdf]), 400, "invalid_json")
    expect_problem(post_form([m, mp.file_part(b"", "empty.pdf")]), 400, "invalid_field", "file")
    check_nothing_stored(before, "refused uploads")


@test
def malformed_multipart_is_invalid_multipart():
    before = store_counts()
    good, ctype = mp.asset_form(meta(), mp.pdf(), "a.pdf")
    boundary = ctype.split("boundary=", 1)[1]
    one_char, one_ct = mp.asset_form(meta(), mp.pdf(), "a.pdf", boundary="x")
    unterminated, _ = mp.encode([mp.metadata_part(meta()), mp.file_part(mp.pdf())], boundary,
                                terminate=False)
    nameless, nameless_ct = mp.encode([mp.metadata_part(meta()),
                                       mp.Part(None, mp.pdf(), disposition="form-data")])
    cases = [
        ("no boundary parameter", good, "multipart/form-data"),
        ("empty boundary", good, "multipart/form-data; boundary="),
        ("1-character boundary", one_char, one_ct),
        ("7-character boundary", mp.asset_form(meta(), mp.pdf(), boundary="abcdefg")[0],
         "multipart/form-data; boundary=abcdefg"),
        ("unterminated last part", unterminated, ctype),
        ("cut in the middle of the file", good[:len(good) // 2], ctype),
        ("garbage", b"\x00\xffthis is not a multipart body at all\r\n\r\n", ctype),
        ("empty body", b"", ctype),
        ("boundary that is not in the body", good, "multipart/form-data; boundary=otherbound1"),
        ("part without a name", nameless, nameless_ct),
    ]
    for what, body, ct in cases:
        r = ctx.api.post(ASSETS, raw=body, content_type=ct, as_="marketer")
        try:
            expect_problem(r, 400, "invalid_multipart")
        except Failure as e:
            raise Failure(f"{what}: {e}", *e.details)
    check_nothing_stored(before, "malformed uploads")


@test
def other_request_media_types_are_415():
    before = store_counts()
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "application/pdf",
                  "multipart/mixed; boundary=abcdefgh12"):
        r = ctx.api.post(ASSETS, raw=mp.pdf(), content_type=ctype, as_="marketer")
        expect_problem(r, 415, "unsupported_media_type")
    check_nothing_stored(before, "refused uploads")


# ---------------------------------------------------------------- patch

@test
def patch_changes_only_the_given_fields():
    p1, p2 = create_persona(), create_persona()
    a = create_file_asset(description="Old words", personas=[p1], stages=["discovery"],
                          tags=["a", "b"], source="Old source", expires_at=FUTURE)
    r = patch_asset(a["id"], {"title": "Renamed title"})
    b = expect_json(r, 200)
    check(b["title"] == "Renamed title", f"title {b['title']!r}")
    same = {k: (a[k], b[k]) for k in ASSET_KEYS - {"title", "updated_at"} if a[k] != b[k]}
    check(not same, f"a title-only PATCH changed other fields (before, after): {same}")
    c = expect_json(patch_asset(a["id"], {"personas": [p2], "stages": [], "tags": ["c"],
                                          "kind": "deck", "intent": "sales",
                                          "description": "New words", "public": True}), 200)
    want = {"personas": [p2], "stages": [], "tags": ["c"], "kind": "deck", "intent": "sales",
            "description": "New words", "public": True, "title": "Renamed title"}
    got = {k: c[k] for k in want}
    check(got == want, f"after PATCH: {got}, want {want}")
    check(get_asset(a["id"]) == c, "GET after PATCH differs from the PATCH answer")
    check(without_extraction(c["current_version"]) == without_extraction(a["current_version"]),
          "PATCH changed the current version")


@test
def patch_null_clears_nullable_fields():
    a = create_link_asset(source="Webinar series", expires_at=FUTURE)
    b = expect_json(patch_asset(a["id"], {"source": None, "expires_at": None}), 200)
    check((b["source"], b["expires_at"]) == (None, None), f"after null: {b}")
    c = expect_json(patch_asset(a["id"], {"expires_at": "2098-05-06T07:08:09Z"}), 200)
    check(c["expires_at"] == "2098-05-06T07:08:09Z", f"expires_at {c['expires_at']!r}")


@test
def patch_validates_like_create():
    a = create_link_asset(public=True)
    cases = [({"personas": [f"no-such-persona-{ctx.run_id}"]}, "invalid_field", "personas"),
             ({"stages": [f"no-such-stage-{ctx.run_id}"]}, "invalid_field", "stages"),
             ({"kind": "podcast"}, "invalid_field", "kind"),
             ({"title": ""}, "invalid_field", "title"),
             ({"status": "deleted"}, "invalid_field", "status"),
             ({"gated": True}, "missing_field", "disclosure"),
             ({"url": "ftp://example.com/x"}, "invalid_field", "url")]
    for body, code, field in cases:
        expect_problem(patch_asset(a["id"], body), 400, code, field)
    problem_field_if_any(expect_problem(patch_asset(a["id"], {"colour": "red"}), 400,
                                        "unknown_field"), "colour")
    check(get_asset(a["id"]) == a, "a refused PATCH changed the asset")
    b = expect_json(patch_asset(a["id"], {"gated": True, "disclosure": "We will call you."}), 200)
    check((b["gated"], b["disclosure"]) == (True, "We will call you."), f"gated: {b}")


@test
def url_changes_only_on_link_assets():
    link = create_link_asset()
    url = f"https://example.com/moved/{ctx.uniq('x')}"
    check(expect_json(patch_asset(link["id"], {"url": url}), 200)["url"] == url, "url not changed")
    f = create_file_asset()
    expect_problem(patch_asset(f["id"], {"url": "https://example.com/no"}), 409, "conflict")
    check(get_asset(f["id"])["url"] is None, "a file asset got a url")


@test
def patch_of_an_unknown_asset_is_404():
    r = patch_asset("00000000-0000-0000-0000-000000000000", {"title": "Ghost"})
    expect_problem(r, 404, "not_found")
    expect_problem(patch_asset("not-a-uuid", {"title": "Ghost"}), 404, "not_found")


ALLOWED = {"draft": {"published", "archived"},
           "published": {"draft", "archived", "retired"},
           "archived": {"published", "retired"},
           "retired": {"published", "archived"}}
REACH = {"draft": [], "published": ["published"], "archived": ["archived"],
         "retired": ["published", "retired"]}


@test
def status_transitions_follow_the_table():
    wrong = []
    for frm in ALLOWED:
        for to in ALLOWED:
            a = create_link_asset()
            for step in REACH[frm]:
                expect_json(patch_asset(a["id"], {"status": step}), 200)
            r = patch_asset(a["id"], {"status": to})
            ok = to == frm or to in ALLOWED[frm]
            if ok and (r.status != 200 or (r.json or {}).get("status") != to):
                wrong.append(f"{frm} -> {to}: want 200 with status {to}\n{r.describe(300)}")
            elif not ok:
                if r.status != 409 or (r.json or {}).get("code") != "conflict":
                    wrong.append(f"{frm} -> {to}: want 409 conflict\n{r.describe(300)}")
                elif get_asset(a["id"])["status"] != frm:
                    wrong.append(f"{frm} -> {to}: refused, yet the status changed")
    check(not wrong, f"{len(wrong)} of 16 transitions answered wrongly", *wrong)


@test
def create_accepts_published_status():
    check(create_link_asset(status="published")["status"] == "published", "not published")


# ---------------------------------------------------------------- versions

@test
def a_new_version_becomes_current():
    first = mp.pdf(2000)
    a = create_file_asset(first, "v1.pdf")
    second = mp.png(4, 4)
    r = add_version(a["id"], second, "diagram.png", "image/png")
    v = expect_json(r, 201)
    want = {"number": 2, "sha256": sha256(second), "size": len(second), "mime": "image/png",
            "filename": "diagram.png", "created_by": account_id("marketer")}
    got = {k: v.get(k) for k in want}
    check(got == want, f"version answer {got}, want {want}")
    cur = get_asset(a["id"])["current_version"]
    check({k: cur.get(k) for k in want} == want, f"current_version after the upload: {cur}")
    third = mp.pdf(500)
    v3 = expect_json(add_version(a["id"], third, "v3.pdf"), 201)
    check(v3["number"] == 3 and get_asset(a["id"])["current_version"]["number"] == 3,
          f"third version numbered {v3['number']}")
    listed = [(v["number"], v["filename"], v["created_by_name"])
              for v in get_asset(a["id"])["versions"]]
    name = ctx.accounts["marketer"].name
    check(get_asset(a["id"])["owner_name"] == name, "the asset's owner_name")
    check(listed == [(3, "v3.pdf", name), (2, "diagram.png", name), (1, "v1.pdf", name)],
          f"the asset's versions, newest first with who made them: {listed}")


@test
def a_version_for_a_link_asset_is_conflict_and_for_an_unknown_asset_404():
    link = create_link_asset()
    before = store_counts()
    expect_problem(add_version(link["id"], mp.pdf()), 409, "conflict")
    expect_problem(add_version("00000000-0000-0000-0000-000000000000", mp.pdf()), 404,
                   "not_found")
    check_nothing_stored(before, "refused versions")
    check(get_asset(link["id"])["current_version"] is None, "the link asset got a version")


@test
def a_refused_version_keeps_the_current_one():
    a = create_file_asset(mp.pdf(700))
    before = store_counts()
    expect_problem(add_version(a["id"], mp.elf(), "tool.pdf"), 415, "unsupported_media_type")
    expect_problem(add_version(a["id"], b"", "empty.pdf"), 400, "invalid_field", "file")
    body, ctype = mp.encode([mp.file_part(mp.pdf())], terminate=False)
    r = ctx.api.post(f"{ASSETS}/{a['id']}/versions", raw=body, content_type=ctype, as_="marketer")
    expect_problem(r, 400, "invalid_multipart")
    body, ctype = mp.encode([mp.file_part(mp.pdf(), "a.pdf"), mp.file_part(mp.pdf(), "b.pdf")])
    r = ctx.api.post(f"{ASSETS}/{a['id']}/versions", raw=body, content_type=ctype, as_="marketer")
    expect_problem(r, 400, "invalid_field", "file")
    body, ctype = mp.encode([mp.Part("other", b"x")])
    r = ctx.api.post(f"{ASSETS}/{a['id']}/versions", raw=body, content_type=ctype, as_="marketer")
    expect_problem(r, 400, "missing_field", "file")
    check_nothing_stored(before, "refused versions")
    check(without_extraction(get_asset(a["id"])["current_version"])
          == without_extraction(a["current_version"]), "a refused version changed current_version")


# ---------------------------------------------------------------- roles

@test
def a_rep_cannot_create_patch_or_add_versions():
    before = store_counts()
    expect_problem(ctx.api.post(ASSETS, meta(url="https://example.com/x"), as_="rep"), 403,
                   "forbidden")
    expect_problem(upload(meta(), mp.pdf(), as_="rep"), 403, "forbidden")
    expect_problem(upload(meta(), mp.pdf(), as_="board"), 403, "forbidden")
    r = ctx.api.post(ASSETS, meta(url="https://example.com/x"))
    expect_problem(r, 401, "unauthorized")
    check_nothing_stored(before, "refused creates")
    a = create_file_asset(status="published")
    expect_problem(patch_asset(a["id"], {"title": "By a rep"}, as_="rep"), 403, "forbidden")
    expect_problem(add_version(a["id"], mp.pdf(), as_="rep"), 403, "forbidden")
    check(get_asset(a["id"]) == a, "a rep's refused request changed the asset")


@test
def a_rep_sees_published_assets_but_not_drafts():
    tag = ctx.uniq("reptag")
    data = mp.pdf(1500)
    draft = create_file_asset(data, tags=[tag])
    published = create_file_asset(data, tags=[tag], status="published")
    for who in ("rep", "board"):
        expect_problem(ctx.api.get(f"{ASSETS}/{draft['id']}", as_=who), 404, "not_found")
        expect_problem(download(draft["id"], as_=who), 404, "not_found")
        expect_problem(download(draft["id"], as_=who, query="?version=1"), 404, "not_found")
        check(get_asset(published["id"], as_=who)["id"] == published["id"], "published hidden")
        r = expect_status(download(published["id"], as_=who), 200)
        check(r.body == data, "a rep downloaded different bytes")
    listed = expect_json(ctx.api.get(f"{ASSETS}?tag={tag}", as_="rep"), 200)
    ids = [i["id"] for i in listed["items"]]
    check(ids == [published["id"]], f"rep search by tag lists {ids}, want only the published one")
    ids = [i["id"] for i in expect_json(ctx.api.get(f"{ASSETS}?tag={tag}&status=draft",
                                                    as_="rep"), 200)["items"]]
    check(draft["id"] not in ids, "a rep asking for status=draft sees the draft")
    check(get_asset(draft["id"])["status"] == "draft", "the marketer cannot read the draft")
    # Unpublished again: hidden again.
    expect_json(patch_asset(published["id"], {"status": "archived"}), 200)
    expect_problem(ctx.api.get(f"{ASSETS}/{published['id']}", as_="rep"), 404, "not_found")
    expect_problem(download(published["id"], as_="rep"), 404, "not_found")


@test
def a_rep_does_not_see_expired_assets():
    expired = create_file_asset(status="published", expires_at=PAST)
    expect_problem(ctx.api.get(f"{ASSETS}/{expired['id']}", as_="rep"), 404, "not_found")
    expect_problem(download(expired["id"], as_="rep"), 404, "not_found")
    check(get_asset(expired["id"])["expires_at"] == PAST, "the marketer does not see it")
    expect_status(download(expired["id"]), 200)
    expect_json(patch_asset(expired["id"], {"expires_at": FUTURE}), 200)
    check(get_asset(expired["id"], as_="rep")["id"] == expired["id"],
          "hidden from the rep after its expiry moved to the future")


# ---------------------------------------------------------------- audit

def audit_rows(asset_id, *fields):
    """Per audit entry of the asset: its action, actor, then each of
    @fields, "before.x" or "after.x" ("before" alone: whether it is null)."""
    rows = []
    for e in audit_entries("assets", asset_id):
        row = [e["action"], e["actor"]]
        for f in fields:
            side, _, key = f.partition(".")
            row.append((e[side] is None and "t" or "f") if not key else (e[side] or {}).get(key))
        rows.append(row)
    return rows


@test
def create_and_patch_are_audited_with_actor_and_before_after():
    marketer = account_id("marketer")
    title = f"Audited {ctx.uniq('a')}"
    a = create_file_asset(title=title)
    rows = audit_rows(a["id"], "before", "after.title")
    check(["create", marketer, "t", title] in rows,
          f"no create row by the marketer with after.title (action, actor, before is null,"
          f" after.title): {rows}")
    expect_json(patch_asset(a["id"], {"title": title + " v2", "status": "published"}), 200)
    rows = audit_rows(a["id"], "before.title", "after.title")
    check(["update", marketer, title, title + " v2"] in rows,
          f"no update row by the marketer with before/after title: {rows}")
    rows = audit_rows(a["id"], "before.status", "after.status")
    check(["update", marketer, "draft", "published"] in rows,
          f"no update row by the marketer with before/after status: {rows}")
    link = create_link_asset()
    check(any(r[0] == "create" and r[1] == marketer
              for r in audit_rows(link["id"])), "link asset create not audited")


@test
def a_new_version_is_audited():
    a = create_file_asset()

    def versions():
        return [e for e in audit_entries("asset_versions")
                if (e["after"] or {}).get("asset_id") == a["id"]]
    before = versions()
    expect_json(add_version(a["id"], mp.pdf(900)), 201)
    after = versions()
    check(len(after) == len(before) + 1 and after[-1]["action"] == "create"
          and after[-1]["after"].get("number") == 2 and after[-1]["actor"] == account_id("marketer"),
          f"audit entries of the asset's versions: {len(before)} before, after: {after}")


# ---------------------------------------------------------------- file names

@test
def filename_keeps_only_the_last_path_component():
    for raw, want in (("../../etc/passwd", "passwd"), ("/var/tmp/report.pdf", "report.pdf"),
                      ("a/b/c/d.txt", "d.txt"), ("../", "file"),
                      ("dir/ spaced name.pdf ", "spaced name.pdf")):
        got = stored_filename(raw)["current_version"]["filename"]
        check(got == want, f"filename {raw!r} stored as {got!r}, want {want!r}")


@test
def filename_backslash_paths_are_dropped():
    # Browsers of old sent whole Windows paths, backslashes unescaped.
    got = stored_filename("C:\\Users\\pat\\Q3 deck.pdf")["current_version"]["filename"]
    check(got == "Q3 deck.pdf", f"stored as {got!r}, want 'Q3 deck.pdf'")


@test
def filename_control_characters_are_removed_and_ends_trimmed():
    for raw, want in (("tab\there.pdf", "tabhere.pdf"), ("\t\tx.pdf\t", "x.pdf"),
                      ("  padded.pdf  ", "padded.pdf"), ("   ", "file")):
        got = stored_filename(raw)["current_version"]["filename"]
        check(got == want, f"filename {raw!r} stored as {got!r}, want {want!r}")
    # Other control bytes are not allowed in a header line at all: the
    # part may be refused as malformed, or taken with them removed.
    before = store_counts()
    for raw, want in (("a\x01b\x1fc\x7fd.pdf", "abcd.pdf"), ("\x01\x02", "file"),
                      ("nul\x00.pdf", "nul.pdf")):
        r = upload(meta(), mp.text(), raw, "text/plain")
        if r.status == 400:
            expect_problem(r, 400, "invalid_multipart")
            check_nothing_stored(before, f"a refused upload named {raw!r}")
            continue
        got = expect_json(r, 201)["current_version"]["filename"]
        check(got == want, f"filename {raw!r} stored as {got!r}, want {want!r}")
        before = store_counts()


@test
def filename_longer_than_200_bytes_is_cut_on_a_character_boundary():
    raw = "a" + "é" * 150 + ".pdf"  # 305 bytes; byte 200 is inside an é
    got = stored_filename(raw)["current_version"]["filename"]
    want = "a" + "é" * 99
    check(got == want, f"stored as {got!r} ({len(got.encode())} bytes), want {want!r} (199 bytes)")
    a = stored_filename("b" * 250)
    check(a["current_version"]["filename"] == "b" * 200,
          f"250 ASCII bytes stored as {len(a['current_version']['filename'])} bytes")


@test
def filename_with_cr_lf_cannot_inject_a_header():
    raw_parts = [mp.file_part(mp.text(), raw, "text/plain")
                 for raw in ("a\r\nSet-Cookie: x=y.pdf", "a\nSet-Cookie: x=y.pdf",
                             "a\rSet-Cookie: x=y.pdf")]
    # The same name percent-encoded in an RFC 5987 filename* parameter.
    raw_parts.append(mp.Part("file", mp.text(), disposition=(
        "form-data; name=\"file\"; filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%3Dy.pdf")))
    for part in raw_parts:
        r = post_form([mp.metadata_part(meta(status="published")), part])
        if r.status == 400:  # the part header itself is broken: refusing it is fine
            expect_problem(r, 400, "invalid_multipart")
            continue
        a = expect_json(r, 201)
        name = a["current_version"]["filename"]
        check(not any(c in name for c in "\r\n"), f"stored filename {name!r} has CR/LF")
        d = download(a["id"], as_="rep")
        expect_status(d, 200)
        check(d.header("Set-Cookie") is None, f"injected Set-Cookie: {d.header('Set-Cookie')!r}",
              d.describe())
        _, decoded = content_disposition(d)
        check(decoded == name, f"filename* {decoded!r} != stored {name!r}")


@test
def filename_with_quotes_cannot_break_content_disposition():
    # curl sends a quote in a name as \" inside the quoted string.
    for raw in ('say \\"hi\\".pdf', "it's.pdf"):
        r = upload(meta(), mp.text(), raw, "text/plain")
        a = expect_json(r, 201)
        name = a["current_version"]["filename"]
        check('"' not in name and "\\" not in name, f"stored filename {name!r} has \" or \\")
        fallback, decoded = content_disposition(expect_status(download(a["id"]), 200))
        check(decoded == name, f"filename* {decoded!r} != stored {name!r}")
        check('"' not in fallback and "\\" not in fallback, f"fallback {fallback!r}")
    check(stored_filename("it's.pdf")["current_version"]["filename"] == "it's.pdf",
          "an apostrophe was removed")


# ---------------------------------------------------------------- types

@test
def the_type_comes_from_the_bytes_not_the_client():
    cases = [(mp.pdf(), "x.txt", "text/plain", "application/pdf"),
             (mp.png(), "photo.txt", "text/plain", "image/png"),
             (mp.pdf(), "noext", "application/octet-stream", "application/pdf"),
             (mp.text(), "report.pdf", "application/pdf", "text/plain"),
             (mp.text(), "notes.txt", "text/plain", "text/plain")]
    for data, filename, claimed, want in cases:
        a = create_file_asset(data, filename, claimed)
        got = a["current_version"]["mime"]
        check(got == want, f"{filename} sent as {claimed} stored as {got!r}, want {want!r}")
        r = expect_status(download(a["id"]), 200)
        check(r.media_type() == want, f"downloaded as {r.header('Content-Type')!r}, want {want}")


@test
def text_is_refined_by_the_extension():
    for data, filename, want in ((mp.csv_text(), "accounts.csv", "text/csv"),
                                 (mp.text(), "list.csv", "text/csv"),
                                 (b"# Launch notes\n\nShort words for the team.\n", "notes.md",
                                  "text/markdown")):
        got = create_file_asset(data, filename, "application/octet-stream")
        check(got["current_version"]["mime"] == want,
              f"{filename} stored as {got['current_version']['mime']!r}, want {want}")


@test
def an_executable_named_pdf_is_415_and_nothing_is_stored():
    before = store_counts()
    r = upload(meta(), mp.elf(), "brochure.pdf", "application/pdf")
    expect_problem(r, 415, "unsupported_media_type")
    r = upload(meta(), b"\x00\x01\x02\x03" + mp.random_bytes(4000), "data.pdf", "application/pdf")
    expect_problem(r, 415, "unsupported_media_type")
    check_nothing_stored(before, "refused executables")


# ---------------------------------------------------------------- size limit

def raw_head(path, content_type, extra, token):
    lines = [f"POST {path} HTTP/1.1", f"Host: {ctx.api.authority}",
             f"Content-Type: {content_type}", f"Authorization: Bearer {token}",
             "Connection: close"] + extra
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def send_chunked(body, content_type, path=ASSETS, piece=64 * 1024, token=None):
    """POSTs @body with Transfer-Encoding: chunked on a raw socket."""
    token = token or ctx.token("marketer")
    with socket.create_connection(("127.0.0.1", ctx.server.port), timeout=20) as s:
        s.sendall(raw_head(path, content_type, ["Transfer-Encoding: chunked"], token))
        try:
            for i in range(0, len(body), piece):
                chunk = body[i:i + piece]
                s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server stopped reading: its answer should be there
        return read_response(s, "POST", f"{path} (chunked, {len(body)} bytes)", timeout=20)


def form_with_file_of(size, boundary="nsbexactlength0001"):
    """An upload body whose file is a PDF of exactly @size bytes."""
    return mp.asset_form(meta(), mp.pdf(size), "exact.pdf", boundary=boundary)


@test
def a_file_of_exactly_the_limit_is_accepted_one_byte_more_is_413():
    body, ctype = form_with_file_of(5 * MIB)
    check(len(body) <= LIMIT, "test bug: the form is over the body limit")
    a = expect_json(ctx.api.post(ASSETS, raw=body, content_type=ctype, as_="marketer"), 201)
    check(a["current_version"]["size"] == 5 * MIB, f"size {a['current_version']['size']}")
    before = store_counts()
    body, ctype = form_with_file_of(5 * MIB + 1)
    check(len(body) <= LIMIT, "test bug: the form is over the body limit")
    r = ctx.api.post(ASSETS, raw=body, content_type=ctype, as_="marketer")
    expect_problem(r, 413, "payload_too_large")
    check_nothing_stored(before, "a refused upload of 5 MiB + 1")


@test
def a_content_length_over_the_limit_is_413_before_the_body():
    versions = f"{ASSETS}/{create_file_asset()['id']}/versions"
    before = store_counts()
    ctype = "multipart/form-data; boundary=nsbnotsent000001"
    for path, length in ((ASSETS, LIMIT + 1), (ASSETS, 1 << 30), (versions, LIMIT + 1)):
        with socket.create_connection(("127.0.0.1", ctx.server.port), timeout=15) as s:
            s.sendall(raw_head(path, ctype, [f"Content-Length: {length}"],
                               ctx.token("marketer")))
            r = read_response(s, "POST", f"{path} (Content-Length: {length}, no body sent)",
                              timeout=10)
        expect_problem(r, 413, "payload_too_large")
    check_nothing_stored(before, "refused uploads")


@test
def a_chunked_body_over_the_limit_is_413_and_nothing_is_stored():
    before = store_counts()
    body, ctype = mp.asset_form(meta(), mp.pdf(LIMIT + 200 * 1024), "big.pdf")
    expect_problem(send_chunked(body, ctype), 413, "payload_too_large")
    check_nothing_stored(before, "a refused chunked upload")
    expect_json(ctx.api.get("/api/v1/me", as_="marketer"), 200)  # still serving


@test
def a_chunked_upload_under_the_limit_is_stored():
    data = mp.pdf(300 * 1024)
    body, ctype = mp.asset_form(meta(), data, "chunked.pdf")
    a = expect_json(send_chunked(body, ctype, piece=10000), 201)
    check(a["current_version"]["sha256"] == sha256(data), "stored bytes differ")
    r = expect_status(download(a["id"]), 200)
    check(r.body == data, "downloaded bytes differ from the chunked upload")
