"""An on-premises range behind a VPN as a zone of the zone policy: flows from it into the
VPC are judged like any other zone pair, and only where a route carries them back."""
from __future__ import annotations

from dataclasses import replace

import pytest

from builder import Estate, allow_in, allow_out, cidr, hub_blackhole, hub_route, local, route
from scanner import audit as auditing
from scanner.context import AuditContext

ONPREM = "192.168.0.0/16"
POLICY = f"""
version: 1
zones:
  - {{name: internal, trust: 2, match: [{{tags: {{Zone: internal}}}}]}}
  - {{name: management, trust: 4, match: [{{tags: {{Zone: management}}}}]}}
  - {{name: onprem, trust: 1, description: the data centre over the VPN, match: [{{cidr: "{ONPREM}"}}]}}
flows:
  - {{from: onprem, to: management, ports: [tcp/22]}}
"""


def estate(way: str = "vgw"):
    """A VPC whose subnets reach the data centre through a virtual private gateway, a
    transit gateway's VPN attachment, or (way="none") not at all."""
    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16")
    back = {"vgw": [route(ONPREM, "vpn", "vgw-1")], "tgw": [route(ONPREM, "transit", "tgw-1")], "none": []}[way]
    rt = e.route_table("rtb-1", vpc, routes=[local("10.0.0.0/16"), *back])
    e.gateway("vgw-1", "vpn", vpc, remote_cidrs=(ONPREM,))
    mgmt = e.subnet("sn-mgmt", vpc, "10.0.3.0/24", route_tables=[rt], tags={"Zone": "management"})
    app = e.subnet("sn-app", vpc, "10.0.1.0/24", route_tables=[rt], tags={"Zone": "internal"})
    if way == "tgw":
        hub = e.hub("tgw-1")
        table = e.hub_route_table("tgw-rtb-1", hub, routes=[hub_route("10.0.0.0/16", "att-vpc"),
                                                             hub_route(ONPREM, "att-vpn")])
        e.hub_attachment("att-vpc", hub, network=vpc, subnets=[mgmt], route_table=table)
        e.hub_attachment("att-vpn", hub, kind="vpn", route_table=table, remote_cidrs=(ONPREM,))
    out = allow_out("all", None, cidr("0.0.0.0/0"))
    bastion = e.policy("sg-bastion", vpc, rules=[allow_in("tcp", 22, cidr(ONPREM)), out])
    service = e.policy("sg-app", vpc, rules=[allow_in("tcp", 8080, cidr("192.168.10.0/24")), out])
    e.workload("eni-bastion", mgmt, "10.0.3.10", policies=[bastion])
    e.workload("eni-app", app, "10.0.1.10", policies=[service])
    return e.snapshot()


@pytest.mark.parametrize("way", ["vgw", "tgw"])
def test_the_data_centre_reaches_what_its_rules_admit(way):
    reach = AuditContext(estate(way), zone_policy_text=POLICY).reach
    assert reach.inbound("eni-bastion")["onprem"].ports.describe() == ["tcp/22"]
    # a rule for part of the range admits (some of) the zone
    assert reach.inbound("eni-app")["onprem"].ports.describe() == ["tcp/8080"]
    assert "internet" not in reach.inbound("eni-bastion")


def test_without_a_route_back_the_data_centre_reaches_nothing():
    reach = AuditContext(estate("none"), zone_policy_text=POLICY).reach
    assert "onprem" not in reach.inbound("eni-bastion") and "onprem" not in reach.inbound("eni-app")


def test_the_zone_policy_judges_the_flows(tmp_path):
    zones = tmp_path / "zones.yml"
    zones.write_text(POLICY)
    report = auditing.audit(estate("vgw"), include=("SEG203",), zones_file=str(zones))
    flows = {(fl.source, fl.destination, tuple(fl.ports)) for f in report.findings for fl in f.flows}
    # onprem -> internal is not permitted; onprem -> management on SSH is
    assert flows == {("onprem", "internal", ("tcp/8080",))}


@pytest.mark.parametrize("table_route", ["none", "blackhole", "other-vpc"])
def test_a_transit_route_back_counts_only_where_the_hub_sends_the_range_on_premises(table_route):
    """The VPC's route to the transit gateway is not enough: its attachment's table must
    send the range to the VPN attachment (scanner.hubs decides, as for any other flow)."""
    snap = estate("tgw")
    tables = [t for t in snap.hub_route_tables if t.id == "tgw-rtb-1"]
    kept = [r for r in tables[0].routes if r.destination != ONPREM]
    swapped = {"none": [], "blackhole": [hub_blackhole(ONPREM)], "other-vpc": [hub_route(ONPREM, "att-vpc")]}
    table = replace(tables[0], routes=(*kept, *swapped[table_route]))
    snap = replace(snap, hub_route_tables=(table,))
    reach = AuditContext(snap, zone_policy_text=POLICY).reach
    assert "onprem" not in reach.inbound("eni-bastion")
