"""Azure reachability, hand-worked: subnet and NIC NSGs, default rules, ASGs, UDRs, peering."""
from __future__ import annotations

import pytest

from builder import (internet_peer, azure_default_rules, Estate, allow_in, allow_out, app_group, cidr, deny_in, deny_out, local, route, service_tag)
from reach.common import inbound

ANY = cidr("*")




def base(subnet_rules=(), nic_rules=None, udr=(), space=("10.1.0.0/16",), extra=None, no_nsg=False, tag_space=None):
    tag_space = tag_space or space
    e = Estate("azure", "sub-1", "westeurope")
    vnet = e.network("vnet-1", *space)
    e.gateway("vnet-1/internet", "internet", vnet)
    nsg = None if no_nsg else e.policy("nsg-subnets", vnet, rules=[*subnet_rules, *azure_default_rules(*tag_space)])
    nic_nsg = e.policy("nsg-nic", vnet, rules=[*nic_rules, *azure_default_rules(*tag_space)]) if nic_rules is not None else None
    udr_table = [e.route_table("rt-udr", vnet, routes=udr)] if udr else []
    subnets = {}
    for zone, prefix in (("dmz", "10.1.0.0/24"), ("internal", "10.1.1.0/24"), ("data", "10.1.2.0/24")):
        system = e.route_table(f"sn-{zone}/system-routes", vnet, routes=[
            *(local(s, origin="system", priority=100) for s in space),
            route("0.0.0.0/0", "internet", "vnet-1/internet", origin="system", priority=100)])
        subnets[zone] = e.subnet(f"sn-{zone}", vnet, prefix, route_tables=[system, *udr_table],
                                 policies=[nsg] if nsg else [], tags={"Zone": zone})
    e.workload("nic-web", subnets["dmz"], "10.1.0.10", public_ip="198.18.1.10", app_groups=["asg-web"])
    e.workload("nic-app", subnets["internal"], "10.1.1.10", app_groups=["asg-app"],
               policies=[nic_nsg] if nic_nsg else [])
    e.workload("nic-db", subnets["data"], "10.1.2.10", app_groups=["asg-db"],
               policies=[nic_nsg] if nic_nsg else [])
    if extra:
        extra(e)
    return e


def peered(state="active", blocked=False):
    def add(e):
        vnet2 = e.network("vnet-2", "10.2.0.0/16")
        nsg2 = e.policy("nsg-2", vnet2, rules=azure_default_rules("10.2.0.0/16", "10.1.0.0/16"))
        system = e.route_table("sn-mgmt/system-routes", vnet2, routes=[
            local("10.2.0.0/16", origin="system", priority=100),
            route("10.1.0.0/16", "peering", "peer-2to1", origin="system", priority=100)])
        sn = e.subnet("sn-mgmt", vnet2, "10.2.0.0/24", route_tables=[system], policies=[nsg2],
                      tags={"Zone": "management"})
        e.workload("nic-peer", sn, "10.2.0.10")
        e.peering("peer-1to2", "vnet-1", vnet2, route_exchange="automatic", state=state)
        e.peering("peer-2to1", vnet2, "vnet-1", route_exchange="automatic", state=state)
    udr = [route("10.2.0.0/16", "none", "", active=False)] if blocked else ()
    return base(space=("10.1.0.0/16",), extra=add, udr=udr, tag_space=("10.1.0.0/16", "10.2.0.0/16"))


WEB_443 = allow_in("tcp", 443, internet_peer(), priority=100)
DENY_VNET = deny_in("all", None, service_tag("VirtualNetwork", "10.1.0.0/16"), priority=4000)
ALL_ZONES = {"dmz": ["all"], "internal": ["all"], "data": ["all"]}

SCENARIOS = {
    "allow_vnet_inbound_makes_the_vnet_flat": (lambda: base(), "nic-db", {"dmz": ["all"], "internal": ["all"]}),
    "internet_blocked_by_deny_all_inbound": (lambda: base(), "nic-web", {"internal": ["all"], "data": ["all"]}),
    "internet_service_tag_admits_443": (
        lambda: base([WEB_443, DENY_VNET]), "nic-web", {"internet": ["tcp/443"]}),
    "subnet_nsg_allows_nic_nsg_denies": (
        lambda: base([allow_in("tcp", 5432, cidr("10.1.1.0/24"), priority=100), DENY_VNET],
                     nic_rules=[deny_in("tcp", 5432, ANY, priority=100)]), "nic-db", {}),
    "nic_nsg_allows_subnet_nsg_denies": (
        lambda: base([deny_in("tcp", 5432, ANY, priority=100)],
                     nic_rules=[allow_in("tcp", 5432, cidr("10.1.1.0/24"), priority=100), DENY_VNET]),
        "nic-db", {}),
    "asg_to_asg_only": (
        lambda: base([allow_in("tcp", 5432, app_group("asg-app"), targets=[app_group("asg-db")], priority=100),
                      DENY_VNET]), "nic-db", {"internal": ["tcp/5432"]}),
    "deny_at_lower_number_shadows_allow": (
        lambda: base([deny_in("tcp", 5432, ANY, priority=200), allow_in("tcp", 5432, ANY, priority=300), DENY_VNET]),
        "nic-db", {}),
    "outbound_deny_on_source_nic": (
        lambda: base([allow_in("tcp", 5432, cidr("10.1.1.0/24"), priority=100), DENY_VNET],
                     nic_rules=[deny_out("tcp", 5432, ANY, priority=100)]), "nic-db", {}),
    "load_balancer_tag_is_not_the_internet": (
        lambda: base([allow_in("tcp", 443, service_tag("AzureLoadBalancer", "168.63.129.16/32"), priority=100),
                      DENY_VNET]), "nic-web", {}),
    "connected_peering_reaches_across": (peered, "nic-peer", ALL_ZONES),
    "disconnected_peering_carries_nothing": (lambda: peered("inactive"), "nic-peer", {}),
    "udr_next_hop_none_drops_peer_traffic": (lambda: peered(blocked=True), "nic-peer", {}),
    "udr_to_appliance_breaks_direct_internet_inbound": (
        lambda: base([WEB_443, DENY_VNET], udr=[route("0.0.0.0/0", "appliance", "10.1.9.4")]), "nic-web", {}),
    "no_nsg_anywhere_means_open": (
        lambda: base(no_nsg=True), "nic-web", {"internet": ["all"], "internal": ["all"], "data": ["all"]}),
    "any_source_rule": (
        lambda: base([allow_in("tcp", 22, ANY, priority=100), DENY_VNET]), "nic-web",
        {"internet": ["tcp/22"], "internal": ["tcp/22"], "data": ["tcp/22"]}),
    "management_cidr_allowed_before_vnet_deny": (
        lambda: base([allow_in("tcp", 22, cidr("10.1.1.0/24"), priority=100),
                      deny_in("all", None, service_tag("VirtualNetwork", "10.1.0.0/16"), priority=110)]),
        "nic-db", {"internal": ["tcp/22"]}),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(name):
    build, target, expected = SCENARIOS[name]
    assert inbound(build().snapshot(), target) == expected
