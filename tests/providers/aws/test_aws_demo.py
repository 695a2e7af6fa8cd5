"""`segaudit demo`: the planted estate is collected as planted, and the command reports it."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from providers.aws.demo import ZONES, demo_snapshot
from scanner import snapshot as snapshot_file
from scanner.cli import main


@pytest.fixture(scope="module")
def demo():
    planted: dict[str, str] = {}
    return demo_snapshot(planted=planted), planted


def by_id(items):
    return {i.id: i for i in items}


def ingress(policy):
    return {(r.protocol, tuple((p.first, p.last) for p in r.ports), r.peers[0].kind, r.peers[0].value)
            for r in policy.rules if r.direction == "ingress"}


def test_zones_and_environments_are_tagged(demo):
    snap, ids = demo
    nets = by_id(snap.networks)
    assert nets[ids["prod_vpc"]].tags["Environment"] == "production"
    assert nets[ids["dev_vpc"]].tags["Environment"] == "development"
    subnets = by_id(snap.subnets)
    for zone, cidr in ZONES.items():
        assert subnets[ids[f"{zone}_subnet"]].tags["Zone"] == zone and subnets[ids[f"{zone}_subnet"]].cidrs == (cidr,)
    assert subnets[ids["dmz_subnet"]].assigns_public_ips


def test_planted_rules(demo):
    snap, ids = demo
    policies = by_id(snap.policies)
    # data admits postgres from the app subnet's CIDR, not from the app group
    assert ingress(policies[ids["data_sg"]]) == {("tcp", ((5432, 5432),), "cidr", "10.0.16.0/20")}
    # management admits SSH from the app tier
    assert ("tcp", ((22, 22),), "group", ids["app_sg"]) in ingress(policies[ids["management_sg"]])
    # RDP open to the world on the app group, whose instance has a public IP
    assert ("tcp", ((3389, 3389),), "cidr", "0.0.0.0/0") in ingress(policies[ids["app_sg"]])
    app = next(w for w in snap.workloads if w.owner_id == ids["app_instance"])
    assert app.public_ips == (ids["app_public_ip"],) and app.policy_ids == (ids["app_sg"],)
    assert app.owner_name == "app-1" and app.tags["Zone"] == "internal"
    # the default group is in use and admits traffic
    default = policies[ids["default_sg"]]
    assert default.is_default and ingress(default)
    legacy = next(w for w in snap.workloads if w.owner_id == ids["legacy_instance"])
    assert legacy.policy_ids == (ids["default_sg"],)


def test_planted_routes_peering_and_no_flow_logs(demo):
    snap, ids = demo
    tables = by_id(snap.route_tables)
    subnets = by_id(snap.subnets)
    assert subnets[ids["data_subnet"]].route_table_ids == (ids["data_rt"],)
    assert ("0.0.0.0/0", "nat", ids["nat"]) in {(r.destination, r.target_kind, r.target_id)
                                                for r in tables[ids["data_rt"]].routes}
    assert ("0.0.0.0/0", "internet", ids["igw"]) in {(r.destination, r.target_kind, r.target_id)
                                                     for r in tables[ids["dmz_rt"]].routes}
    assert ("10.1.0.0/16", "peering", ids["peering"]) in {(r.destination, r.target_kind, r.target_id)
                                                          for r in tables[ids["internal_rt"]].routes}
    assert ("10.0.0.0/16", "peering", ids["peering"]) in {(r.destination, r.target_kind, r.target_id)
                                                          for r in tables[ids["dev_rt"]].routes}
    sides = {p.network_id: p for p in snap.peerings if p.name == ids["peering"]}
    assert set(sides) == {ids["prod_vpc"], ids["dev_vpc"]} and all(p.state == "active" for p in sides.values())
    assert by_id(snap.gateways)[ids["nat"]].subnet_id == ids["dmz_subnet"]
    assert snap.flow_logs == () and snap.complete


def test_demo_command_reports_and_saves(tmp_path):
    saved, report = tmp_path / "demo.json", tmp_path / "report.json"
    res = CliRunner().invoke(main, ["demo", "--save-snapshot", str(saved), "--format", "json",
                                    "--output", str(report)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "SEG501" in json.dumps(json.loads(report.read_text()))
    snap = snapshot_file.read(saved)
    assert any(n.tags.get("Environment") == "production" for n in snap.networks)


def test_demo_prints_the_text_report_and_exits_0_despite_findings():
    res = CliRunner().invoke(main, ["demo"], catch_exceptions=False)
    assert res.exit_code == 0  # the demo is meant to have findings: --fail-on defaults to none
    assert "SEG501" in res.stdout and "Network prod has no flow logs" in res.stdout
