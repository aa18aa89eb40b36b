"""Single sign-on with OpenID Connect, against a real provider:
LemonLDAP::NG's portal from Debian (nsapi/lemonldap.py) with its Demo
users, behind a forwarding proxy that can alter the ID token on its way
to our server. The flow is driven as a browser would: our /sso/start,
the portal's login form, back to our /sso/callback."""
import json
import secrets
import socket
import subprocess
import threading
import time
import urllib.parse

from nsapi.browser import Browser, forms_of
from nsapi.client import expect_json, expect_problem, expect_status
from nsapi.context import ctx
from nsapi.harness import Failure, check, test
from nsapi.lemonldap import LemonLDAP, ProviderProxy, b64url, unb64url
from nsapi.proc import Server, arrange, free_port, sql_literal

PORTAL_PORT, PROXY_PORT = free_port(), free_port()
ISSUER = f"http://127.0.0.1:{PROXY_PORT}"
CLIENT_ID = "nextstage"
CLIENT_SECRET = secrets.token_urlsafe(24)
# The address users know the server by; the browser below takes it to
# whichever server a test talks to.
PUBLIC_URL = "http://nextstage.sso.test"
REDIRECT_URI = PUBLIC_URL + "/api/v1/sso/callback"
SSO_ENV = {"NEXTSTAGE_OIDC_ISSUER": ISSUER, "NEXTSTAGE_OIDC_CLIENT_ID": CLIENT_ID,
           "NEXTSTAGE_OIDC_CLIENT_SECRET": CLIENT_SECRET, "NEXTSTAGE_PUBLIC_URL": PUBLIC_URL}
# (the suite starts many sign-ins from one address: its own test of the
# limit has a server of its own)
SERVER_ENV = dict(SSO_ENV, NEXTSTAGE_PUBLIC_RATE="0")

# The Demo backend's people (Lemonldap::NG::Portal::UserDB::Demo); the
# portal sends msmith's address in capitals (nsapi/lemonldap.py).
DWHO = ("dwho", "dwho@badwolf.org", "Doctor Who")
RTYLER = ("rtyler", "rtyler@badwolf.org", "Rose Tyler")
MSMITH = ("msmith", "msmith@badwolf.org", "Mickey Smith")

provider = None
proxy = None


def setup():
    global provider, proxy
    proxy = ProviderProxy(PROXY_PORT, PORTAL_PORT)
    provider = LemonLDAP(ctx.logdir / "lemonldap", PORTAL_PORT, ISSUER, CLIENT_ID, CLIENT_SECRET,
                         REDIRECT_URI)
    provider.start()


class Flow:
    """One browser signing in through @port's server (the suite's own by
    default)."""

    def __init__(self, port=None):
        self.port = port or ctx.server.port
        self.browser = Browser()
        self.base = f"http://127.0.0.1:{self.port}"

    def ours(self, url):
        """@url with the public address replaced by the server's."""
        return self.base + url[len(PUBLIC_URL):] if url.startswith(PUBLIC_URL) else url

    def start(self, next_path=None):
        """GET /sso/start: the answer (a 302 to the provider, normally)."""
        q = "" if next_path is None else "?" + urllib.parse.urlencode({"next": next_path})
        return self.browser.request("GET", f"{self.base}/api/v1/sso/start{q}")

    def at_provider(self, user, next_path=None):
        """Starts, signs in at the portal as @user (its Demo password is
        its name): the callback URL the portal sends the browser to."""
        r = self.start(next_path)
        check(r.status == 302, f"/sso/start answered {r.status}", r.describe())
        back = lambda u: u.startswith(PUBLIC_URL)  # noqa: E731
        page = self.browser.get(r.header("Location"), stop=back)
        forms = [f for f in forms_of(page) if "user" in f["fields"]]
        check(forms, "the portal showed no login form", page.describe(), provider.log_tail())
        r = self.browser.submit(page, forms[0], {"user": user, "password": user}, stop=back)
        loc = r.header("Location") or ""
        check(loc.startswith(REDIRECT_URI), f"the portal did not send the browser back: {loc!r}",
              r.describe(), provider.log_tail())
        return loc

    def callback(self, url, accept=None):
        """Follows the provider's redirect to our callback (through the
        checked API client, with this browser's cookie for our server)."""
        jar = self.browser.cookies(self.base)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())} if jar else {}
        if accept:
            headers["Accept"] = accept
        api = ctx.api if self.port == ctx.server.port else _api_for(self.port)
        r = api.get(self.ours(url)[len(self.base):], headers=headers)
        for v in r.header_all("Set-Cookie"):
            name, _, value = v.split(";", 1)[0].partition("=")
            if value and "max-age=0" not in v.lower():
                jar[name] = value
            else:
                jar.pop(name, None)
        return r

    def sign_in(self, user, next_path=None):
        """The whole flow: the callback's answer."""
        return self.callback(self.at_provider(user, next_path))

    @property
    def session(self):
        return self.browser.cookies(self.base).get("ns_session")


def _api_for(port):
    from nsapi.client import Api
    return Api("127.0.0.1", port, ctx.token)


def me(flow):
    r = _api_for(flow.port).get("/api/v1/me", cookie=flow.session)
    return expect_json(r, 200)


def user_by_email(email):
    users = expect_json(ctx.api.get("/api/v1/users?limit=200", as_="admin"), 200)["items"]
    found = [u for u in users if u["email"] == email]
    return found[0] if found else None


def sign_ins_of(user_id):
    r = ctx.api.get(f"/api/v1/audit?entity=sign_in&id={user_id}", as_="admin")
    return expect_json(r, 200)["items"]


def check_signed_in(r, flow, email, next_path="/app/"):
    check(r.status == 303, f"the callback answered {r.status}, want 303", r.describe(),
          ctx.server.stderr_tail(10))
    check(r.header("Location") == next_path, f"sent to {r.header('Location')!r}, want {next_path}")
    check(flow.session, "no ns_session cookie after signing in", r.describe())
    who = me(flow)
    check(who["email"] == email, f"signed in as {who['email']}, want {email}")
    return who


def check_refused(r, flow, status=401, code="sso_failed", says=None):
    p = expect_problem(r, status, code)
    check(not flow.session, "a refused sign-in set a session cookie", r.describe())
    if says:
        check(says in p["detail"], f"the detail {p['detail']!r} does not say {says!r}")
    return p


# ---------------------------------------------------------------- the flow

@test
def the_sign_in_page_learns_that_sso_is_on():
    info = expect_json(ctx.api.get("/api/v1/sso"), 200)
    check(info == {"enabled": True, "local_passwords": True, "start_url": "/api/v1/sso/start"},
          f"GET /api/v1/sso: {info}")


@test
def start_sends_the_browser_to_the_provider_with_state_nonce_and_pkce():
    seen = []
    for _ in range(2):
        r = ctx.api.get("/api/v1/sso/start?next=/app/library")
        expect_status(r, 302)
        loc = urllib.parse.urlsplit(r.header("Location"))
        check(f"{loc.scheme}://{loc.netloc}{loc.path}" == ISSUER + "/oauth2/authorize",
              f"sent to {r.header('Location')}, not the discovery's authorization_endpoint")
        q = dict(urllib.parse.parse_qsl(loc.query))
        want = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
                "code_challenge_method": "S256"}
        check(all(q.get(k) == v for k, v in want.items()), f"parameters {q}, want {want}")
        check("openid" in q.get("scope", "").split() and "email" in q["scope"].split(),
              f"scope {q.get('scope')!r}")
        check(len(q.get("code_challenge", "")) == 43, f"code_challenge {q.get('code_challenge')!r}")
        check(len(q.get("state", "")) >= 32 and len(q.get("nonce", "")) >= 32,
              f"state {q.get('state')!r} / nonce {q.get('nonce')!r} too short to be unguessable")
        cookie = [c for c in r.header_all("Set-Cookie") if c.startswith("ns_sso=")]
        check(cookie and "HttpOnly" in cookie[0] and "SameSite=Lax" in cookie[0],
              f"the state cookie: {r.header_all('Set-Cookie')}")
        check(cookie[0].split(";")[0] == "ns_sso=" + q["state"],
              "the cookie does not hold the state sent to the provider", cookie[0])
        seen.append((q["state"], q["nonce"], q["code_challenge"]))
    check(len({s for t in seen for s in t}) == 6, f"two starts reused a value: {seen}")


@test
def first_sign_in_creates_the_user_with_the_default_role():
    uid, email, name = DWHO
    check(user_by_email(email) is None, f"{email} exists before their first sign-in")
    flow = Flow()
    r = flow.sign_in(uid, "/app/library")
    who = check_signed_in(r, flow, email, "/app/library")
    check(who["name"] == name and who["role"] == "rep" and who["active"],
          f"the new user: {who} (want {name}, rep: NEXTSTAGE_OIDC_DEFAULT_ROLE's default)")
    entries = sign_ins_of(who["id"])
    check(len(entries) == 1, f"audit of the sign-in: {entries}")
    after = entries[0]["after"]
    check(after.get("method") == "sso" and after.get("new_user") is True and
          after.get("issuer") == ISSUER and after.get("subject") == uid,
          f"the sign-in's audit entry: {entries[0]}")
    # the token endpoint was called with the verifier, the client authenticated
    token_calls = [s for s in proxy.seen if s[0] == "POST" and s[1].startswith("/oauth2/token")]
    check(token_calls, "the token endpoint was never called")
    form = dict(urllib.parse.parse_qsl(token_calls[-1][3].decode()))
    check(form.get("grant_type") == "authorization_code" and len(form.get("code_verifier", "")) >= 43,
          f"the token request: {form}")
    check(token_calls[-1][2].get("Authorization", "").startswith("Basic "),
          "the client did not authenticate with client_secret_basic")


@test
def a_user_made_by_sso_has_no_password_to_sign_in_with():
    uid, email, _ = RTYLER
    flow = Flow()
    check_signed_in(flow.sign_in(uid), flow, email)
    for password in ("", "rtyler", "x" * 12):
        r = ctx.api.post("/api/v1/session", {"email": email, "password": password or "-"})
        expect_problem(r, 401, "invalid_credentials")


@test
def second_sign_in_matches_the_same_user_whatever_the_case():
    uid, email, _ = MSMITH
    # msmith already has an account (made by an admin, a marketer); the
    # provider sends MSMITH@BADWOLF.ORG
    made = expect_json(ctx.api.post("/api/v1/users", {
        "email": email, "name": "Mickey (local)", "role": "marketer",
        "password": "local password 1"}, as_="admin"), 201)
    before = len(expect_json(ctx.api.get("/api/v1/users?limit=200", as_="admin"), 200)["items"])
    ids = []
    for _ in range(2):
        flow = Flow()
        who = check_signed_in(flow.sign_in(uid), flow, email)
        ids.append(who["id"])
        check(who["role"] == "marketer" and who["name"] == "Mickey (local)",
              f"signing in changed the account: {who}")
    after = len(expect_json(ctx.api.get("/api/v1/users?limit=200", as_="admin"), 200)["items"])
    check(ids == [made["id"]] * 2, f"signed in as {ids}, want {made['id']} both times")
    check(after == before, f"{after - before} user(s) created by signing in again")
    entries = sign_ins_of(made["id"])
    check(len(entries) == 2 and all(e["after"]["new_user"] is False for e in entries),
          f"audit of the two sign-ins: {entries}")
    # the local password still works (passwords are on)
    expect_json(ctx.api.post("/api/v1/session", {"email": email, "password": "local password 1"}),
                200)


@test
def a_deactivated_user_is_not_signed_in():
    made = expect_json(ctx.api.post("/api/v1/users", {
        "email": "MSmith@BadWolf.org", "name": "Mickey", "role": "rep",
        "password": "local password 1"}, as_="admin"), 201) if user_by_email(MSMITH[1]) is None \
        else user_by_email(MSMITH[1])
    expect_json(ctx.api.patch(f"/api/v1/users/{made['id']}", {"active": False}, as_="admin"), 200)
    try:
        flow = Flow()
        check_refused(flow.sign_in(MSMITH[0]), flow, says="deactivated")
    finally:
        ctx.api.patch(f"/api/v1/users/{made['id']}", {"active": True}, as_="admin")


# ---------------------------------------------------------------- refusals

def query_of(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def with_query(url, **changes):
    u = urllib.parse.urlsplit(url)
    q = dict(urllib.parse.parse_qsl(u.query), **changes)
    return urllib.parse.urlunsplit(u._replace(query=urllib.parse.urlencode(q)))


@test
def a_wrong_state_is_refused():
    flow = Flow()
    back = flow.at_provider(DWHO[0])
    state = query_of(back)["state"]
    wrong = state[:-2] + ("AA" if not state.endswith("AA") else "BB")
    check_refused(flow.callback(with_query(back, state=wrong)), flow, says="state")
    # the right state from another browser (no ns_sso cookie of its own)
    other = Flow()
    check_refused(other.callback(back), other, says="state")
    # no state at all
    u = urllib.parse.urlsplit(back)
    q = {k: v for k, v in urllib.parse.parse_qsl(u.query) if k != "state"}
    check_refused(flow.callback(urllib.parse.urlunsplit(u._replace(
        query=urllib.parse.urlencode(q)))), flow)


@test
def a_replayed_code_is_refused():
    flow = Flow()
    back = flow.at_provider(DWHO[0])
    check_signed_in(flow.callback(back), flow, DWHO[1])
    # the same callback again, in the same browser: the state is spent
    flow.browser.cookies(flow.base).pop("ns_session", None)
    jar = flow.browser.cookies(flow.base)
    jar["ns_sso"] = query_of(back)["state"]  # as if the cookie had stayed
    check_refused(flow.callback(back), flow, says="already used")
    # the old code with the fresh state: the provider refuses it
    r = flow.start()
    check(r.status == 302, f"start: {r.status}", r.describe())
    fresh_state = query_of(r.header("Location"))["state"]
    check_refused(flow.callback(with_query(back, state=fresh_state)), flow,
                  says="token endpoint refused")


def resign(token, claims=None, header=None, key=None):
    """@token's header and claims changed as given, signed RS256 with
    @key (a PEM file; by default, the signature is kept as it was)."""
    h, c, sig = token.split(".")
    hd, cl = json.loads(unb64url(h)), json.loads(unb64url(c))
    hd.update(header or {})
    cl.update(claims or {})
    signing = b64url(json.dumps(hd).encode()) + "." + b64url(json.dumps(cl).encode())
    if key is not None:
        sig = b64url(subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(key)],
                                    input=signing.encode(), capture_output=True,
                                    check=True).stdout)
    return signing + "." + sig


@test
def a_tampered_id_token_is_refused():
    admin = ctx.accounts["admin"].email
    other_key = ctx.logdir / "not-the-provider.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(other_key), "2048"], check=True,
                   capture_output=True)
    cases = {  # label: (how the token is changed, what the refusal says)
        # someone else's e-mail, the provider's signature kept
        "claims changed": (lambda t: resign(t, {"email": admin}), "signature does not verify"),
        # signed by another key that claims the provider's key id
        "another key": (lambda t: resign(t, {"email": admin}, key=other_key),
                        "signature does not verify"),
        # a key id the provider does not have
        "unknown kid": (lambda t: resign(t, header={"kid": "not-a-key"}, key=other_key),
                        "no key of the provider's JWKS"),
        # no signature at all
        "alg none": (lambda t: resign(t, {"email": admin}, {"alg": "none"}).rsplit(".", 1)[0] + ".",
                     "algorithm none"),
        # an HMAC under the client secret, which the client knows too
        "HS256": (lambda t: resign(t, {"email": admin}, {"alg": "HS256"}), "algorithm HS256"),
        "garbage": (lambda t: "not.a.jwt", "not a signed JWT"),
    }
    try:
        for label, (tamper, says) in cases.items():
            proxy.tamper = tamper
            flow = Flow()
            r = flow.sign_in(DWHO[0])
            try:
                check_refused(r, flow, says=says)
            except Failure as e:
                raise Failure(f"{label}: {e}", *e.details)
    finally:
        proxy.tamper = None
    check("sso: sign-in refused" in ctx.server.stderr_text(), "refusals are not logged")
    # untouched, the same flow signs in
    flow = Flow()
    check_signed_in(flow.sign_in(DWHO[0]), flow, DWHO[1])


@test
def a_real_id_token_of_another_sign_in_or_client_is_refused():
    # the provider's own tokens, well signed, but not this sign-in's
    flow = Flow()
    check_signed_in(flow.sign_in(DWHO[0]), flow, DWHO[1])
    earlier = proxy.id_tokens[-1]
    srv = other_server({**SSO_ENV, "NEXTSTAGE_OIDC_CLIENT_ID": CLIENT_ID + "-userinfo"},
                       "other-client")
    try:
        other = Flow(srv.port)
        check(other.sign_in(DWHO[0]).status == 303, "signing in through the other client")
        foreign = proxy.id_tokens[-1]
    finally:
        srv.terminate()
    cases = {"an earlier sign-in's": (earlier, "nonce"), "another client's": (foreign, "aud")}
    try:
        for label, (token, says) in cases.items():
            proxy.tamper = lambda _t, token=token: token
            flow = Flow()
            try:
                check_refused(flow.sign_in(DWHO[0]), flow, says=says)
            except Failure as e:
                raise Failure(f"{label} ID token: {e}", *e.details)
    finally:
        proxy.tamper = None


@test
def a_browser_is_sent_back_to_the_sign_in_page_with_the_code():
    flow = Flow()
    back = flow.at_provider(DWHO[0])
    r = flow.callback(with_query(back, state="x" * 43), accept="text/html,*/*;q=0.8")
    expect_status(r, 303)
    check(r.header("Location") == "/app/sign-in?sso_error=sso_failed",
          f"a browser was sent to {r.header('Location')!r}")
    # a person who declines at the provider
    r = flow.callback(f"{REDIRECT_URI}?error=access_denied&state=x", accept="text/html")
    check(r.status == 303 and "sso_error=sso_failed" in (r.header("Location") or ""),
          f"a declined sign-in: {r.status} {r.header('Location')}")


@test
def next_must_stay_on_this_site():
    for bad in ("https://evil.example/app", "//evil.example/app", "/\\evil.example",
                "evil.example", "/app/\r\nSet-Cookie: x=1", "javascript:alert(1)",
                "/app/ space"):
        r = ctx.api.get("/api/v1/sso/start?" + urllib.parse.urlencode({"next": bad}))
        expect_problem(r, 400, "invalid_parameter", "next")
        check(not r.header("Location"), f"next={bad!r} was followed", r.describe())
    flow = Flow()
    check_signed_in(flow.sign_in(RTYLER[0], "/app/deals?stage=proposal"), flow, RTYLER[1],
                    "/app/deals?stage=proposal")


@test
def a_rotated_provider_key_is_fetched_at_once():
    flow = Flow()
    check_signed_in(flow.sign_in(DWHO[0]), flow, DWHO[1])  # the JWKS is cached now
    kid = "rotated-" + secrets.token_hex(4)
    provider.rotate_keys(kid)
    # the server refetches a JWKS that lacks a key at most every 10 s
    fetched = [s[4] for s in proxy.seen if s[1].startswith("/oauth2/jwks")]
    time.sleep(max(0, fetched[-1] + 10.5 - time.monotonic()))
    before = len(fetched)
    flow = Flow()
    check_signed_in(flow.sign_in(DWHO[0]), flow, DWHO[1])
    after = [s for s in proxy.seen if s[1].startswith("/oauth2/jwks")]
    check(len(after) == before + 1, f"JWKS fetched {len(after) - before} times for the new key")


# ---------------------------------------------------------------- settings

def other_server(env, name):
    srv = Server(env=env)
    srv.stderr_path = ctx.logdir / f"{name}.stderr"
    srv.stdout_path = ctx.logdir / f"{name}.stdout"
    srv.start()
    srv.wait_healthy()
    return srv


@test
def local_passwords_off_refuses_password_sign_in():
    srv = other_server({**SSO_ENV, "NEXTSTAGE_LOCAL_PASSWORDS": "off",
                        "NEXTSTAGE_OIDC_DEFAULT_ROLE": "marketer"}, "passwords-off")
    try:
        api = _api_for(srv.port)
        info = expect_json(api.get("/api/v1/sso"), 200)
        check(info["local_passwords"] is False and info["enabled"] is True, f"GET /sso: {info}")
        for who in ("admin", "rep"):
            acct = ctx.accounts[who]
            r = api.post("/api/v1/session", {"email": acct.email, "password": acct.password})
            p = expect_problem(r, 403, "local_passwords_off")
            check("single sign-on" in p["detail"], f"the detail: {p['detail']!r}")
            check(not r.header("Set-Cookie"), "a refused sign-in set a cookie", r.describe())
        # the break-glass way in: API tokens (nextstage token create) still work
        expect_json(api.get("/api/v1/me", as_="admin"), 200)
        # and single sign-on, its new users with the role configured (the
        # Demo backend has three people: rtyler is made anew)
        arrange(f"DELETE FROM users WHERE email = {sql_literal(RTYLER[1])}")
        flow = Flow(srv.port)
        r = flow.sign_in(RTYLER[0])
        check(r.status == 303 and flow.session, f"SSO through the second server: {r.status}",
              r.describe(), srv.stderr_tail(10))
        who = me(flow)
        check(who["email"] == RTYLER[1] and who["role"] == "marketer",
              f"made with NEXTSTAGE_OIDC_DEFAULT_ROLE=marketer: {who}")
        check(not srv.new_sanitizer_report(), "sanitizer report", srv.stderr_tail())
    finally:
        srv.terminate()


@test
def an_id_token_without_email_is_completed_by_the_userinfo_endpoint():
    srv = other_server({**SSO_ENV, "NEXTSTAGE_OIDC_CLIENT_ID": CLIENT_ID + "-userinfo"}, "userinfo")
    try:
        arrange(f"DELETE FROM users WHERE email = {sql_literal(RTYLER[1])}")
        asked = len([s for s in proxy.seen if s[1].startswith("/oauth2/userinfo")])
        flow = Flow(srv.port)
        r = flow.sign_in(RTYLER[0])
        check(r.status == 303 and flow.session, f"the callback: {r.status}", r.describe(),
              srv.stderr_tail(10))
        who = me(flow)
        check(who["email"] == RTYLER[1] and who["name"] == RTYLER[2],
              f"signed in as {who}: the e-mail and name come from userinfo")
        calls = [s for s in proxy.seen if s[1].startswith("/oauth2/userinfo")][asked:]
        check(len(calls) == 1 and calls[0][2].get("Authorization", "").startswith("Bearer "),
              f"the userinfo endpoint was asked {len(calls)} times, with {calls[:1]}")
        check(not srv.new_sanitizer_report(), "sanitizer report", srv.stderr_tail())
    finally:
        srv.terminate()


@test
def a_provider_that_takes_client_secret_post_gets_the_secret_in_the_form():
    # the portal takes both; its discovery document, as this server reads
    # it, offers only client_secret_post
    proxy.discovery = lambda d: dict(d, token_endpoint_auth_methods_supported=["client_secret_post"])
    srv = other_server(SSO_ENV, "secret-post")
    try:
        flow = Flow(srv.port)
        r = flow.sign_in(DWHO[0])
        check(r.status == 303 and flow.session, f"the callback: {r.status}", r.describe(),
              srv.stderr_tail(10))
    finally:
        proxy.discovery = None
        srv.terminate()
    call = [s for s in proxy.seen if s[0] == "POST" and s[1].startswith("/oauth2/token")][-1]
    form = dict(urllib.parse.parse_qsl(call[3].decode()))
    check(form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET
          and "Authorization" not in call[2], f"the token request: {call[2]} {sorted(form)}")


@test
def starts_are_limited_per_address():
    srv = other_server({**SSO_ENV, "NEXTSTAGE_PUBLIC_RATE": "3"}, "start-rate")
    try:
        api = _api_for(srv.port)
        before = int(arrange("SELECT count(*) FROM sso_attempts")[0][0])
        for _ in range(3):
            expect_status(api.get("/api/v1/sso/start"), 302)
        r = api.get("/api/v1/sso/start")
        expect_problem(r, 429, "rate_limited")
        retry = r.header("Retry-After") or ""
        check(retry.isdigit() and 1 <= int(retry) <= 20, f"Retry-After {retry!r}", r.describe())
        rows = int(arrange("SELECT count(*) FROM sso_attempts")[0][0]) - before
        check(rows == 3, f"{rows} sign-ins under way stored for 3 admitted starts and 1 refused")
    finally:
        srv.terminate()


@test
def a_provider_that_does_not_answer_is_said_so():
    dead = f"http://127.0.0.1:{free_port()}"
    srv = other_server({**SSO_ENV, "NEXTSTAGE_OIDC_ISSUER": dead}, "provider-down")
    try:
        r = _api_for(srv.port).get("/api/v1/sso/start")
        p = expect_problem(r, 502, "sso_provider_unavailable")
        check("127.0.0.1" in p["detail"], f"the detail does not name the provider: {p['detail']!r}")
    finally:
        srv.terminate()


@test
def a_provider_that_hangs_holds_one_thread_not_every_sign_in():
    hung = socket.socket()  # listens, never accepts: requests to it wait
    hung.bind(("127.0.0.1", 0))
    hung.listen(32)
    srv = other_server({**SSO_ENV, "NEXTSTAGE_OIDC_ISSUER": f"http://127.0.0.1:{hung.getsockname()[1]}"},
                       "provider-hangs")
    try:
        api = _api_for(srv.port)
        first = {}
        asking = threading.Thread(target=lambda: first.setdefault(
            "r", api.get("/api/v1/sso/start", timeout=30)))
        asking.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        meanwhile = [api.get("/api/v1/sso/start") for _ in range(6)]  # twice the pool
        took = time.monotonic() - t0
        for r in meanwhile:
            p = expect_problem(r, 502, "sso_provider_unavailable")
        check("being fetched" in p["detail"], f"the detail: {p['detail']!r}")
        check(took < 3, f"6 sign-ins took {took:.1f}s while the provider hangs: they waited for it")
        expect_json(api.get("/api/v1/me", as_="rep"), 200)  # the pool serves the rest
        asking.join(25)
        p = expect_problem(first["r"], 502, "sso_provider_unavailable")
        check("timed out" in p["detail"].lower() or "timeout" in p["detail"].lower(),
              f"the first one's detail: {p['detail']!r}")
        # for 5 s after, the failure is answered at once
        t0 = time.monotonic()
        expect_problem(api.get("/api/v1/sso/start"), 502, "sso_provider_unavailable")
        check(time.monotonic() - t0 < 2, "the provider was asked again at once")
    finally:
        srv.terminate()
        hung.close()


@test
def the_issuer_must_be_the_one_discovery_names():
    # the portal directly (not through the proxy its configuration names)
    srv = other_server({**SSO_ENV, "NEXTSTAGE_OIDC_ISSUER": f"http://127.0.0.1:{PORTAL_PORT}"},
                       "wrong-issuer")
    try:
        r = _api_for(srv.port).get("/api/v1/sso/start")
        p = expect_problem(r, 502, "sso_provider_unavailable")
        check("issuer" in p["detail"], f"the detail: {p['detail']!r}")
    finally:
        srv.terminate()


@test
def half_a_configuration_does_not_start():
    from nsapi.proc import run_cli
    r = run_cli(["serve"], env={"NEXTSTAGE_OIDC_ISSUER": ISSUER, "NEXTSTAGE_OIDC_CLIENT_ID": None,
                                "NEXTSTAGE_LISTEN": f"127.0.0.1:{free_port()}"}, timeout=20)
    check(r.rc != 0 and "NEXTSTAGE_OIDC_CLIENT_ID" in r.err, "serve started with half an SSO "
          "configuration", r.describe())
    r = run_cli(["serve"], env={"NEXTSTAGE_LOCAL_PASSWORDS": "off",
                                "NEXTSTAGE_LISTEN": f"127.0.0.1:{free_port()}"}, timeout=20)
    check(r.rc != 0 and "NEXTSTAGE_LOCAL_PASSWORDS" in r.err,
          "serve started with passwords off and no SSO (nobody could sign in)", r.describe())
