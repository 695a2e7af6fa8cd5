"""AWS reachability, hand-worked: routes, stateless NACLs, security-group unions."""
from __future__ import annotations

import pytest

from builder import Estate, allow_in, allow_out, cidr, deny_in, group, local, prefix_list, route
from reach.common import access, inbound

ALL = cidr("0.0.0.0/0")


def nacl(e, id, vpc, ingress=None, egress=None):
    ingress = ingress if ingress is not None else [allow_in("all", None, ALL, priority=100)]
    egress = egress if egress is not None else [allow_out("all", None, ALL, priority=100)]
    implicit = [deny_in("all", None, ALL, priority=32767, platform_default=True),
                allow_out("all", None, ALL, priority=32767, platform_default=True, action="deny")]
    return e.policy(id, vpc, rules=[*ingress, *egress, *implicit], kind="network-acl")


def base(data_nacl=None, app_sg_egress=None, web_egress=None, db_rules=None, neighbour=False, app_public=None):
    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16")
    e.gateway("igw-1", "internet", vpc, requires_public_address=True)
    pub = e.route_table("rtb-pub", vpc, routes=[local("10.0.0.0/16"), route("0.0.0.0/0", "internet", "igw-1")])
    priv = e.route_table("rtb-priv", vpc, routes=[local("10.0.0.0/16"), route("0.0.0.0/0", "nat", "nat-1")])
    acl = nacl(e, "acl-default", vpc)
    dmz = e.subnet("sn-dmz", vpc, "10.0.0.0/24", route_tables=[pub], policies=[acl], tags={"Zone": "dmz"})
    app = e.subnet("sn-app", vpc, "10.0.1.0/24", route_tables=[priv], policies=[acl], tags={"Zone": "internal"})
    data = e.subnet("sn-data", vpc, "10.0.2.0/24", route_tables=[priv], policies=[data_nacl(e, vpc) if data_nacl else acl],
                    tags={"Zone": "data"})
    web_sg = e.policy("sg-web", vpc, rules=[allow_in("tcp", 443, ALL), *(web_egress or [allow_out("all", None, ALL)])])
    app_sg = e.policy("sg-app", vpc, rules=[allow_in("tcp", 8080, group("sg-web")),
                                            *(app_sg_egress or [allow_out("all", None, ALL)])])
    db_sg = e.policy("sg-db", vpc, rules=db_rules or [allow_in("tcp", 5432, group("sg-app"))])
    e.workload("eni-web", dmz, "10.0.0.10", policies=[web_sg], public_ip="198.18.0.10")
    e.workload("eni-app", app, "10.0.1.10", policies=[app_sg], public_ip=app_public)
    if neighbour:
        other = e.policy("sg-other", vpc, rules=[allow_out("all", None, ALL)])
        e.workload("eni-neighbour", app, "10.0.1.11", policies=[other])
    e.workload("eni-db", data, "10.0.2.10", policies=[db_sg])
    return e


def peered(route_back=True, state="active", blackhole=False):
    e = base()
    vpc2 = e.network("vpc-2", "10.9.0.0/16")
    # as the collector writes them: one side per VPC, routes target the pcx id (the name)
    e.peering("pcx-1/vpc-1", "vpc-1", vpc2, state=state, name="pcx-1")
    e.peering("pcx-1/vpc-2", vpc2, "vpc-1", state=state, name="pcx-1")
    tbl = e.items["route_tables"]
    tbl[1] = tbl[1].__class__(**{**_fields(tbl[1]), "routes": tbl[1].routes + (
        route("10.9.0.0/16", "peering", "pcx-1", active=not blackhole),)})
    back = [local("10.9.0.0/16")] + ([route("10.0.0.0/16", "peering", "pcx-1")] if route_back else [])
    rt2 = e.route_table("rtb-2", vpc2, routes=back)
    sn2 = e.subnet("sn-2", vpc2, "10.9.1.0/24", route_tables=[rt2], tags={"Zone": "management"})
    sg2 = e.policy("sg-2", vpc2, rules=[allow_in("tcp", 22, cidr("10.0.0.0/16")), allow_out("all", None, ALL)])
    e.workload("eni-peer", sn2, "10.9.1.10", policies=[sg2])
    return e


def _fields(obj):
    return {k: getattr(obj, k) for k in obj.__dataclass_fields__}


def transit(both=True):
    e = peered(route_back=False)
    tbl = e.items["route_tables"]
    tbl[1] = tbl[1].__class__(**{**_fields(tbl[1]), "routes": (local("10.0.0.0/16"), route("10.9.0.0/16", "transit", "tgw-1"))})
    rt2 = tbl[-1]
    extra = (route("10.0.0.0/16", "transit", "tgw-1"),) if both else ()
    tbl[-1] = rt2.__class__(**{**_fields(rt2), "routes": (local("10.9.0.0/16"), *extra)})
    e.items["peerings"] = []
    return e


def pl_estate():
    e = base(db_rules=[allow_in("tcp", 5432, prefix_list("pl-app"))])
    e.prefix_list("pl-app", "10.0.1.0/24")
    return e


SCENARIOS = {
    # 0.0.0.0/0 admits private sources too: the app tier (egress all) reaches 443; the
    # data tier has no egress rule at all.
    "internet_reaches_web_on_443_only": (base, "eni-web", {"internet": ["tcp/443"], "internal": ["tcp/443"]}),
    "db_reached_from_app_group_only": (base, "eni-db", {"internal": ["tcp/5432"]}),
    "app_from_web_group_on_8080": (base, "eni-app", {"dmz": ["tcp/8080"]}),
    "public_ip_behind_nat_route_is_not_reachable_from_internet": (
        lambda: base(app_public="198.18.0.20", db_rules=[allow_in("tcp", 22, ALL)]), "eni-app", {"dmz": ["tcp/8080"]}),
    "nacl_deny_blocks_what_security_group_allows": (
        lambda: base(data_nacl=lambda e, vpc: nacl(e, "acl-data", vpc, ingress=[
            deny_in("tcp", 5432, cidr("10.0.1.0/24"), priority=90), allow_in("all", None, ALL, priority=100)])),
        "eni-db", {}),
    "nacl_first_match_allow_before_later_deny": (
        lambda: base(data_nacl=lambda e, vpc: nacl(e, "acl-data", vpc, ingress=[
            allow_in("tcp", 5432, cidr("10.0.1.0/24"), priority=100), deny_in("all", None, ALL, priority=200)])),
        "eni-db", {"internal": ["tcp/5432"]}),
    "stateless_nacl_without_ephemeral_return_blocks": (
        lambda: base(data_nacl=lambda e, vpc: nacl(e, "acl-data", vpc, egress=[
            allow_out("tcp", 443, ALL, priority=100)])),
        "eni-db", {}),
    "sg_reference_admits_one_interface_not_its_neighbour": (
        lambda: base(neighbour=True), "eni-db", {"internal": ["tcp/5432"]}),
    "cidr_rule_admits_the_whole_subnet": (
        lambda: base(neighbour=True, db_rules=[allow_in("tcp", 5432, cidr("10.0.1.0/24"))]),
        "eni-db", {"internal": ["tcp/5432"]}),
    "source_egress_limits_the_flow": (
        lambda: base(web_egress=[allow_out("tcp", 8080, group("sg-app"))],
                     db_rules=[allow_in("tcp", 5432, cidr("10.0.0.0/16"))]),
        "eni-db", {"internal": ["tcp/5432"]}),
    "egress_union_of_two_rules": (
        lambda: base(app_sg_egress=[allow_out("tcp", 5432, group("sg-db")), allow_out("tcp", 5433, group("sg-db"))],
                     db_rules=[allow_in("tcp", "5432-5440", group("sg-app"))]),
        "eni-db", {"internal": ["tcp/5432-5433"]}),
    # only rtb-priv carries the pcx route: the dmz subnet (rtb-pub) has no way there
    "peering_with_routes_on_both_sides": (peered, "eni-peer", {"internal": ["tcp/22"]}),
    "peering_with_a_route_on_one_side_only": (lambda: peered(route_back=False), "eni-peer", {}),
    "pending_peering_carries_nothing": (lambda: peered(state="pending"), "eni-peer", {}),
    "blackhole_route_drops": (lambda: peered(blackhole=True), "eni-peer", {}),
    "transit_gateway_routes_both_ways": (transit, "eni-peer", {"internal": ["tcp/22"]}),
    "transit_gateway_one_way_only": (lambda: transit(both=False), "eni-peer", {}),
    "prefix_list_peer": (pl_estate, "eni-db", {"internal": ["tcp/5432"]}),
    "protocol_all_self_reference_flattens_a_tier": (lambda: _two_dbs(), "eni-db2", {"data": ["all"]}),
}


def _two_dbs():
    e = base(db_rules=[allow_in("all", None, group("sg-db")), allow_out("all", None, ALL)])
    e.workload("eni-db2", e.items["subnets"][2], "10.0.2.11", policies=["sg-db"])
    return e


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(name):
    build, target, expected = SCENARIOS[name]
    assert inbound(build().snapshot(), target) == expected


def test_neighbour_is_not_among_the_sources():
    found = access(base(neighbour=True).snapshot(), "eni-db", "internal")
    assert found.sources == ("eni-app",)
    assert any("sg-db" in line and "tcp/5432" in line for line in found.evidence)


def test_cross_account_group_reference_matches_by_group_id():
    e = base(db_rules=[allow_in("tcp", 5432, group("sg-app", account="222222222222"))])
    assert inbound(e.snapshot(), "eni-db") == {"internal": ["tcp/5432"]}
