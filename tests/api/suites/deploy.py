"""What deploy/ ships for production, tried for real: the systemd unit
passes systemd-analyze (verify, and its sandbox's exposure), and the nginx
site, with only its addresses and certificate swapped for the test's,
passes nginx -t and carries requests to this suite's server: TLS, the
redirect from http, the client's address in X-Forwarded-For (the server
trusts the proxy only), a body buffered and passed on whole."""
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from nsapi import multipart as mp
from nsapi.client import expect_json
from nsapi.context import ctx
from nsapi.harness import check, test
from nsapi.proc import Server, arrange, free_port, stored, tail
from suites.shares import CHROME, open_link, published_file, published_link, share

SERVER_ENV = {"NEXTSTAGE_TRUSTED_PROXIES": "127.0.0.1, ::1"}
NGINX = "/usr/sbin/nginx"
HOSTNAME = "content.example.com"


def unit_copy(tmp):
    """The unit, its binary and settings file where this checkout has them."""
    text = (ctx.repo / "deploy" / "nextstage.service").read_text()
    text = text.replace("ExecStart=/usr/local/bin/nextstage", f"ExecStart={ctx.bin}")
    text = re.sub(r"(?m)^EnvironmentFile=.*$",
                  f"EnvironmentFile={ctx.repo / 'deploy' / 'nextstage.env'}", text)
    path = Path(tmp) / "nextstage.service"
    path.write_text(text)
    return path


@test
def the_systemd_unit_verifies_and_its_sandbox_exposes_little():
    with tempfile.TemporaryDirectory() as tmp:
        unit = unit_copy(tmp)
        r = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                           text=True, timeout=60)
        check(r.returncode == 0 and not r.stderr.strip(),
              f"systemd-analyze verify: exit {r.returncode}", r.stderr)
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(unit)],
                           capture_output=True, text=True, timeout=60)
        m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout)
        check(m is not None, "no exposure level in systemd-analyze security", r.stdout[-2000:])
        check(float(m.group(1)) <= 2.0, f"the unit's exposure is {m.group(1)}, want 2.0 or less"
              " (systemd's 'OK' is below 4)", r.stdout[-3000:])


class Nginx:
    """nginx with the shipped site, its ports, certificate and upstream
    replaced by the test's, in a directory of its own."""

    def __init__(self, ports=None):
        self.dir = Path(tempfile.mkdtemp(prefix="ns-nginx-"))
        self.http, self.https = free_port(), free_port()
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", f"/CN={HOSTNAME}", "-keyout", str(self.dir / "key.pem"),
                        "-out", str(self.dir / "cert.pem")], check=True, capture_output=True,
                       timeout=60)
        site = (ctx.repo / "deploy" / "nginx-nextstage.conf").read_text()
        site = re.sub(r"(?m)^\s*listen \[::\].*\n", "", site)
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.http};")
        site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https} ssl http2;")
        site = site.replace("/etc/ssl/certs/nextstage.pem", str(self.dir / "cert.pem"))
        site = site.replace("/etc/ssl/private/nextstage.key", str(self.dir / "key.pem"))
        servers = "".join(f"    server 127.0.0.1:{p} max_fails=0;\n"
                          for p in (ports or [ctx.server.port]))
        site = re.sub(r"(?m)^    server 127\.0\.0\.1:8080 .*\n", servers, site)
        (self.dir / "site.conf").write_text(site)
        d = self.dir
        (d / "nginx.conf").write_text(
            f"daemon off; user root; worker_processes 1; pid {d}/nginx.pid;\n"
            f"error_log {d}/error.log warn;\n"
            "events { worker_connections 256; }\n"
            f"http {{ access_log {d}/access.log; client_body_temp_path {d}/body;"
            f" proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;"
            f" uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;"
            f" include {d}/site.conf; }}\n")
        self.proc = None

    def test_config(self):
        return subprocess.run([NGINX, "-t", "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")],
                              capture_output=True, text=True, timeout=60)

    def start(self):
        self.proc = subprocess.Popen([NGINX, "-p", str(self.dir), "-c",
                                      str(self.dir / "nginx.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.get("/healthz", tls=False)
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"nginx did not start: {(self.dir / 'error.log').read_text()}")

    def get(self, path, tls=True, headers=None, method="GET", body=None, source="127.0.0.1"):
        """One request to nginx from the client address @source."""
        if tls:
            context = ssl.create_default_context(cafile=str(self.dir / "cert.pem"))
            context.check_hostname = False
            conn = http.client.HTTPSConnection("127.0.0.1", self.https, timeout=20,
                                               context=context, source_address=(source, 0))
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.http, timeout=20,
                                              source_address=(source, 0))
        conn.request(method, path, body=body, headers={"Host": HOSTNAME, **(headers or {})})
        r = conn.getresponse()
        out = (r.status, dict(r.getheaders()), r.read())
        conn.close()
        return out

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGQUIT)
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


@test
def the_nginx_site_carries_requests_to_the_server_with_the_clients_address():
    n = Nginx()
    try:
        r = n.test_config()
        check(r.returncode == 0, f"nginx -t refused the shipped site (exit {r.returncode})",
              r.stderr)
        n.start()
        status, headers, _ = n.get("/app/search", tls=False)
        check(status == 301 and headers.get("Location") == f"https://{HOSTNAME}/app/search",
              f"http answers {status} Location {headers.get('Location')!r}, want a 301 to https")
        token = ctx.token("rep")
        status, _, body = n.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        check(status == 200 and b'"role":"rep"' in body.replace(b" ", b""),
              f"GET /api/v1/me through nginx: {status} {body[:200]!r}")
        # The server sees the client's address, not nginx's, nor what a
        # client writes in its own X-Forwarded-For (nginx appends the
        # address it saw; the server takes the rightmost entry that is not
        # a trusted proxy): 20 failed sign-ins from one client, each with
        # another made-up entry, and its next try waits (the throttle per
        # address); another client behind the same nginx does not.
        def sign_in(source, i):
            return n.get("/api/v1/session", method="POST", source=source,
                         headers={"Content-Type": "application/json",
                                  "X-Forwarded-For": f"198.51.100.{i % 250 + 1}"},
                         body=('{"email": "%s@example.test", "password": "wrong"}'
                               % ctx.uniq(f"nobody-{i}")).encode())
        for i in range(20):
            status, _, body = sign_in("127.79.0.1", i)
            check(status == 401, f"failed sign-in {i + 1} through nginx: {status} {body[:200]!r}")
        status, headers, body = sign_in("127.79.0.1", 20)
        check(status == 429 and headers.get("Retry-After"),
              f"the 21st failure from one client through nginx: {status} {body[:200]!r}:"
              " the server did not see the client's address")
        status, _, body = sign_in("127.79.0.2", 21)
        check(status == 401, f"another client behind the same nginx: {status} {body[:200]!r}")
        # A JSON body, buffered by nginx, reaches the server whole.
        slug = ctx.uniq("proxied")
        status, _, body = n.get("/api/v1/personas", method="POST",
                                headers={"Authorization": f"Bearer {ctx.token('marketer')}",
                                         "Content-Type": "application/json"},
                                body=('{"slug": "%s", "name": "Through the proxy", "description": "%s"}'
                                      % (slug, "x" * 3000)).encode())
        check(status == 201, f"POST /api/v1/personas through nginx: {status} {body[:300]!r}")
        got = expect_json(ctx.api.get("/api/v1/personas", as_="rep"), 200)["items"]
        check(any(p["slug"] == slug for p in got), "the persona made through nginx is not listed")
    finally:
        n.stop()


def fetch(port, path, who="marketer"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {ctx.token(who)}"})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


@test
def a_dump_restored_into_a_fresh_database_serves_the_same_files_and_analytics():
    # The backup the README gives: pg_dump -Fc, then pg_restore into an
    # empty database, and a server on it.
    files = [mp.pdf(), mp.pdf(size=70_000), mp.pdf(size=(1 << 20) * 2 + 12_345)]  # 3 chunks
    assets = []
    for data in files:
        a = published_file(data)
        assets.append((a["id"], hashlib.sha256(data).hexdigest()))
        s = share(a)
        open_link(s["url"].split("/s/")[1])
    name = "ns_restore_" + ctx.run_id
    url = ctx.db_url.replace("dbname=" + ctx.db_url.split("dbname=")[1].split()[0],
                             "dbname=" + name)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "nextstage.dump"
        r = subprocess.run(["pg_dump", "-Fc", "-f", str(dump), "-d", ctx.db_url], capture_output=True,
                   text=True, timeout=120)
        check(r.returncode == 0, "pg_dump failed", r.stderr)
        arrange(f"DROP DATABASE IF EXISTS {name}")
        arrange(f"CREATE DATABASE {name}")
        try:
            r = subprocess.run(["pg_restore", "--exit-on-error", "-d", url, str(dump)],
                       capture_output=True, text=True, timeout=300)
            check(r.returncode == 0, "pg_restore failed", r.stderr[-3000:])
            srv = Server(env={"NEXTSTAGE_DATABASE_URL": url})
            srv.stderr_path = ctx.logdir / "restored-server.stderr"
            srv.stdout_path = ctx.logdir / "restored-server.stdout"
            srv.start()
            try:
                srv.wait_healthy()
                for asset_id, digest in assets:
                    for port in (ctx.server.port, srv.port):
                        status, body = fetch(port, f"/api/v1/assets/{asset_id}/content")
                        check(status == 200 and hashlib.sha256(body).hexdigest() == digest,
                              f"asset {asset_id} from port {port}: {status}, {len(body)} bytes,"
                              " not the bytes uploaded")
                for path in ("/api/v1/analytics/usage", "/api/v1/analytics/coverage",
                             "/api/v1/analytics/unused", "/api/v1/analytics/stage-test",
                             f"/api/v1/shares?asset_id={assets[2][0]}"):
                    a, b = fetch(ctx.server.port, path), fetch(srv.port, path)
                    check(a[0] == 200 and b[0] == 200, f"{path}: {a[0]} and {b[0]}")
                    check(json.loads(a[1]) == json.loads(b[1]),
                          f"{path} differs after the restore:\n{a[1][:600]!r}\n{b[1][:600]!r}")
            finally:
                srv.terminate()
        finally:
            arrange(f"DROP DATABASE IF EXISTS {name}")


@test
def two_servers_behind_nginx_lose_nothing_acknowledged_when_one_dies_or_both_restart_in_turn():
    # Two servers on one database behind the shipped site: one SIGKILLed
    # under load, then both restarted one after the other (SIGTERM: each
    # drains its requests). Searches (GET: nginx sends them on to the
    # other server) never fail; every event batch answered 202 and every
    # tracked-link open answered 302 (both after their commit) is stored
    # (a POST cut off by the kill is not repeated by nginx: its client sees
    # a 502, not an acknowledgement).
    servers = []
    for name in ("a", "b"):
        srv = Server()
        srv.stderr_path = ctx.logdir / f"server-{name}.stderr"
        srv.stdout_path = ctx.logdir / f"server-{name}.stdout"
        srv.start()
        srv.wait_healthy()
        servers.append(srv)
    n = Nginx([srv.port for srv in servers])
    asset = published_link()["id"]
    link = share(asset)
    x = ctx.uniq("twin")
    searches, acked, posted, stop = [], [], [0], threading.Event()
    opened = []
    lock = threading.Lock()
    rep, marketer = ctx.token("rep"), ctx.token("marketer")

    def search():
        while not stop.is_set():
            status, _, body = n.get("/api/v1/assets?limit=5",
                                    headers={"Authorization": f"Bearer {rep}"})
            searches.append((status, body[:200]))

    def open_tracked():
        path = "/s/" + link["url"].split("/s/")[1]
        while not stop.is_set():
            try:
                status, _, _ = n.get(path, headers={"User-Agent": CHROME})
            except OSError:
                continue
            if status == 302:
                opened.append(1)

    def ingest():
        while not stop.is_set():
            with lock:
                i = posted[0]
                posted[0] += 1
            ids = [f"{x}-{i}-{k}" for k in range(5)]
            batch = [{"id": e, "type": "download", "asset_id": asset} for e in ids]
            try:
                status, _, _ = n.get("/api/v1/events", method="POST",
                                     headers={"Authorization": f"Bearer {marketer}",
                                              "Content-Type": "application/json"},
                                     body=json.dumps(batch).encode())
            except OSError:
                continue
            if status == 202:
                acked.extend(ids)

    try:
        n.start()
        workers = [threading.Thread(target=f) for f in (search, search, ingest, open_tracked)]
        for w in workers:
            w.start()
        try:
            time.sleep(1)
            servers[1].kill()  # SIGKILL, mid-load
            time.sleep(1.5)
            killed_at = len(searches)
            servers[1].start()
            servers[1].wait_healthy()
            for srv in servers:  # a rolling restart
                time.sleep(0.5)
                check(srv.terminate(timeout=20) == 0, "a server did not drain and exit 0",
                      srv.stderr_tail())
                srv.start()
                srv.wait_healthy()
            time.sleep(0.5)
        finally:
            stop.set()
            for w in workers:
                w.join(timeout=30)
        failed = [s for s in searches if s[0] != 200]
        check(not failed, f"{len(failed)} of {len(searches)} searches through nginx failed"
              f" (the kill came after {killed_at}): {failed[:1]}",
              "nginx's error log, last lines:\n" + tail((n.dir / "error.log").read_text(), 12))
        check(len(acked) > 0, "no event batch was acknowledged: the test tested nothing")
        kept = {r[0] for r in stored("SELECT id FROM ingested_events"
                                     f" WHERE id LIKE '{x}-%'")}
        lost = [e for e in acked if e not in kept]
        check(not lost, f"{len(lost)} of {len(acked)} acknowledged events are not stored:"
              f" {lost[:5]}")
        opens = int(stored(f"SELECT count(*) FROM opens WHERE share_id = '{link['id']}'")[0][0])
        check(opened and opens >= len(opened), f"{len(opened)} opens answered 302 (after their"
              f" commit), {opens} stored")
    finally:
        n.stop()
        for srv in servers:
            srv.kill()


def as_postgres(args, **kw):
    """@args as the cluster's owner (scripts/pg.sh runs clusters as postgres
    when it is run as root)."""
    if os.getuid() == 0:
        args = ["runuser", "-u", "postgres", "--"] + args
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)


def psql_at(url, sql):
    r = subprocess.run(["psql", "-X", "-qtA", "-d", url, "-c", sql], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 0, f"psql {sql!r} failed", r.stderr)
    return r.stdout.strip()


@test
def analytics_read_a_streaming_replica_and_a_stopped_replica_is_503_not_wrong_data():
    # A primary of its own, a replica made by pg_basebackup and streaming
    # from it, and a server reading analytics from the replica.
    bin15 = "/usr/lib/postgresql/15/bin"
    base = Path(tempfile.mkdtemp(prefix="ns-replica-", dir="/var/tmp"))
    os.chmod(base, 0o755)
    port, rport = free_port(), free_port()
    r = subprocess.run(["bash", "scripts/pg.sh", "start", str(base / "primary"), str(port)],
                       cwd=ctx.repo, capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "the primary did not start", r.stderr)
    url = r.stdout.strip().splitlines()[-1]
    sock = re.search(r"host=(\S+)", url).group(1)
    rdir, rsock = base / "replica", base / "replica-run"
    srv = None
    try:
        env = {**ctx.base_env(), "NEXTSTAGE_DATABASE_URL": url}
        r = subprocess.run([ctx.bin, "migrate"], env=env, capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, "migrating the primary failed", r.stderr)
        r = subprocess.run([ctx.bin, "user", "add", "--email", "ops@example.test", "--name", "Ops",
                            "--role", "marketer"], env=env, input="pw-replica-123\n",
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, "user add failed", r.stderr)
        r = subprocess.run([ctx.bin, "token", "create", "--email", "ops@example.test", "--name",
                            "replica"], env=env, capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, "token create failed", r.stderr)
        token = r.stdout.strip()
        for d in (rdir, rsock):
            d.mkdir(mode=0o700)
            if os.getuid() == 0:
                shutil.chown(d, "postgres", "postgres")
        r = as_postgres([f"{bin15}/pg_basebackup", "-D", str(rdir), "-R", "-X", "stream", "-c", "fast",
                         "-h", sock, "-p", str(port), "-U", "nextstage"])
        check(r.returncode == 0, "pg_basebackup failed", r.stderr)
        r = as_postgres(["sh", "-c", f"printf \"port = {rport}\\nunix_socket_directories = '{rsock}'\\n\""
                         f" >> {rdir}/postgresql.conf"])
        check(r.returncode == 0, "configuring the replica failed", r.stderr)
        log = rsock / "replica.log"
        r = as_postgres([f"{bin15}/pg_ctl", "-D", str(rdir), "-l", str(log), "-w", "-t", "60",
                         "start"])
        check(r.returncode == 0, "the replica did not start", r.stderr,
              log.read_text()[-2000:] if log.exists() else "")
        rurl = f"host={rsock} port={rport} dbname=nextstage user=nextstage"
        check(psql_at(rurl, "SELECT pg_is_in_recovery()") == "t", "the replica is not a standby")

        srv = Server(env={"NEXTSTAGE_DATABASE_URL": url, "NEXTSTAGE_READ_DATABASE_URL": rurl})
        srv.stderr_path = ctx.logdir / "replica-server.stderr"
        srv.stdout_path = ctx.logdir / "replica-server.stdout"
        srv.start()
        srv.wait_healthy()

        def coverage():
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
            conn.request("GET", "/api/v1/analytics/coverage",
                         headers={"Authorization": f"Bearer {token}"})
            resp = conn.getresponse()
            out = resp.status, resp.getheader("Retry-After"), resp.read()
            conn.close()
            return out

        # A persona made on the primary (a write: the primary) shows in the
        # coverage read from the replica once it has streamed there.
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
        conn.request("POST", "/api/v1/personas", body=json.dumps(
            {"slug": "streamed", "name": "Streamed to the replica"}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        status = conn.getresponse().status
        conn.close()
        check(status == 201, f"creating a persona on the primary: {status}")
        deadline, cells = time.monotonic() + 10, []
        while time.monotonic() < deadline:
            status, _, body = coverage()
            check(status == 200, f"coverage from the replica: {status} {body[:300]!r}")
            cells = json.loads(body)["cells"]
            if any(c["persona"] == "streamed" for c in cells):
                break
            time.sleep(0.2)
        check(any(c["persona"] == "streamed" for c in cells),
              "the persona made on the primary never showed in the coverage")
        apps = psql_at(rurl, "SELECT count(*) FROM pg_stat_activity"
                             " WHERE application_name = 'nextstage'")
        check(int(apps) >= 1, "no connection of the server's on the replica: analytics did not"
              " read it")
        # The replica stops: analytics are 503 with Retry-After, never an
        # answer made of something else.
        r = as_postgres([f"{bin15}/pg_ctl", "-D", str(rdir), "-m", "fast", "-w", "stop"])
        check(r.returncode == 0, "stopping the replica failed", r.stderr)
        for _ in range(3):
            status, retry, body = coverage()
            check(status == 503 and retry and b'"db_unavailable"' in body,
                  f"coverage with the replica stopped: {status} Retry-After {retry!r} {body[:300]!r}")
        check(srv.alive(), "the server exited when the replica stopped", srv.stderr_tail())
    finally:
        if srv is not None:
            srv.kill()
        as_postgres([f"{bin15}/pg_ctl", "-D", str(rdir), "-m", "immediate", "-w", "stop"])
        subprocess.run(["bash", "scripts/pg.sh", "destroy", str(base / "primary")], cwd=ctx.repo,
                       capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


@test
def a_token_revoked_through_one_server_stops_working_on_the_other_within_a_second():
    other = Server()
    other.stderr_path = ctx.logdir / "other-server.stderr"
    other.stdout_path = ctx.logdir / "other-server.stdout"
    other.start()
    try:
        other.wait_healthy()
        made = expect_json(ctx.api.post("/api/v1/tokens", {"name": ctx.uniq("twin-token")},
                                        as_="rep"), 201)
        secret = made["token"]

        def me_on_other():
            conn = http.client.HTTPConnection("127.0.0.1", other.port, timeout=10)
            conn.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
            status = conn.getresponse().status
            conn.close()
            return status

        check(me_on_other() == 200, "the new token does not work on the other server")
        r = ctx.api.delete(f"/api/v1/tokens/{made['id']}", as_="rep")
        check(r.status in (200, 204), f"revoking the token: {r.status}", r.describe())
        revoked, status = time.monotonic(), 200
        while time.monotonic() - revoked < 1.0 and status == 200:
            status = me_on_other()
        check(status == 401, f"the other server still takes the token {time.monotonic() - revoked:.2f} s"
              " after it was revoked")
    finally:
        other.terminate()
