"""Odd real-world data through reachability and every check: no exception, the right answer."""
from __future__ import annotations

import pytest

from builder import Estate, allow_in, allow_out, cidr, group, local, route, service_tag, tag
from reach.common import inbound
from scanner.audit import audit

ANY4, ANY6 = cidr("0.0.0.0/0"), cidr("::/0")


def estate(rules, egress=(allow_out("all", None, ANY4), allow_out("all", None, ANY6)), ipv6=False, tags=None):
    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16", *(["2001:db8::/56"] if ipv6 else []), tags=tags or {})
    e.gateway("igw-1", "internet", vpc, requires_public_address=True)
    routes = [local("10.0.0.0/16"), route("0.0.0.0/0", "internet", "igw-1")]
    if ipv6:
        routes += [local("2001:db8::/56"), route("::/0", "internet", "igw-1")]
    rt = e.route_table("rtb-1", vpc, routes=routes)
    sub = e.subnet("sn-web", vpc, "10.0.0.0/24", *(["2001:db8::/64"] if ipv6 else []), route_tables=[rt],
                   tags={"Zone": "dmz", **(tags or {})})
    other = e.subnet("sn-app", vpc, "10.0.1.0/24", *(["2001:db8:0:1::/64"] if ipv6 else []), route_tables=[rt],
                     tags={"Zone": "internal"})
    target = e.policy("sg-target", vpc, rules=rules)
    src = e.policy("sg-src", vpc, rules=list(egress))
    e.workload("eni-target", sub, "10.0.0.10", *(["2001:db8::10"] if ipv6 else []), policies=[target],
               public_ip="198.18.0.1")
    e.workload("eni-src", other, "10.0.1.10", *(["2001:db8:0:1::10"] if ipv6 else []), policies=[src])
    return e.snapshot()


CASES = {
    "protocol_minus_one_without_ports": ([allow_in("-1", None, cidr("10.0.1.0/24"))], {"internal": ["all"]}),
    "port_range_0_to_65535": ([allow_in("tcp", "0-65535", cidr("10.0.1.0/24"))], {"internal": ["tcp/all"]}),
    "icmp_only": ([allow_in("icmp", None, ANY4)], {"internet": ["icmp"], "internal": ["icmp"]}),
    "protocol_number_for_tcp": ([allow_in("6", 22, cidr("10.0.1.0/24"))], {"internal": ["tcp/22"]}),
    "esp_counts_as_other": ([allow_in("50", None, cidr("10.0.1.0/24"))], {"internal": ["other"]}),
    "overlapping_cidrs_merge": ([allow_in("tcp", "20-30", cidr("10.0.0.0/8")), allow_in("tcp", "25-40", cidr("10.0.1.0/24"))],
                                {"internal": ["tcp/20-40"]}),
    "reference_to_a_deleted_group": ([allow_in("tcp", 22, group("sg-deleted"))], {}),
    "reference_to_another_accounts_group": ([allow_in("tcp", 22, group("sg-src", account="999999999999"))],
                                            {"internal": ["tcp/22"]}),
    "ipv4_rule_does_not_admit_ipv6_only_source": ([allow_in("tcp", 22, cidr("2001:db8:ffff::/48"))], {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_odd_rules(name):
    rules, expected = CASES[name]
    assert inbound(estate(rules), "eni-target") == expected


def test_ipv6_everywhere():
    snap = estate([allow_in("tcp", 443, ANY6), allow_in("tcp", 22, cidr("2001:db8:0:1::/64"))], ipv6=True)
    # ::/0 admits the internal source's IPv6 address as well as the internet
    assert inbound(snap, "eni-target") == {"internet": ["tcp/443"], "internal": ["tcp/22", "tcp/443"]}
    report = audit(snap)
    assert not report.check_errors


def test_unicode_and_empty_tags_zone_and_audit():
    snap = estate([allow_in("tcp", 443, ANY4)], tags={"Name": "ünïcødé-网络", "Owner": "", "": ""})
    report = audit(snap)
    assert not report.check_errors
    assert report.findings  # at least the missing flow logs


def test_pending_peering_and_unknown_peer_network_do_not_break_the_audit():
    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16")
    rt = e.route_table("rtb-1", vpc, routes=[local("10.0.0.0/16"), route("10.9.0.0/16", "peering", "pcx-9")])
    sub = e.subnet("sn-1", vpc, "10.0.0.0/24", route_tables=[rt])
    e.peering("pcx-9/vpc-1", vpc, "vpc-not-collected", state="pending", name="pcx-9", peer_account="222222222222")
    e.workload("eni-1", sub, "10.0.0.5", policies=["sg-missing"])
    report = audit(e.snapshot())
    assert not report.check_errors


def test_gcp_rule_with_both_tags_and_service_accounts_and_azure_plural_prefixes():
    g = Estate("gcp", "p", "europe-west1")
    fw = g.policy("net/firewalls", "net", kind="vpc-firewall", rules=[
        allow_in("tcp", 5432, tag("app"), cidr("10.0.9.0/24"), targets=[tag("db")], priority=100),
        allow_out("all", None, ANY4, priority=65535, platform_default=True)])
    net = g.network("net", policy_ids=[fw])
    rt = g.route_table("net/routes", net, routes=[local("10.0.0.0/24"), local("10.0.1.0/24")])
    a = g.subnet("sn-a", net, "10.0.0.0/24", route_tables=[rt])
    b = g.subnet("sn-b", net, "10.0.1.0/24", route_tables=[rt], tags={"Zone": "data"})
    g.workload("vm-app", a, "10.0.0.2", network_tags=["app"], service_accounts=["app@p.iam.gserviceaccount.com"])
    g.workload("vm-db", b, "10.0.1.2", network_tags=["db"])
    assert inbound(g.snapshot(), "vm-db") == {"unzoned": ["tcp/5432"]}
    z = Estate("azure", "s", "westeurope")
    nsg = z.policy("nsg", "vnet", rules=[allow_in("tcp", [22, "8000-8080"], cidr("10.1.0.0/24"), cidr("10.1.1.0/24"),
                                                  service_tag("Storage"), priority=100)])
    vnet = z.network("vnet", "10.1.0.0/16")
    rt = z.route_table("sys", vnet, routes=[local("10.1.0.0/16", origin="system")])
    s1 = z.subnet("sn-1", vnet, "10.1.0.0/24", route_tables=[rt], policies=[nsg])
    s2 = z.subnet("sn-2", vnet, "10.1.1.0/24", route_tables=[rt])
    z.workload("nic-1", s1, "10.1.0.4")
    z.workload("nic-2", s2, "10.1.1.4")
    assert inbound(z.snapshot(), "nic-1") == {"unzoned": ["tcp/22", "tcp/8000-8080"]}
