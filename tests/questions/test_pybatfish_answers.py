"""`query` on real AWS data (pybatfish's hybrid-cloud example, ../shared/external) gives
the answers Batfish's notebook gives (its README lists them). The raw Describe responses
go through the AWS normalizer as the collector's would; the AWS issue's --from-dir will
read the same folder."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.context import AuditContext
from scanner.model import merge
from scanner.ports import PortSet
from scanner.questions.query import query

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "external" / "pybatfish-hybrid-cloud" / "aws_configs"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"external data absent: {DATA}")

EAST_PUBLIC, EAST_PRIVATE = "i-01602d9efaed4409a", "i-04cd3db5124a05ee6"
WEST_PUBLIC, WEST_PRIVATE = "i-02cae6eaa9edeed70", "i-0a5d64b8b58c6dd09"
SSH = PortSet.parse("tcp/22")


@pytest.fixture(scope="module")
def ctx():
    from providers.aws import normalize

    snaps = []
    for region in sorted(p.name for p in DATA.iterdir() if p.is_dir()):
        raw: dict = {}
        for f in sorted((DATA / region).glob("*.json")):
            for key, value in json.loads(f.read_text()).items():
                if isinstance(value, list):
                    raw.setdefault(key, []).extend(value)
        snaps.append(normalize.region_snapshot(raw["Vpcs"][0]["OwnerId"], region, raw))
    return AuditContext(merge(snaps))


def test_1_private_to_public_in_one_region_through_the_transit_gateway(ctx):
    answer = query(ctx, EAST_PRIVATE, EAST_PUBLIC, SSH)
    assert answer.verdict == "allowed"
    (pair,) = answer.pairs
    kinds = [h.kind for h in pair.hops]
    assert kinds == ["egress-policy", "egress-policy", "route", "return-route", "ingress-policy", "ingress-policy"]
    assert "transit tgw-" in pair.hops[2].detail and "transit tgw-" in pair.hops[3].detail


def test_2_across_regions_by_private_address_ends_at_the_internet_gateway(ctx):
    answer = query(ctx, EAST_PUBLIC, "10.40.2.80", SSH)
    assert answer.verdict == "blocked"
    stop = answer.pairs[0].blocked_at
    assert stop.kind == "route-elsewhere" and "0.0.0.0/0 -> internet igw-" in stop.detail


def test_3_across_regions_by_public_address_goes_over_the_internet(ctx):
    answer = query(ctx, EAST_PUBLIC, "54.191.42.182", SSH)
    assert answer.verdict == "allowed"
    assert [h.kind for h in answer.pairs[0].hops][2:5] == ["route", "public-address", "return-route"]


def test_4_from_the_internet_only_the_public_instances(ctx):
    for instance, verdict in ((EAST_PUBLIC, "allowed"), (WEST_PUBLIC, "allowed"),
                              (EAST_PRIVATE, "blocked"), (WEST_PRIVATE, "blocked")):
        assert query(ctx, "internet", instance, SSH).verdict == verdict, instance


def test_5_other_tcp_ports_from_the_internet_only_mysql_on_east2_public(ctx):
    not_ssh = PortSet.parse("tcp/all") - SSH
    open_ = {i: query(ctx, "internet", i, not_ssh).ports.describe()
             for i in (EAST_PUBLIC, EAST_PRIVATE, WEST_PUBLIC, WEST_PRIVATE)}
    assert open_ == {EAST_PUBLIC: ["tcp/3306"], EAST_PRIVATE: [], WEST_PUBLIC: [], WEST_PRIVATE: []}
    rule = query(ctx, "internet", EAST_PUBLIC, PortSet.parse("tcp/3306")).pairs[0].hops[-1].decision
    assert "launch-wizard-1" in rule and "allows tcp/3306" in rule
