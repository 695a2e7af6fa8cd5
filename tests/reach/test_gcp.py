"""GCP reachability, hand-worked: network-wide first-match rules, tags, service accounts."""
from __future__ import annotations

import pytest

from builder import (Estate, allow_in, allow_out, cidr, deny_in, deny_out, local, route, service_account, tag)
from reach.common import inbound

ALL = cidr("0.0.0.0/0")
IMPLIED = [deny_in("all", None, ALL, priority=65535, platform_default=True, id="implied-deny-ingress"),
           allow_out("all", None, ALL, priority=65535, platform_default=True, id="implied-allow-egress")]


def base(rules=(), hierarchical=None, default_route=True, route_tags=(), extra=None):
    e = Estate("gcp", "proj-1", "europe-west1")
    policies = []
    if hierarchical is not None:
        policies.append(e.policy("org-policy", "", rules=hierarchical, kind="hierarchical-firewall-policy"))
    policies.append(e.policy("projects/proj-1/global/networks/net/firewalls", "net", rules=[*rules, *IMPLIED]))
    net = e.network("net", policy_ids=policies)
    e.gateway("net/internet", "internet", net, requires_public_address=True)
    routes = [local("10.0.0.0/24"), local("10.0.1.0/24"), local("10.0.2.0/24")]
    if default_route:
        routes.append(route("0.0.0.0/0", "internet", "net/internet", priority=1000, instance_tags=tuple(route_tags)))
    rt = e.route_table("net/routes", net, routes=routes)
    dmz = e.subnet("sn-dmz", net, "10.0.0.0/24", route_tables=[rt], name="dmz")
    app = e.subnet("sn-app", net, "10.0.1.0/24", route_tables=[rt], name="internal")
    data = e.subnet("sn-data", net, "10.0.2.0/24", route_tables=[rt], name="data")
    e.workload("vm-web", dmz, "10.0.0.10", public_ip="198.18.0.10", network_tags=["web"],
               service_accounts=["web@proj-1.iam.gserviceaccount.com"])
    e.workload("vm-app", app, "10.0.1.10", network_tags=["app"], service_accounts=["app@proj-1.iam.gserviceaccount.com"])
    e.workload("vm-db", data, "10.0.2.10", network_tags=["db"])
    e.workload("vm-untagged", data, "10.0.2.11")
    if extra:
        extra(e)
    return e


def peered(state="active"):
    def add(e):
        net2 = e.network("net2", policy_ids=[e.policy("net2/firewalls", "net2", rules=[
            allow_in("tcp", 22, cidr("10.0.0.0/8")), *IMPLIED])])
        rt2 = e.route_table("net2/routes", net2, routes=[local("10.8.0.0/24")])
        sn = e.subnet("sn-mgmt", net2, "10.8.0.0/24", route_tables=[rt2], name="management")
        e.workload("vm-peer", sn, "10.8.0.10")
        e.peering("peer-a", "net", net2, route_exchange="automatic", state=state)
        e.peering("peer-b", net2, "net", route_exchange="automatic", state=state)
    return base(extra=add)


WEB_443 = allow_in("tcp", 443, ALL, targets=[tag("web")], priority=1000)
DB_FROM_APP = allow_in("tcp", 5432, tag("app"), targets=[tag("db")], priority=1000)

SCENARIOS = {
    "implied_deny_ingress_blocks_everything": (lambda: base(), "vm-web", {}),
    "web_from_anywhere_on_443": (lambda: base([WEB_443]), "vm-web",
                                 {"internet": ["tcp/443"], "internal": ["tcp/443"], "data": ["tcp/443"]}),
    "higher_priority_deny_shadows_allow": (
        lambda: base([deny_in("tcp", 443, ALL, priority=900), WEB_443]), "vm-web", {}),
    "deny_wins_a_priority_tie": (
        lambda: base([allow_in("tcp", 443, ALL, priority=1000), deny_in("tcp", 443, ALL, priority=1000)]), "vm-web", {}),
    "target_tag_selects_some_instances_only": (lambda: base([DB_FROM_APP]), "vm-db", {"internal": ["tcp/5432"]}),
    "untagged_instance_not_targeted": (lambda: base([DB_FROM_APP]), "vm-untagged", {}),
    "source_service_account": (
        lambda: base([allow_in("tcp", 5432, service_account("app@proj-1.iam.gserviceaccount.com"),
                               targets=[tag("db")])]), "vm-db", {"internal": ["tcp/5432"]}),
    "external_address_needed_from_internet": (
        lambda: base([allow_in("tcp", 22, ALL, targets=[tag("app")])]), "vm-app",
        {"dmz": ["tcp/22"], "data": ["tcp/22"]}),
    "egress_deny_on_source_blocks": (
        lambda: base([DB_FROM_APP, deny_out("tcp", 5432, cidr("10.0.2.0/24"), targets=[tag("app")], priority=100)]),
        "vm-db", {}),
    "default_allow_internal_makes_it_flat": (
        lambda: base([allow_in("all", None, cidr("10.0.0.0/8"), priority=65534, name="default-allow-internal")]),
        "vm-db", {"dmz": ["all"], "internal": ["all"], "data": ["all"]}),
    "disabled_rule_has_no_effect": (
        lambda: base([allow_in("tcp", 5432, tag("app"), targets=[tag("db")], enabled=False)]), "vm-db", {}),
    "hierarchical_deny_overrides_vpc_allow": (
        lambda: base([WEB_443], hierarchical=[deny_in("tcp", 443, ALL, priority=10)]), "vm-web", {}),
    "hierarchical_goto_next_lets_vpc_rules_decide": (
        lambda: base([WEB_443], hierarchical=[allow_in("tcp", 443, ALL, priority=10, action="next")]), "vm-web",
        {"internet": ["tcp/443"], "internal": ["tcp/443"], "data": ["tcp/443"]}),
    "hierarchical_allow_is_final": (
        lambda: base([deny_in("tcp", 443, ALL, priority=1)], hierarchical=[allow_in("tcp", 443, ALL, priority=10)]),
        "vm-web", {"internet": ["tcp/443"], "internal": ["tcp/443"], "data": ["tcp/443"]}),
    "active_peering_exchanges_subnet_routes": (peered, "vm-peer", {"dmz": ["tcp/22"], "internal": ["tcp/22"],
                                                                   "data": ["tcp/22"]}),
    "inactive_peering_carries_nothing": (lambda: peered("inactive"), "vm-peer", {}),
    "no_default_route_no_internet": (lambda: base([WEB_443], default_route=False), "vm-web",
                                     {"internal": ["tcp/443"], "data": ["tcp/443"]}),
    "tagged_default_route_skips_untagged_instance": (
        lambda: base([WEB_443], route_tags=["egress"]), "vm-web", {"internal": ["tcp/443"], "data": ["tcp/443"]}),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(name):
    build, target, expected = SCENARIOS[name]
    assert inbound(build().snapshot(), target) == expected
