"""What a user reads in the findings: one per resource and cause, merged evidence, keys."""
from __future__ import annotations

import threezone as estates
from builder import Estate, allow_in, cidr
from scanner import engine
from scanner.context import AuditContext

CHECKS = {c.meta.id: c for c in engine.discover()}


def run(check_id, snapshot):
    result = engine.run([CHECKS[check_id]], AuditContext(snapshot))
    assert not result.errors
    return result.findings


def test_seg301_merges_every_offending_rule_of_a_policy_into_one_finding():
    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16")
    sg = e.policy("sg-db", vpc, name="db", rules=[
        allow_in("tcp", 5432, cidr("10.0.1.0/24"), id="sgr-1"),
        allow_in("tcp", 5432, cidr("10.0.2.0/24"), id="sgr-2"),
        allow_in("tcp", 6379, cidr("192.168.0.0/16"), id="sgr-3"),
        allow_in("tcp", 443, cidr("0.0.0.0/0"), id="sgr-public")])
    e.workload("eni-1", e.subnet("sn-1", vpc, "10.0.1.0/24"), "10.0.1.5", policies=[sg])
    [finding] = run("SEG301", e.snapshot())
    assert finding.resource.id == "sg-db" and finding.resource.type == "security-group"
    assert finding.message.startswith("Security group db (sg-db) admits tcp/5432, tcp/6379 from 10.0.1.0/24, "
                                      "10.0.2.0/24, 192.168.0.0/16 by address")
    assert "on the workloads it guards (1 workload now)" in finding.message
    assert [ev.split(":")[0] for ev in finding.evidence] == ["sgr-1", "sgr-2", "sgr-3"]


def test_seg205_one_finding_per_non_production_peer_keyed_by_its_network():
    e = Estate("aws")
    prod = e.network("vpc-prod", "10.0.0.0/16", tags={"env": "prod"})
    for n, env in ((1, "dev"), (2, "test"), (3, "prod")):
        other = e.network(f"vpc-{n}", f"10.{n}.0.0/16", tags={"env": env})
        e.peering(f"pcx-{n}", prod, other)
        e.peering(f"pcx-{n}", other, prod)
    findings = run("SEG205", e.snapshot())
    assert sorted(f.key for f in findings) == ["vpc-1", "vpc-2"]
    assert {f.resource.id for f in findings} == {"vpc-prod"}
    assert len({f.fingerprint for f in findings}) == 2


def test_seg304_two_causes_on_one_network_are_two_keyed_findings():
    findings = run("SEG304", estates.aws(default_vpc=True, single_subnet=True).snapshot())
    on_vpc = sorted(f.key for f in findings if f.resource.id == "vpc-1")
    assert on_vpc == ["default-network", "single-subnet"]
    [mixed] = [f for f in findings if f.resource.id == "sn-dmz"]
    assert mixed.zones == ("data", "dmz", "internal")


def test_zone_findings_carry_the_zone_and_why_it_was_assigned():
    [finding] = run("SEG204", estates.aws().snapshot())
    assert finding.zones == ("data",)
    [route] = run("SEG201", estates.aws(data_route="nat").snapshot())
    assert route.zones == ("data",)
    assert "zone data: tag Zone=data" in route.evidence
    assert "route 0.0.0.0/0 -> nat nat-1 in rtb-data" in route.evidence


def test_same_snapshot_same_findings():
    snap = estates.azure().snapshot()
    for check_id in CHECKS:
        assert run(check_id, snap) == run(check_id, snap)
