"""Suppressions and the baseline, as a user meets them on the command line."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from scanner import suppressions
from scanner.cli import main
from scanner.errors import InputError

ROOT = Path(__file__).parent.parent
SAMPLE = str(ROOT / "examples" / "sample-snapshot.json")
REPORT_SCHEMA = json.loads((ROOT / "output" / "schemas" / "report.schema.json").read_text())
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(suppressions, "today", lambda: TODAY)


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(tmp_path, text, name="accepted.yml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_suppressed_finding_is_kept_but_does_not_fail(tmp_path):
    supp = write(tmp_path, "suppressions:\n  - check: SEG5*\n    resource: vpc-0a1\n"
                           "    reason: logs go to the SIEM from the transit account\n    expires: 2027-01-31\n")
    assert run("audit", SAMPLE, "--checks", "SEG501", "--fail-on", "medium").exit_code == 1
    out = tmp_path / "r.json"
    res = run("audit", SAMPLE, "--checks", "SEG501", "--fail-on", "medium", "--suppressions", supp, "--format", "json", "--output", str(out),
              "--format", "sarif", "--output", str(tmp_path / "r.sarif"), "--format", "text")
    assert res.exit_code == 0
    assert "0 findings from 1 checks, 1 suppressed" in res.output
    doc = json.loads(out.read_text())
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(doc)
    (finding,) = doc["findings"]
    assert finding["suppression"] == {"check": "SEG5*", "resource": "vpc-0a1", "expires": "2027-01-31",
                                      "reason": "logs go to the SIEM from the transit account"}
    assert doc["summary"]["medium"] == 0
    (result,) = json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["results"]
    assert result["suppressions"][0]["justification"] == "logs go to the SIEM from the transit account"


def test_resource_glob_matches_the_uri_too(tmp_path):
    supp = write(tmp_path, "suppressions:\n  - {check: SEG501, resource: 'cloud/aws/123456789012/*', reason: legacy}\n")
    assert run("audit", SAMPLE, "--checks", "SEG501", "--fail-on", "low", "--suppressions", supp).exit_code == 0
    other = write(tmp_path, "suppressions:\n  - {check: SEG501, resource: 'cloud/gcp/*', reason: legacy}\n", "o.yml")
    assert run("audit", SAMPLE, "--checks", "SEG501", "--fail-on", "low", "--suppressions", other).exit_code == 1


def test_expired_suppression_stops_applying_and_is_reported(tmp_path):
    supp = write(tmp_path, "suppressions:\n  - {check: SEG501, resource: vpc-0a1, reason: temp, expires: 2026-11-21}\n")
    sarif = tmp_path / "r.sarif"
    res = run("audit", SAMPLE, "--checks", "SEG501", "--fail-on", "medium", "--suppressions", supp, "--format", "sarif",
              "--output", str(sarif), "--format", "text")
    assert res.exit_code == 1
    assert "note: accepted.yml: suppression of SEG501 on vpc-0a1 expired on 2026-11-21; " \
           "1 finding it covered counts again" in res.output
    notes = json.loads(sarif.read_text())["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("expired on 2026-11-21" in n["message"]["text"] for n in notes)
    assert "suppressions" not in json.loads(sarif.read_text())["runs"][0]["results"][0]


def test_suppression_applies_through_its_last_day(tmp_path):
    supp = write(tmp_path, "suppressions:\n  - {check: SEG501, resource: vpc-0a1, reason: temp, expires: 2026-11-22}\n")
    assert run("audit", SAMPLE, "--checks", "SEG501", "--fail-on", "medium", "--suppressions", supp).exit_code == 0


@pytest.mark.parametrize("text,expected", [
    ("suppressions:\n  - {check: SEG501, resource: x}\n", "suppressions[0]: 'reason' is a required property"),
    ("suppressions:\n  - {check: SEG501, resource: x, reason: ok, expires: 2027-02-30}\n",
     "not valid YAML (day is out of range for month)"),
    ("suppressions:\n  - {check: SEG501, resource: x, reason: ok, expires: '2027-02-30'}\n",
     "suppressions[0].expires: '2027-02-30' is not a valid date"),
    ("suppressions:\n  - {check: SEG501, resource: x, reason: ok, expires: 31/01/2027}\n",
     "suppressions[0].expires: '31/01/2027' does not match"),
    ("suppressions:\n  - {check: SEG501, resource: x, reason: '  '}\n", "suppressions[0].reason: ' ' does not match"),
    ("suppressions: [\n", "not valid YAML (expected the node content, but found '<stream end>' at line 2 column 1)"),
    ("- just a list\n", "(top level): ['just a list'] is not of type 'object'"),
    ("", "(top level): None is not of type 'object'"),
    ("suppressions:\n  - !!python/object:os.system {}\n", "not valid YAML"),
    ("suppresions: []\n", "(top level): Additional properties are not allowed ('suppresions' was unexpected)"),
])
def test_malformed_file_is_one_line_exit_2(tmp_path, text, expected):
    supp = write(tmp_path, text)
    res = CliRunner().invoke(main, ["audit", SAMPLE, "--suppressions", supp])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"segaudit: error: {supp}: "), res.output
    assert expected in lines[0]


def test_missing_file_is_one_line(tmp_path):
    res = CliRunner().invoke(main, ["audit", SAMPLE, "--suppressions", str(tmp_path / "nope.yml")])
    assert res.exit_code == 2 and "nope.yml: cannot read" in res.output


def test_baseline_accepts_todays_findings(tmp_path):
    out = tmp_path / "baseline.yml"
    res = CliRunner().invoke(main, ["baseline", SAMPLE, "-o", str(out)])
    assert res.exit_code == 0
    entries = yaml.safe_load(out.read_text())["suppressions"]
    assert {"check": "SEG501", "resource": "vpc-0a1", "reason": "baseline 2026-11-22"} in entries
    assert len(entries) == len(auditing_sample().findings)
    assert CliRunner().invoke(main, ["audit", SAMPLE, "--fail-on", "low", "--suppressions", str(out)]).exit_code == 0


def auditing_sample():
    from scanner import snapshot as snapshot_file
    from scanner.audit import audit

    return audit(snapshot_file.read(SAMPLE))


def test_baseline_entries_match_only_their_own_resource():
    from builder import Estate
    from scanner import audit as auditing

    e = Estate("azure")
    e.network("net[1]*", "10.0.0.0/16")
    e.network("net11x", "10.1.0.0/16")
    full = auditing.audit(e.snapshot(), include=["SEG501"])
    only_first = auditing.audit(Estate("azure").snapshot(), include=["SEG501"])
    text = suppressions.baseline(full, TODAY)
    entries = suppressions.loads(text)
    assert [s.resource for s in entries] == ["net[[]1][*]", "net11x"]
    applied = suppressions.apply(full, entries[:1], TODAY)
    assert [f.resource.id for f in applied.active()] == ["net11x"]
    assert only_first.findings == ()


# --- the loader never fails any other way ---------------------------------------------

VALID = {"version": 1, "suppressions": [
    {"check": "SEG501", "resource": "vpc-*", "reason": "known", "expires": "2027-01-31"},
    {"check": "SEG1*", "resource": "cloud/aws/*", "reason": "legacy"},
]}
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12),
                    st.dates().map(str), st.sampled_from(["SEG501", "2027-02-30", "*", "", " "]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), inner, max_size=4)),
    max_leaves=12)


@st.composite
def mutated(draw):
    doc = json.loads(json.dumps(VALID))
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from(["top", "entry", "field"]))
        if target == "top":
            doc[draw(st.sampled_from(["version", "suppressions", "extra"]))] = draw(values)
        elif target == "entry" and isinstance(doc.get("suppressions"), list) and doc["suppressions"]:
            doc["suppressions"][draw(st.integers(0, len(doc["suppressions"]) - 1))] = draw(values)
        elif isinstance(doc.get("suppressions"), list) and doc["suppressions"] and isinstance(doc["suppressions"][0], dict):
            doc["suppressions"][0][draw(st.sampled_from(["check", "resource", "reason", "expires", "x"]))] = draw(values)
    text = yaml.safe_dump(doc, allow_unicode=True)
    if draw(st.booleans()):  # byte-level damage too
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(st.sampled_from(["", ":", "- ", "\t", "{", "&a ", "*a", "!!binary ", "'", "\n  "])) + text[i:]
    return text


def _load_or_input_error(text: str) -> None:
    try:
        loaded = suppressions.loads(text, "s.yml")
    except InputError as exc:
        message = str(exc)
        assert message.startswith("s.yml: ") and "\n" not in message
    else:
        assert all(isinstance(s, suppressions.Suppression) and s.reason.strip() for s in loaded)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_documents_load_or_fail_with_one_line(text):
    _load_or_input_error(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_loads_or_fails_with_one_line(text):
    _load_or_input_error(text)


def test_self_referencing_yaml_is_an_input_error():
    with pytest.raises(InputError, match="s.yml: "):
        suppressions.loads("suppressions: &a\n  - *a\n", "s.yml")


@settings(max_examples=150, deadline=None)
@given(values)
def test_arbitrary_documents_load_or_fail_with_one_line(doc):
    _load_or_input_error(yaml.safe_dump(doc, allow_unicode=True))


def test_scan_commands_take_suppressions_and_category(tmp_path):
    """`segaudit scan PROVIDER` shares the audit options; a stand-in provider shows they arrive."""
    import types

    import click

    from scanner import snapshot as snapshot_file
    from scanner.cli import audit_options, run_audit
    from scanner.collect import provider_commands

    seen = {}

    def collect(progress, max_workers, region):
        seen["region"] = region
        return snapshot_file.read(SAMPLE)

    module = types.SimpleNamespace(NAME="fake", HELP="a fake cloud", collect=collect,
                                   OPTIONS=[click.option("--region", default="eu-west-1")])
    _, scan_cmd = provider_commands("fake", module, audit_options, run_audit)
    supp = write(tmp_path, "suppressions:\n  - {check: SEG501, resource: vpc-0a1, reason: ok}\n")
    out = tmp_path / "s.sarif"
    res = CliRunner().invoke(scan_cmd, ["--quiet", "--region", "x-1", "--checks", "SEG501", "--suppressions", supp,
                                        "--fail-on", "low",
                                        "--sarif-category", "fake/1", "--format", "sarif", "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert seen == {"region": "x-1"}
    run = json.loads(out.read_text())["runs"][0]
    assert run["automationDetails"]["id"] == "fake/1/" and run["results"][0]["suppressions"]
    bad = write(tmp_path, "suppressions: [{check: SEG501}]\n", "bad.yml")
    seen.clear()
    res = CliRunner().invoke(scan_cmd, ["--quiet", "--suppressions", bad])
    assert isinstance(res.exception, InputError) and "bad.yml: suppressions[0]" in str(res.exception)
    assert seen == {}  # it failed before collecting anything
