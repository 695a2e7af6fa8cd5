"""SARIF as GitHub code scanning receives it (every render is also validated by conftest)."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import output
from builder import Estate
from output import RenderOptions, sarif, sarif_rules
from reports import CHECK_ERROR, GAP, findings, report, suppressed
from scanner import audit as auditing
from scanner.cli import main

ROOT = Path(__file__).parent.parent
SAMPLE = str(ROOT / "examples" / "sample-snapshot.json")


def doc_of(rep, **options) -> dict:
    return json.loads(output.render("sarif", rep, RenderOptions(**options)))


def run_of(rep, **options) -> dict:
    return doc_of(rep, **options)["runs"][0]


def test_sample_audit_twice_gives_identical_valid_sarif(tmp_path):
    paths = [tmp_path / "a.sarif", tmp_path / "b.sarif"]
    for p in paths:
        res = CliRunner().invoke(main, ["audit", SAMPLE, "--checks", "SEG501", "--format", "sarif", "--output", str(p),
                                        "--fail-on", "none"])
        assert res.exit_code == 0, res.output
    assert paths[0].read_bytes() == paths[1].read_bytes()
    doc = json.loads(paths[0].read_text())
    assert sarif_rules.problems(doc) == []
    run = doc["runs"][0]
    assert "automationDetails" not in run
    assert [r["ruleId"] for r in run["results"]] == ["SEG501"]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "cloud/aws/123456789012/eu-west-1/network/vpc-0a1"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_category_only_when_asked():
    assert "automationDetails" not in run_of(report())
    assert run_of(report(), sarif_category="segaudit/aws/123456789012")["automationDetails"] == \
        {"id": "segaudit/aws/123456789012/"}


def test_category_option_reaches_the_file(tmp_path):
    out = tmp_path / "c.sarif"
    res = CliRunner().invoke(main, ["audit", SAMPLE, "--format", "sarif", "--output", str(out),
                                    "--sarif-category", "aws-prod", "--fail-on", "none"])
    assert res.exit_code == 0
    assert json.loads(out.read_text())["runs"][0]["automationDetails"]["id"] == "aws-prod/"


def test_results_name_the_resource_and_carry_the_fingerprint():
    rep = report()
    run = run_of(rep)
    assert len(run["results"]) == len(rep.findings)
    for res, f in zip(run["results"], rep.findings):
        (loc,) = res["locations"]
        assert loc["physicalLocation"] == {"artifactLocation": {"uri": f.resource.uri}, "region": {"startLine": 1}}
        assert f.resource.id in res["message"]["text"]
        assert res["properties"]["resource"]["id"] == f.resource.id
        assert res["partialFingerprints"] == {"primaryLocationLineHash": f.fingerprint}
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == f.check_id


def test_rules_carry_what_code_scanning_shows():
    rules = {r["id"]: r for r in run_of(report())["tool"]["driver"]["rules"]}
    expected = {"SEG101": ("9.5", "error"), "SEG201": ("8.0", "error"), "SEG301": ("5.5", "warning"),
                "SEG401": ("3.0", "note"), "SEG601": ("0.0", "note")}
    for rule_id, (score, level) in expected.items():
        rule = rules[rule_id]
        assert rule["properties"]["security-severity"] == score
        assert rule["defaultConfiguration"]["level"] == level
        assert "security" in rule["properties"]["tags"]
        assert 'cidr_blocks = ["10.0.0.0/8"]' in rule["help"]["markdown"]
        assert "[https://example.org/seg](https://example.org/seg)" in rule["help"]["markdown"]
        assert "Fix " + rule_id in rule["help"]["text"]


def test_clean_scan_lists_every_rule_and_an_empty_results_array():
    e = Estate("aws")
    net = e.network("vpc-1", "10.0.0.0/16")
    e.flow_log("fl-1", net, "network", traffic="all")
    rep = auditing.audit(e.snapshot(), include=["SEG501"])
    run = run_of(rep)
    assert run["results"] == []
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["SEG501"]


def test_gaps_and_check_errors_become_notifications():
    run = run_of(report(gaps=(GAP,), check_errors=(CHECK_ERROR,), notes=("a suppression expired",)))
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False
    texts = {n["descriptor"]["id"]: n for n in inv["toolExecutionNotifications"]}
    assert "ap-south-1" in texts["collection-gap"]["message"]["text"]
    assert "DescribeSecurityGroups" in texts["collection-gap"]["message"]["text"]
    assert texts["check-error"]["associatedRule"]["id"] == "SEG301"
    assert texts["check-error"]["level"] == "error"
    assert texts["audit-note"]["message"]["text"] == "a suppression expired"
    assert run["properties"]["complete"] is False


def test_suppressed_findings_stay_with_a_justification():
    base = report()
    rep = report(findings=tuple(suppressed(f, "known, tracked in JIRA-1") if f.check_id == "SEG201" else f
                                for f in base.findings))
    results = run_of(rep)["results"]
    assert len(results) == len(base.findings)
    marked = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in marked] == ["SEG201"]
    assert marked[0]["suppressions"] == [{"kind": "external", "status": "accepted",
                                          "justification": "known, tracked in JIRA-1"}]


def test_too_many_results_keeps_the_most_severe_and_says_so(monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 7)
    rep = report(findings=findings(n_per_check=3))  # 15 findings, 3 per severity
    run = run_of(rep)
    levels = [r["properties"]["severity"] for r in run["results"]]
    assert levels == ["critical"] * 3 + ["high"] * 3 + ["medium"]
    (note,) = [n for n in run["invocations"][0]["toolExecutionNotifications"]
               if n["descriptor"]["id"] == "results-truncated"]
    assert "8 of 15 results left out" in note["message"]["text"]


def test_odd_resource_ids_become_percent_encoded_relative_paths():
    e = Estate("azure", account="sub 1", region="westeurope")
    net = e.network("/subscriptions/s1/resourceGroups/rg:x/providers/Microsoft.Network/virtualNetworks/v ü",
                    "10.0.0.0/16")
    rep = auditing.audit(e.snapshot(), include=["SEG501"])
    (res,) = run_of(rep)["results"]
    uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert ":" not in uri and " " not in uri and uri.startswith("cloud/azure/sub%201/westeurope/network/")
    assert net.id in res["message"]["text"]


def _two_networks(log_on_a: bool):
    e = Estate("aws", account="123456789012")
    a = e.network("vpc-a", "10.0.0.0/16")
    e.network("vpc-b", "10.1.0.0/16")
    if log_on_a:
        e.flow_log("fl-a", a, "network", traffic="all")
    return auditing.audit(e.snapshot(), include=["SEG501"])


def test_one_change_in_the_estate_changes_exactly_the_affected_result():
    before = run_of(_two_networks(False))["results"]
    after = run_of(_two_networks(True))["results"]
    assert sorted(r["properties"]["resource"]["id"] for r in before) == ["vpc-a", "vpc-b"]
    assert [r["properties"]["resource"]["id"] for r in after] == ["vpc-b"]
    (b_before,) = [r for r in before if r["properties"]["resource"]["id"] == "vpc-b"]
    assert after[0] == b_before  # same fingerprint, same everything


BAD = [
    ("absolute uri", lambda d: _loc(d).update(uri="/etc/x"), "not a relative path"),
    ("scheme", lambda d: _loc(d).update(uri="https://x/y"), "scheme"),
    ("colon", lambda d: _loc(d).update(uri="cloud/a:b"), "':'"),
    ("not encoded", lambda d: _loc(d).update(uri="cloud/a b"), "percent-encoded"),
    ("two locations", lambda d: d["runs"][0]["results"][0]["locations"].append(
        copy.deepcopy(d["runs"][0]["results"][0]["locations"][0])), "exactly one location"),
    ("start line", lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"].update(
        startLine=3), "startLine"),
    ("no fingerprint", lambda d: d["runs"][0]["results"][0].pop("partialFingerprints"), "primaryLocationLineHash"),
    ("numeric severity", lambda d: d["runs"][0]["tool"]["driver"]["rules"][0]["properties"].update(
        {"security-severity": 9.5}), "security-severity"),
    ("no security tag", lambda d: d["runs"][0]["tool"]["driver"]["rules"][0]["properties"].update(tags=["x"]),
     "'security'"),
    ("no help markdown", lambda d: d["runs"][0]["tool"]["driver"]["rules"][0]["help"].pop("markdown"),
     "help.markdown"),
    ("no results array", lambda d: d["runs"][0].pop("results"), "must be an array"),
    ("unknown rule", lambda d: d["runs"][0]["results"][0].update(ruleId="SEG999"), "not a rule of the run"),
    ("id not in message", lambda d: d["runs"][0]["results"][0]["message"].update(text="x"), "does not name"),
    ("related location absolute", lambda d: d["runs"][0]["results"][0].update(relatedLocations=[
        {"id": 0, "physicalLocation": {"artifactLocation": {"uri": "/etc/x"}}}]), "relatedLocations/0"),
    ("related location ids repeat", lambda d: d["runs"][0]["results"][0].update(relatedLocations=[
        {"id": 0, "physicalLocation": {"artifactLocation": {"uri": "cloud/a"}}},
        {"id": 0, "physicalLocation": {"artifactLocation": {"uri": "cloud/b"}}}]), "its own non-negative integer id"),
]


def _loc(doc):
    return doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]


@pytest.mark.parametrize("what,mutate,expected", BAD, ids=[b[0] for b in BAD])
def test_github_validator_rejects_what_github_would(what, mutate, expected):
    doc = doc_of(report())
    mutate(doc)
    problems = sarif_rules.github_problems(doc)
    assert any(expected in p for p in problems), problems


def test_schema_validator_rejects_a_broken_log():
    doc = doc_of(report())
    doc["runs"][0]["results"][0]["level"] = "fatal"
    assert any("fatal" in p for p in sarif_rules.schema_problems(doc))


def test_large_logs_are_written_compact_with_the_same_content(monkeypatch):
    rep = report()
    pretty = output.render("sarif", rep)
    monkeypatch.setattr(sarif, "COMPACT_ABOVE", 2)
    compact = output.render("sarif", rep)
    assert compact.count("\n") == 1 and len(compact) < len(pretty)
    assert json.loads(compact) == json.loads(pretty)
