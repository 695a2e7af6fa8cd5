"""AWS transit gateways as AWS evaluates them, hand-worked: a packet is looked up only in
the associated table of the attachment it arrives by (longest prefix, static before
propagated, blackholes drop), and the way back is looked up from the destination's side."""
from __future__ import annotations

import ipaddress

import pytest

from builder import Estate, allow_in, allow_out, cidr, hub_blackhole, hub_route, local, merge_estates, route
from reach.common import inbound
from scanner.context import AuditContext

ALL = cidr("0.0.0.0/0")
PROD, DEV, SHARED = "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"


def spoke(e, name, space, zone, hub="tgw-1", az="us-east-1a", attach_az="us-east-1a", attach=True):
    """A VPC routing 10.0.0.0/8 to the hub, one subnet, one workload admitting tcp/22 from 10/8."""
    vpc = e.network(f"vpc-{name}", space, tags={"Environment": name})
    rt = e.route_table(f"rtb-{name}", vpc, routes=[local(space), route("10.0.0.0/8", "transit", hub)])
    sn = e.subnet(f"sn-{name}", vpc, space.replace("0.0/16", "1.0/24"), route_tables=[rt], tags={"Zone": zone},
                  availability_zone=az)
    sg = e.policy(f"sg-{name}", vpc, rules=[allow_in("tcp", 22, cidr("10.0.0.0/8")), allow_out("all", None, ALL)])
    e.workload(f"eni-{name}", sn, space.replace("0.0/16", "1.10"), policies=[sg])
    if attach:
        tgw_sn = e.subnet(f"sn-{name}-tgw", vpc, space.replace("0.0/16", "255.0/28"), availability_zone=attach_az)
        return vpc, tgw_sn
    return vpc, None


def hub(tables, azs=None, blackhole=(), static=()):
    """Three spokes on tgw-1. `tables`: {table: (associated spokes, propagating spokes)}."""
    e = Estate("aws")
    e.hub("tgw-1")
    spaces = {"prod": (PROD, "internal"), "dev": (DEV, "data"), "shared": (SHARED, "management")}
    associated = {name: table for table, (assoc, _prop) in tables.items() for name in assoc}
    for name, (space, zone) in spaces.items():
        az = (azs or {}).get(name, "us-east-1a")
        vpc, tgw_sn = spoke(e, name, space, zone, az=az)
        e.hub_attachment(f"tgw-attach-{name}", "tgw-1", network=vpc, subnets=[tgw_sn],
                         route_table=associated.get(name, ""), availability_zones=["us-east-1a"])
    for table, (_assoc, propagating) in tables.items():
        routes = [hub_route(spaces[n][0], f"tgw-attach-{n}", origin="propagated") for n in propagating]
        routes += [hub_blackhole(d) for t, d in blackhole if t == table]
        routes += [hub_route(d, a) for t, d, a in static if t == table]
        e.hub_route_table(table, "tgw-1", routes=routes)
    return e


SEGMENTED = {"rt-prod": (["prod"], ["prod", "shared"]), "rt-dev": (["dev"], ["dev", "shared"]),
             "rt-shared": (["shared"], ["prod", "dev", "shared"])}
FLAT = {"rt-all": (["prod", "dev", "shared"], ["prod", "dev", "shared"])}

SCENARIOS = {
    "segmented_tables_keep_dev_from_prod": (lambda: hub(SEGMENTED), "eni-prod", {"management": ["tcp/22"]}),
    "segmented_tables_keep_prod_from_dev": (lambda: hub(SEGMENTED), "eni-dev", {"management": ["tcp/22"]}),
    "shared_reaches_both": (lambda: hub(SEGMENTED), "eni-shared", {"internal": ["tcp/22"],
                                                                    "data": ["tcp/22"]}),
    "one_shared_table_joins_everything": (lambda: hub(FLAT), "eni-prod", {"management": ["tcp/22"],
                                                                          "data": ["tcp/22"]}),
    # rt-shared blackholes prod's range: shared's packets (and so replies to prod) drop
    "blackhole_in_the_return_table_drops": (
        lambda: hub(SEGMENTED, blackhole=[("rt-shared", PROD)]), "eni-prod", {}),
    # a blackhole narrower than a propagated route wins by prefix length
    "narrower_blackhole_wins": (
        lambda: hub(SEGMENTED, blackhole=[("rt-shared", "10.1.1.0/24")]), "eni-prod", {}),
    # static beats propagated on the same prefix: the static route sends prod's range to dev
    "static_beats_propagated_on_a_tie": (
        lambda: hub(SEGMENTED, static=[("rt-shared", PROD, "tgw-attach-dev")]), "eni-prod", {}),
    # dev is associated with rt-dev but propagates nowhere: dev -> shared goes, nothing comes back
    "associated_without_propagation_is_one_way": (
        lambda: hub({"rt-dev": (["dev"], ["shared"]), "rt-shared": (["shared"], ["shared"])}), "eni-shared", {}),
    "an_unassociated_attachment_drops_what_arrives": (
        lambda: hub({"rt-prod": (["prod"], ["prod", "shared"]), "rt-shared": ([], ["prod", "shared"])}),
        "eni-prod", {}),
    # prod's workload sits in us-east-1b; its attachment has a subnet only in us-east-1a
    "attachment_missing_the_source_az": (
        lambda: hub(SEGMENTED, azs={"prod": "us-east-1b"}), "eni-shared", {"data": ["tcp/22"]}),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(name):
    build, target, expected = SCENARIOS[name]
    assert inbound(build().snapshot(), target) == expected


def _usable(snap, src_subnet, dst_network, address):
    ctx = AuditContext(snap)
    subnet = ctx.index.subnet(src_subnet)
    hop = ctx.routing.lookup(subnet, address)
    return ctx.routing.usable(hop, subnet, dst_network, address), ctx.routing.transit_path(hop, subnet, dst_network,
                                                                                            address)


def test_one_way_forward_is_usable_and_the_return_is_not():
    snap = hub({"rt-dev": (["dev"], ["shared"]), "rt-shared": (["shared"], ["shared"])}).snapshot()
    assert _usable(snap, "sn-dev", "vpc-shared", "10.3.1.10") == (True, [
        "enters tgw-1 by attachment tgw-attach-dev",
        "rt-dev route 10.3.0.0/16 -> attachment tgw-attach-shared (propagated)"])
    assert _usable(snap, "sn-shared", "vpc-dev", "10.2.1.10") == (False, [
        "enters tgw-1 by attachment tgw-attach-shared", "rt-shared: no route to 10.2.1.10"])


def test_the_az_and_blackhole_reasons_are_said():
    snap = hub(SEGMENTED, azs={"prod": "us-east-1b"}, blackhole=[("rt-dev", SHARED)]).snapshot()
    assert _usable(snap, "sn-prod", "vpc-shared", "10.3.1.10") == (
        False, ["attachment tgw-attach-prod has no subnet in us-east-1b"])
    assert _usable(snap, "sn-dev", "vpc-shared", "10.3.1.10") == (
        False, ["enters tgw-1 by attachment tgw-attach-dev", "rt-dev route 10.3.0.0/16 is a blackhole"])


def test_az_of_the_attachment_subnets_counts_when_the_attachment_lists_none():
    e = hub(SEGMENTED, azs={"prod": "us-east-1b"})
    e.items["hub_attachments"] = [a.__class__(**{**{k: getattr(a, k) for k in a.__dataclass_fields__},
                                                "availability_zones": ()}) for a in e.items["hub_attachments"]]
    # the attachment's subnet sn-prod-tgw is in us-east-1a: still no way from us-east-1b
    assert _usable(e.snapshot(), "sn-prod", "vpc-shared", "10.3.1.10")[0] is False


def test_a_hub_not_collected_still_carries():
    e = Estate("aws")
    spoke(e, "a", PROD, "internal", hub="tgw-x", attach=False)
    spoke(e, "b", DEV, "data", hub="tgw-x", attach=False)
    assert inbound(e.snapshot(), "eni-b") == {"internal": ["tcp/22"]}


def test_a_missing_route_table_does_not_hide_the_flow():
    e = hub(SEGMENTED)
    e.items["hub_route_tables"] = [t for t in e.items["hub_route_tables"] if t.id != "rt-shared"]
    assert inbound(e.snapshot(), "eni-prod") == {"management": ["tcp/22"]}


def peered_regions(static_back=True):
    """tgw-east (us-east-1) and tgw-west (us-west-2) peered, with static routes to each other."""
    east, west = Estate("aws", region="us-east-1"), Estate("aws", region="us-west-2")
    for e, name, space, zone, tgw, other_space in ((east, "east", PROD, "internal", "tgw-east", DEV),
                                                  (west, "west", DEV, "data", "tgw-west", PROD)):
        e.hub(tgw)
        az = f"{e.region}a"
        vpc, tgw_sn = spoke(e, name, space, zone, hub=tgw, az=az, attach_az=az)
        e.hub_attachment(f"tgw-attach-{name}", tgw, network=vpc, subnets=[tgw_sn], route_table=f"rt-{name}")
        peer = "tgw-west" if tgw == "tgw-east" else "tgw-east"
        e.hub_attachment(f"tgw-attach-peer/{tgw}", tgw, kind="peering", name="tgw-attach-peer",
                         peer_hub_id=peer, route_table=f"rt-{name}")
        routes = [hub_route(space, f"tgw-attach-{name}", origin="propagated")]
        if static_back or name == "east":
            routes.append(hub_route(other_space, "tgw-attach-peer"))
        e.hub_route_table(f"rt-{name}", tgw, routes=routes)
    return merge_estates(east, west)


def test_peering_across_regions_with_static_routes_on_both_sides():
    assert inbound(peered_regions(), "eni-west") == {"internal": ["tcp/22"]}
    assert inbound(peered_regions(), "eni-east") == {"data": ["tcp/22"]}


def test_peering_with_a_static_route_on_one_side_only():
    assert inbound(peered_regions(static_back=False), "eni-west") == {}


def test_peering_path_is_told_hop_by_hop():
    assert _usable(peered_regions(), "sn-east", "vpc-west", "10.2.1.10") == (True, [
        "enters tgw-east by attachment tgw-attach-east",
        "rt-east route 10.2.0.0/16 -> attachment tgw-attach-peer (user)",
        "over peering tgw-attach-peer to tgw-west",
        "rt-west route 10.2.0.0/16 -> attachment tgw-attach-west (propagated)"])


def test_vpn_attachment_and_vpn_gateway_lead_on_premises():
    e = hub(SEGMENTED)
    e.hub_attachment("tgw-attach-vpn", "tgw-1", kind="vpn", route_table="rt-shared",
                     remote_cidrs=["192.168.0.0/16"])
    tables = e.items["hub_route_tables"]
    tables[0] = tables[0].__class__(**{**{k: getattr(tables[0], k) for k in tables[0].__dataclass_fields__},
                                       "routes": tables[0].routes + (hub_route("192.168.0.0/16", "tgw-attach-vpn"),)})
    rt = e.items["route_tables"][0]
    e.items["route_tables"][0] = rt.__class__(**{**{k: getattr(rt, k) for k in rt.__dataclass_fields__},
                                                "routes": rt.routes + (route("192.168.0.0/16", "transit", "tgw-1"),)})
    vpc = e.network("vpc-vgw", "10.9.0.0/16")
    e.gateway("vgw-1", "vpn", vpc, remote_cidrs=("172.16.0.0/12",))
    vrt = e.route_table("rtb-vgw", vpc, routes=[local("10.9.0.0/16"), route("172.16.0.0/12", "vpn", "vgw-1")])
    e.subnet("sn-vgw", vpc, "10.9.1.0/24", route_tables=[vrt])
    snap = e.snapshot()
    assert _usable(snap, "sn-prod", "", "192.168.1.5")[0] is True
    assert _usable(snap, "sn-dev", "", "192.168.1.5")[0] is False  # rt-dev has no route on-premises
    assert _usable(snap, "sn-vgw", "", "172.16.3.4")[0] is True
    assert _usable(snap, "sn-vgw", "vpc-prod", "172.16.3.4")[0] is False  # a known network is not on-premises


def test_lookups_are_cached_per_attachment_and_address():
    ctx = AuditContext(hub(SEGMENTED).snapshot())
    subnet = ctx.index.subnet("sn-prod")
    address = ipaddress.ip_address("10.3.1.10")
    hop = ctx.routing.lookup(subnet, address)
    assert ctx.routing.usable(hop, subnet, "vpc-shared", address)
    first = ctx.routing.hubs._lookups.copy()
    assert ctx.routing.usable(hop, subnet, "vpc-shared", address)
    assert ctx.routing.hubs._lookups == first and len(first) == 1
