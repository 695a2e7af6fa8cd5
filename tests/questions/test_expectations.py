"""`segaudit test`: expectations pass and fail with the query's reason; JUnit XML that
the Jenkins/Ant schema accepts; SARIF valid against the official schema; --init."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

import estates
from builder import allow_in, allow_out, group
from questions.common import run, save

lxml = pytest.importorskip("lxml.etree", reason="lxml validates the JUnit XML (pip install -e .[test])")

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"

EXPECTATIONS = """\
version: 1
expectations:
  - name: web serves the internet
    from: internet
    to: {zone: dmz}
    ports: [tcp/443]
    expect: allowed
  - name: no ssh from the internet
    from: internet
    to: {tags: {Zone: "*"}}
    ports: [tcp/22]
    expect: blocked
  - name: app tier keeps off the bastion
    from: internal
    to: management
    expect: blocked
  - name: orders db from the app only
    from: app-1
    to: {cidr: 10.0.32.0/20}
    ports: [tcp/5432]
    expect: allowed
"""


def write(tmp_path, text=EXPECTATIONS, name="expect.yml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_every_expectation_passes_on_the_reference_design(tmp_path):
    res = run("test", save(tmp_path, estates.aws()), write(tmp_path))
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[-1] == "4 passed, 0 failed (" + str(tmp_path / "expect.yml") + ")"


def test_a_change_that_opens_the_bastion_fails_with_the_reason(tmp_path):
    opened = estates.aws(app=[allow_out("tcp", 22, group("sg-bastion"))], bastion=[allow_in("tcp", 22, group("sg-app"))])
    res = run("test", save(tmp_path, opened), write(tmp_path), "--format", "json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    failed = [e for e in doc["expectations"] if e["result"] == "fail"]
    assert [e["name"] for e in failed] == ["app tier keeps off the bastion"]
    assert "tcp/22 flows (eni-app -> eni-bastion)" in failed[0]["reason"] and failed[0]["line"] == 13


def test_allowed_that_does_not_flow_names_the_first_stop(tmp_path):
    text = EXPECTATIONS + "  - {name: web to db, from: eni-web, to: eni-db, ports: [tcp/5432], expect: allowed}\n"
    res = run("test", save(tmp_path, estates.aws()), write(tmp_path, text))
    assert res.exit_code == 1
    assert "FAIL  web to db" in res.stdout and "first stop: no rule of security-group alb-public" in res.stdout


def test_junit_xml_validates_against_the_jenkins_schema(tmp_path):
    opened = estates.aws(app=[allow_out("tcp", 22, group("sg-bastion"))], bastion=[allow_in("tcp", 22, group("sg-app"))])
    res = run("test", save(tmp_path, opened), write(tmp_path), "--format", "junit")
    schema = lxml.XMLSchema(lxml.parse(str(HERE / "junit-4.xsd")))
    doc = lxml.fromstring(res.stdout.encode())
    schema.assertValid(doc)
    suite = doc.find("testsuite")
    assert suite.get("tests") == "4" and suite.get("failures") == "1"
    failure = doc.find(".//testcase[@name='app tier keeps off the bastion']/failure")
    assert failure is not None and "tcp/22 flows" in failure.get("message")


def test_the_schema_check_is_not_vacuous():
    schema = lxml.XMLSchema(lxml.parse(str(HERE / "junit-4.xsd")))
    assert not schema.validate(lxml.fromstring(b"<testsuites><testsuite name='x'><testcase/></testsuite></testsuites>"))


@pytest.mark.skipif(not SARIF_SCHEMA.exists(), reason="the official SARIF schema is in ../shared/schemas")
def test_sarif_has_a_result_per_failed_expectation_at_its_line(tmp_path):
    opened = estates.aws(app=[allow_out("tcp", 22, group("sg-bastion"))], bastion=[allow_in("tcp", 22, group("sg-app"))])
    res = run("test", save(tmp_path, opened), write(tmp_path), "--format", "sarif")
    doc = json.loads(res.stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(doc)
    results = doc["runs"][0]["results"]
    assert len(results) == 1
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "expect.yml" and location["region"]["startLine"] == 13


@pytest.mark.parametrize("text,message", [
    ("expectations: [{name: a, from: internet, to: dmz, expect: maybe}]", "expectations[0].expect: 'maybe' is not one of"),
    ("expectations: [{name: a, from: internet, to: dmz, ports: [tcp/x], expect: allowed}]",
     "expectations[0].ports: 'tcp/x' has a port"),
    ("expectations: [{name: a, from: internet, to: {zone: nowhere}, expect: blocked}]",
     "expectation 'a': --to: unknown zone 'nowhere'"),
    ("expectations: [{name: a, from: internet, to: {cidr: 10.0.0.300/8}, expect: blocked}]", "is not a valid network"),
    ("expectations: [\n  {name: a", "not valid YAML at line"),
])
def test_bad_files_are_one_line_errors(tmp_path, text, message):
    res = run("test", save(tmp_path, estates.aws()), write(tmp_path, text))
    assert res.exit_code == 2 and message in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_init_writes_the_policy_flows_and_the_seeds_blocked_flows(tmp_path):
    path = save(tmp_path, estates.aws())
    res = run("test", "--init", path)
    doc = yaml.safe_load(res.stdout)
    by_name = {e["name"]: e for e in doc["expectations"]}
    assert by_name["internet reaches dmz"] == {"name": "internet reaches dmz", "from": "internet", "to": "dmz",
                                               "ports": ["tcp/443"], "expect": "allowed",
                                               "description": "through WAF/CDN"}
    for src, dst in (("internet", "internal"), ("internet", "data"), ("dmz", "data"), ("data", "internal"),
                     ("dmz", "management"), ("internal", "management"), ("data", "management")):
        assert by_name[f"{src} cannot reach {dst}"]["expect"] == "blocked"
    # the written file is valid and, on the estate it came from, the seeds' blocked flows hold
    res = run("test", path, write(tmp_path, res.stdout, "init.yml"), "--format", "json")
    outcomes = {e["name"]: e["result"] for e in json.loads(res.stdout)["expectations"]}
    assert all(r == "pass" for n, r in outcomes.items() if "cannot" in n)
    # permitted ports narrowed to what flows today (8080 of the application ports)
    assert by_name["dmz reaches internal"]["ports"] == ["tcp/8080"]
    # a permitted flow nothing uses today is written as the policy has it, and fails until it is built
    assert outcomes["management reaches dmz"] == "fail"
    assert all(r == "pass" for n, r in outcomes.items() if n != "management reaches dmz"), outcomes


def test_an_end_that_matches_nothing_fails_rather_than_passing_as_blocked(tmp_path):
    text = "expectations: [{name: typo, from: internet, to: {tags: {Zone: dataa}}, expect: blocked}]\n"
    res = run("test", save(tmp_path, estates.aws()), write(tmp_path, text))
    assert res.exit_code == 1 and "FAIL  typo" in res.stdout and "nothing is tested" in res.stdout


def test_init_leaves_out_zones_without_workloads(tmp_path):
    e = estates.aws()
    e.items["workloads"] = [w for w in e.items["workloads"] if w.id != "eni-bastion"]
    names = {x["name"] for x in yaml.safe_load(run("test", "--init", save(tmp_path, e)).stdout)["expectations"]}
    assert "internal cannot reach management" not in names and "internet cannot reach data" in names
