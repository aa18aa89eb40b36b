"""A real OpenID Connect provider for the sso suite: LemonLDAP::NG's
portal (Debian's liblemonldap-ng-portal-perl, installed by scripts/deps.sh)
with its Demo authentication backend (users dwho/dwho, rtyler/rtyler,
msmith/msmith), run as its PSGI application under plackup on loopback,
with a configuration of its own in a scratch directory (nothing under
/etc or /var/lib is used).

Its issuer is the URL of a forwarding proxy (tamper.py) in front of it,
so a test can alter what the provider answers our server on its way."""
import json
import os
import subprocess
import time
import http.client
from pathlib import Path

from .harness import Failure

PORTAL_PSGI = "/usr/share/lemonldap-ng/portal/htdocs/index.psgi"
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
    """LemonLDAP::NG's configuration (lmConf-1.json) for one OpenID
    Connect relying party: nextstage, confidential, PKCE required, no
    consent screen, e-mail and name in the ID token."""
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
        "macros": {},
        "issuerDBOpenIDConnectActivation": 1,
        "oidcServiceMetaDataIssuer": issuer,
        "oidcServicePrivateKeySig": private, "oidcServicePublicKeySig": public,
        "oidcServiceKeyIdSig": "nextstage-test-1",
        "oidcServiceAllowAuthorizationCodeFlow": 1,
        "oidcRPMetaDataOptions": {"nextstage": {
            "oidcRPMetaDataOptionsClientID": client_id,
            "oidcRPMetaDataOptionsClientSecret": client_secret,
            "oidcRPMetaDataOptionsRedirectUris": redirect_uri,
            "oidcRPMetaDataOptionsIDTokenSignAlg": "RS256",
            "oidcRPMetaDataOptionsIDTokenForceClaims": 1,
            "oidcRPMetaDataOptionsBypassConsent": 1,
            "oidcRPMetaDataOptionsRequirePKCE": 1,
            "oidcRPMetaDataOptionsPublic": 0,
            "oidcRPMetaDataOptionsUserIDAttr": "uid",
        }},
        "oidcRPMetaDataExportedVars": {"nextstage": {"email": "mail", "name": "cn"}},
    }


class LemonLDAP:
    """The portal on @port of 127.0.0.1, issuer @issuer (the proxy's URL)."""

    def __init__(self, root, port, issuer, client_id, client_secret, redirect_uri):
        self.root = Path(root)
        self.port = port
        self.issuer = issuer
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "conf").mkdir(exist_ok=True)
        (self.root / "lemonldap-ng.ini").write_text(_ini(self.root))
        conf = configuration(self.root, issuer, client_id, client_secret, redirect_uri)
        (self.root / "conf" / "lmConf-1.json").write_text(json.dumps(conf, indent=1))
        self.log_path = self.root / "portal.log"
        self.proc = None

    def start(self, timeout=60):
        env = dict(os.environ, LLNG_DEFAULTCONFFILE=str(self.root / "lemonldap-ng.ini"))
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                ["plackup", "-s", "HTTP::Server::PSGI", "--host", "127.0.0.1", "--port",
                 str(self.port), PORTAL_PSGI], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, env=env, cwd=self.root)
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
        raise Failure(f"lemonldap-ng not up after {timeout}s ({last})", self.log_tail())

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
