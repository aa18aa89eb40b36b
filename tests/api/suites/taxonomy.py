"""Personas and stages, and the audit trail of their changes."""
from nsapi.client import expect_json, expect_problem
from nsapi.context import ctx
from nsapi.flows import account_id, audit_entries, create_persona, create_stage, list_personas, list_stages
from nsapi.harness import check, test

DEFAULT_STAGES = [
    ("prospecting", 1, None), ("discovery", 2, None), ("evaluation", 3, None),
    ("proposal", 4, None), ("negotiation", 5, None), ("closed_won", 6, "won"),
    ("closed_lost", 7, "lost"),
]


def by_slug(items):
    return {i["slug"]: i for i in items}


def check_stage_order(stages):
    positions = [s["position"] for s in stages]
    check(positions == sorted(set(positions)),
          f"stages not listed by strictly increasing position: {positions}")


# ---------------------------------------------------------------- stages

@test
def default_stages_are_listed_in_order():
    # Runs before any test adds stages.
    stages = list_stages()
    got = [(s["slug"], s["position"], s.get("outcome")) for s in stages]
    check(got == DEFAULT_STAGES, f"GET /api/v1/stages: {got}")
    check(all(isinstance(s.get("name"), str) and s["name"] for s in stages),
          f"stages without names: {stages}")


@test
def stage_created_at_a_position_shifts_the_later_stages():
    before = {s["slug"]: s["position"] for s in list_stages()}
    slug = ctx.uniq("qualify")
    r = ctx.api.post("/api/v1/stages", {"slug": slug, "name": "Qualification", "position": 2},
                     as_="marketer")
    stage = expect_json(r, 201)
    check((stage["slug"], stage["name"], stage["position"], stage.get("outcome"))
          == (slug, "Qualification", 2, None), f"created {stage}")
    after_list = list_stages()
    check_stage_order(after_list)
    after = {s["slug"]: s["position"] for s in after_list}
    check(after.get(slug) == 2, f"new stage at position {after.get(slug)}, want 2")
    for s, p in before.items():
        want = p + 1 if p >= 2 else p
        check(after[s] == want, f"{s} moved from {p} to {after[s]}, want {want}")


@test
def stage_created_without_a_position_goes_last():
    slug = create_stage()
    stages = list_stages()
    check_stage_order(stages)
    check(stages[-1]["slug"] == slug, f"new stage not last: {[s['slug'] for s in stages]}")


@test
def stage_outcome_and_position_are_validated():
    def post(**fields):
        body = {"slug": ctx.uniq("badstage"), "name": "Bad", **fields}
        return ctx.api.post("/api/v1/stages", body, as_="marketer")
    expect_problem(post(outcome="maybe"), 400, "invalid_field", "outcome")
    expect_problem(post(position=0), 400, "invalid_field", "position")
    expect_problem(post(position="2"), 400, "invalid_field", "position")
    expect_problem(post(slug="Not A Slug"), 400, "invalid_field", "slug")
    won = expect_json(post(outcome="won"), 201)
    check(won["outcome"] == "won", f"outcome {won['outcome']!r}")


@test
def patching_a_stage_moves_renames_and_sets_its_outcome():
    slug = create_stage()
    others = [s["slug"] for s in list_stages() if s["slug"] != slug]
    r = ctx.api.patch(f"/api/v1/stages/{slug}", {"name": "Moved", "position": 3}, as_="marketer")
    stage = expect_json(r, 200)
    check((stage["name"], stage["position"]) == ("Moved", 3), f"patched {stage}")
    stages = list_stages()
    check_stage_order(stages)
    check(by_slug(stages)[slug]["position"] == 3, f"listed at {by_slug(stages)[slug]}")
    check([s["slug"] for s in stages if s["slug"] != slug] == others,
          "moving one stage changed the order of the others")
    won = expect_json(ctx.api.patch(f"/api/v1/stages/{slug}", {"outcome": "lost"},
                                    as_="marketer"), 200)
    check(won["outcome"] == "lost" and won["name"] == "Moved", f"after outcome patch: {won}")
    cleared = expect_json(ctx.api.patch(f"/api/v1/stages/{slug}", {"outcome": None},
                                        as_="marketer"), 200)
    check(cleared["outcome"] is None, f"outcome {cleared['outcome']!r} after setting null")
    r = ctx.api.patch(f"/api/v1/stages/{slug}", {"outcome": "maybe"}, as_="marketer")
    expect_problem(r, 400, "invalid_field", "outcome")


@test
def unknown_stage_is_not_found():
    r = ctx.api.patch("/api/v1/stages/no-such-stage", {"name": "X"}, as_="marketer")
    expect_problem(r, 404, "not_found")


@test
def duplicate_stage_slug_is_conflict():
    r = ctx.api.post("/api/v1/stages", {"slug": "discovery", "name": "Again"}, as_="marketer")
    expect_problem(r, 409, "conflict")
    check(sum(1 for s in list_stages() if s["slug"] == "discovery") == 1,
          "discovery listed twice")


# ---------------------------------------------------------------- personas

@test
def personas_list_is_a_page_with_a_null_cursor():
    body = expect_json(ctx.api.get("/api/v1/personas", as_="rep"), 200)
    check(isinstance(body.get("items"), list), f"items: {body}")
    check("next_cursor" in body and body["next_cursor"] is None,
          f"next_cursor {body.get('next_cursor')!r}")


@test
def marketer_creates_a_persona_that_reps_see():
    slug = ctx.uniq("cfo")
    body = {"slug": slug, "name": "Chief Financial Officer", "description": "Owns the budget"}
    created = expect_json(ctx.api.post("/api/v1/personas", body, as_="marketer"), 201)
    check({k: created.get(k) for k in body} == body, f"created {created}, want {body}")
    listed = by_slug(list_personas("rep")).get(slug)
    check(listed is not None and {k: listed.get(k) for k in body} == body,
          f"listed to a rep as {listed}")
    bare = ctx.uniq("bare")
    created = expect_json(ctx.api.post("/api/v1/personas", {"slug": bare, "name": "Bare"},
                                       as_="marketer"), 201)
    check(created.get("description") is None, f"description {created.get('description')!r}")


@test
def persona_changes_are_audited_with_the_marketer_as_actor():
    slug = create_persona()
    expect_json(ctx.api.patch(f"/api/v1/personas/{slug}", {"name": "Audited"},
                              as_="marketer"), 200)
    r = ctx.api.delete(f"/api/v1/personas/{slug}", as_="marketer")
    check(r.status == 204, f"DELETE persona: {r.status}", r.describe())
    rows = [[e["action"], e["actor"]] for e in audit_entries("personas", slug)]
    marketer = account_id("marketer")
    for action in ("create", "update", "delete"):
        check([action, marketer] in rows,
              f"no {action!r} audit row by the marketer ({marketer}): {rows}")


@test
def stage_creation_is_audited_with_the_marketer_as_actor():
    slug = create_stage()
    rows = [[e["action"], e["actor"]] for e in audit_entries("stages", slug)]
    check(["create", account_id("marketer")] in rows, f"audit rows: {rows}")


@test
def duplicate_persona_slug_is_conflict():
    slug = create_persona()
    r = ctx.api.post("/api/v1/personas", {"slug": slug, "name": "Again"}, as_="marketer")
    expect_problem(r, 409, "conflict")
    check(sum(1 for p in list_personas() if p["slug"] == slug) == 1, f"{slug} listed twice")


@test
def persona_slug_must_match_the_pattern():
    for bad in ("Upper", "-leading-dash", "_leading", "has space", "", "a" * 65, "dot.ted",
                "ümlaut", "slash/y"):
        r = ctx.api.post("/api/v1/personas", {"slug": bad, "name": "Bad slug"}, as_="marketer")
        expect_problem(r, 400, "invalid_field", "slug")
    for good in ("a", "7", ctx.run_id + "a" * 58, f"x{ctx.run_id}-y_z9"):
        r = ctx.api.post("/api/v1/personas", {"slug": good, "name": "Good"}, as_="marketer")
        check(expect_json(r, 201)["slug"] == good, f"slug {good!r} changed", r.describe())


@test
def persona_name_must_not_be_empty():
    r = ctx.api.post("/api/v1/personas", {"slug": ctx.uniq("noname"), "name": ""},
                     as_="marketer")
    expect_problem(r, 400, "invalid_field", "name")


@test
def patching_a_persona_renames_it_and_null_clears_the_description():
    slug = create_persona(description="Before")
    renamed = expect_json(ctx.api.patch(f"/api/v1/personas/{slug}", {"name": "After"},
                                        as_="marketer"), 200)
    check((renamed["name"], renamed.get("description")) == ("After", "Before"),
          f"after renaming: {renamed}")
    cleared = expect_json(ctx.api.patch(f"/api/v1/personas/{slug}", {"description": None},
                                        as_="marketer"), 200)
    check((cleared["name"], cleared.get("description")) == ("After", None),
          f"after clearing the description: {cleared}")
    listed = by_slug(list_personas())[slug]
    check((listed["name"], listed.get("description")) == ("After", None), f"listed as {listed}")


@test
def deleting_a_persona_removes_it():
    slug = create_persona()
    r = ctx.api.delete(f"/api/v1/personas/{slug}", as_="marketer")
    check(r.status == 204 and r.body == b"", f"DELETE: {r.status}", r.describe())
    check(slug not in by_slug(list_personas()), "still listed after DELETE")
    expect_problem(ctx.api.delete(f"/api/v1/personas/{slug}", as_="marketer"), 404, "not_found")


@test
def unknown_persona_is_not_found():
    expect_problem(ctx.api.patch("/api/v1/personas/no-such-persona", {"name": "X"},
                                 as_="marketer"), 404, "not_found")
    expect_problem(ctx.api.delete("/api/v1/personas/no-such-persona", as_="marketer"),
                   404, "not_found")


@test
def deleting_a_persona_an_asset_uses_is_conflict():
    slug = create_persona()
    body = {"title": "api suite asset", "kind": "guide", "intent": "sales",
            "url": "https://example.com/" + ctx.uniq("uses"), "personas": [slug]}
    expect_json(ctx.api.post("/api/v1/assets", body, as_="marketer"), 201)
    expect_problem(ctx.api.delete(f"/api/v1/personas/{slug}", as_="marketer"), 409, "conflict")
    check(slug in by_slug(list_personas()), "the persona disappeared although it is in use")
