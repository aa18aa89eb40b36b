"""The database's disk full (issue 18). The suite's database lives in a
tablespace of its own on a small file system made for it (a tmpfs, mounted
by setup: the suite runs as root, as CI does), which a filler file then
fills to the last byte. Writes (a share, a tracked-link open by a script
or a browser, an upload, a new version, an event batch) answer 503
storage_full with Retry-After; reads (search, an asset, its bytes, the
shares, the next-stage test, the unused list, /readyz) answer 200; the
server says so in its log, once, and counts the refusals in /metrics;
once space is freed writes work again without a restart; every write that
was answered 2xx is there, none that was refused is, and an upload cut off
by the full disk leaves nothing half-written. The file bytes are in the
database (the blob store), so their disk is this disk: there is no other
place an upload writes to.

No fallback: where the mount cannot be made (not root, no tmpfs) the suite
fails, saying why. teardown() drops the database and the tablespace and
unmounts, whatever happened."""
import errno
import itertools
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

from nsapi import multipart as mp
from nsapi.client import Api, expect_json, expect_problem, expect_status, read_response
from nsapi.context import ctx
from nsapi.harness import Failure, check, test
from nsapi.proc import Server, arrange, sql_literal, stored
from suites.assets import (ASSETS, add_version, create_file_asset, meta, raw_head, sha256,
                           store_counts, upload)
from suites.events import ingest
from suites.ops import metric_value
from suites.search import ids, search
from suites.shares import SHARES, list_all_shares, open_link

SERVER = False  # its own, on the database in the small tablespace (setup)
MOUNT = Path(f"/tmp/nextstage-diskfull-{ctx.run_id}")
SPACE_MB = 48  # the suite's copy of api_template takes about 11 MB
TABLESPACE = f"diskfull_{ctx.run_id}"
DATABASE = f"api_diskfull_ts_{ctx.run_id}"
_made = {}  # what setup made, for teardown
_fillers = itertools.count(1)


# ---------------------------------------------------------------- the small disk

def sh(*args):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=60)
    return r.returncode, (r.stdout + r.stderr).strip()


def setup():
    check(os.geteuid() == 0,
          "this suite mounts a small file system (tmpfs) for the database's tablespace and"
          f" must run as root, as CI does (euid {os.geteuid()})")
    data_dir = arrange("SHOW data_directory")[0][0]
    owner = os.stat(data_dir)
    MOUNT.mkdir(mode=0o755, exist_ok=True)
    rc, out = sh("mount", "-t", "tmpfs", "-o",
                 f"size={SPACE_MB}m,mode=0700,uid={owner.st_uid},gid={owner.st_gid}",
                 "tmpfs", str(MOUNT))
    check(rc == 0, f"mount -t tmpfs -o size={SPACE_MB}m on {MOUNT} failed (exit {rc}): the"
                   " suite needs it to make the database's disk full", out)
    _made["mount"] = True
    ts = MOUNT / "ts"
    ts.mkdir(mode=0o700)
    os.chown(ts, owner.st_uid, owner.st_gid)
    arrange(f"CREATE TABLESPACE {TABLESPACE} LOCATION {sql_literal(ts)}")
    _made["tablespace"] = True
    for attempt in range(5):  # another suite may be copying the template this instant
        try:
            arrange(f"CREATE DATABASE {DATABASE} TEMPLATE api_template TABLESPACE {TABLESPACE}")
            break
        except Failure:
            if attempt == 4:
                raise
            time.sleep(1)
    _made["database"] = True
    _made["admin_url"] = ctx.db_url  # the suite's own database: where DROP DATABASE runs
    ctx.db_url = ctx.db_url.replace("dbname=" + ctx.db_url.split("dbname=")[1].split()[0],
                                    "dbname=" + DATABASE)
    ctx.server = Server()
    ctx.api = Api("127.0.0.1", ctx.server.port, ctx.token)
    ctx.server.start()
    ctx.server.wait_healthy(timeout=30)


def teardown():
    problems = []
    free_space()
    if ctx.server is not None:
        ctx.server.kill()
    admin = _made.get("admin_url")
    for what, sql in (("database", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"),
                      ("tablespace", f"DROP TABLESPACE IF EXISTS {TABLESPACE}")):
        if _made.get(what):
            try:
                arrange(sql, admin)
            except Failure as e:
                problems.append(f"{sql}: {e} {e.details}")
    if _made.get("mount"):
        rc, out = sh("umount", str(MOUNT))
        if rc != 0:
            problems.append(f"umount {MOUNT}: {out}; unmounted lazily")
            sh("umount", "-l", str(MOUNT))
    try:
        MOUNT.rmdir()
    except OSError:
        pass
    if problems:
        raise Failure("the disk-full suite did not clean up", *problems)


def free_bytes():
    st = os.statvfs(MOUNT)
    return st.f_bavail * st.f_frsize


def fill(leave=0):
    """Fills the database's file system with a filler file until @leave
    bytes are free (0: to the last byte, until ENOSPC)."""
    block = b"\0" * (1 << 20)
    with open(MOUNT / f"filler-{next(_fillers)}", "wb", buffering=0) as f:
        want = free_bytes() - leave
        while want > 0:
            n = min(len(block), want)
            try:
                wrote = f.write(block[:n])
            except OSError as e:
                check(e.errno == errno.ENOSPC, f"writing the filler: {e}")
                break
            want -= wrote
            if wrote < n:
                break
        while leave == 0:
            try:
                if f.write(block[:4096]) < 4096:
                    break
            except OSError as e:
                check(e.errno == errno.ENOSPC, f"writing the filler: {e}")
                break
    check(leave > 0 or free_bytes() == 0, f"{free_bytes()} bytes still free after the filler")


def free_space():
    """Removes every filler file: space is back."""
    for p in MOUNT.glob("filler-*"):
        p.unlink()


# ---------------------------------------------------------------- writes and reads

class Ledger:
    """Every write's answer: what was acknowledged (2xx) and refused (503
    storage_full); anything else is a failure of the test. It starts from
    what library() wrote."""

    def __init__(self, lib):
        self.lock = threading.Lock()
        self.known = lib["share"]["id"]
        self.shares, self.opens, self.events = [], {self.known: 1}, []
        self.refused = {"share": 0, "open": 0, "events": 0}
        self.unexpected = []
        self.prefix = ctx.uniq("full")
        self.batches = itertools.count(1)

    def answer(self, kind, r, ok_status):
        if r.status == ok_status:
            return True
        with self.lock:
            if (r.status == 503 and r.json and r.json.get("code") == "storage_full"
                    and r.header("Retry-After")):
                self.refused[kind] += 1
            else:
                self.unexpected.append(r.describe())
        return False

    def share(self, asset_id):
        r = ctx.api.post(SHARES, {"asset_id": asset_id, "channel": "email"}, as_="rep")
        if self.answer("share", r, 201):
            with self.lock:
                self.shares.append(r.json)
            return r.json
        return None

    def open(self, share, html=False):
        """An open by a script, or by a person's browser (@html: the viewer
        page, or a short page saying why not)."""
        r = open_link(share["token"], headers={"Accept": "text/html"} if html else None)
        if html and r.status == 503:
            with self.lock:
                if r.media_type() == "text/html" and r.header("Retry-After") == "60":
                    self.refused["open"] += 1
                else:
                    self.unexpected.append(r.describe())
            return False
        if self.answer("open", r, 200):
            with self.lock:
                self.opens[share["id"]] = self.opens.get(share["id"], 0) + 1
            return True
        return False

    def ingest(self, asset_id, n=100):
        x = f"{self.prefix}-{next(self.batches)}"
        batch = [{"id": f"{x}-{k}", "type": "download", "asset_id": asset_id} for k in range(n)]
        r = ingest(batch)
        if self.answer("events", r, 202):
            with self.lock:
                self.events.append((x, n))
            return True
        return False

    def check_answers(self):
        check(not self.unexpected, f"{len(self.unexpected)} writes answered neither 2xx nor"
                                   " 503 storage_full with Retry-After", *self.unexpected[:3])

    def check_all_there(self, asset_id):
        """Every acknowledged write is stored, and no refused one."""
        listed = {s["id"]: s for s in list_all_shares(f"asset={asset_id}", {"as_": "marketer"})}
        lost = [s["id"] for s in self.shares if s["id"] not in listed]
        check(not lost, f"{len(lost)} of {len(self.shares)} shares answered 201 are not listed",
              lost[:5])
        extra = sorted(set(listed) - {s["id"] for s in self.shares} - {self.known})
        check(not extra, f"{len(extra)} shares are listed that were refused", extra[:5])
        wrong = {i: (listed[i]["opens"], self.opens.get(i, 0)) for i in listed
                 if listed[i]["opens"] != self.opens.get(i, 0)}
        check(not wrong, "shares whose opens differ from the opens answered 200 (listed,"
                         f" answered): {wrong}")
        rows = stored("SELECT split_part(id, '-', 4), count(*) FROM ingested_events WHERE id LIKE"
                      f" {sql_literal(self.prefix + '-%')} GROUP BY 1")
        got = {f"{self.prefix}-{b}": int(n) for b, n in rows}
        want = dict(self.events)
        check(got == want, "event batches stored (batch: events) differ from those answered"
                           f" 202: stored {got}, answered {want}")


def library():
    """What the disk must not stop anyone reading: a published file asset
    with a word of its own in its title, and a share of it opened once."""
    word = "fullword" + ctx.run_id
    data = mp.pdf(48 * 1024)
    a = create_file_asset(data, title=f"Guide {word}", status="published")
    s = expect_json(ctx.api.post(SHARES, {"asset_id": a["id"], "channel": "email"}, as_="rep"),
                    201)
    expect_status(open_link(s["token"]), 200)
    return {"asset": a, "word": word, "data": data, "share": s}


def reads_answer_200(lib, ledger=None):
    a = lib["asset"]
    found = ids(search({"q": lib["word"]}, as_="rep"))
    check(a["id"] in found, f"search for {lib['word']} does not find the asset: {found}")
    got = expect_json(ctx.api.get(f"{ASSETS}/{a['id']}", as_="rep"), 200)
    check(got["title"] == a["title"], f"GET the asset: {got}")
    r = expect_status(ctx.api.get(f"{ASSETS}/{a['id']}/content", as_="rep"), 200)
    check(sha256(r.body) == sha256(lib["data"]), "the asset's bytes read back differ")
    listed = list_all_shares(f"asset={a['id']}", {"as_": "marketer"})
    check(lib["share"]["id"] in [s["id"] for s in listed], "the share is not listed")
    # The next-stage test stores its verdicts as it answers: that write
    # may fail, the answer may not.
    rows = expect_json(ctx.api.get(f"/api/v1/analytics/stage-test?asset={a['id']}",
                                   as_="marketer"), 200)["items"]
    check([r["asset_id"] for r in rows] == [a["id"]], f"the next-stage test's rows: {rows}")
    expect_json(ctx.api.get("/api/v1/analytics/unused", as_="marketer"), 200)
    if ledger is not None:
        missing = {s["id"] for s in ledger.shares} - {s["id"] for s in listed}
        check(not missing, f"{len(missing)} shares answered 201 are not listed while the disk"
                           " is full")


def upload_raw(data):
    """POST /assets of @data on a raw socket: the server may answer before
    it has read the whole body (a refusal mid-file), and stop reading."""
    body, ctype = mp.asset_form(meta(status="published"), data, "big.pdf")
    with socket.create_connection(("127.0.0.1", ctx.server.port), timeout=20) as s:
        s.sendall(raw_head(ASSETS, ctype, [f"Content-Length: {len(body)}"],
                           ctx.token("marketer")))
        try:
            for i in range(0, len(body), 64 * 1024):
                s.sendall(body[i:i + 64 * 1024])
        except OSError:
            pass  # the server stopped reading: its answer should be there
        return read_response(s, "POST", f"{ASSETS} ({len(body)} bytes)", timeout=20)


def until_refused(write, limit, times=5):
    """Calls @write() (True: acknowledged) until it was refused @times.
    Fails if @limit calls were not refused as often. A refused write's
    rows, rolled back, leave room in their pages that a later row may
    take: a refusal is not always followed by another."""
    refused = 0
    for _ in range(limit):
        refused += not write()
        if refused == times:
            return
    raise Failure(f"{limit} writes on a full disk, {refused} refused (want {times}): the disk"
                  " is not full, or the writes do not reach it")


# ---------------------------------------------------------------- tests

@test
def writes_answer_503_storage_full_on_a_full_disk_while_reads_answer_200():
    lib = library()
    ledger = Ledger(lib)
    a, s = lib["asset"], lib["share"]
    before = store_counts()
    fill()
    try:
        # A row may still fit in a page the table already has: writes go
        # on until one needs a page the disk cannot give.
        until_refused(lambda: ledger.share(a["id"]), 400)
        until_refused(lambda: ledger.open(s), 600)
        until_refused(lambda: ledger.open(s, html=True), 100, times=2)
        until_refused(lambda: ledger.ingest(a["id"]), 60)
        ledger.check_answers()
        r = upload(meta(status="published"), mp.pdf(64 * 1024))
        expect_problem(r, 503, "storage_full")
        check(r.header("Retry-After") == "60", f"Retry-After {r.header('Retry-After')!r}")
        expect_problem(add_version(a["id"], mp.pdf(64 * 1024)), 503, "storage_full")
        reads_answer_200(lib, ledger)
        check(expect_json(ctx.api.get("/readyz"), 200) == {"status": "ready"},
              "/readyz must stay ready on a full disk: the server still serves reads")
    finally:
        free_space()
    # Counted once there is room: a new connection to a database on a full
    # disk may fail ("could not write init file"); nothing else writes
    # assets, versions or blobs meanwhile.
    after = store_counts()
    check(after == before, f"refused uploads left rows: before {before}, after {after}")
    ledger.check_all_there(a["id"])
    got = expect_json(ctx.api.get(f"{ASSETS}/{a['id']}", as_="marketer"), 200)
    check(got["current_version"]["number"] == 1,
          f"the refused version is there: {got['current_version']}")


@test
def the_log_says_the_database_disk_is_full_once_not_per_refused_write():
    lib = library()
    ledger = Ledger(lib)
    refused0 = metric_value("nextstage_db_disk_full_total")
    seen = len(ctx.server.stderr_text())
    fill()
    try:
        until_refused(lambda: ledger.share(lib["asset"]["id"]), 400, times=21)
    finally:
        free_space()
    ledger.check_answers()
    refused = metric_value("nextstage_db_disk_full_total") - refused0
    check(refused >= 21, f"nextstage_db_disk_full_total grew by {refused} for 21 refused writes")
    text = ctx.server.stderr_text()
    lines = disk_full_lines(text)  # an earlier test's refusals may have said it already
    check(lines, "no log line says the database's disk is full", ctx.server.stderr_tail())
    said = lines[-1]
    check(said.get("level") == "error" and "53100" in said["msg"]
          and "No space left on device" in said["msg"] and "storage_full" in said["msg"],
          f"the line does not say what happened and what it does: {said}")
    now = disk_full_lines(text[seen:])
    check(len(now) <= 2, f"{len(now)} disk-full lines for 21 refused writes in a few seconds:"
                         " one every 10 s at most", *[x["msg"] for x in now[:4]])


def disk_full_lines(text):
    lines = []
    for line in text.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if isinstance(e, dict) and "disk full" in str(e.get("msg", "")):
            lines.append(e)
    return lines


@test
def writes_work_again_once_space_is_freed_and_every_acknowledged_write_is_there():
    # Writers keep writing while the disk runs out under them, and after
    # space comes back: whatever each was told is what is stored.
    lib = library()
    a = lib["asset"]
    ledger = Ledger(lib)
    own = [ledger.share(a["id"]) for _ in range(2)]  # the open writers' links
    fill(leave=256 * 1024)
    stop = threading.Event()
    freed = threading.Event()
    after_freed = {"share": 0, "open": 0, "events": 0}
    errors = []

    def writer(kind, link=None):
        try:
            while not stop.is_set():
                if kind == "share":
                    ok = ledger.share(a["id"]) is not None
                elif kind == "open":
                    ok = ledger.open(link)
                else:
                    ok = ledger.ingest(a["id"], 20)
                if ok and freed.is_set():
                    after_freed[kind] += 1
        except Exception as e:  # noqa: BLE001 - reported by the test
            errors.append(f"{kind} writer: {e}")

    threads = [threading.Thread(target=writer, args=k)
               for k in (("share",), ("open", own[0]), ("open", own[1]), ("events",))]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 60
        while (time.monotonic() < deadline and not ledger.unexpected
               and sum(ledger.refused.values()) < 30):
            time.sleep(0.2)
        ledger.check_answers()
        check(sum(ledger.refused.values()) >= 30,
              f"the writers filled 256 KiB within 60 s without 30 refusals: {ledger.refused}")
        fill()  # what the writers left
        time.sleep(1)
        refused_full = dict(ledger.refused)
        free_space()
        freed.set()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and min(after_freed.values()) < 5:
            time.sleep(0.2)
    finally:
        stop.set()
        free_space()
        for t in threads:
            t.join(timeout=30)
    check(not errors, "a writer stopped", *errors)
    ledger.check_answers()
    print(f"# writers: {len(ledger.shares)} shares, {sum(ledger.opens.values())} opens,"
          f" {len(ledger.events)} event batches acknowledged; refused while full: {refused_full};"
          f" acknowledged once freed: {after_freed}")
    check(all(refused_full.values()), f"not every kind of write was refused: {refused_full}")
    check(min(after_freed.values()) >= 5,
          f"writes acknowledged within 30 s of space coming back: {after_freed}")
    # A new upload too, without a restart.
    data = mp.pdf(200 * 1024)
    b = create_file_asset(data, status="published")
    r = expect_status(ctx.api.get(f"{ASSETS}/{b['id']}/content", as_="rep"), 200)
    check(sha256(r.body) == sha256(data), "the upload after the disk was freed reads back wrong")
    ledger.check_all_there(a["id"])


@test
def an_upload_cut_off_by_the_full_disk_leaves_nothing_half_written():
    data = mp.pdf(3 * 1024 * 1024 + 5000)  # four 1 MiB chunks; the disk has room for one
    before = store_counts()
    fill(leave=1536 * 1024)
    try:
        expect_problem(upload_raw(data), 503, "storage_full")
        check(free_bytes() < 256 * 1024, f"{free_bytes()} bytes still free: the upload was"
                                         " refused before it filled the disk, not cut off by it")
    finally:
        free_space()
    after = store_counts()  # once there is room, as above
    check(after == before, f"the cut-off upload left rows: before {before}, after {after}")
    # The same bytes again: had a blob of that hash been left half-written,
    # this upload would find it and serve its missing chunks.
    a = create_file_asset(data, status="published")
    check(a["current_version"]["sha256"] == sha256(data), f"version {a['current_version']}")
    r = expect_status(ctx.api.get(f"{ASSETS}/{a['id']}/content", as_="rep"), 200)
    check(len(r.body) == len(data) and sha256(r.body) == sha256(data),
          f"the upload after the disk was freed reads back {len(r.body)} bytes, not the"
          f" {len(data)} sent")
