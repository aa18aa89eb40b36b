"""The web app's files (static/) as the server answers them: types, ETags
and 304, gzip, caching, the security headers, deep links, and paths that
try to leave static/."""
import gzip
import http.client
from pathlib import Path

from nsapi.context import ctx
from nsapi.harness import check, test

STATIC = Path(__file__).resolve().parents[3] / "static"


def get(path, headers=None, method="GET"):
    """A raw request (the path sent exactly as given): (status, headers, body)."""
    conn = http.client.HTTPConnection(ctx.api.host, ctx.api.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


@test
def the_root_and_app_answer_the_app_with_a_strict_policy():
    index = (STATIC / "index.html").read_bytes()
    for path in ("/", "/app", "/app/"):
        status, h, body = get(path)
        check(status == 200 and body == index, f"{path}: {status}, {body[:80]!r}")
        check(h.get("content-type") == "text/html; charset=utf-8", f"{path}: {h.get('content-type')}")
        csp = h.get("content-security-policy", "")
        check("frame-ancestors 'none'" in csp and "script-src 'self'" in csp
              and "unsafe-inline" not in csp and "style-src 'self'" in csp, f"CSP {csp!r}")
        check(h.get("x-content-type-options") == "nosniff" and h.get("referrer-policy"),
              f"headers {h}")
    check(b"<script>" not in index and b" style=" not in index,
          "index.html has inline script or style, which the policy forbids")


@test
def files_have_their_type_an_etag_and_revalidate_with_304():
    body_on_disk = (STATIC / "main.js").read_bytes()
    status, h, body = get("/app/main.js")
    check(status == 200 and body == body_on_disk, f"main.js: {status}")
    check(h.get("content-type") == "text/javascript; charset=utf-8", f"type {h.get('content-type')}")
    etag = h.get("etag", "")
    check(etag.startswith('"') and len(etag) == 18, f"ETag {etag!r}")
    check(h.get("cache-control") == "no-cache", f"a name without a hash revalidates: {h}")
    status, h2, body = get("/app/main.js", {"If-None-Match": etag})
    check(status == 304 and body == b"" and h2.get("etag") == etag, f"revalidation {status}")
    status, _, _ = get("/app/main.js", {"If-None-Match": '"0000000000000000"'})
    check(status == 200, f"another ETag: {status}")
    status, h, body = get("/app/style.css", {"Accept-Encoding": "br, gzip;q=0.8"})
    check(status == 200 and h.get("content-encoding") == "gzip"
          and gzip.decompress(body) == (STATIC / "style.css").read_bytes()
          and "accept-encoding" in h.get("vary", "").lower(), f"gzip: {status} {h}")
    status, h, body = get("/app/style.css", {"Accept-Encoding": "gzip;q=0"})
    check("content-encoding" not in h and body == (STATIC / "style.css").read_bytes(),
          "gzip;q=0 still got gzip")
    status, h, body = get("/app/main.js", method="HEAD")
    check(status == 200 and body == b"", f"HEAD {status}")


@test
def a_deep_link_answers_the_app_and_a_missing_file_is_404():
    index = (STATIC / "index.html").read_bytes()
    for path in ("/app/deals/6f0c", "/app/search?q=roi", "/app/library/new"):
        status, _, body = get(path)
        check(status == 200 and body == index, f"deep link {path}: {status}")
    for path in ("/app/missing.js", "/app/views/nope.js"):
        status, h, _ = get(path)
        check(status == 404 and h.get("content-type") == "application/problem+json",
              f"{path}: {status} {h.get('content-type')}")


@test
def paths_that_try_to_leave_static_are_404():
    secret = (STATIC.parent / "README.md").read_bytes()[:40]
    for path in ("/app/../README.md", "/app/%2e%2e/README.md", "/app/..%2fREADME.md",
                 "/app/views%2fhome.js", "/app/views%2Fhome.js", "/app/main.js%00.html",
                 "/app/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/app/views/../main.js",
                 "/app/./main.js", "/app//main.js", "/app/views\\home.js", "/app/..\\README.md"):
        status, _, body = get(path)
        check(status == 404 and secret not in body, f"{path}: {status}")
