"""Outgoing webhooks and e-mail, through the outbox: every event a
subscription asks for reaches a real receiver on loopback, signed, at
least once and with one id however often it is sent; a receiver that is
down, slow, failing or redirecting holds back only itself and never a
request; a delivery that keeps failing is parked, listed with its error and
sent again by an admin; a server killed mid-delivery leaves nothing
undelivered. E-mails go to Debian's aiosmtpd as the SMTP server."""
import base64
import email
import email.header
import hashlib
import hmac
import json
import os
import sys
import threading
import time

try:
    from aiosmtpd.controller import Controller
except ImportError:  # Debian's package, under a Python of another prefix
    sys.path.append("/usr/lib/python3/dist-packages")
    from aiosmtpd.controller import Controller

from nsapi.client import Api, expect_json, expect_problem, expect_status
from nsapi.context import ctx
from nsapi.flows import create_stage, user_with_token
from nsapi.harness import check, test
from nsapi.proc import Server, arrange, free_port
from nsapi.receiver import Receiver
from suites.analytics import run_default_test, two_to_one
from suites.public import person, public_file, submit
from suites.shares import age, open_link

SMTP_PORT = free_port()
RETRY_S = 10
SERVER_ENV = {
    "NEXTSTAGE_SMTP_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
    "NEXTSTAGE_SMTP_FROM": "nextstage@example.test",
    "NEXTSTAGE_WEBHOOK_TIMEOUT_S": "2",
    "NEXTSTAGE_DELIVERY_RETRY_S": str(RETRY_S),
    "NEXTSTAGE_DIGEST_EVERY_S": "3",
    "NEXTSTAGE_SECRET_KEY": os.urandom(32).hex(),
}
ALL = ["share.opened", "lead.sales_ready", "request.created", "request.fulfilled",
       "verdict.changed", "review.decided", "deal.stage_changed"]


class Mailbox:
    """What the SMTP server (aiosmtpd) accepted: parsed messages."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"

    def to(self, address):
        with self.lock:
            return [m for rcpt, m in self.messages if address in rcpt]


MAILBOX = Mailbox()


class Smtp:
    """The SMTP server, stopped and started again (a fresh controller each
    time: one does not start twice)."""

    def __init__(self):
        self.controller = None

    def start(self):
        self.controller = Controller(MAILBOX, hostname="127.0.0.1", port=SMTP_PORT)
        self.controller.start()

    def stop(self):
        self.controller.stop()


SMTP = Smtp()


def setup():
    SMTP.start()


def subscribe(receiver, events, **fields):
    body = {"url": receiver.url, "events": events, "label": ctx.uniq("hook"), **fields}
    return expect_json(ctx.api.post("/api/v1/webhooks", body, as_="admin"), 201)


def unsubscribe(hook):
    expect_status(ctx.api.delete(f"/api/v1/webhooks/{hook['id']}", as_="admin"), 204)


def deliveries(**q):
    query = "&".join(f"{k}={v}" for k, v in q.items())
    return expect_json(ctx.api.get(f"/api/v1/deliveries?limit=200&{query}", as_="admin"),
                       200)["items"]


def until(fetch, done, timeout=20):
    """Calls @fetch until @done holds of its answer or @timeout seconds
    pass; returns the last answer. A delivery is settled only after the
    receiver has answered, so what the receiver saw is not yet listed."""
    deadline = time.monotonic() + timeout
    while True:
        got = fetch()
        if done(got) or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def hook_state(hook):
    items = expect_json(ctx.api.get("/api/v1/webhooks", as_="admin"), 200)["items"]
    return next(w for w in items if w["id"] == hook["id"])


def new_request(title=None):
    return expect_json(ctx.api.post("/api/v1/requests", {"title": title or ctx.uniq("Need")},
                                    as_="rep"), 201)


def titled(receiver, title):
    return [e for e in receiver.events() if e["data"].get("title") == title]


def verify(got, secret):
    """The delivery's signature verifies under @secret and its headers
    agree with its body."""
    h = got["headers"]
    ts = h["X-Nextstage-Timestamp"]
    want = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + got["body"],
                                hashlib.sha256).hexdigest()
    check(hmac.compare_digest(h["X-Nextstage-Signature"], want),
          f"signature {h['X-Nextstage-Signature']}, want {want}")
    check(abs(int(ts) - time.time()) < 60, f"timestamp {ts} is not now")
    body = json.loads(got["body"])
    check(h["X-Nextstage-Event-Id"] == body["id"] and h["X-Nextstage-Event"] == body["type"],
          f"headers {h} against the body {body}")


@test
def an_event_reaches_its_receiver_signed_with_the_secret_shown_once():
    rx = Receiver().start()
    hook = subscribe(rx, ["request.created"])
    try:
        check(hook["secret"].startswith("whsec_") and hook["sealed"], f"made {hook}")
        listed = hook_state(hook)
        check("secret" not in listed, f"the list shows the secret: {listed}")
        title = ctx.uniq("Battlecard")
        req = new_request(title)
        got = rx.wait_for(lambda g: any(json.loads(x["body"])["data"].get("title") == title
                                        for x in g), what="request.created")
        mine = [g for g in got if json.loads(g["body"])["data"].get("title") == title]
        check(len(mine) == 1, f"{len(mine)} deliveries of one event")
        verify(mine[0], hook["secret"])
        ev = json.loads(mine[0]["body"])
        check(ev["type"] == "request.created" and ev["data"]["request_id"] == req["id"]
              and ev["data"]["requester_name"] == ctx.accounts["rep"].name, f"event {ev}")
        d = until(lambda: [x for x in deliveries(webhook=hook["id"]) if x["event_id"] == ev["id"]],
                  lambda d: d and d[0]["state"] != "pending")
        check(len(d) == 1 and d[0]["state"] == "delivered" and d[0]["attempts"] == 1
              and d[0]["last_status"] == 200, f"the delivery as listed: {d}")
    finally:
        unsubscribe(hook)
        rx.stop()


@test
def every_event_kind_is_emitted_by_the_change_it_reports():
    rx = Receiver().start()
    hook = subscribe(rx, ALL)
    try:
        # share.opened: a person's open (a bot's is not an event)
        asset = public_file(gated=True, intent="sales")
        s = expect_json(ctx.api.post("/api/v1/shares", {"asset_id": asset["id"],
                                                        "channel": "email",
                                                        "recipient_email": "pat@acme.test"},
                                     as_="rep"), 201)
        age(s)
        expect_status(open_link(s["token"], ua="Googlebot/2.1 (+http://www.google.com/bot.html)"),
                      200)
        expect_status(open_link(s["token"]), 200)
        expect_status(open_link(s["token"]), 200)
        # lead.sales_ready: a visitor who agreed; one who declined is no lead event
        agreed, declined = person(), person(consent="no")
        expect_status(submit(asset["id"], agreed), 303, 200)
        expect_status(submit(asset["id"], declined), 303, 200)
        # request.created and request.fulfilled
        req = new_request()
        link = expect_json(ctx.api.post("/api/v1/assets", {
            "title": ctx.uniq("Answer"), "kind": "battlecard", "intent": "sales",
            "url": "https://example.com/" + ctx.uniq("b"), "status": "published"},
            as_="marketer"), 201)
        for status in ("planned", "in_progress"):
            expect_json(ctx.api.patch(f"/api/v1/requests/{req['id']}", {"status": status},
                                      as_="marketer"), 200)
        expect_json(ctx.api.patch(f"/api/v1/requests/{req['id']}",
                                  {"status": "fulfilled", "asset_id": link["id"]},
                                  as_="marketer"), 200)
        # review.decided
        expect_json(ctx.api.post(f"/api/v1/reviews/{link['id']}/decision",
                                 {"decision": "archive", "note": "superseded"}, as_="board"), 201)
        # deal.stage_changed
        deal = expect_json(ctx.api.post("/api/v1/deals", {"name": ctx.uniq("Deal"),
                                                          "stage": "discovery"}, as_="rep"), 201)
        expect_json(ctx.api.post(f"/api/v1/deals/{deal['id']}/stage", {"stage": "evaluation"},
                                 as_="rep"), 200)
        # verdict.changed: the default test's first verdict of an asset that moves deals
        judged, stage = two_to_one(32)
        run_default_test()

        def kinds_in(g):
            evs = [json.loads(x["body"]) for x in g]
            return {e["type"] for e in evs}

        rx.wait_for(lambda g: set(ALL) <= kinds_in(g), timeout=30, what="every kind")
        evs = rx.events()
        opened = [e for e in evs if e["type"] == "share.opened" and e["data"]["share_id"] == s["id"]]
        check(len(opened) == 2, f"a person's two opens, not the bot's: {opened}")
        o = opened[0]["data"]
        check(o["recipient_email"] == "pat@acme.test" and o["asset_id"] == asset["id"]
              and o["rep_name"] == ctx.accounts["rep"].name, f"share.opened data {o}")
        firsts = sorted(e["data"]["engagement"]["first_open"] for e in opened)
        check(firsts == [False, True], f"only the first person's open is first: {opened}")
        leads = [e["data"] for e in evs if e["type"] == "lead.sales_ready"
                 and e["data"]["asset_id"] == asset["id"]]
        check([x["email"] for x in leads] == [agreed["email"]], f"lead events {leads}")
        fulfilled = [e["data"] for e in evs if e["type"] == "request.fulfilled"]
        check(any(x["request_id"] == req["id"] and x["asset_id"] == link["id"]
                  for x in fulfilled), f"request.fulfilled {fulfilled}")
        decided = [e["data"] for e in evs if e["type"] == "review.decided"
                   and e["data"]["asset_id"] == link["id"]]
        check(len(decided) == 1 and decided[0]["decision"] == "archive"
              and decided[0]["status_after"] == "archived", f"review.decided {decided}")
        moved = [e["data"] for e in evs if e["type"] == "deal.stage_changed"
                 and e["data"]["deal_id"] == deal["id"]]
        check(len(moved) == 1 and (moved[0]["from"], moved[0]["to"]) == ("discovery", "evaluation"),
              f"deal.stage_changed {moved}")
        verdicts = [e["data"] for e in evs if e["type"] == "verdict.changed"
                    and e["data"]["asset_id"] == judged["id"]]
        check(len(verdicts) == 1 and verdicts[0]["to"] == "moves_deals"
              and verdicts[0]["stage"] == stage and verdicts[0]["from"] is None,
              f"verdict.changed {verdicts}")
        ids = [e["id"] for e in evs]
        check(len(ids) == len(set(ids)), "two events share an id")
    finally:
        unsubscribe(hook)
        rx.stop()


@test
def a_receiver_that_is_down_gets_everything_once_it_is_up():
    rx = Receiver()  # not listening yet
    hook = subscribe(rx, ["request.created"])
    try:
        titles = [ctx.uniq("While down") for _ in range(3)]
        for t in titles:
            new_request(t)
        time.sleep(2)
        state = hook_state(hook)
        check(state["failures"] >= 1 and state["pending"] == 3
              and "onnect" in (state["last_error"] or ""), f"while down: {state}")
        rx.start()
        rx.wait_for(lambda g: {json.loads(x["body"])["data"]["title"] for x in g} >= set(titles),
                    timeout=20, what="the events queued while the receiver was down")
        evs = [e for e in rx.events() if e["data"]["title"] in titles]
        check(len({e["id"] for e in evs}) == 3, f"events {evs}")
        time.sleep(0.5)
        state = hook_state(hook)
        check(state["failures"] == 0 and state["pending"] == 0, f"once up: {state}")
    finally:
        unsubscribe(hook)
        rx.stop()


@test
def a_slow_receiver_holds_back_neither_requests_nor_other_receivers():
    slow, quick = Receiver(), Receiver().start()
    slow.delay = 5  # past the server's 2 s timeout
    slow.start()
    hooks = [subscribe(slow, ["request.created"]), subscribe(quick, ["request.created"])]
    try:
        titles = [ctx.uniq("Slow") for _ in range(6)]
        t0 = time.monotonic()
        for t in titles:
            new_request(t)
        quick.wait_for(lambda g: {json.loads(x["body"])["data"]["title"] for x in g} >= set(titles),
                       timeout=5, what="the quick receiver's events")
        check(time.monotonic() - t0 < 4, "the quick receiver waited for the slow one")
        # requests are answered at once meanwhile
        t1 = time.monotonic()
        expect_status(ctx.api.get("/api/v1/me", as_="rep"), 200)
        expect_json(ctx.api.get("/api/v1/assets?limit=5", as_="rep"), 200)
        check(time.monotonic() - t1 < 1, "requests waited on the slow receiver")
        time.sleep(2.5)
        state = hook_state(hooks[0])
        check(state["failures"] >= 1 and "imed out" in (state["last_error"] or ""),
              f"the slow receiver's state: {state}")
        slow.delay = 0
        slow.wait_for(lambda g: {json.loads(x["body"])["data"]["title"] for x in g} >= set(titles),
                      timeout=30, what="the slow receiver's events once it is quick")
        # what was sent before a timeout may have arrived too: same id
        by_title = {}
        for e in slow.events():
            by_title.setdefault(e["data"]["title"], set()).add(e["id"])
        check(all(len(by_title[t]) == 1 for t in titles), f"ids per event: {by_title}")
    finally:
        for h in hooks:
            unsubscribe(h)
        slow.stop()
        quick.stop()


@test
def a_failing_receiver_is_parked_with_its_error_then_redelivered_by_an_admin():
    rx = Receiver().start()
    rx.status = 500
    hook = subscribe(rx, ["request.created"])
    try:
        title = ctx.uniq("Failing")
        new_request(title)
        failed = until(lambda: deliveries(webhook=hook["id"], state="failed"), bool,
                       timeout=RETRY_S + 15)
        check(len(failed) == 1, f"not parked within the retry window: {deliveries(webhook=hook['id'])}")
        f = failed[0]
        check("answered 500" in f["last_error"] and f["last_status"] == 500
              and f["attempts"] >= 2, f"the parked delivery {f}")
        check(hook_state(hook)["failed"] == 1, "the webhook does not count its parked delivery")
        tries = len(rx.got)
        expect_problem(ctx.api.post(f"/api/v1/deliveries/{f['id']}/redeliver", as_="rep"), 403,
                       "forbidden")
        # still failing: the redelivery is pending (tried, held) and can't be asked twice
        again = expect_json(ctx.api.post(f"/api/v1/deliveries/{f['id']}/redeliver",
                                         as_="admin"), 202)
        check(again["state"] == "pending" and again["event_id"] == f["event_id"], f"{again}")
        expect_problem(ctx.api.post(f"/api/v1/deliveries/{f['id']}/redeliver", as_="admin"),
                       409, "conflict")
        rx.status = 200
        d = until(lambda: next(x for x in deliveries(webhook=hook["id"]) if x["id"] == f["id"]),
                  lambda d: d["state"] == "delivered")
        check(d["state"] == "delivered" and d["last_status"] == 200, f"after the redelivery: {d}")
        check(len(rx.got) > tries, "the redelivery never reached the receiver")
        ids = {g["headers"]["X-Nextstage-Event-Id"] for g in rx.got}
        check(ids == {f["event_id"]}, f"every try carries the event's id: {ids}")
    finally:
        unsubscribe(hook)
        rx.stop()


@test
def a_redirect_is_not_followed_and_counts_as_a_failure():
    elsewhere = Receiver().start()
    rx = Receiver().start()
    rx.status, rx.location = 302, elsewhere.url
    hook = subscribe(rx, ["request.created"])
    try:
        new_request()
        rx.wait_for(lambda g: len(g) >= 1, what="the first try")
        time.sleep(1)
        state = hook_state(hook)
        check("redirect" in (state["last_error"] or "") and "not followed" in state["last_error"],
              f"state {state}")
        check(elsewhere.got == [], "the redirect was followed")
    finally:
        unsubscribe(hook)
        rx.stop()
        elsewhere.stop()


@test
def a_slack_subscription_gets_a_text_body():
    rx = Receiver().start()
    hook = subscribe(rx, ["request.created"], format="slack")
    try:
        title = ctx.uniq("Slack")
        new_request(title)
        got = rx.wait_for(lambda g: any(title.encode() in x["body"] for x in g), what="slack")
        body = json.loads(next(x["body"] for x in got if title.encode() in x["body"]))
        check(list(body) == ["text"] and title in body["text"]
              and ctx.accounts["rep"].name in body["text"], f"slack body {body}")
    finally:
        unsubscribe(hook)
        rx.stop()


@test
def a_paused_webhook_waits_and_a_ping_tests_a_receiver():
    rx = Receiver().start()
    hook = subscribe(rx, ["request.created"], active=False)
    try:
        new_request()
        time.sleep(1.5)
        check(rx.got == [], "a paused webhook was posted to")
        ping = expect_json(ctx.api.post(f"/api/v1/webhooks/{hook['id']}/ping", as_="admin"), 202)
        check(ping["kind"] == "ping" and ping["state"] == "pending", f"ping {ping}")
        expect_json(ctx.api.patch(f"/api/v1/webhooks/{hook['id']}", {"active": True},
                                  as_="admin"), 200)
        got = rx.wait_for(lambda g: any(x["headers"]["X-Nextstage-Event"] == "ping" for x in g),
                          what="the ping")
        check(len(got) >= 1, "nothing")
    finally:
        unsubscribe(hook)
        rx.stop()


@test
def webhook_fields_are_checked():
    base = {"url": "http://127.0.0.1:9/x", "events": ["request.created"], "label": "x"}
    for change, code, field in (({"url": "ftp://example.com/x"}, "invalid_field", "url"),
                                ({"events": ["share.closed"]}, "invalid_field", "events"),
                                ({"events": []}, "invalid_field", "events"),
                                ({"format": "xml"}, "invalid_field", "format"),
                                ({"label": ""}, "invalid_field", "label"),
                                ({"secret": "short"}, "invalid_field", "secret")):
        body = {**base, **change}
        expect_problem(ctx.api.post("/api/v1/webhooks", body, as_="admin"), 400, code, field)
    hook = expect_json(ctx.api.post("/api/v1/webhooks", {**base, "secret": "s" * 20},
                                    as_="admin"), 201)
    check(hook["secret"] == "s" * 20, "the given secret is not the one shown")
    expect_problem(ctx.api.patch(f"/api/v1/webhooks/{hook['id']}", {"secret": "t" * 20},
                                 as_="admin"), 400, "unknown_field", "secret")
    unsubscribe(hook)
    expect_problem(ctx.api.delete(f"/api/v1/webhooks/{hook['id']}", as_="admin"), 404,
                   "not_found")
    for bad in ("state=lost", "channel=sms", "webhook=nope"):
        expect_problem(ctx.api.get(f"/api/v1/deliveries?{bad}", as_="admin"), 400,
                       "invalid_parameter")


def body_of(msg):
    return base64.b64decode(msg.get_payload()).decode("utf-8")


def subject_of(msg):
    return str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def opened_share(token):
    """A share of a new asset by the user of @token, opened by a person."""
    asset = public_file()
    s = expect_json(ctx.api.post("/api/v1/shares", {"asset_id": asset["id"], "channel": "email",
                                                    "recipient_email": ctx.uniq_email("pat")},
                                 token=token), 201)
    age(s)
    expect_status(open_link(s["token"]), 200)
    return s


@test
def notifications_by_email_each_as_it_happens_or_in_a_daily_digest():
    each, _, each_token = user_with_token("rep")
    daily, _, daily_token = user_with_token("rep")
    none, _, none_token = user_with_token("rep")
    for token, choice in ((each_token, "each"), (daily_token, "daily")):
        me = expect_json(ctx.api.patch("/api/v1/me", {"email_notifications": choice},
                                       token=token), 200)
        check(me["email_notifications"] == choice, f"PATCH /me {me}")
    check(expect_json(ctx.api.get("/api/v1/me", token=each_token), 200)["email_notifications"]
          == "each", "GET /me does not show the setting")
    s = opened_share(each_token)
    opened_share(none_token)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not MAILBOX.to(each["email"]):
        time.sleep(0.1)
    got = MAILBOX.to(each["email"])
    check(len(got) == 1, f"{len(got)} e-mails to the 'each' user")
    m = got[0]
    text = body_of(m)
    check("opened" in subject_of(m) and s["recipient_email"] in text
          and "/app/" in text and m["From"] == "nextstage <nextstage@example.test>"
          and m["Message-ID"].endswith("@nextstage>"), f"the e-mail: {m}\n{text}")
    first, second = opened_share(daily_token), opened_share(daily_token)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not MAILBOX.to(daily["email"]):
        time.sleep(0.2)
    digests = MAILBOX.to(daily["email"])
    check(len(digests) >= 1, "no digest for the daily user")
    text = "".join(body_of(d) for d in digests)
    check(first["recipient_email"] in text and second["recipient_email"] in text,
          f"the digest does not list both opens: {text}")
    check(MAILBOX.to(none["email"]) == [], "an e-mail to a user who chose none")
    mails = until(lambda: deliveries(channel="email"),
                  lambda m: any(d["user_id"] == each["id"] and d["state"] == "delivered"
                                for d in m))
    check(all(d["channel"] == "email" and d["webhook_id"] is None for d in mails)
          and any(d["user_id"] == each["id"] and d["state"] == "delivered" for d in mails),
          f"the e-mail deliveries as listed: {mails[:3]}")


@test
def an_email_waits_while_the_smtp_server_is_down():
    user, _, token = user_with_token("rep")
    expect_json(ctx.api.patch("/api/v1/me", {"email_notifications": "each"}, token=token), 200)
    SMTP.stop()
    try:
        opened_share(token)
        time.sleep(2)
        check(MAILBOX.to(user["email"]) == [], "mail while the SMTP server was down")
        waiting = [d for d in deliveries(channel="email", state="pending")
                   if d["user_id"] == user["id"]]
        check(len(waiting) == 1 and waiting[0]["attempts"] >= 1 and waiting[0]["last_error"],
              f"the waiting e-mail: {waiting}")
    finally:
        SMTP.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not MAILBOX.to(user["email"]):
        time.sleep(0.2)
    check(len(MAILBOX.to(user["email"])) == 1, "the e-mail was not sent once the server was up")


@test
def a_server_killed_mid_delivery_loses_nothing_and_resends_with_the_same_id():
    name = f"api_outbox_kill_{ctx.run_id}"
    arrange(f"DROP DATABASE IF EXISTS {name}")
    arrange(f"CREATE DATABASE {name} TEMPLATE api_template")
    url = ctx.db_url.replace("dbname=" + ctx.db_url.split("dbname=")[1].split()[0],
                             "dbname=" + name)
    env = {**SERVER_ENV, "NEXTSTAGE_DATABASE_URL": url, "NEXTSTAGE_SMTP_URL": None}
    rx = Receiver()
    rx.hold = threading.Event()  # the first delivery hangs until the server is gone
    rx.start()

    def server(tag):
        srv = Server(env=env)
        srv.stderr_path = ctx.logdir / f"kill-{tag}.stderr"
        srv.stdout_path = ctx.logdir / f"kill-{tag}.stdout"
        srv.start()
        srv.wait_healthy()
        return srv, Api("127.0.0.1", srv.port, ctx.token)

    first, api = server("first")
    try:
        expect_problem(api.patch("/api/v1/me", {"email_notifications": "each"}, as_="rep"), 409,
                       "email_not_configured")
        hook = expect_json(api.post("/api/v1/webhooks", {"url": rx.url, "label": "kill",
                                                         "events": ["request.created"]},
                                    as_="admin"), 201)
        titles = [ctx.uniq("Killed") for _ in range(4)]
        for t in titles:
            expect_json(api.post("/api/v1/requests", {"title": t}, as_="rep"), 201)
        rx.wait_for(lambda g: len(g) >= 1, what="a delivery in flight")
        first.proc.kill()
        first.proc.wait()
        first.expect_exit = True
    finally:
        rx.hold.set()
        rx.hold = None
        first.kill()
    second, api = server("second")
    try:
        rx.wait_for(lambda g: {json.loads(x["body"])["data"]["title"] for x in g} >= set(titles),
                    timeout=30, what="every event after the restart")
        by_title = {}
        for e in rx.events():
            by_title.setdefault(e["data"]["title"], set()).add(e["id"])
        check(all(len(by_title[t]) == 1 for t in titles), f"one id per event: {by_title}")
        for g in rx.got:
            verify(g, hook["secret"])
    finally:
        second.terminate()
        rx.stop()
        arrange(f"DROP DATABASE IF EXISTS {name}")
