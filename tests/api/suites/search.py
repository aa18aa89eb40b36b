"""Search: ranking, prefix and typo matching, facets, filters, what reps
may see, parameter errors, stable pagination while assets are added, and
the record of each search, and words inside files (a snippet of the best
page, escaped). Every test tags its assets with a tag of its own and
filters by it, so other suites' assets do not disturb the counts. File
text is stored here as the extraction worker stores it (blob_pages,
blob_texts.doc, then asset_search_refresh), so that these tests do not
depend on extracting real files (the extraction suite does that).
"""
import html
import re
import os
import time
import urllib.parse

from nsapi.client import expect_json, expect_problem
from nsapi.context import ctx
from nsapi.flows import account_id, create_persona
from nsapi.harness import Failure, check, test
from nsapi import multipart as mp
from nsapi.proc import arrange, sql_literal, stored
from suites.assets import (ASSETS, PAST, FUTURE, add_version, create_file_asset,
                           create_link_asset, patch_asset)

FACETS = ("persona", "stage", "kind", "intent")


def search(params, as_="marketer"):
    """GET /assets with @params (a dict of str or list values); the body."""
    query = urllib.parse.urlencode(params, doseq=True)
    body = expect_json(ctx.api.get(f"{ASSETS}?{query}", as_=as_), 200)
    check(isinstance(body.get("items"), list) and "next_cursor" in body
          and isinstance(body.get("total"), int) and isinstance(body.get("facets"), dict),
          f"search answer lacks items/next_cursor/total/facets: {str(body)[:500]}")
    return body


def ids(body):
    return [i["id"] for i in body["items"]]


def rare_word():
    """A made-up word no other asset contains, nor anything like it (random
    letters: two such words share no trigrams to speak of)."""
    return "".join(chr(ord("a") + b % 26) for b in os.urandom(11))


def nonzero(facet):
    return {k: v for k, v in (facet or {}).items() if v}


def link(tag, **fields):
    return create_link_asset(tags=[tag] + fields.pop("extra_tags", []), **fields)


# ---------------------------------------------------------------- ranking

@test
def a_title_match_outranks_a_description_only_match():
    word = rare_word()
    tag = ctx.uniq("rank")
    # The title match is made first: a list sorted by recency would put it second.
    title = link(tag, title=f"The {word} playbook", description="How teams plan a quarter.")
    desc = link(tag, title="Quarterly handbook", description=f"It mentions {word} in passing.")
    body = search({"q": word})
    check(ids(body) == [title["id"], desc["id"]],
          f"q={word}: order {ids(body)}, want title match {title['id']} first, then {desc['id']}")
    check(body["total"] == 2, f"total {body['total']}, want 2")
    s = [i.get("score") for i in body["items"]]
    check(all(isinstance(x, (int, float)) for x in s) and s[0] > s[1],
          f"scores {s}: the title match must score higher")
    body = search({"q": word, "sort": "relevance", "tag": tag})
    check(ids(body) == [title["id"], desc["id"]], f"sort=relevance&tag: order {ids(body)}")
    body = search({"tag": tag})  # without q the default is recent
    check(ids(body) == [desc["id"], title["id"]],
          f"tag only: order {ids(body)}, want the newest first")
    body = search({"q": word, "sort": "recent"})
    check(ids(body) == [desc["id"], title["id"]],
          f"sort=recent: order {ids(body)}, want the newest first")


@test
def words_are_stemmed_and_tags_are_searched():
    tag = ctx.uniq("stem")
    a = link(tag, title="Negotiating renewals with procurement")
    word = rare_word()
    b = link(tag, title="Battlecard", extra_tags=[word])
    check(ids(search({"q": "negotiate renewal", "tag": tag})) == [a["id"]],
          "'negotiate renewal' does not find 'Negotiating renewals ...'")
    check(ids(search({"q": word})) == [b["id"]], f"q={word} does not find the asset tagged {word}")


@test
def the_last_word_matches_as_a_prefix():
    tag = ctx.uniq("prefix")
    pricing = link(tag, title="Enterprise pricing guide")
    link(tag, title="Onboarding checklist")
    for q in ("pric", "enterprise pric", "Enterprise Pricing Gui"):
        got = ids(search({"q": q, "tag": tag}))
        check(got == [pricing["id"]], f"q={q!r}: {got}, want only 'Enterprise pricing guide'")


@test
def a_typo_still_finds_the_title():
    tag = ctx.uniq("typo")
    pricing = link(tag, title="Pricing guide")
    link(tag, title="Onboarding checklist")
    for q in ("pricng", "pricing giude"):
        got = ids(search({"q": q, "tag": tag}))
        check(pricing["id"] in got, f"q={q!r} does not find 'Pricing guide': {got}")
        check(got[0] == pricing["id"], f"q={q!r}: 'Pricing guide' not first: {got}")


# ---------------------------------------------------------------- facets and filters

def facet_fixture():
    """Five assets sharing a fresh tag, and the two personas they use."""
    tag = ctx.uniq("facet")
    p1, p2 = create_persona(), create_persona()
    specs = {
        "A": dict(personas=[p1], stages=["discovery"], kind="guide", intent="educational"),
        "B": dict(personas=[p1, p2], stages=["discovery", "proposal"], kind="deck",
                  intent="sales", status="published"),
        "C": dict(personas=[p2], stages=["proposal"], kind="guide", intent="sales"),
        "D": dict(personas=[p1], stages=[], kind="ebook", intent="educational",
                  status="published"),
        "E": dict(personas=[], stages=["negotiation"], kind="guide", intent="sales"),
    }
    made = {k: link(tag, **v)["id"] for k, v in specs.items()}
    return tag, p1, p2, made


@test
def facet_counts_cover_every_match_of_the_query():
    tag, p1, p2, made = facet_fixture()
    body = search({"tag": tag, "limit": 2})
    check(body["total"] == 5, f"total {body['total']}, want 5")
    check(len(body["items"]) == 2 and body["next_cursor"], "limit=2: want 2 items and a cursor")
    want = {"persona": {p1: 3, p2: 2}, "stage": {"discovery": 2, "proposal": 2, "negotiation": 1},
            "kind": {"guide": 3, "deck": 1, "ebook": 1}, "intent": {"educational": 2, "sales": 3}}
    got = {f: nonzero(body["facets"].get(f)) for f in FACETS}
    check(got == want, f"facets over the whole query (not the page):\n got  {got}\n want {want}")
    body = search({"tag": tag, "persona": p1})
    want = {"persona": {p1: 3, p2: 1}, "stage": {"discovery": 2, "proposal": 1},
            "kind": {"guide": 1, "deck": 1, "ebook": 1}, "intent": {"educational": 2, "sales": 1}}
    got = {f: nonzero(body["facets"].get(f)) for f in FACETS}
    check(got == want, f"facets with persona={p1}:\n got  {got}\n want {want}")
    body = search({"tag": tag, "status": "published"}, as_="rep")
    want = {"persona": {p1: 2, p2: 1}, "stage": {"discovery": 1, "proposal": 1},
            "kind": {"deck": 1, "ebook": 1}, "intent": {"educational": 1, "sales": 1}}
    got = {f: nonzero(body["facets"].get(f)) for f in FACETS}
    check(got == want, f"a rep's facets count only published assets:\n got  {got}\n want {want}")


@test
def repeated_filters_are_or_different_filters_are_and():
    tag, p1, p2, m = facet_fixture()
    other = ctx.uniq("facet")
    f = link(other, kind="guide", intent="sales")["id"]
    cases = [
        ({"persona": [p1, p2]}, {"A", "B", "C", "D"}),
        ({"persona": p2}, {"B", "C"}),
        ({"persona": p2, "stage": "discovery"}, {"B"}),
        ({"persona": p1, "stage": ["discovery", "negotiation"]}, {"A", "B"}),
        ({"kind": "guide"}, {"A", "C", "E"}),
        ({"kind": ["guide", "deck"]}, {"A", "B", "C", "E"}),
        ({"intent": "sales"}, {"B", "C", "E"}),
        ({"kind": "guide", "intent": "sales"}, {"C", "E"}),
        ({"stage": "closed_lost"}, set()),
        ({"status": "published"}, {"B", "D"}),
        ({"status": ["draft", "published"]}, {"A", "B", "C", "D", "E"}),
        ({"status": "published", "kind": "deck", "persona": [p1, p2]}, {"B"}),
    ]
    wrong = []
    for params, want in cases:
        body = search({"tag": tag, "limit": 200, **params})
        got = {k for k, v in m.items() if v in ids(body)}
        if got != want or len(ids(body)) != len(want) or body["total"] != len(want):
            wrong.append(f"tag&{params}: {sorted(got)} (total {body['total']},"
                         f" {len(ids(body))} items), want {sorted(want)}")
    body = search({"tag": [tag, other], "limit": 200})
    if set(ids(body)) != set(m.values()) | {f} or body["total"] != 6:
        wrong.append(f"tag={tag}&tag={other}: {len(ids(body))} items, total {body['total']},"
                     " want the 6 assets of both tags")
    body = search({"tag": tag, "kind": "guide", "intent": "sales", "limit": 200})
    if f in ids(body):
        wrong.append("tag filter ignored when combined with kind and intent")
    check(not wrong, f"{len(wrong)} filter combinations answered wrongly", *wrong)


# ---------------------------------------------------------------- reps

@test
def reps_see_only_published_unexpired_assets():
    tag = ctx.uniq("vis")
    word = rare_word()
    common = {"title": f"Visibility {word}"}
    a = {
        "draft": link(tag, **common),
        "published": link(tag, status="published", **common),
        "future": link(tag, status="published", expires_at=FUTURE, **common),
        "expired": link(tag, status="published", expires_at=PAST, **common),
    }
    for status in ("archived", "retired"):  # created as drafts or published only
        a[status] = link(tag, status="published", **common)
        expect_json(patch_asset(a[status]["id"], {"status": status}), 200)
    visible = {a["published"]["id"], a["future"]["id"]}
    every = {x["id"] for x in a.values()}
    for params in ({"tag": tag}, {"q": word}, {"q": word, "tag": tag, "sort": "recent"}):
        for who in ("rep", "board"):
            body = search({**params, "limit": 200}, as_=who)
            check(set(ids(body)) == visible and body["total"] == 2,
                  f"{who} with {params}: {sorted(ids(body))} (total {body['total']}),"
                  f" want only the published unexpired {sorted(visible)}")
        body = search({**params, "limit": 200})
        check(set(ids(body)) == every and body["total"] == 6,
              f"marketer with {params}: {len(ids(body))} of 6 assets (total {body['total']})")
    for status in ("draft", "archived", "retired"):
        body = search({"tag": tag, "status": status}, as_="rep")
        check(ids(body) == [] and body["total"] == 0,
              f"a rep asking for status={status} sees {ids(body)}")
    body = search({"tag": tag, "status": "published"}, as_="rep")
    check(set(ids(body)) == visible, f"rep status=published: {ids(body)}, the expired one hidden")


@test
def bad_search_parameters_are_400_invalid_parameter():
    wrong = []
    for query in ("sort=best", "kind=podcast", "intent=fun", "status=deleted",
                  "cursor=not-a-cursor", "cursor=%00%ff", "limit=0", "limit=201", "limit=x",
                  "limit=-1", "q=pricing&sort=random"):
        r = ctx.api.get(f"{ASSETS}?{query}", as_="rep")
        try:
            expect_problem(r, 400, "invalid_parameter")
        except Failure as e:
            wrong.append(f"?{query}: {e}\n{r.describe(200)}")
    for query in ("sort=recent", "sort=shares", "sort=lift", "sort=relevance&q=x", "limit=1",
                  "limit=200", "kind=other", "intent=sales", "status=archived"):
        r = ctx.api.get(f"{ASSETS}?{query}", as_="rep")
        if r.status != 200:
            wrong.append(f"?{query}: {r.status}, want 200\n{r.describe(200)}")
    check(not wrong, f"{len(wrong)} parameter sets answered wrongly", *wrong)


# ---------------------------------------------------------------- pagination

def page_through(params, limit, between=None, as_="marketer"):
    """Follows next_cursor to the end; calls @between() after each page.
    Returns the ids of all pages in order."""
    seen, cursor, pages = [], None, 0
    while True:
        p = dict(params, limit=limit)
        if cursor is not None:
            p["cursor"] = cursor
        body = search(p, as_=as_)
        check(len(body["items"]) <= limit, f"page of {len(body['items'])} items, limit {limit}")
        seen += ids(body)
        cursor = body["next_cursor"]
        pages += 1
        check(pages <= 60, "more than 60 pages: the cursor does not advance")
        if cursor is None:
            return seen
        check(isinstance(cursor, str) and cursor, f"next_cursor {cursor!r}")
        check(body["items"], "an empty page with a next_cursor")
        if between:
            between()


def check_pages(seen, originals, what):
    dups = sorted({i for i in seen if seen.count(i) > 1})
    missing = sorted(set(originals) - set(seen))
    check(not dups and not missing,
          f"{what}: {len(dups)} ids listed twice {dups[:5]}, {len(missing)} of "
          f"{len(originals)} never listed {missing[:5]}")


@test
def pages_have_no_duplicates_or_gaps_while_assets_are_inserted():
    tag = ctx.uniq("page")
    word = rare_word()
    # Scores differ (the word again in some descriptions) and tie (within a group).
    originals = [link(tag, title=f"Page {word} {i}", description=f"{word} " * (i % 3))["id"]
                 for i in range(25)]
    added = []

    def insert():
        for _ in range(2):
            added.append(link(tag, title=f"Page {word} inserted")["id"])

    seen = page_through({"tag": tag}, 5, insert)
    check_pages(seen, originals, "sort=recent (default)")
    check(set(seen) <= set(originals) | set(added), "a page listed an asset of another tag")
    # Ranked by relevance, then by shares (all tie).
    seen = page_through({"tag": tag, "q": word}, 4, insert)
    check_pages(seen, originals, "sort=relevance")
    seen = page_through({"tag": tag, "sort": "shares"}, 7, insert)
    check_pages(seen, originals, "sort=shares")
    # Without inserts, the pages are exactly the whole result.
    all_ids = page_through({"tag": tag}, 6)
    check(sorted(all_ids) == sorted(originals + added),
          f"listed {len(all_ids)} ids, want the {len(originals) + len(added)} assets of the tag")
    body = search({"tag": tag, "limit": 200})
    check(body["next_cursor"] is None and body["total"] == len(originals) + len(added),
          f"one big page: next_cursor {body['next_cursor']!r}, total {body['total']}")


@test
def rep_pages_skip_hidden_assets():
    tag = ctx.uniq("reppage")
    shown = []
    for i in range(9):
        a = link(tag, status="published" if i % 3 else "draft")
        if i % 3:
            shown.append(a["id"])
    seen = page_through({"tag": tag}, 2, as_="rep")
    check(sorted(seen) == sorted(shown), f"rep pages: {len(seen)} ids, want the {len(shown)}"
                                         " published ones once each")


# ---------------------------------------------------------------- the record

def wait_for_search_row(query, timeout=3):
    deadline = time.monotonic() + timeout
    while True:
        rows = stored("SELECT user_id, results, filters::text FROM searches "
                    f"WHERE query = {sql_literal(query)}")
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


@test
def each_search_is_recorded_with_user_filters_and_result_count():
    tag = ctx.uniq("rec")
    word = rare_word()
    link(tag, title=f"Recorded {word}", status="published")
    link(tag, title=f"Recorded {word} again", status="published")
    body = search({"q": word, "tag": tag, "kind": "guide"}, as_="rep")
    check(body["total"] == 2, f"total {body['total']}")
    rows = wait_for_search_row(word)
    check(len(rows) == 1, f"searches rows for q={word!r} within 3 s: {rows}")
    user, results, filters = rows[0]
    check(user == account_id("rep"), f"user_id {user}, want the rep {account_id('rep')}")
    check(results == "2", f"results {results}, want 2")
    check(tag in filters and "guide" in filters, f"filters {filters} lack the tag and the kind")
    gap = rare_word()
    body = search({"q": gap}, as_="marketer")
    check(body["total"] == 0 and body["items"] == [], f"q={gap!r} found {ids(body)}")
    rows = wait_for_search_row(gap)
    check(len(rows) == 1 and rows[0][0] == account_id("marketer") and rows[0][1] == "0",
          f"the zero-result search is recorded as {rows}, want one row with 0 results")


# ---------------------------------------------------------------- inside files

def file_asset(tag, **fields):
    """A file asset of the marketer's with bytes of its own (a blob no other
    asset shares)."""
    return create_file_asset(data=mp.pdf(size=3000), tags=[tag], **fields)


def give_text(asset_id, pages):
    """Stores @pages (texts of pages 1, 2, ...) as the extracted text of
    @asset_id's current version, as the extraction worker does, and
    refreshes the search documents. A job the worker may hold is waited
    for and dropped: this text is the one that counts."""
    blob = f"(SELECT v.blob_id FROM asset_versions v JOIN assets a ON a.id = v.asset_id" \
           f" AND v.number = a.current_version WHERE a.id = {sql_literal(asset_id)})"
    values = ", ".join(f"({blob}, {n}, {sql_literal(t)}, to_tsvector('english', {sql_literal(t)}))"
                       for n, t in enumerate(pages, 1))
    arrange(f"DELETE FROM extract_jobs WHERE blob_id = {blob};"
            f" INSERT INTO blob_texts (blob_id, status, pages, doc, extracted_at)"
            f" SELECT {blob}, 'done', {len(pages)},"
            f" to_tsvector('english', {sql_literal(' '.join(pages))}), now()"
            f" ON CONFLICT (blob_id) DO UPDATE SET status = 'done', reason = NULL,"
            f" pages = excluded.pages, doc = excluded.doc, extracted_at = now();"
            f" DELETE FROM blob_pages WHERE blob_id = {blob};"
            f" INSERT INTO blob_pages (blob_id, page, text, words) VALUES {values};"
            f" SELECT asset_search_refresh({blob});")


FILLER = ("Our quarterly review covers onboarding, renewals and the support plan for every"
          " region. Teams report progress each week and agree on next steps with the buyer.")


@test
def a_word_only_in_a_file_finds_the_asset_with_the_page_marked():
    tag = ctx.uniq("inside")
    word = rare_word()
    guide = file_asset(tag, title="Implementation guide", status="published")
    give_text(guide["id"], [FILLER, FILLER, f"{FILLER} The {word} checklist comes last.", FILLER])
    titled = link(tag, title=f"The {word} overview", status="published")
    body = search({"q": word}, as_="rep")
    check(ids(body) == [titled["id"], guide["id"]] and body["total"] == 2,
          f"q={word}: {ids(body)} (total {body['total']}), want the title match"
          f" {titled['id']} first, then the file match {guide['id']}")
    hit, other = body["items"][1], body["items"][0]
    snip = hit.get("snippet")
    check(isinstance(snip, dict) and snip.get("page") == 3,
          f"the file match's snippet {snip!r}, want page 3 (the only page with the word)")
    check(f"<mark>{word}</mark>" in snip["html"] and "checklist comes last" in snip["html"],
          f"snippet html {snip['html']!r} lacks the marked word and its neighbours")
    check("snippet" in other and other["snippet"] is None,
          f"a link asset (no file) answers snippet {other.get('snippet')!r}, want null")
    # The filters hold for words in files as for any other.
    check(ids(search({"q": word, "kind": "deck"})) == [],
          "kind=deck still finds the guide by its file's text")
    check(ids(search({"q": word, "tag": tag, "kind": "guide"})) == [titled["id"], guide["id"]],
          "kind=guide&tag loses a match")
    expect_json(patch_asset(guide["id"], {"status": "archived"}), 200)
    check(ids(search({"q": word}, as_="rep")) == [titled["id"]],
          "a rep finds an archived asset by its file's text")


@test
def the_snippet_is_the_best_page_and_the_prefix_counts():
    tag = ctx.uniq("best")
    w1, w2 = rare_word(), rare_word()
    a = file_asset(tag)
    give_text(a["id"], [f"{FILLER} {w1} first.", FILLER, f"{FILLER} Both {w1} and {w2}.",
                        f"Only {w2} here."])
    for q in (f"{w1} {w2}", f"{w1} {w2[:6]}"):
        body = search({"q": q, "tag": tag})
        check(ids(body) == [a["id"]], f"q={q!r}: {ids(body)}, want the asset")
        snip = body["items"][0]["snippet"]
        check(snip and snip["page"] == 3,
              f"q={q!r}: snippet {snip!r}, want page 3, the only one with both words")
        marks = re.findall(r"<mark>(.*?)</mark>", snip["html"])
        check(sorted(marks) == sorted([w1, w2]), f"q={q!r}: marked {marks}, want {w1} and {w2}")
    # Words on different pages still find the file; the page with the
    # first-ranked word is shown.
    body = search({"q": f"{w1} {rare_word()}", "tag": tag})
    check(ids(body) == [], f"a word the file lacks, with one it has, finds {ids(body)}")


@test
def a_prefix_ending_in_y_finds_the_longer_words_it_begins():
    # to_tsquery stems a prefix like a word ("policy" -> polici), which the
    # words it begins do not share ("policyholder" -> policyhold).
    tag = ctx.uniq("prefix-y")
    a = file_asset(tag)
    give_text(a["id"], [f"{FILLER} Every policyholder gets the guide."])
    for q in ("policy", "policyh", "policyholder"):
        body = search({"q": q, "tag": tag})
        check(ids(body) == [a["id"]], f"q={q!r}: {ids(body)}, want the asset")
        check("policyholder" in body["items"][0]["snippet"]["html"], f"q={q!r}: {body['items'][0]}")


@test
def the_snippet_is_escaped_and_only_marks_are_markup():
    tag = ctx.uniq("escape")
    word = rare_word()
    a = file_asset(tag)
    text = f"The {word} <script>alert(1)</script> & a &amp; b \"quoted\" 'single' <b>bold</b>."
    give_text(a["id"], [text])
    body = search({"q": word, "tag": tag})
    check(ids(body) == [a["id"]], f"q={word}: {ids(body)}")
    got = body["items"][0]["snippet"]["html"]
    tags = re.findall(r"<[^>]*>", got)
    check(set(tags) == {"<mark>", "</mark>"},
          f"snippet html has markup other than <mark>: {tags} in {got!r}")
    for want in ("&lt;script&gt;alert(1)&lt;/script&gt; &amp; a &amp;amp; b",
                 "&quot;quoted&quot;", "&#39;single&#39;", "&lt;b&gt;bold&lt;/b&gt;",
                 f"<mark>{word}</mark>"):
        check(want in got, f"snippet html {got!r} lacks {want!r}")
    # What a browser shows is the text itself.
    shown = html.unescape(re.sub(r"</?mark>", "", got))
    check("<script>alert(1)</script>" in shown and "a &amp; b" in shown,
          f"the text shown would be {shown!r}")


@test
def a_new_version_brings_its_own_text():
    tag = ctx.uniq("newver")
    old, new = rare_word(), rare_word()
    a = file_asset(tag)
    give_text(a["id"], [f"{FILLER} {old}."])
    check(ids(search({"q": old, "tag": tag})) == [a["id"]], "the first version's word is not found")
    expect_json(add_version(a["id"], mp.pdf(size=3100)), 201)
    check(ids(search({"q": old, "tag": tag})) == [],
          "the old version's word still finds the asset after a new version")
    give_text(a["id"], [FILLER, f"{new} is on page two."])
    body = search({"q": new, "tag": tag})
    check(ids(body) == [a["id"]] and body["items"][0]["snippet"]["page"] == 2,
          f"the new version's word: {ids(body)}, snippet"
          f" {body['items'][0]['snippet'] if body['items'] else None}")
    check(ids(search({"q": old, "tag": tag})) == [], "the old word came back")


@test
def a_word_found_in_a_file_is_not_a_zero_result_search():
    tag = ctx.uniq("zero")
    word = rare_word()
    a = file_asset(tag, status="published")
    give_text(a["id"], [f"{FILLER} {word}."])
    body = search({"q": word}, as_="rep")
    check(ids(body) == [a["id"]], f"q={word}: {ids(body)}")
    rows = wait_for_search_row(word)
    check(len(rows) == 1 and rows[0][1] == "1",
          f"the search is recorded as {rows}, want one row with 1 result")


# ---------------------------------------------------------------- the cache of totals and facets

def cache_lookups(result):
    from suites.ops import scrape, total
    return total(scrape(), "nextstage_search_cache_lookups_total", result=result)


@test
def each_change_to_the_library_shows_in_the_next_search_of_the_same_filters():
    # A search's total and facets are kept for the next search of the same
    # words and filters (server/db/searchcache.c): every change below must
    # show in the very next one, for a marketer and for a rep.
    tag, other_tag = ctx.uniq("cache"), ctx.uniq("cache-other")
    persona = create_persona()
    a = file_asset(tag, title="Cache field guide", personas=[persona], stages=["discovery"],
                   status="published")["id"]
    b = link(tag, title="Cache second guide", personas=[persona], stages=["proposal"],
             status="published")["id"]

    def seen(params=None, as_="marketer"):
        body = search(params or {"tag": tag}, as_)
        return body["total"], nonzero(body["facets"]["stage"]), sorted(ids(body))

    hits = cache_lookups("hit")
    want = (2, {"discovery": 1, "proposal": 1}, sorted([a, b]))
    check(seen() == want, f"before any change: {seen()}, want {want}")
    check(seen() == want, "the same search twice differs")
    check(cache_lookups("hit") > hits, "the second identical search did not use the kept"
          " total and facets: this test would not test the cache")

    expect_json(patch_asset(b, {"stages": ["negotiation"]}), 200)
    check(seen()[1] == {"discovery": 1, "negotiation": 1},
          f"after an edit of the stages: stage facet {seen()[1]}")
    expect_json(patch_asset(b, {"tags": [other_tag]}), 200)
    check(seen()[0] == 1, f"after the tag is taken off one asset: total {seen()[0]}, want 1")
    expect_json(patch_asset(b, {"tags": [tag]}), 200)
    check(seen()[0] == 2, f"after the tag is put back: total {seen()[0]}, want 2")

    check(seen(as_="rep")[0] == 2, "a rep does not see both published assets")
    expect_json(patch_asset(b, {"status": "archived"}), 200)
    check(seen(as_="rep")[0] == 1, f"after an archive, a rep's total is {seen(as_='rep')[0]}")
    expect_json(patch_asset(b, {"status": "published"}), 200)
    check(seen(as_="rep")[0] == 2, f"after a publish, a rep's total is {seen(as_='rep')[0]}")

    # A persona's new name is a word its assets are found by.
    name = rare_word()
    by_name = {"q": name, "tag": tag}
    check(seen(by_name)[0] == 0 and seen(by_name)[0] == 0, f"{name} finds something already")
    expect_json(ctx.api.patch(f"/api/v1/personas/{persona}", {"name": f"{name} buyers"},
                              as_="marketer"), 200)
    check(seen(by_name)[0] == 2, f"after a persona rename, its new name finds {seen(by_name)}")

    # A word only in a new version's file.
    word = rare_word()
    by_word = {"q": word, "tag": tag}
    check(seen(by_word)[0] == 0 and seen(by_word)[0] == 0, f"{word} finds something already")
    expect_json(add_version(a, mp.pdf(size=3300)), 201)
    give_text(a, [f"{FILLER} {word}."])
    check(seen(by_word) == (1, {"discovery": 1}, [a]),
          f"after a new version with the word: {seen(by_word)}")


@test
def an_asset_that_expires_leaves_a_reps_next_search_without_any_write():
    tag = ctx.uniq("cache-expiry")
    link(tag, status="published")
    soon = link(tag, status="published")["id"]
    at = time.time() + 2
    expires = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int(at % 1 * 1e6):06d}Z"
    expect_json(patch_asset(soon, {"expires_at": expires}), 200)
    for _ in range(2):
        body = search({"tag": tag}, as_="rep")
        check(body["total"] == 2 and soon in ids(body), f"before its expiry: {ids(body)}")
    time.sleep(max(0.0, at - time.time()) + 0.3)
    body = search({"tag": tag}, as_="rep")
    check(body["total"] == 1 and soon not in ids(body),
          f"after its expiry a rep still gets total {body['total']}, items {ids(body)}")


@test
def a_long_listing_pages_by_recency_like_a_short_one():
    # A listing without words of 1,000 assets or more, once its total is
    # kept, is read off the index of creation times (server/db/search.c,
    # SEARCH_LIST_PAGE): the same order, ties (three assets a second)
    # broken by id, no asset twice or missing across pages.
    tag = ctx.uniq("long")
    first = link(tag, status="published")["id"]
    arrange("INSERT INTO assets SELECT (jsonb_populate_record(t, jsonb_build_object("
            " 'id', gen_random_uuid(), 'title', 'Long listing ' || g,"
            " 'status', CASE WHEN g % 5 = 0 THEN 'draft' ELSE 'published' END,"
            " 'created_at', t.created_at - (g / 3) * interval '1 second'))).*"
            f" FROM assets t, generate_series(1, 1199) g WHERE t.id = {sql_literal(first)}")
    for as_, where in (("marketer", ""), ("rep", " AND status = 'published'")):
        want = [r[0] for r in stored(f"SELECT id FROM assets WHERE {sql_literal(tag)} = ANY (tags)"
                                     f"{where} ORDER BY created_at DESC, id DESC")]
        body = search({"tag": tag, "limit": 7}, as_=as_)
        check(body["total"] == len(want), f"{as_}: total {body['total']}, want {len(want)}")
        hits = cache_lookups("hit")
        seen = page_through({"tag": tag}, 150, as_=as_)
        check(cache_lookups("hit") > hits, f"{as_}: the pages did not use the kept total")
        check(seen == want, f"{as_}: {len(seen)} ids listed, want {len(want)} in recency order;"
              f" first difference at {next((i for i, (a, b) in enumerate(zip(seen, want)) if a != b), min(len(seen), len(want)))}")
