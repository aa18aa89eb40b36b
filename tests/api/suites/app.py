"""The web app's files (static/) as the server answers them: types, ETags
and 304, gzip, caching, the security headers, deep links, and paths that
try to leave static/. The packaged libraries mounted under /app/vendor/
(pdf.js from Debian's libjs-pdf, Chart.js from libjs-chart.js): the files
chosen and no others, served the same way, and a server without the
package."""
import gzip
import http.client
import json
import os
import shutil
from pathlib import Path

from nsapi.context import ctx
from nsapi.harness import check, test
from nsapi.proc import Server

STATIC = Path(__file__).resolve().parents[3] / "static"
PDFJS = Path(os.environ.get("NEXTSTAGE_PDFJS_DIR", "/usr/share/javascript/pdf"))
CHARTJS = Path(os.environ.get("NEXTSTAGE_CHARTJS_DIR", "/usr/share/javascript/chart.js"))
MOUNTS = {"pdf": "/app/vendor/pdf/", "chart": "/app/vendor/chart/"}


def get(path, headers=None, method="GET", port=None):
    """A raw request (the path sent exactly as given): (status, headers, body)."""
    conn = http.client.HTTPConnection(ctx.api.host, port or ctx.api.port, timeout=10)
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
    status, _, _ = get("/app/main.js", {"If-None-Match": f'"0000000000000000", W/{etag}'})
    check(status == 304, f"a list naming it, weakly: {status}")
    status, _, _ = get("/app/main.js", {"If-None-Match": f'"x{etag[1:-1]}x"'})
    check(status == 200, f"a tag that only contains it: {status}")
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
                 "/app/./main.js", "/app//main.js", "/app//settings", "/app/views\\home.js",
                 "/app/..\\README.md"):
        status, _, body = get(path)
        check(status == 404 and secret not in body, f"{path}: {status}")


@test
def pdfjs_is_served_from_its_package_with_etag_gzip_and_the_policy():
    for name in ("build/pdf.js", "build/pdf.worker.js"):
        on_disk = (PDFJS / name).read_bytes()
        path = f"/app/vendor/pdf/{name}"
        status, h, body = get(path)
        check(status == 200 and body == on_disk, f"{path}: {status}, {len(body)} bytes")
        check(h.get("content-type") == "text/javascript; charset=utf-8", f"type {h.get('content-type')}")
        csp = h.get("content-security-policy", "")
        check("script-src 'self'" in csp and "unsafe-eval" not in csp
              and "frame-ancestors 'none'" in csp, f"{path}: CSP {csp!r}")
        etag = h.get("etag", "")
        check(etag.startswith('"') and h.get("cache-control") == "no-cache", f"{path}: {h}")
        status, h2, body = get(path, {"If-None-Match": etag})
        check(status == 304 and body == b"" and h2.get("etag") == etag, f"{path}: revalidation {status}")
        status, h, body = get(path, {"Accept-Encoding": "gzip"})
        check(status == 200 and h.get("content-encoding") == "gzip"
              and gzip.decompress(body) == on_disk and len(body) < len(on_disk),
              f"{path}: gzip {status} {h}")
    status, h, body = get("/app/vendor/mounts.json")
    check(status == 200 and json.loads(body) == MOUNTS, f"mounts {status} {body!r}")


@test
def chartjs_is_served_from_its_package_as_es_modules_and_nothing_else_of_it():
    for name in ("chart.esm.js", "chunks/helpers.segment.js"):
        on_disk = (CHARTJS / name).read_bytes()
        status, h, body = get(f"/app/vendor/chart/{name}")
        check(status == 200 and body == on_disk, f"{name}: {status}, {len(body)} bytes")
        check(h.get("content-type") == "text/javascript; charset=utf-8", f"type {h.get('content-type')}")
        check("script-src 'self'" in h.get("content-security-policy", ""), f"{name}: {h}")
    # The module imports its chunk by a relative path that the mount answers.
    check(b"from './chunks/helpers.segment.js'" in (CHARTJS / "chart.esm.js").read_bytes(),
          "chart.esm.js no longer imports ./chunks/helpers.segment.js")
    for name in ("chart.js", "chart.min.js", "Chart.js", "chart.mjs", "helpers.esm.js",
                 "chunks/helpers.segment.mjs", "chunks/"):
        status, _, _ = get(f"/app/vendor/chart/{name}")
        check(status == 404, f"{name} is not chosen but answered {status}")


@test
def pdfjs_cmaps_and_fonts_are_served_through_debians_symlinks():
    cmap = sorted(f.name for f in (PDFJS / "web/cmaps").iterdir() if f.suffix == ".bcmap")[0]
    for name in (f"web/cmaps/{cmap}", "web/standard_fonts/FoxitSans.pfb",
                 "web/standard_fonts/LiberationSans-Regular.ttf"):
        status, _, body = get(f"/app/vendor/pdf/{name}")
        check(status == 200 and body == (PDFJS / name).read_bytes(), f"{name}: {status}")


@test
def only_the_chosen_files_of_the_package_are_served():
    for name in ("web/viewer.html", "web/viewer.js", "build/pdf.js.map", "build/pdf.sandbox.js",
                 "web/debugger.js", "web/locale/locale.properties"):
        if (PDFJS / name).exists():
            status, _, _ = get(f"/app/vendor/pdf/{name}")
            check(status == 404, f"{name} is in the package but not chosen: {status}")


@test
def paths_that_try_to_leave_the_vendor_mount_are_404():
    secret = (STATIC.parent / "README.md").read_bytes()[:40]
    viewer = (PDFJS / "web/viewer.html").read_bytes()[:200]
    for path in ("/app/vendor/pdf/../../../README.md", "/app/vendor/pdf/web/cmaps/../../build/pdf.js",
                 "/app/vendor/pdf/build%2fpdf.js", "/app/vendor/pdf/build%2Fpdf.js",
                 "/app/vendor/pdf/build/pdf.js%00", "/app/vendor/pdf/build/pdf.js%00.html",
                 "/app/vendor/pdf/web/cmaps/%2e%2e/%2e%2e/build/pdf.js",
                 "/app/vendor/pdf/web/cmaps/..%2f..%2fweb/viewer.html",
                 "/app/vendor/pdf/web/cmaps/../../../../../../../../etc/passwd",
                 "/app/vendor/pdf/web/cmaps/..\\..\\viewer.html", "/app/vendor/pdf//build/pdf.js",
                 "/app/vendor/pdf/./build/pdf.js", "/app/vendor/pdf/build/", "/app/vendor/pdf",
                 "/app/vendor/pdf/build/pdf"):
        status, _, body = get(path)
        check(status == 404 and secret not in body and viewer not in body
              and b"root:" not in body and b"<html" not in body, f"{path}: {status}")


def other_server(pdfjs_dir, label, chartjs_dir=None):
    env = {"NEXTSTAGE_PDFJS_DIR": str(pdfjs_dir)}
    if chartjs_dir is not None:
        env["NEXTSTAGE_CHARTJS_DIR"] = str(chartjs_dir)
    srv = Server(env=env)
    srv.stderr_path = ctx.logdir / f"{label}-server.stderr"
    srv.stdout_path = ctx.logdir / f"{label}-server.stdout"
    srv.start()
    srv.wait_healthy()
    return srv


@test
def without_the_packages_the_server_warns_serves_and_says_they_are_absent():
    srv = other_server(ctx.logdir / "no-such-pdfjs", "no-pdfjs", ctx.logdir / "no-such-chartjs")
    try:
        status, _, body = get("/app/vendor/mounts.json", port=srv.port)
        check(status == 200 and json.loads(body) == {}, f"mounts {status} {body!r}")
        for path in ("/app/vendor/pdf/build/pdf.js", "/app/vendor/chart/chart.esm.js"):
            status, _, _ = get(path, port=srv.port)
            check(status == 404, f"{path} without its package: {status}")
        status, _, body = get("/app/assets/x", port=srv.port)
        check(status == 200 and body == (STATIC / "index.html").read_bytes(), f"the app: {status}")
        check("libjs-pdf" in srv.stderr_text() and "libjs-chart.js" in srv.stderr_text()
              and '"warn"' in srv.stderr_text(), "no warning naming each package", srv.stderr_tail())
        check(not srv.new_sanitizer_report(), "sanitizer report", srv.stderr_tail())
    finally:
        check(srv.terminate() == 0, "the server did not exit 0", srv.stderr_tail())


@test
def a_mount_follows_symlinks_one_level_and_skips_dirs_dot_files_and_fifos():
    root = ctx.logdir / "fake-pdfjs"
    shutil.rmtree(root, ignore_errors=True)
    (root / "pkg/build").mkdir(parents=True)
    (root / "pkg/web/standard_fonts/sub").mkdir(parents=True)
    (root / "shared/cmaps").mkdir(parents=True)
    (root / "pkg/build/pdf.js").write_text("// lib\n")
    (root / "pkg/build/pdf.worker.js").write_text("// worker\n")
    (root / "pkg/build/pdf.js.map").write_text("{}")
    (root / "shared/cmaps/A-H.bcmap").write_bytes(b"cmap")
    (root / "pkg/web/cmaps").symlink_to("../../shared/cmaps")     # as Debian does
    (root / "pkg/web/standard_fonts/F.pfb").write_bytes(b"font")
    (root / "pkg/web/standard_fonts/.hidden").write_bytes(b"dot")
    (root / "pkg/web/standard_fonts/sub/deep.ttf").write_bytes(b"deep")
    (root / "pkg/web/standard_fonts/loop").symlink_to("..")        # a loop, not followed
    os.mkfifo(root / "pkg/web/standard_fonts/fifo.ttf")            # would block a read
    srv = other_server(root / "pkg", "fake-pdfjs")
    try:
        for name, want in (("build/pdf.js", b"// lib\n"), ("web/cmaps/A-H.bcmap", b"cmap"),
                           ("web/standard_fonts/F.pfb", b"font")):
            status, _, body = get(f"/app/vendor/pdf/{name}", port=srv.port)
            check(status == 200 and body == want, f"{name}: {status} {body!r}")
        for name in ("build/pdf.js.map", "web/standard_fonts/.hidden", "web/standard_fonts/fifo.ttf",
                     "web/standard_fonts/sub/deep.ttf", "web/standard_fonts/loop/F.pfb"):
            status, _, _ = get(f"/app/vendor/pdf/{name}", port=srv.port)
            check(status == 404, f"{name}: {status}")
        status, _, body = get("/app/vendor/mounts.json", port=srv.port)
        check(json.loads(body) == MOUNTS, f"mounts {body!r}")
    finally:
        check(srv.terminate() == 0, "the server did not exit 0", srv.stderr_tail())


@test
def the_stylesheet_served_has_every_block_closed():
    # An unclosed block (a lost "}" of an @media rule) silently swallows
    # every rule after it: whole pages lose their layout, and no browser
    # reports it.
    status, _, body = get("/app/style.css")
    css = body.decode()
    depth, worst = 0, 0
    for line_no, line in enumerate(css.splitlines(), 1):
        for c in line:
            depth += {"{": 1, "}": -1}.get(c, 0)
            check(depth >= 0, f"style.css line {line_no}: a '}}' closes nothing")
        if depth > 1:
            worst = line_no
    check(status == 200 and depth == 0 and worst == 0,
          f"style.css: {depth} blocks left open; nesting deeper than @media at line {worst}")
