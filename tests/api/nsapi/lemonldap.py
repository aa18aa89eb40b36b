"""A real OpenID Connect provider for the sso suite: LemonLDAP::NG's
portal (Debian's liblemonldap-ng-portal-perl, installed by scripts/deps.sh)
with its Demo authentication backend (users dwho/dwho, rtyler/rtyler,
msmith/msmith), run as its PSGI application under plackup on loopback,
with a configuration of its own in a scratch directory (nothing under
/etc or /var/lib is used).

Its issuer is the URL of a forwarding proxy (tamper.py) in front of it,
so a test can alter what the provider answers our server on its way."""
import base64
import ctypes
import http.client
import http.server
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from .harness import Failure

PORTAL_HTDOCS = "/usr/share/lemonldap-ng/portal/htdocs"
# The portal's application, with the files its pages load mounted where
# Debian's portal-nginx.conf puts them (/static/, /javascript/).
PORTAL_PSGI = f"""use strict;
use Plack::Builder;
use Plack::App::File;
use Lemonldap::NG::Portal::Main;
my $portal = Lemonldap::NG::Portal::Main->run({{}});
builder {{
    mount '/static/' => Plack::App::File->new(root => '{PORTAL_HTDOCS}/static')->to_app;
    mount '/javascript/' => Plack::App::File->new(root => '/usr/share/javascript')->to_app;
    mount '/' => $portal;
}};
"""
PORTAL_TEMPLATES = "/usr/share/lemonldap-ng/portal/templates"


def _keypair(root):
    key, pub = root / "oidc-key.pem", root / "oidc-pub.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True,
                   capture_output=True)
    subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-out", str(pub)], check=True,
                   capture_output=True)
    return key.read_text(), pub.read_text()


def _ini(root):
    return f"""[all]
logLevel = notice
checkTime = 1
[configuration]
type = File
dirName = {root}/conf
prettyPrint = 1
[portal]
staticPrefix = /static
templateDir = {PORTAL_TEMPLATES}
languages = en
[handler]
status = 0
"""


def configuration(root, issuer, client_id, client_secret, redirect_uri):
    """LemonLDAP::NG's configuration (lmConf-1.json) for OpenID Connect
    relying parties: nextstage, confidential, PKCE required, no consent
    screen, e-mail and name in the ID token; and the same without them
    in the ID token (@client_id + "-userinfo")."""
    private, public = _keypair(root)
    stores = {d: str(root / d) for d in ("sessions", "psessions", "cache", "notifications")}
    for d in stores.values():
        os.makedirs(d + "/lock", exist_ok=True)
    return {
        "cfgNum": 1, "cfgAuthor": "nextstage tests", "cfgDate": str(int(time.time())),
        "cfgVersion": "2.16.1",
        "authentication": "Demo", "userDB": "Same", "passwordDB": "Null", "registerDB": "Null",
        "demoExportedVars": {"cn": "cn", "mail": "mail", "uid": "uid"},
        "portal": issuer + "/", "domain": "127.0.0.1", "cookieName": "lemonldap",
        "securedCookie": 0, "timeout": 72000, "whatToTrace": "uid",
        "globalStorage": "Apache::Session::File",
        "globalStorageOptions": {"Directory": stores["sessions"],
                                 "LockDirectory": stores["sessions"] + "/lock",
                                 "generateModule":
                                 "Lemonldap::NG::Common::Apache::Session::Generate::SHA256"},
        "localSessionStorage": "Cache::FileCache",
        "localSessionStorageOptions": {"cache_root": stores["cache"], "cache_depth": 3,
                                       "default_expires_in": 600, "directory_umask": "007",
                                       "namespace": "lemonldap-ng-sessions"},
        "persistentStorage": "Apache::Session::File",
        "persistentStorageOptions": {"Directory": stores["psessions"],
                                     "LockDirectory": stores["psessions"] + "/lock"},
        "notification": 0, "loginHistoryEnabled": 0,
        "locationRules": {}, "exportedHeaders": {}, "exportedVars": {}, "groups": {},
        # msmith's address comes in capitals: matching must not care
        "macros": {"oidc_mail": '$uid eq "msmith" ? uc($mail) : $mail'},
        "issuerDBOpenIDConnectActivation": 1,
        "oidcServiceMetaDataIssuer": issuer,
        "oidcServicePrivateKeySig": private, "oidcServicePublicKeySig": public,
        "oidcServiceKeyIdSig": "nextstage-test-1",
        "oidcServiceAllowAuthorizationCodeFlow": 1,
        # the second one (CLIENT_ID-userinfo) leaves the e-mail and name out
        # of its ID tokens, for the userinfo endpoint to give
        "oidcRPMetaDataOptions": {rp: {
            "oidcRPMetaDataOptionsClientID": client_id + suffix,
            "oidcRPMetaDataOptionsClientSecret": client_secret,
            "oidcRPMetaDataOptionsRedirectUris": redirect_uri,
            "oidcRPMetaDataOptionsIDTokenSignAlg": "RS256",
            "oidcRPMetaDataOptionsIDTokenForceClaims": 0 if suffix else 1,
            "oidcRPMetaDataOptionsBypassConsent": 1,
            "oidcRPMetaDataOptionsRequirePKCE": 1,
            "oidcRPMetaDataOptionsPublic": 0,
            "oidcRPMetaDataOptionsUserIDAttr": "uid",
        } for rp, suffix in (("nextstage", ""), ("nextstage-userinfo", "-userinfo"))},
        "oidcRPMetaDataExportedVars": {rp: {"email": "oidc_mail", "name": "cn"}
                                       for rp in ("nextstage", "nextstage-userinfo")},
    }


def _die_with_parent():
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ProviderProxy:
    """Forwards every request on 127.0.0.1:@port to the portal on
    @upstream_port, as it is; while @tamper is set, the ID token of the
    token endpoint's answers goes through it (a function of the compact
    JWS, returning another) on the way back, and while @discovery is set,
    the discovery document through it. @seen keeps (method, path,
    headers, body, time) of each request, @id_tokens the ID tokens the
    portal issued."""

    def __init__(self, port, upstream_port):
        self.port, self.upstream_port = port, upstream_port
        self.tamper = None
        self.discovery = None  # while set, a function of the discovery document
        self.seen = []
        self.id_tokens = []  # as the portal issued them
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args):
                pass

            def forward(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("connection", "keep-alive")}
                proxy.seen.append((self.command, self.path, headers, body, time.monotonic()))
                up = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                up.request(self.command, self.path, body=body, headers=headers)
                r = up.getresponse()
                data = r.read()
                up.close()
                if proxy.discovery and self.path == "/.well-known/openid-configuration":
                    data = json.dumps(proxy.discovery(json.loads(data))).encode()
                if self.path.startswith("/oauth2/token") and r.status == 200:
                    answer = json.loads(data)
                    proxy.id_tokens.append(answer.get("id_token"))
                    if proxy.tamper:
                        answer["id_token"] = proxy.tamper(answer["id_token"])
                        data = json.dumps(answer).encode()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class LemonLDAP:
    """The portal on @port of 127.0.0.1, issuer @issuer (the proxy's URL)."""

    def __init__(self, root, port, issuer, client_id, client_secret, redirect_uri):
        self.root = Path(root)
        self.port = port
        self.issuer = issuer
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "conf").mkdir(exist_ok=True)
        (self.root / "lemonldap-ng.ini").write_text(_ini(self.root))
        (self.root / "portal.psgi").write_text(PORTAL_PSGI)
        conf = configuration(self.root, issuer, client_id, client_secret, redirect_uri)
        (self.root / "conf" / "lmConf-1.json").write_text(json.dumps(conf, indent=1))
        self.conf = conf
        self.log_path = self.root / "portal.log"
        self.proc = None

    def start(self, timeout=60):
        env = dict(os.environ, LLNG_DEFAULTCONFFILE=str(self.root / "lemonldap-ng.ini"))
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(  # ended with the suite's process, even killed
                ["plackup", "-s", "HTTP::Server::PSGI", "--host", "127.0.0.1", "--port",
                 str(self.port), str(self.root / "portal.psgi")], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, env=env, cwd=self.root,
                preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        last = "no attempt"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"lemonldap-ng exited with {self.proc.returncode}", self.log_tail())
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/.well-known/openid-configuration")
                r = c.getresponse()
                body = r.read()
                c.close()
                if r.status == 200:
                    return json.loads(body)
                last = f"discovery answered {r.status}"
            except OSError as e:
                last = str(e)
            time.sleep(0.2)
        self.stop()
        raise Failure(f"lemonldap-ng not up after {timeout}s ({last})", self.log_tail())

    def jwks_kids(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request("GET", "/oauth2/jwks")
        keys = json.loads(c.getresponse().read())["keys"]
        c.close()
        return [k.get("kid") for k in keys]

    def rotate_keys(self, kid, timeout=30):
        """A new signing key under @kid, as an operator rotating keys does:
        a new configuration (the next cfgNum), waited for until the
        portal's JWKS serves it."""
        private, public = _keypair(self.root)
        self.conf = dict(self.conf, cfgNum=self.conf["cfgNum"] + 1,
                         oidcServicePrivateKeySig=private, oidcServicePublicKeySig=public,
                         oidcServiceKeyIdSig=kid)
        path = self.root / "conf" / f"lmConf-{self.conf['cfgNum']}.json"
        path.write_text(json.dumps(self.conf, indent=1))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if kid in self.jwks_kids():
                return
            time.sleep(0.3)
        raise Failure(f"the portal did not take the new key {kid} within {timeout}s",
                      self.log_tail())

    def log_tail(self, n=30):
        try:
            lines = self.log_path.read_text("utf-8", "replace").splitlines()
        except FileNotFoundError:
            return "(no log)"
        return "lemonldap-ng log:\n" + "\n".join(lines[-n:])

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


if __name__ == "__main__":
    # For the browser stories (tests/e2e/stories/sso.mjs), from tests/api:
    #   python3 -m nsapi.lemonldap ROOT PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
    # runs the portal (issuer http://127.0.0.1:PORT), prints "ready" once it
    # answers, and stops it on SIGTERM or when stdin closes.
    import sys
    root, port, client_id, secret, redirect = sys.argv[1:6]
    portal = LemonLDAP(root, int(port), f"http://127.0.0.1:{port}", client_id, secret, redirect)
    signal.signal(signal.SIGTERM, lambda *_: (portal.stop(), sys.exit(0)))
    try:
        portal.start()
        print("ready", flush=True)
        sys.stdin.read()
    finally:
        portal.stop()
