"""`segaudit flows`, `paths` (a three-zone chain) and `diff` (a change that opens app -> management)."""
from __future__ import annotations

import csv
import io
import json

import estates
import threezone
from builder import allow_in, allow_out, group
from questions.common import run, save


# -- flows ---------------------------------------------------------------------------------------
def test_workload_map_as_csv(tmp_path):
    res = run("flows", save(tmp_path, estates.aws()), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert res.exit_code == 0
    assert {"source": "eni-web", "destination": "eni-app", "connection": "tcp/8080", "source_zone": "dmz",
            "destination_zone": "internal"} in rows
    assert {"source": "internet", "destination": "eni-web", "connection": "tcp/443", "source_zone": "internet",
            "destination_zone": "dmz"} in rows


def test_zone_matrix_judges_each_flow_against_the_policy(tmp_path):
    opened = estates.aws(app=[allow_out("tcp", 22, group("sg-bastion"))], bastion=[allow_in("tcp", 22, group("sg-app"))])
    doc = json.loads(run("flows", save(tmp_path, opened), "--by", "zone", "--format", "json").stdout)
    rows = {(c["source"], c["destination"]): c for c in doc["connections"]}
    assert rows[("internet", "dmz")] == {"source": "internet", "destination": "dmz", "connection": ["tcp/443"],
                                         "permitted": True, "violating": []}
    assert rows[("internal", "management")]["permitted"] is False
    assert rows[("internal", "management")]["violating"] == ["tcp/22"]


def test_text_map_reads_like_np_guard(tmp_path):
    out = run("flows", save(tmp_path, estates.aws())).stdout
    assert "eni-app[internal] => eni-db[data] : tcp/5432" in out.splitlines()


# -- paths ---------------------------------------------------------------------------------------
def test_three_zone_chain_is_three_hops_with_the_rule_of_each(tmp_path):
    path = save(tmp_path, threezone.aws())
    res = run("paths", path, "--from", "internet", "--to", "data", "--format", "json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 1 and doc["reachable"] == 1
    (found,) = doc["paths"]
    assert [(s["from"], s["to"], s["ports"]) for s in found["steps"]] == [
        ("internet", "eni-web", ["tcp/443"]), ("eni-web", "eni-app", ["tcp/8080"]), ("eni-app", "eni-db", ["tcp/5432"])]
    assert any("sg-db" in r and "allows tcp/5432" in r for r in found["steps"][2]["rules"])
    within = doc["blast_radius"][0]["within"]
    assert doc["blast_radius"][0]["foothold"] == "internet"
    assert within["1"] == {"dmz": 1} and within["2"] == {"dmz": 1, "internal": 1}
    assert within["3"] == {"data": 1, "dmz": 1, "internal": 1}


def test_max_hops_cuts_the_chain(tmp_path):
    res = run("paths", save(tmp_path, threezone.aws()), "--from", "internet", "--to", "data", "--max-hops", "2")
    assert res.exit_code == 0 and res.stdout.startswith("0 of 1 targets reachable within 2 hops")


def test_foothold_in_a_zone_and_markdown_draws_mermaid(tmp_path):
    res = run("paths", save(tmp_path, threezone.aws()), "--from", "dmz", "--to", "eni-db", "--format", "markdown")
    assert "```mermaid" in res.stdout and '-->|"tcp/8080"|' in res.stdout
    assert "| `eni-web` | internal 1 | data 1, internal 1 |" in res.stdout


def test_paths_input_error(tmp_path):
    res = run("paths", save(tmp_path, threezone.aws()), "--from", "internet", "--to", "nowhere")
    assert res.exit_code == 2 and "--to: 'nowhere'" in res.stderr


# -- diff ----------------------------------------------------------------------------------------
def opened_app_to_management():
    return estates.aws(app=[allow_out("tcp", 22, group("sg-bastion"))], bastion=[allow_in("tcp", 22, group("sg-app"))])


def test_diff_flags_a_change_that_opens_app_to_management(tmp_path):
    old, new = save(tmp_path, estates.aws(), "old.json"), save(tmp_path, opened_app_to_management(), "new.json")
    res = run("diff", old, new, "--format", "json", "--fail-on", "none")
    assert res.exit_code == 1  # a forbidden flow fails whatever --fail-on says
    doc = json.loads(res.stdout)
    assert doc["zone_flows"]["opened"] == [{"source": "internal", "destination": "management", "ports": ["tcp/22"],
                                            "forbidden": ["tcp/22"]}]
    assert doc["workload_flows"]["opened"] == 1
    assert doc["workload_flows"]["opened_sample"][0]["source"] == "eni-app"
    assert {f["check_id"] for f in doc["findings"]["new"]} >= {"SEG402"} and doc["findings"]["unchanged"] >= 0
    assert doc["forbidden_flows_opened"] == 1


def test_diff_markdown_for_a_pull_request(tmp_path):
    old, new = save(tmp_path, estates.aws(), "old.json"), save(tmp_path, opened_app_to_management(), "new.json")
    out = run("diff", old, new, "--format", "markdown").stdout
    assert "**This change opens flows the zone policy forbids.**" in out
    assert "| ⛔ opened | internal | management | tcp/22 (not permitted: tcp/22) |" in out
    assert "| new | SEG402 | high | `sg-bastion` |" in out  # the cause: the rule admitting app


def test_closing_the_flow_passes_and_reports_the_fix(tmp_path):
    old, new = save(tmp_path, opened_app_to_management(), "old.json"), save(tmp_path, estates.aws(), "new.json")
    res = run("diff", old, new, "--format", "json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 0
    assert doc["zone_flows"]["closed"][0]["destination"] == "management" and not doc["zone_flows"]["opened"]
    assert "SEG402" in {f["check_id"] for f in doc["findings"]["fixed"]}


def test_gaps_that_appear_and_a_new_finding_at_fail_on(tmp_path):
    broken = estates.aws(flow_logs=False)
    broken.error(region="eu-west-1", service="ec2", operation="DescribeFlowLogs", code="AccessDenied")
    old, new = save(tmp_path, estates.aws(), "old.json"), save(tmp_path, broken, "new.json")
    doc = json.loads(run("diff", old, new, "--format", "json", "--fail-on", "none").stdout)
    assert doc["gaps"]["appeared"][0]["code"] == "AccessDenied" and not doc["gaps"]["went"]
    assert run("diff", old, new, "--fail-on", "none").exit_code == 0
    assert run("diff", old, new, "--fail-on", "low").exit_code == 1  # SEG501 flow logs missing is new
