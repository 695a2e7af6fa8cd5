"""--format json with everything a report can hold, against the published schema."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema

import output
from reports import CHECK_ERROR, FLOWS, GAP, PERMITTED, ZONES, findings, report, suppressed

SCHEMA = json.loads((Path(__file__).parent.parent / "output" / "schemas" / "report.schema.json").read_text())


def test_full_report_validates_and_keeps_suppressed_findings():
    base = findings()
    rep = report(findings=(suppressed(base[0], "accepted until the migration"), *base[1:]),
                 gaps=(GAP,), check_errors=(CHECK_ERROR,), notes=("a note",))
    text = output.render("json", rep)
    assert text == output.render("json", rep)
    doc = json.loads(text)
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["findings"][0]["suppression"] == {"check": base[0].check_id, "resource": base[0].resource.id,
                                                 "reason": "accepted until the migration"}
    assert "suppression" not in doc["findings"][1]
    assert doc["summary"]["critical"] == 0 and doc["complete"] is False
    assert doc["zones"] == list(ZONES) and doc["flows"] == list(FLOWS) and doc["permitted"] == list(PERMITTED)


def test_schema_rejects_a_suppression_without_reason():
    doc = json.loads(output.render("json", report(findings=(suppressed(findings()[0]),))))
    del doc["findings"][0]["suppression"]["reason"]
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc))
    assert any("'reason' is a required property" in e.message for e in errors)


def test_fast_encoding_gives_the_bytes_json_dumps_gives():
    """render() encodes with msgspec for speed; the bytes are json.dumps' indented, sorted,
    UTF-8 form, non-ASCII and all."""
    from output import json as json_output

    rep = report(findings=findings(), gaps=(GAP,), flows=FLOWS, zones=ZONES, permitted=PERMITTED)
    expected = json.dumps(json_output.document(rep), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert json_output.render(rep) == expected


def test_written_in_parts_it_is_the_same_bytes_with_or_without_findings():
    """write() streams the findings one by one; the file is the one json.dumps makes."""
    import io

    from output import json as json_output

    for rep in (report(findings=(), gaps=(GAP,), flows=FLOWS, zones=ZONES, permitted=PERMITTED),
                report(findings=findings()[:1]), report(findings=findings() * 3, flows=FLOWS)):
        fh = io.StringIO()
        output.write("json", rep, fh)
        expected = json.dumps(json_output.document(rep), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        assert fh.getvalue() == expected
        assert json.loads(fh.getvalue())["findings"] == json.loads(expected)["findings"]


def test_an_account_named_like_the_placeholder_does_not_move_the_findings():
    """The findings go where the top-level key is, whatever text the accounts hold."""
    import dataclasses
    import io

    from output import json as json_output

    rep = report(findings=findings()[:2])
    if rep.accounts:
        odd = dataclasses.replace(rep.accounts[0], name=json_output._HOLE)
        rep = dataclasses.replace(rep, accounts=(odd, *rep.accounts[1:]))
    rep = dataclasses.replace(rep, notes=(json_output._HOLE, '\n  "findings": '))
    fh = io.StringIO()
    output.write("json", rep, fh)
    assert fh.getvalue() == json.dumps(json_output.document(rep), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
