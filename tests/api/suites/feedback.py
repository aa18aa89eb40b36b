"""Feedback on assets (POST /api/v1/assets/{id}/feedback): one current
answer per user and asset, replaced by a new one with the old one kept,
summed up in the asset's own answer."""
from nsapi.client import expect_json, expect_problem
from nsapi.context import ctx
from nsapi.flows import account_id
from nsapi.harness import check, test
from nsapi.proc import sql_literal, stored


def asset(status="published"):
    body = {"title": ctx.uniq("Feedback asset"), "kind": "guide", "intent": "sales",
            "url": "https://example.com/" + ctx.uniq("f"), "status": status}
    return expect_json(ctx.api.post("/api/v1/assets", body, as_="marketer"), 201)


def give(asset_id, body, as_="rep"):
    return ctx.api.post(f"/api/v1/assets/{asset_id}/feedback", body, as_=as_)


@test
def a_new_answer_replaces_the_current_one_and_the_summary_counts_current_answers():
    a = asset()
    first = expect_json(give(a["id"], {"useful_to_me": True, "rating": 4, "comment": "Good"}), 201)
    check(first["feedback"]["rating"] == 4 and first["summary"]["answers"] == 1
          and first["summary"]["rating_avg"] == 4, f"first answer {first}")
    second = expect_json(give(a["id"], {"rating": 2, "made_own": True,
                                        "made_own_text": "my own one-pager"}), 201)
    sm = second["summary"]
    check((sm["answers"], sm["rating_avg"], sm["made_own"], sm["useful_to_me"]) == (1, 2, 1, 0),
          f"after the rep's second answer {sm}")
    third = expect_json(give(a["id"], {"rating": 5, "useful_to_prospect": True}, as_="marketer"),
                        201)["summary"]
    check((third["answers"], third["rating_avg"], third["useful_to_prospect"]) == (2, 3.5, 1),
          f"with the marketer's answer {third}")
    check([c["made_own_text"] for c in third["comments"]] == ["my own one-pager"],
          f"comments {third['comments']}")
    rows = stored("SELECT count(*), count(replaced_at) FROM feedback WHERE asset_id = "
                f"{sql_literal(a['id'])} AND user_id = {sql_literal(account_id('rep'))}")
    check(rows == [["2", "1"]], f"the rep's answers (all, replaced): {rows}")
    shown = expect_json(ctx.api.get(f"/api/v1/assets/{a['id']}", as_="rep"), 200)["feedback"]
    check(shown == third, f"the asset shows {shown}, the last answer said {third}")


@test
def bad_answers_are_refused_and_reps_cannot_answer_about_drafts():
    a = asset()
    expect_problem(give(a["id"], {"rating": 6}), 400, "invalid_field", "rating")
    expect_problem(give(a["id"], {}), 400, "missing_field")
    expect_problem(give(a["id"], {"stars": 3}), 400, "unknown_field", "stars")
    expect_problem(give(a["id"], {"comment": "x" * 2001}), 400, "invalid_field", "comment")
    expect_problem(give(asset("draft")["id"], {"rating": 3}), 404, "not_found")
    expect_problem(give("not-an-id", {"rating": 3}), 404, "not_found")
    shown = expect_json(ctx.api.get(f"/api/v1/assets/{a['id']}", as_="marketer"), 200)["feedback"]
    check(shown["answers"] == 0, f"answers counted from refused requests: {shown}")
