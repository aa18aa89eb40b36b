"""A fictional year of sales history for the demo library (scripts/demo-data.py).

Eight reps of the fictional vendor, about 300 deals that move through the
stages over the last year (some won, some lost), the reps sharing the demo
assets with those deals, their prospects opening the links (with link
unfurlers and mail scanners among the opens), and the reps' feedback. Every
deal's account says "(fictional)", every rep's e-mail is @ledgerline.example.

The history is simulated with known effects, so that the next-stage test
has something true to find: a deal in a stage moves on each day with a
stage's base chance, and an asset shared to it multiplies that chance from
then on by the asset's effect: two assets truly help (x3), one hurts
(x0.3), the rest are neutral. How often each is shared decides what the
data can tell: a neutral asset given to most deals is shown to make no
difference, one given to a few is too early to tell, one given twice has
too little data, and some are never shared. The simulation is seeded and
counted in whole days before today, so it is the same every day.
Python 3 standard library only."""
import datetime
import random

STAGES = ["prospecting", "discovery", "evaluation", "proposal", "negotiation"]
ADVANCE = {"prospecting": 0.030, "discovery": 0.026, "evaluation": 0.024, "proposal": 0.030,
           "negotiation": 0.035}  # a day's chance to move on, without any asset
LOSE = 0.006  # a day's chance to be lost, in any stage
DEALS = 300
REPS = [("Maya Okafor", "maya.okafor"), ("Tomás Ribeiro", "tomas.ribeiro"),
        ("Priya Natarajan", "priya.natarajan"), ("Jonas Weber", "jonas.weber"),
        ("Chloé Martin", "chloe.martin"), ("Daniel Kim", "daniel.kim"),
        ("Aisha Bello", "aisha.bello"), ("Lucas Novak", "lucas.novak")]
DOMAIN = "ledgerline.example"
COMPANIES = ["Brightwater Logistics", "Cobalt Dental Group", "Harbor & Pine Foods",
             "Keystone Plastics", "Lumen Health Partners", "Meridian Freight", "Northgate Retail",
             "Oakridge Manufacturing", "Pinecrest Schools", "Quarry Lane Builders",
             "Redwood Hospitality", "Summit Legal LLP", "Tidewater Energy", "Union Valley Farms",
             "Vantage Auto Parts", "Westbrook Insurance", "Alder Street Clinics",
             "Bluestem Software", "Cedar & Co. Interiors", "Driftwood Travel"]
DEAL_KINDS = ["AP automation", "Invoice capture", "Supplier portal", "Payments rollout",
              "ERP connector", "Expansion", "Renewal"]


def roles(assets):
    """The simulated part each published asset plays: {asset id: (stage,
    effect, chance to be shared in a spell of that stage, months shared)}.
    @assets: [(id, meta)] as the library made them."""
    published = [(i, m) for i, m in assets if m.get("status") == "published"
                 and m.get("kind") != "battlecard"  # internal: never shared
                 and [s for s in m.get("stages", []) if s in STAGES]]
    taken, out = set(), {}

    def pick(stage, effect, chance, months=12):
        for i, m in published:
            if i not in taken and stage in m["stages"]:
                taken.add(i)
                out[i] = (stage, effect, chance, months)
                return

    pick("discovery", 3.0, 0.50)     # helps: moves_deals
    pick("evaluation", 3.0, 0.55)    # helps
    pick("evaluation", 0.3, 0.45)    # hurts
    pick("prospecting", 1.0, 0.85)   # neutral, given to most: no_effect
    pick("proposal", 1.0, 0.12)      # neutral, a few: inconclusive
    pick("negotiation", 1.0, 0.20)   # inconclusive
    pick("discovery", 1.0, 0.02)     # insufficient_data
    pick("prospecting", 1.0, 0.15, months=4)  # shared only long ago: stale
    # The rest are never shared: unused.
    return out


def simulate(assets, today, seed=6):
    """The history: (deals CSV text, share events, feedback) where each
    share event also carries "_opens" (hours after the share when its
    prospect opened it) and "_bot" (whether a link unfurler saw it)."""
    rnd = random.Random(seed)
    part = roles(assets)
    rows = ["external_id,name,account,owner_email,stage,amount,changed_at"]
    shares, feedback = [], []
    for d in range(DEALS):
        rep = REPS[d % len(REPS)]
        ext = "demo-%04d" % (d + 1)
        company = COMPANIES[rnd.randrange(len(COMPANIES))]
        name = "%s — %s" % (company, DEAL_KINDS[rnd.randrange(len(DEAL_KINDS))])
        amount = rnd.randrange(8, 240) * 500
        day = rnd.randrange(15, 365)  # days before today it was created
        account = company + " (fictional)"

        def row(stage, ago):
            at = today - datetime.timedelta(days=ago, hours=-(9 + rnd.randrange(9)))
            rows.append("%s,%s,%s,%s@%s,%s,%d,%s" % (
                ext, '"%s"' % name, '"%s"' % account, rep[1], DOMAIN, stage, amount,
                at.strftime("%Y-%m-%dT%H:%M:%SZ")))
        stage_i = 0
        row(STAGES[0], day)
        while day > 0:
            stage = STAGES[stage_i]
            given = {}  # asset -> day of the spell it was shared on
            for a, (st, effect, chance, months) in part.items():
                if st == stage and rnd.random() < chance and day > 365 - months * 30:
                    given[a] = rnd.randrange(1, 20)  # a day or more after it entered
            moved, spent = None, 0
            while day > 0 and moved is None:
                mult = 1.0
                for a, on in given.items():
                    if on < spent:
                        mult *= part[a][1]
                p = min(0.5, ADVANCE[stage] * mult)
                r = rnd.random()
                if r < LOSE:
                    moved = "closed_lost"
                elif r < LOSE + p:
                    moved = "next"
                day -= 1
                spent += 1
            for a, on in given.items():
                if on < spent and day + spent - on > 0:
                    ago = day + spent - on
                    at = today - datetime.timedelta(days=ago, hours=-(10 + rnd.randrange(7)))
                    opens = [h for h in (rnd.randrange(1, 72) for _ in range(rnd.randrange(0, 3)))
                             if at + datetime.timedelta(hours=h) < today]
                    shares.append({"type": "share", "asset_id": a, "deal_external_id": ext,
                                   "rep_email": "%s@%s" % (rep[1], DOMAIN),
                                   "channel": rnd.choice(["email", "email", "link", "meeting"]),
                                   "at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "_opens": opens,
                                   "_bot": rnd.random() < 0.15})
                    if rnd.random() < 0.1:
                        feedback.append((rep, a, part[a][1]))
            if moved is None:
                break
            if moved == "closed_lost" or stage_i == len(STAGES) - 1:
                row("closed_won" if moved == "next" else "closed_lost", day)
                break
            stage_i += 1
            row(STAGES[stage_i], day)
    for i, s in enumerate(shares):
        s["id"] = "demo-share-%05d" % (i + 1)
    return "\n".join(rows) + "\n", shares, feedback


def pages(api, path):
    """Every item of a listed collection, following next_cursor."""
    items, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        _, page = api.call("GET", path + sep + "limit=200" + ("&cursor=" + cursor if cursor else ""))
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def load(api, assets):
    """Loads the history through the API as the demo admin: reps, deals
    (a CSV import), shares and opens (event ingest and tracked links),
    feedback (as the reps). Returns a summary line."""
    # Counted from yesterday, so that every event (at office hours) is past.
    today = datetime.datetime.now(datetime.timezone.utc).replace(
        hour=0, minute=0, second=0, microsecond=0) - datetime.timedelta(days=1)
    csv_text, shares, feedback = simulate(assets, today)
    password = "demo rep password"
    for name, local in REPS:
        api.json("POST", "/api/v1/users", {"email": "%s@%s" % (local, DOMAIN), "name": name,
                                           "role": "rep", "password": password},
                 ok=(201, 409), what="rep " + name)
    _, job = api.call("POST", "/api/v1/import/deals", csv_text.encode(), "text/csv",
                      what="the demo deals")
    report = job.get("report") or {}
    if job.get("status") != "done" or report.get("error_count"):
        raise RuntimeError("the demo deals did not import: %s" % job)
    events = [{k: v for k, v in s.items() if not k.startswith("_")} for s in shares]
    for i in range(0, len(events), 1000):
        api.json("POST", "/api/v1/events", events[i:i + 1000], ok=(202,), what="demo shares")
    deal_ids = {d["external_id"]: d["id"] for d in pages(api, "/api/v1/deals")}
    by_key = {}
    for a in {s["asset_id"] for s in shares}:
        for s in pages(api, "/api/v1/shares?asset=" + a):
            by_key[(s["deal_id"], s["asset_id"], s["created_at"])] = s["token"]
    opens, bots = [], []
    for s in shares:
        token = by_key.get((deal_ids.get(s["deal_external_id"]), s["asset_id"], s["at"]))
        if token is None:
            continue
        at = datetime.datetime.strptime(s["at"], "%Y-%m-%dT%H:%M:%SZ")
        for k, h in enumerate(s["_opens"]):
            opens.append({"id": "%s-open-%d" % (s["id"], k), "type": "open", "token": token,
                          "at": (at + datetime.timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ")})
        if s["_bot"]:
            bots.append(token)
    for i in range(0, len(opens), 1000):
        api.json("POST", "/api/v1/events", opens[i:i + 1000], ok=(202,), what="demo opens")
    for token in bots:  # a link unfurler previews the link: a bot's open, now
        api.raw_get("/s/" + token, "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")
    given = 0
    for (name, local), a, effect in feedback:
        body = {"useful_to_prospect": effect > 1, "rating": 5 if effect > 1 else
                2 if effect < 1 else 3}
        if effect != 1:
            body["comment"] = ("Prospects came back with questions we could answer."
                               if effect > 1 else "It raised more objections than it answered.")
        api.as_user("%s@%s" % (local, DOMAIN), password).json(
            "POST", "/api/v1/assets/%s/feedback" % a, body, ok=(200, 201), what="feedback")
        given += 1
    return ("%d reps, %d deals (%d stage changes), %d shares, %d opens (+%d by link unfurlers),"
            " %d feedback answers" % (len(REPS), report.get("created", 0),
                                      report.get("transitions", 0), len(shares), len(opens),
                                      len(bots), given))
