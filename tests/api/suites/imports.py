"""CSV import of deals and stage changes: RFC 4180 edge cases, the CRMs'
export headers, per-row errors, idempotence."""
from nsapi.client import expect_json, expect_problem
from nsapi.context import ctx
from nsapi.harness import check, test
from nsapi.flows import deals_with_external_id

IMPORT = "/api/v1/import/deals"


def post_csv(text, as_="marketer", content_type="text/csv"):
    data = text if isinstance(text, bytes) else text.encode()
    return ctx.api.post(IMPORT, raw=data, content_type=content_type, as_=as_)


def deal(external_id):
    rows = deals_with_external_id(external_id)
    check(len(rows) == 1, f"{len(rows)} deals with external_id {external_id}")
    return expect_json(ctx.api.get(f"/api/v1/deals/{rows[0]['id']}", as_="marketer"), 200)


@test
def quoted_fields_bom_crlf_and_newlines_import_as_written():
    x = ctx.uniq("csv")
    text = ("\ufeffexternal_id,name,account,stage,amount,changed_at\r\n"
            f'{x}-1,"Acme, Inc ""big"" deal","Acme\r\nEMEA",discovery,1200.50,2026-01-02 10:00:00\r\n'
            f"{x}-2,Plain,,proposal,,2026-02-01T08:00:00Z\n"
            f"{x}-1,,,evaluation,,2026-01-20 00:00:00")  # LF and no final newline
    body = expect_json(post_csv(text), 200)
    check((body["rows"], body["created"], body["transitions"], body["error_count"]) == (3, 2, 1, 0),
          f"counts {body}")
    d = deal(f"{x}-1")
    check(d["name"] == 'Acme, Inc "big" deal' and d["account"] == "Acme\r\nEMEA",
          f"quoted fields became {d['name']!r} / {d['account']!r}")
    check(d["amount"] == 1200.5, f"amount {d['amount']}")
    check([(h["to"], h["at"], h["source"]) for h in d["history"]]
          == [("discovery", "2026-01-02T10:00:00Z", "import"),
              ("evaluation", "2026-01-20T00:00:00Z", "import")], f"history {d['history']}")


@test
def reimporting_the_same_file_changes_nothing():
    x = ctx.uniq("again")
    text = ("external_id,name,stage,changed_at\n"
            f"{x},Deal,discovery,2026-01-01 00:00:00\n"
            f"{x},Deal,proposal,2026-02-01 00:00:00\n")
    first = expect_json(post_csv(text), 200)
    before = deal(x)
    again = expect_json(post_csv(text), 200)
    check((again["created"], again["updated"], again["transitions"], again["unchanged"])
          == (0, 0, 0, 2), f"second import {again} (first {first})")
    check(deal(x)["history"] == before["history"], "the second import changed the history")


@test
def a_bad_row_is_reported_by_line_and_the_good_rows_are_stored():
    x = ctx.uniq("bad")
    text = ("external_id,stage,amount,owner_email\n"
            f"{x}-1,discovery,,\n"
            f"{x}-2,Nowhere Stage,,\n"
            f"{x}-3,discovery,lots,\n"
            f"{x}-4,discovery,,nobody@example.invalid\n"
            f',discovery,,\n'
            f'{x}-5,"open quote,discovery\n'  # swallows the rest: the file is malformed
            )
    r = post_csv(text)
    # An unterminated quote swallows the rest of the file: that is the
    # file's fault, said as such, after the rows before it were imported.
    expect_problem(r, 400, "bad_request")
    good = expect_json(post_csv(text.rsplit("\n", 2)[0] + "\n"), 200)
    errors = {(e["line"], e["field"]) for e in good["errors"]}
    check(errors == {(3, "stage"), (4, "amount"), (5, "owner_email"), (6, "external_id")},
          f"errors {good['errors']}")
    check(deal(f"{x}-1")["stage"] == "discovery", "the good row was not stored")


@test
def salesforce_opportunity_history_headers_and_stage_names_work():
    x = ctx.uniq("006")
    text = ("OpportunityId,StageName,CreatedDate,Amount\n"
            f"{x},Qualification,2026-01-05 00:00:00,10\n"
            f"{x},Proposal/Price Quote,2026-02-05 00:00:00,10\n"
            f"{x},Closed Won,2026-03-05 00:00:00,10\n")
    body = expect_json(post_csv(text), 200)
    check(body["error_count"] == 0, f"errors {body['errors']}")
    check([h["to"] for h in deal(x)["history"]] == ["discovery", "proposal", "closed_won"],
          f"history {deal(x)['history']}")


@test
def hubspot_deal_export_headers_and_stage_ids_work():
    x = ctx.uniq("hs")
    text = ("Record ID,Deal Name,Deal Stage,Amount,Create Date\n"
            f"{x},Globex renewal,contractsent,5000,2026-04-01 12:00:00\n")
    body = expect_json(post_csv(text), 200)
    check(body["created"] == 1 and body["error_count"] == 0, f"import {body}")
    d = deal(x)
    check((d["name"], d["stage"]) == ("Globex renewal", "negotiation"), f"deal {d}")


@test
def a_missing_required_column_is_400_naming_it():
    expect_problem(post_csv("name,stage\nx,discovery\n"), 400, "missing_field", "external_id")
    expect_problem(post_csv("external_id,name\nx,y\n"), 400, "missing_field", "stage")
    expect_problem(post_csv(""), 400, "bad_request")


@test
def only_csv_is_accepted_and_only_from_marketers():
    expect_problem(post_csv("external_id,stage\n", content_type="application/json"), 415,
                   "unsupported_media_type")
    expect_problem(post_csv("external_id,stage\n", as_="rep"), 403, "forbidden")
