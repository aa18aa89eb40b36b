"""The demo `make run` loads (scripts/demo-data.py): a library and a
fictional year of sales history made with known effects, which the
next-stage test must find, and a first screen with something on it."""
import collections
import datetime
import importlib.util
import subprocess
import sys
import urllib.parse
from pathlib import Path

from nsapi.client import expect_json
from nsapi.context import ctx
from nsapi.harness import check, test

SCRIPTS = Path(__file__).resolve().parents[3] / "scripts"
sys.path.insert(0, str(SCRIPTS))
import demo_history  # noqa: E402

loaded = {}


def demo_module():
    spec = importlib.util.spec_from_file_location("demo_data", SCRIPTS / "demo-data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup():
    r = subprocess.run([sys.executable, str(SCRIPTS / "demo-data.py"),
                        f"http://{ctx.api.host}:{ctx.api.port}", ctx.token("admin")],
                       capture_output=True, text=True, timeout=600)
    loaded["rc"], loaded["out"], loaded["err"] = r.returncode, r.stdout, r.stderr


def all_pages(path):
    items, cursor = [], None
    while True:
        q = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        sep = "&" if "?" in path else "?"
        page = expect_json(ctx.api.get(path + sep + urllib.parse.urlencode(q), as_="admin"), 200)
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def roles():
    """The part each asset plays in the simulation: {asset id: (stage,
    effect, chance, months)}, from the library's order as it was loaded."""
    ids = {a["title"]: a["id"] for a in all_pages("/api/v1/assets")}
    made = [(ids[a["meta"]["title"]], dict(a["meta"], **(a["then"] or {})))
            for a in demo_module().library() if a["meta"]["title"] in ids]
    return demo_history.roles(made)


def stage_test():
    return expect_json(ctx.api.get("/api/v1/analytics/stage-test", as_="marketer"), 200)["items"]


@test
def the_demo_loads_a_library_and_a_fictional_year_of_sales():
    check(loaded["rc"] == 0, f"demo-data exited {loaded['rc']}: {loaded['err'][-2000:]}")
    check("300 deals" in loaded["out"] and "8 reps" in loaded["out"], f"output {loaded['out']}")
    deals = all_pages("/api/v1/deals")
    check(len(deals) == 300, f"{len(deals)} deals")
    check(all(d["account"].endswith("(fictional)") for d in deals),
          "a demo deal is not marked fictional")
    stages = collections.Counter(d["stage"] for d in deals)
    check(stages["closed_won"] > 10 and stages["closed_lost"] > 10 and
          sum(stages[s] for s in demo_history.STAGES) > 20, f"deals by stage {stages}")


@test
def the_next_stage_test_finds_the_effects_the_history_was_made_with():
    part, rows = roles(), stage_test()
    verdict = {(r["asset_id"], r["stage"]): r for r in rows}
    for asset, (stage, effect, chance, _) in part.items():
        r = verdict.get((asset, stage)) or verdict.get((asset, None))
        check(r is not None, f"no row for the demo asset {asset} in {stage}")
        if effect > 1:
            check(r["verdict"] == "moves_deals", f"an asset that helps reads as {r}")
        elif effect < 1:
            check(r["verdict"] == "hurts", f"an asset that hurts reads as {r}")
        elif chance > 0.5:
            check(r["verdict"] == "no_effect", f"a neutral asset given to most reads as {r}")
    kinds = {r["verdict"] for r in rows}
    check(kinds >= {"moves_deals", "hurts", "no_effect", "inconclusive", "insufficient_data",
                    "unused"}, f"verdicts on the first screen: {sorted(kinds)}")


@test
def the_first_screen_has_a_trend_gaps_and_a_review_queue():
    since = (datetime.date.today() - datetime.timedelta(days=365)).isoformat()
    usage = expect_json(ctx.api.get(f"/api/v1/analytics/usage?group=month&from={since}",
                                    as_="marketer"), 200)
    months = [p for p in usage["periods"] if p["shares"] and p["human_opens"]]
    check(len(months) >= 6, f"months with shares: {months}")
    coverage = expect_json(ctx.api.get("/api/v1/analytics/coverage", as_="marketer"), 200)
    cells = coverage["cells"]
    check(any(c["assets"] == 0 for c in cells) and any(c["shares"] > 0 for c in cells),
          f"coverage cells {cells[:5]}")
    queue = expect_json(ctx.api.get("/api/v1/reviews", as_="admin"), 200)["items"]
    check(len(queue) > 0, "the review queue is empty")
