"""The issue-12 benchmark estates keep their shape: built tiny, checked structurally.

Timing lives in benchmarks/engine_scale.py; this only stops the generators rotting.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from scanner import snapshot as snapshot_file
from scanner.context import AuditContext
from scanner.model import merge

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import azure_hub  # noqa: E402
import gcp_shared_vpc  # noqa: E402
import hubspoke  # noqa: E402


@pytest.fixture(scope="module")
def aws():
    return hubspoke.build(200)  # 10 VPCs


def tables_by_id(snap):
    return {t.id: t for t in snap.route_tables}


def test_aws_environments_and_tiers(aws):
    envs = Counter(n.tags["Environment"] for n in aws.networks)
    assert envs == {"prod": 4, "dev": 2, "staging": 2, "shared": 2}
    assert sum(p.kind == "security-group" for p in aws.policies) == 200
    per_vpc = Counter(s.network_id for s in aws.subnets)
    assert set(per_vpc.values()) == {4}
    zones = AuditContext(aws).zones
    assert all(zones.subnet_zone(s.id) == s.tags["Zone"] for s in aws.subnets)
    assert Counter(s.tags["Zone"] for s in aws.subnets) == {z: 10 for z in ("dmz", "internal", "data", "management")}
    # one table per subnet plus the main table
    assert len(aws.route_tables) == 5 * len(aws.networks)
    assert len({s.route_table_ids for s in aws.subnets}) == len(aws.subnets)
    assert sum(t.is_main for t in aws.route_tables) == len(aws.networks)
    assert sum(any(":" in c for c in n.cidrs) for n in aws.networks) == 1  # IPv6 on 10 %


def test_aws_routes_by_tier(aws):
    tables = tables_by_id(aws)
    for sn in aws.subnets:
        routes = tables[sn.route_table_ids[0]].routes
        default = {r.target_kind for r in routes if r.destination == "0.0.0.0/0"}
        zone = sn.tags["Zone"]
        assert default == {"dmz": {"internet"}, "internal": {"nat"}, "management": {"nat"}, "data": set()}[zone]
        if zone == "data":
            assert {r.target_kind for r in routes} == {"local", "endpoint"}
            assert any(r.destination_prefix_list == hubspoke.S3[0] and r.target_kind == "endpoint" for r in routes)


def test_aws_transit_routes_only_in_mgmt_tables_of_attached_vpcs(aws):
    attached = {g.network_id for g in aws.gateways if g.kind == "transit"}
    envs = {n.id: n.tags["Environment"] for n in aws.networks}
    assert {envs[n] for n in attached} == {"prod", "shared"}
    assert len([n for n in attached if envs[n] == "prod"]) == 2  # every other prod VPC
    zone_of = {t: s.tags["Zone"] for s in aws.subnets for t in s.route_table_ids}
    with_transit = [t for t in aws.route_tables if any(r.target_kind == "transit" for r in t.routes)]
    assert {t.network_id for t in with_transit} == attached
    assert {zone_of.get(t.id) for t in with_transit} == {"management"}
    assert all(r.destination == "10.0.0.0/8" and r.target_id == hubspoke.TGW
               for t in with_transit for r in t.routes if r.target_kind == "transit")


def test_aws_peering_both_sides_with_routes(aws):
    sides = {(p.name, p.network_id): p for p in aws.peerings}
    cidr = {n.id: n.cidrs[0] for n in aws.networks}
    routes = {(t.network_id, r.destination, r.target_id) for t in aws.route_tables for r in t.routes
              if r.target_kind == "peering"}
    hubs = {n.id for n in aws.networks if n.tags["Environment"] == "shared"}
    for p in aws.peerings:
        assert p.id == f"{p.name}/{p.network_id}" and (p.name, p.peer_network_id) in sides
        assert (p.network_id, cidr[p.peer_network_id], p.name) in routes
    hub_peers = {p.peer_network_id for p in aws.peerings if p.network_id in hubs}
    envs = {n.id: n.tags["Environment"] for n in aws.networks}
    assert {envs[n] for n in hub_peers} == {"prod", "dev", "staging", "shared"}


def test_aws_rules_prefix_lists_and_interfaces(aws):
    corp = next(pl for pl in aws.prefix_lists if pl.name == "corporate-networks")
    assert len(corp.cidrs) == len(set(corp.cidrs)) == 250
    groups = [p for p in aws.policies if p.kind == "security-group"]
    rules = [r for p in groups for r in p.rules]
    assert 9 <= len(rules) / len(groups) <= 11
    peers = Counter(peer.kind for r in rules for peer in r.peers)
    assert {"cidr", "group", "prefix-list"} <= set(peers)
    assert any(peer.value == corp.id for r in rules for peer in r.peers)
    assert any(r.direction == "egress" for r in rules)
    vpc_of = {p.id: p.network_id for p in groups}
    peered = {(p.network_id, p.peer_network_id) for p in aws.peerings}
    across = [(p.network_id, vpc_of[peer.value]) for p in groups for r in p.rules for peer in r.peers
              if peer.kind == "group" and vpc_of[peer.value] != p.network_id]
    assert across and all(pair in peered for pair in across)
    acls = [p for p in aws.policies if p.kind == "network-acl"]
    assert all(not p.stateful and p.evaluation == "first-match" for p in acls)
    assert all({(r.direction, r.priority) for r in p.rules if r.platform_default} >=
               {("ingress", 32767), ("egress", 32767)} for p in acls)
    enis = [w for w in aws.workloads if w.owner_kind != "nat"]
    assert len(enis) == 2 * len(groups)
    public_subnets = {s.id for s in aws.subnets if s.tags["Zone"] == "dmz"}
    assert all((w.subnet_id in public_subnets) == bool(w.public_ips) for w in enis)
    assert any(len([ip for ip in w.private_ips if ":" not in ip]) == 2 for w in enis)
    assert 0 < sum(w.owner_kind == "other" and not w.owner_id for w in enis) < len(enis) // 20  # ~1 % detached


def test_aws_round_trip_is_schema_valid_and_seeded(aws):
    assert snapshot_file.loads(snapshot_file.dumps(aws)) == aws
    assert hubspoke.build(200) == aws and hubspoke.build(200, seed=13) != aws


def test_accounts_share_the_shape_and_resolve_once_merged():
    parts = hubspoke.build_accounts(3, 100)
    assert [len(p.accounts) for p in parts] == [1, 1, 1]
    assert all({n.account for n in p.networks} == {p.accounts[0].id} for p in parts)
    merged = merge(parts)
    sides = {(p.name, p.network_id) for p in merged.peerings}
    assert all((p.name, p.peer_network_id) in sides for p in merged.peerings)
    assert any(p.peer_account != p.account for p in merged.peerings)
    assert {g.service for g in merged.gateways if g.kind == "transit"} == {hubspoke.TGW}
    owner = {p.id: p.account for p in merged.policies}
    refs = [(p.account, peer) for p in merged.policies for r in p.rules for peer in r.peers if peer.kind == "group"]
    assert all((peer.account or acct) == owner[peer.value] for acct, peer in refs)
    assert any(peer.account for _, peer in refs)
    alone = merge(hubspoke.build_accounts(3, 100, cross_account=False))
    assert all(p.peer_account == p.account for p in alone.peerings)


def test_gcp_shared_vpc_shape():
    snap = gcp_shared_vpc.build(workloads=200, subnets=20, rules=100)
    (net,) = snap.networks
    assert {w.network_id for w in snap.workloads} == {net.id} and len(snap.subnets) == 20
    kinds = {p.id: (p.kind, p.chain_order) for p in snap.policies}
    assert [kinds[i] for i in net.policy_ids] == [
        ("hierarchical-firewall-policy", 0), ("vpc-firewall", 100), ("network-firewall-policy", 200)]
    vpc = next(p for p in snap.policies if p.kind == "vpc-firewall")
    assert len([r for r in vpc.rules if not r.platform_default]) == 100
    assert {t.kind for r in vpc.rules for t in r.targets} == {"tag", "service-account"}
    assert {"tag", "service-account", "cidr"} <= {p.kind for r in vpc.rules for p in r.peers}
    assert {w.account for w in snap.workloads} <= set(gcp_shared_vpc.SERVICE_PROJECTS)
    zones = AuditContext(snap).zones
    expected = {"dmz": "dmz", "app": "internal", "data": "data", "mgmt": "management"}
    assert all(zones.subnet_zone(s.id) == expected[s.name.split("-")[1]] for s in snap.subnets)
    assert snapshot_file.loads(snapshot_file.dumps(snap)) == snap


def test_azure_hub_firewall_shape():
    snap = azure_hub.build(workloads=60, spokes=10, subscriptions=3)
    (fw,) = [g for g in snap.gateways if g.kind == "appliance"]
    policies = {p.id: p for p in snap.policies}
    assert [policies[i].kind for i in fw.policy_ids] == ["appliance-firewall"]
    spokes = [n for n in snap.networks if n.id != azure_hub.HUB]
    assert len(spokes) == 10
    pairs = {(p.network_id, p.peer_network_id) for p in snap.peerings}
    assert all((s.id, azure_hub.HUB) in pairs and (azure_hub.HUB, s.id) in pairs for s in spokes)
    tables = tables_by_id(snap)
    for sn in snap.subnets:
        if sn.network_id == azure_hub.HUB:
            continue
        udr = [r for t in sn.route_table_ids for r in tables[t].routes if r.origin == "user"]
        assert {(r.destination, r.target_kind, r.target_id) for r in udr} == {
            ("0.0.0.0/0", "appliance", azure_hub.FIREWALL_IP), ("10.0.0.0/8", "appliance", azure_hub.FIREWALL_IP)}
    nsg_peers = {p.kind for pol in snap.policies if pol.kind == "nsg" for r in pol.rules for p in (*r.peers, *r.targets)}
    assert {"app-group", "service-tag", "internet", "cidr"} <= nsg_peers
    zones = AuditContext(snap).zones
    expected = {"snet-web": "dmz", "snet-app": "internal", "snet-data": "data", "snet-mgmt": "management"}
    assert all(zones.subnet_zone(s.id) == expected.get(s.name) for s in snap.subnets)
    assert snapshot_file.loads(snapshot_file.dumps(snap)) == snap


def test_azure_spoke_to_spoke_traffic_crosses_the_firewall():
    snap = azure_hub.build(workloads=40, spokes=4, subscriptions=2)
    ctx = AuditContext(snap)
    network = {w.id: w.network_id for w in snap.workloads}
    crossing = [c.policy_id for w in snap.workloads for f in ctx.reach.flows_into(w.id)
                if any(network.get(s, w.network_id) not in (w.network_id, azure_hub.HUB) for s in f.sources)
                for c in f.causes]
    assert azure_hub.FIREWALL_RULES in crossing
