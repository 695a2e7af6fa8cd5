"""A hub Azure Firewall between two spokes, hand-worked: the appliance's rules are one
more enforcement point for flows a UDR sends through it (docs/model.md)."""
from __future__ import annotations

from dataclasses import replace

from builder import Estate, allow_in, cidr, deny_in, local, route

from reach.common import access, inbound

HUB, SPOKE_A, SPOKE_B = "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"
FIREWALL_IP = "10.1.9.4"


def final_deny():
    return deny_in("all", None, cidr("*"), priority=65535, name="DefaultDeny", platform_default=True)


def A_TO_B_443(priority=200):
    return allow_in("tcp", 443, cidr(SPOKE_A), targets=[cidr(SPOKE_B)], priority=priority, name="a-to-b-https")


def hub_and_spokes(rules=None, target=FIREWALL_IP, firewall_id="fw-hub"):
    """Spokes peered to the hub only; each spoke's UDR sends the other spoke to the firewall.
    `rules=None`: the firewall enforces nothing known (pass-through)."""
    e = Estate("azure", "sub-1", "westeurope")
    hub = e.network("vnet-hub", HUB)
    policies = []
    if rules is not None:
        policies = [e.policy(f"{firewall_id}/networkRules", hub, kind="appliance-firewall", rules=[*rules, final_deny()])]
    e.gateway(firewall_id, "appliance", hub, subnet_id="sn-fw", private_ips=(FIREWALL_IP,),
              policy_ids=tuple(p.id for p in policies))
    e.subnet("sn-fw", hub, "10.1.9.0/26")
    for name, space, other, zone in (("a", SPOKE_A, SPOKE_B, "internal"), ("b", SPOKE_B, SPOKE_A, "data")):
        vnet = e.network(f"vnet-{name}", space)
        system = e.route_table(f"sn-{name}/system-routes", vnet, routes=[
            local(space, origin="system", priority=100),
            route(HUB, "peering", f"peer-{name}-hub", origin="system", priority=100)])
        udr = e.route_table(f"rt-{name}", vnet, routes=[route(other, "appliance", target)])
        sn = e.subnet(f"sn-{name}", vnet, space.replace("0.0/16", "1.0/24"), route_tables=[system, udr],
                      tags={"Zone": zone})
        e.workload(f"nic-{name}", sn, space.replace("0.0/16", "1.10"))
        e.peering(f"peer-{name}-hub", vnet, hub, route_exchange="automatic")
        e.peering(f"peer-hub-{name}", hub, vnet, route_exchange="automatic")
    return e.snapshot()


def test_spoke_a_reaches_b_on_tcp_443_only():
    assert inbound(hub_and_spokes([A_TO_B_443()]), "nic-b") == {"internal": ["tcp/443"]}


def test_spoke_b_reaches_a_on_nothing():
    assert inbound(hub_and_spokes([A_TO_B_443()]), "nic-a") == {}


def test_the_firewall_rule_is_the_evidence():
    evidence = access(hub_and_spokes([A_TO_B_443()]), "nic-b", "internal").evidence
    assert any("appliance-firewall fw-hub/networkRules" in e and "a-to-b-https allows tcp/443 from 10.2.0.0/16" in e
               for e in evidence), evidence
    assert any(f"-> appliance {FIREWALL_IP}" in e for e in evidence), evidence


def test_deny_collection_at_lower_number_shadows_later_allow():
    rules = [deny_in("tcp", 443, cidr(SPOKE_A), priority=100, name="deny-https"),
             allow_in("tcp", [443, 8443], cidr(SPOKE_A), targets=[cidr(SPOKE_B)], priority=200)]
    assert inbound(hub_and_spokes(rules), "nic-b") == {"internal": ["tcp/8443"]}
    assert inbound(hub_and_spokes([rules[0], A_TO_B_443(priority=200)]), "nic-b") == {}


def test_rule_for_another_destination_does_not_open_this_one():
    other = allow_in("tcp", 443, cidr(SPOKE_A), targets=[cidr("10.9.0.0/16")], priority=100)
    assert inbound(hub_and_spokes([other]), "nic-b") == {}


def test_appliance_without_policies_stays_pass_through():
    snap = hub_and_spokes(None)
    assert inbound(snap, "nic-b") == {"internal": ["all"]}
    assert inbound(snap, "nic-a") == {"data": ["all"]}


def test_route_naming_the_appliance_by_id_in_another_case():
    assert inbound(hub_and_spokes([A_TO_B_443()], target="FW-HUB"), "nic-b") == {"internal": ["tcp/443"]}


def test_unknown_next_hop_address_does_not_join_spokes():
    # A bare address that is no known appliance may be a different box in each spoke:
    # it does not make unpeered networks neighbours.
    assert inbound(hub_and_spokes([A_TO_B_443()], target="10.1.9.99"), "nic-b") == {}


def test_firewall_address_in_an_unpeered_network_is_not_the_next_hop():
    snap = hub_and_spokes([A_TO_B_443()])
    # The same address, but the firewall sits in a network neither spoke is peered with.
    moved = replace(snap, gateways=tuple(replace(g, network_id="vnet-far") for g in snap.gateways))
    assert inbound(moved, "nic-b") == {}


def test_appliance_policies_survive_a_snapshot_file_round_trip():
    from scanner import snapshot as snapshot_file

    snap = hub_and_spokes([A_TO_B_443()])
    back = snapshot_file.loads(snapshot_file.dumps(snap))
    assert back == snap and back.gateways[0].policy_ids == ("fw-hub/networkRules",)
    assert inbound(back, "nic-b") == {"internal": ["tcp/443"]}
