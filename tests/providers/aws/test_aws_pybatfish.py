"""The answers Batfish gives on pybatfish's real two-region "hybrid-cloud" AWS data, from
`--from-dir` on the folder as it sits beside the project (never copied in)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from providers.aws.offline import snapshot_from_dir
from scanner.cli import main
from scanner.context import AuditContext

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "external" / "pybatfish-hybrid-cloud" / "aws_configs"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"pybatfish hybrid-cloud data not at {DATA}")

# instance -> its primary interface (Reservations.json)
EAST2_PUBLIC, EAST2_PRIVATE = "eni-01997085076a9b98a", "eni-05452497daf80ccb3"
WEST2_PUBLIC, WEST2_PRIVATE = "eni-087e18628dadd9b48", "eni-00c224f9b6797aa04"
INSTANCES = (EAST2_PUBLIC, EAST2_PRIVATE, WEST2_PUBLIC, WEST2_PRIVATE)


@pytest.fixture(scope="module")
def ctx():
    return AuditContext(snapshot_from_dir(str(DATA)))


def ports_from(ctx, source, target):
    return [p for f in ctx.reach.flows_into(target) if source in f.sources for p in f.ports.describe()]


def test_the_four_instances_are_read(ctx):
    owners = {w.id: w.owner_id for w in ctx.snapshot.workloads if w.owner_kind == "instance"}
    assert owners == {EAST2_PUBLIC: "i-01602d9efaed4409a", EAST2_PRIVATE: "i-04cd3db5124a05ee6",
                      WEST2_PUBLIC: "i-02cae6eaa9edeed70", WEST2_PRIVATE: "i-0a5d64b8b58c6dd09"}


def test_1_east2_private_reaches_east2_public_on_ssh_through_the_transit_gateway(ctx):
    assert "tcp/22" in ports_from(ctx, EAST2_PRIVATE, EAST2_PUBLIC)
    flow = next(f for f in ctx.reach.flows_into(EAST2_PUBLIC) if EAST2_PRIVATE in f.sources)
    assert any("-> transit tgw-06b348adabd13452d" in e for e in flow.evidence), flow.evidence
    private, public = ctx.index.subnet("subnet-0cb5f4c094bee5214"), "10.20.1.207"
    hop = ctx.routing.lookup(private, public)
    assert ctx.routing.transit_path(hop, private, "vpc-0574d08f8d05917e4", public) == [
        "enters tgw-06b348adabd13452d by attachment tgw-attach-021f89744fac566dd",
        "tgw-rtb-00e37bc5142347b03 route 10.20.0.0/16 -> attachment tgw-attach-0648110513acd6de5 (propagated)"]


def test_2_east2_public_does_not_reach_west2_public_private_address(ctx):
    assert ports_from(ctx, EAST2_PUBLIC, WEST2_PUBLIC) == []
    subnet = ctx.index.subnet("subnet-06a692ed4ef84368d")
    hop = ctx.routing.lookup(subnet, "10.40.2.80")
    assert hop.route.target_kind == "internet"  # 0.0.0.0/0 to the IGW, where a private address is dropped
    assert not ctx.routing.usable(hop, subnet, ctx.index.workloads[WEST2_PUBLIC].network_id, "10.40.2.80")
    assert not any(EAST2_PUBLIC in f.sources or EAST2_PRIVATE in f.sources
                   for w in (WEST2_PUBLIC, WEST2_PRIVATE) for f in ctx.reach.flows_into(w))


def test_3_east2_public_reaches_west2_public_over_the_internet(ctx):
    east = ctx.index.workloads[EAST2_PUBLIC]
    out = ctx.routing.internet_egress(ctx.index.subnet(east.subnet_id), east)
    assert out is not None and out.via == "internet" and out.gateway_id == "igw-02fd68f94367a67c7"
    assert "tcp/22" in ctx.reach.inbound(WEST2_PUBLIC)["internet"].ports.describe()


def test_4_from_the_internet_only_the_public_instances(ctx):
    reached = {w for w in INSTANCES if "internet" in ctx.reach.inbound(w)}
    assert reached == {EAST2_PUBLIC, WEST2_PUBLIC}


def test_5_other_internet_ports_only_mysql_on_east2_public(ctx):
    internet = {w: ctx.reach.inbound(w)["internet"] for w in (EAST2_PUBLIC, WEST2_PUBLIC)}
    assert internet[EAST2_PUBLIC].ports.describe() == ["tcp/22", "tcp/3306"]
    assert internet[WEST2_PUBLIC].ports.describe() == ["tcp/22"]
    mysql = [c for c in internet[EAST2_PUBLIC].causes if "tcp/3306" in c.ports.describe()]
    group = ctx.index.policy(mysql[0].policy_id)
    assert group.name == "launch-wizard-1" and mysql[0].direction == "ingress"


def test_missing_files_are_gaps_naming_the_api_call(ctx):
    gaps = {(e.region, e.operation, e.code) for e in ctx.snapshot.errors}
    assert ("us-east-2", "DescribeSecurityGroupRules", "FileMissing") in gaps
    assert ("us-west-2", "DescribeFlowLogs", "FileMissing") in gaps
    assert ("us-east-2", "SearchTransitGatewayRoutes", "NotRead") in gaps  # the VPN's BGP routes
    assert {a.id for a in ctx.snapshot.accounts} == {"554773406868"}


def test_snapshot_from_dir_on_the_command_line(tmp_path):
    out = tmp_path / "snap.json"
    result = CliRunner().invoke(main, ["snapshot", "aws", "--from-dir", str(DATA), "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert len(doc["hub_route_tables"]) == 2 and len(doc["hubs"]) == 2
    assert "gap: aws/554773406868/us-east-2/ec2 DescribeFlowLogs: FileMissing" in result.stderr
