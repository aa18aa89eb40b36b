"""Downloads: bytes out exactly as they went in (across the 1 MiB chunk
size), stored once, ETag / If-None-Match, Range, versions, the file name
header, and an upload cut off by a killed server leaving nothing behind."""
import signal
import socket
import time

from nsapi import multipart as mp
from nsapi.client import MIB, expect_problem, expect_status
from nsapi.context import ctx
from nsapi.harness import check, register, test
from nsapi.proc import Server, sql_literal, stored
from suites.assets import (ASSETS, add_version, content_disposition, create_file_asset,
                           create_link_asset, download, meta, sha256, store_counts)

_big = {}


def big_asset():
    """A 3.5 MiB PDF asset (four chunks), made once: (asset, bytes)."""
    if "asset" not in _big:
        data = mp.pdf(3 * MIB + MIB // 2)
        _big["asset"], _big["data"] = create_file_asset(data, "big.pdf"), data
    return _big["asset"], _big["data"]


def chunks_of(asset_id, number=1):
    rows = stored("SELECT count(*) FROM blob_chunks c JOIN asset_versions v ON v.blob_id = c.blob_id "
                f"WHERE v.asset_id = {sql_literal(asset_id)} AND v.number = {int(number)}")
    return int(rows[0][0])


# ---------------------------------------------------------------- round trips

ROUND_TRIP_SIZES = [("100_bytes", 100), ("exactly_1_mib", MIB), ("1_mib_plus_1", MIB + 1),
                    ("3_5_mib_multi_chunk", 3 * MIB + MIB // 2)]


def make_round_trip(size):
    def round_trip():
        data = mp.pdf(size)
        a = create_file_asset(data, "round.pdf")
        v = a["current_version"]
        check((v["size"], v["sha256"], v["mime"]) == (size, sha256(data), "application/pdf"),
              f"current_version {v}, want size {size} sha256 {sha256(data)}")
        r = expect_status(download(a["id"]), 200)
        check(len(r.body) == size, f"downloaded {len(r.body)} bytes, uploaded {size}")
        if r.body != data:
            at = next(i for i in range(size) if r.body[i] != data[i])
            check(False, f"downloaded bytes differ from the upload, first at offset {at}")
        check(r.header("Content-Length") == str(size),
              f"Content-Length {r.header('Content-Length')!r}, want {size}")
        check(r.media_type() == "application/pdf", f"Content-Type {r.header('Content-Type')!r}")
    return round_trip


for _name, _size in ROUND_TRIP_SIZES:
    register(f"round_trip_{_name}_is_byte_identical", make_round_trip(_size))


@test
def blobs_are_stored_in_1_mib_chunks():
    for size, want in ((100, 1), (MIB, 1), (MIB + 1, 2)):
        a = create_file_asset(mp.pdf(size))
        got = chunks_of(a["id"])
        check(got == want, f"a {size}-byte file is stored in {got} chunks, want {want}")
    a, _ = big_asset()
    check(chunks_of(a["id"]) == 4, f"3.5 MiB stored in {chunks_of(a['id'])} chunks, want 4")


@test
def identical_bytes_are_stored_once():
    data = mp.pdf(MIB + 4096)
    before = store_counts()
    a = create_file_asset(data, "first.pdf")
    b = create_file_asset(data, "second.pdf", title="The same bytes again")
    after = store_counts()
    check(a["current_version"]["sha256"] == b["current_version"]["sha256"] == sha256(data),
          "the two uploads got different hashes")
    check(after["blobs"] - before["blobs"] == 1,
          f"blobs grew by {after['blobs'] - before['blobs']}, want 1")
    check(after["blob_chunks"] - before["blob_chunks"] == 2,
          f"blob_chunks grew by {after['blob_chunks'] - before['blob_chunks']}, want 2")
    check(after["asset_versions"] - before["asset_versions"] == 2, "want two version rows")
    check(b["current_version"]["filename"] == "second.pdf", "the second name was not kept")
    for x in (a, b):
        check(expect_status(download(x["id"]), 200).body == data, "shared blob reads differ")


# ---------------------------------------------------------------- headers

@test
def download_headers_name_type_length_and_file():
    data = mp.png(3, 3)
    a = create_file_asset(data, "Präsentation Q3 (final).png", "image/png")
    name = a["current_version"]["filename"]
    check(name == "Präsentation Q3 (final).png", f"stored filename {name!r}")
    r = expect_status(download(a["id"]), 200)
    check(r.media_type() == "image/png", f"Content-Type {r.header('Content-Type')!r}")
    check(r.header("Accept-Ranges") == "bytes", f"Accept-Ranges {r.header('Accept-Ranges')!r}")
    check((r.header("X-Content-Type-Options") or "").lower() == "nosniff",
          f"X-Content-Type-Options {r.header('X-Content-Type-Options')!r}")
    fallback, decoded = content_disposition(r)
    check(decoded == name, f"filename* decodes to {decoded!r}, want {name!r}")
    check(fallback.endswith("(final).png") and fallback.startswith("Pr"),
          f"ASCII fallback {fallback!r} does not resemble {name!r}")
    plain = create_file_asset(mp.pdf(), "plain-name_1.pdf")
    fallback, decoded = content_disposition(expect_status(download(plain["id"]), 200))
    check(fallback == decoded == "plain-name_1.pdf", f"filename {fallback!r} / {decoded!r}")
    r = expect_status(download(plain["id"], query="?version=1"), 200)
    check(content_disposition(r)[1] == "plain-name_1.pdf", "version=1 names another file")


@test
def etag_is_the_quoted_sha256_and_if_none_match_gives_304():
    data = mp.pdf(5000)
    a = create_file_asset(data)
    etag = f'"{sha256(data)}"'
    check(a["current_version"]["sha256"] == sha256(data), "current_version.sha256")
    r = expect_status(download(a["id"]), 200)
    check(r.header("ETag") == etag, f"ETag {r.header('ETag')!r}, want {etag}")
    for inm in (etag, "*", f'"{"0" * 64}", {etag}'):
        r = expect_status(download(a["id"], headers={"If-None-Match": inm}), 304)
        check(r.body == b"", f"304 with a body ({len(r.body)} bytes)")
        check(r.header("ETag") == etag, f"304 without the ETag: {r.header('ETag')!r}")
    for inm in (f'"{"0" * 64}"', f'W/"{"1" * 64}"'):  # other tags
        r = expect_status(download(a["id"], headers={"If-None-Match": inm}), 200)
        check(r.body == data, f"If-None-Match {inm!r}: body differs")


@test
def head_answers_the_headers_without_a_body():
    data = mp.pdf(4321)
    a = create_file_asset(data, "head.pdf")
    get = expect_status(download(a["id"]), 200)
    head = expect_status(download(a["id"], method="HEAD"), 200)
    check(head.body == b"", "HEAD answered with a body")
    for h in ("Content-Type", "Content-Length", "ETag", "Content-Disposition", "Accept-Ranges"):
        check(head.header(h) == get.header(h),
              f"HEAD {h} {head.header(h)!r} != GET {h} {get.header(h)!r}")
    check(head.header("Content-Length") == "4321",
          f"Content-Length {head.header('Content-Length')!r}, want '4321'")


# ---------------------------------------------------------------- ranges

def expect_range(asset_id, data, spec, start, end):
    r = expect_status(download(asset_id, headers={"Range": spec}), 206)
    size = len(data)
    want = f"bytes {start}-{end}/{size}"
    check(r.header("Content-Range") == want,
          f"Range {spec}: Content-Range {r.header('Content-Range')!r}, want {want!r}")
    check(r.body == data[start:end + 1],
          f"Range {spec}: {len(r.body)} bytes that differ from bytes {start}-{end}")
    check(r.header("Content-Length") == str(end - start + 1),
          f"Range {spec}: Content-Length {r.header('Content-Length')!r}")
    return r


@test
def range_of_the_first_100_bytes_is_206():
    data = mp.pdf(10000)
    a = create_file_asset(data)
    r = expect_range(a["id"], data, "bytes=0-99", 0, 99)
    check(r.header("ETag") == f'"{sha256(data)}"', "206 without the ETag")
    expect_range(a["id"], data, "bytes=100-100", 100, 100)
    expect_range(a["id"], data, "bytes=9000-99999", 9000, 9999)  # end past the size: clamped


@test
def suffix_and_open_ended_ranges():
    data = mp.pdf(10000)
    a = create_file_asset(data)
    expect_range(a["id"], data, "bytes=-10", 9990, 9999)
    expect_range(a["id"], data, "bytes=9995-", 9995, 9999)
    expect_range(a["id"], data, "bytes=0-", 0, 9999)
    expect_range(a["id"], data, "bytes=-20000", 0, 9999)  # longer than the file: all of it


@test
def ranges_across_chunk_borders():
    a, data = big_asset()
    expect_range(a["id"], data, f"bytes={MIB - 10}-{MIB + 9}", MIB - 10, MIB + 9)
    expect_range(a["id"], data, f"bytes={MIB}-{MIB}", MIB, MIB)
    expect_range(a["id"], data, f"bytes={MIB - 1}-{3 * MIB}", MIB - 1, 3 * MIB)
    expect_range(a["id"], data, f"bytes={3 * MIB + 5}-", 3 * MIB + 5, len(data) - 1)
    expect_range(a["id"], data, "bytes=-100", len(data) - 100, len(data) - 1)


@test
def a_range_past_the_end_is_416():
    data = mp.pdf(1000)
    a = create_file_asset(data)
    for spec in ("bytes=1000-", "bytes=5000-6000", "bytes=1000-1000"):
        r = download(a["id"], headers={"Range": spec})
        expect_problem(r, 416, "range_not_satisfiable")
        check(r.header("Content-Range") == "bytes */1000",
              f"Range {spec}: Content-Range {r.header('Content-Range')!r}, want 'bytes */1000'")
    expect_range(a["id"], data, "bytes=999-", 999, 999)


@test
def multiple_ranges_get_the_whole_body():
    data = mp.pdf(3000)
    a = create_file_asset(data)
    for spec in ("bytes=0-9,20-29", "bytes=0-9, 100-"):
        r = expect_status(download(a["id"], headers={"Range": spec}), 200)
        check(r.body == data, f"Range {spec}: the body is not the whole file")


@test
def if_none_match_wins_over_range():
    data = mp.pdf(3000)
    a = create_file_asset(data)
    r = download(a["id"], headers={"Range": "bytes=0-9", "If-None-Match": f'"{sha256(data)}"'})
    expect_status(r, 304)
    check(r.body == b"", "304 with a body")


# ---------------------------------------------------------------- versions

@test
def an_old_version_is_downloadable_by_number():
    old, new = mp.pdf(1200), mp.pdf(MIB + 77)
    a = create_file_asset(old, "old.pdf")
    expect_status(add_version(a["id"], new, "new.pdf"), 201)
    r = expect_status(download(a["id"]), 200)
    check(r.body == new, "without ?version the download is not the newest version")
    r = expect_status(download(a["id"], query="?version=1"), 200)
    check(r.body == old, "?version=1 did not return the first version's bytes")
    check(r.header("ETag") == f'"{sha256(old)}"', f"version 1 ETag {r.header('ETag')!r}")
    check(content_disposition(r)[1] == "old.pdf", "version 1 is not named old.pdf")
    r = expect_status(download(a["id"], query="?version=2"), 200)
    check(r.body == new and content_disposition(r)[1] == "new.pdf", "?version=2")
    r = expect_status(download(a["id"], query="?version=1", headers={"Range": "bytes=-5"}), 206)
    check(r.body == old[-5:], "a range of version 1")


@test
def a_missing_version_is_404_and_a_malformed_one_400():
    a = create_file_asset()
    for q in ("99", "2"):
        expect_problem(download(a["id"], query=f"?version={q}"), 404, "not_found")
    for q in ("abc", "0", "-1", "1.5", "", "1x", "2147483648", "99999999999999999999999"):
        r = download(a["id"], query=f"?version={q}")
        if q.startswith(("2147", "9999")) and r.status == 404:
            continue  # too large to exist: 404 or 400 are both honest
        expect_problem(r, 400, "invalid_parameter")


@test
def a_link_asset_or_unknown_asset_has_no_content():
    link = create_link_asset(status="published")
    expect_problem(download(link["id"]), 404, "not_found")
    expect_problem(download(link["id"], as_="rep"), 404, "not_found")
    expect_problem(download("00000000-0000-0000-0000-000000000000"), 404, "not_found")
    expect_problem(download("nope"), 404, "not_found")


# ---------------------------------------------------------------- killed upload

@test
def an_upload_cut_off_by_sigkill_leaves_nothing_behind():
    before = store_counts()
    srv = Server()
    srv.stderr_path = ctx.logdir / "killed-server.stderr"
    srv.stdout_path = ctx.logdir / "killed-server.stdout"
    srv.start()
    try:
        srv.wait_healthy(timeout=30)
        body, ctype = mp.asset_form(meta(title="Killed mid-upload"), mp.pdf(4 * MIB), "cut.pdf")
        head = (f"POST {ASSETS} HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n"
                f"Authorization: Bearer {ctx.token('marketer')}\r\n"
                f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", srv.port), timeout=15) as s:
            s.sendall(head + body[:2 * MIB])
            time.sleep(0.5)  # let it write the first chunks
            check(srv.alive(), "the second server died during the upload", srv.stderr_tail())
            srv.proc.send_signal(signal.SIGKILL)
            srv.proc.wait(10)
    finally:
        srv.kill()
    deadline = time.monotonic() + 10
    while True:
        now = store_counts()
        if now == before or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    check(now == before, f"10 s after SIGKILL mid-upload: before {before}, now {now}")
    leftover = stored("SELECT count(*) FROM assets WHERE title = 'Killed mid-upload'")[0][0]
    check(leftover == "0", f"{leftover} assets titled 'Killed mid-upload'")
    orphans = stored("SELECT count(*) FROM blob_chunks c WHERE NOT EXISTS "
                   "(SELECT 1 FROM blobs b WHERE b.id = c.blob_id)")[0][0]
    check(orphans == "0", f"{orphans} blob_chunks rows without a blob")
