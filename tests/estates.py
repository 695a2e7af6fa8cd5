"""The seeds' reference design on each cloud, done right, with knobs to plant mistakes.

Each builder returns an Estate with four zones (dmz, internal, data, management), one
workload per zone: a web/load-balancer tier with a public address, an app tier, a
database, a bastion. Pass extra rules or change a knob to plant one of the seeds' common
mistakes; with no arguments the estate is clean.
"""
from __future__ import annotations

from builder import (azure_default_rules, Estate, allow_in, allow_out, app_group, cidr, deny_in, deny_out, group, local, route,
                     service_tag, tag)
from scanner.model import Peer

ANY4 = cidr("0.0.0.0/0")
INTERNET = Peer(kind="internet")
IAP = cidr("35.235.240.0/20")


def aws(web=(), app=(), db=(), bastion=(), app_public=False, data_route=None, flow_logs=True,
        default_sg_attached=False, account="111111111111", vpc_id="vpc-prod", env="production") -> Estate:
    e = Estate("aws", account, "eu-west-1")
    vpc = e.network(vpc_id, "10.0.0.0/16", tags={"Environment": env})
    e.gateway("igw-1", "internet", vpc, requires_public_address=True)
    e.gateway("nat-1", "nat", vpc, subnet_id="sn-dmz")
    rt = {
        "dmz": [local("10.0.0.0/16"), route("0.0.0.0/0", "internet", "igw-1")],
        "internal": [local("10.0.0.0/16"), route("0.0.0.0/0", "nat", "nat-1")],
        "data": [local("10.0.0.0/16"), *([data_route] if data_route else [])],
        "management": [local("10.0.0.0/16")],
    }
    acl = e.policy("acl-1", vpc, kind="network-acl", is_default=True, rules=[
        allow_in("all", None, ANY4, priority=100), allow_out("all", None, ANY4, priority=100),
        deny_in("all", None, ANY4, priority=32767, platform_default=True),
        deny_out("all", None, ANY4, priority=32767, platform_default=True)])
    e.policy("sg-default", vpc, is_default=True, name="default",
             rules=[allow_in("all", None, group("sg-default")), allow_out("all", None, ANY4)] if default_sg_attached else [])
    sgs = {
        "web": e.policy("sg-web", vpc, name="alb-public", rules=[
            allow_in("tcp", 443, ANY4), allow_out("tcp", 8080, group("sg-app")), *web]),
        "app": e.policy("sg-app", vpc, name="app-internal", rules=[
            allow_in("tcp", 8080, group("sg-web")), allow_in("tcp", 22, group("sg-bastion")),
            allow_out("tcp", 5432, group("sg-db")), *app]),
        "db": e.policy("sg-db", vpc, name="data-isolated", rules=[
            allow_in("tcp", 5432, group("sg-app")), allow_in("tcp", 22, group("sg-bastion")), *db]),
        "bastion": e.policy("sg-bastion", vpc, name="bastion", rules=[
            allow_out("tcp", 22, group("sg-app")), allow_out("tcp", 22, group("sg-db")), *bastion]),
    }
    cidrs = {"dmz": "10.0.0.0/20", "internal": "10.0.16.0/20", "data": "10.0.32.0/20", "management": "10.0.48.0/20"}
    subnets = {}
    for zone, c in cidrs.items():
        table = e.route_table(f"rtb-{zone}", vpc, routes=rt[zone])
        subnets[zone] = e.subnet(f"sn-{zone}", vpc, c, route_tables=[table], policies=[acl], tags={"Zone": zone})
    e.workload("eni-web", subnets["dmz"], "10.0.0.10", policies=[sgs["web"]], public_ip="198.18.0.10",
               owner_kind="load-balancer", owner_name="shop-alb")
    app_policies = [sgs["app"], "sg-default"] if default_sg_attached else [sgs["app"]]
    e.workload("eni-app", subnets["internal"], "10.0.16.10", policies=app_policies,
               public_ip="198.18.0.20" if app_public else None, owner_name="app-1")
    e.workload("eni-db", subnets["data"], "10.0.32.10", policies=[sgs["db"]], owner_kind="database",
               owner_name="orders-db")
    e.workload("eni-bastion", subnets["management"], "10.0.48.10", policies=[sgs["bastion"]], owner_name="bastion")
    if flow_logs:
        e.flow_log("fl-1", vpc, "network")
    return e


GCP_IMPLIED = [deny_in("all", None, ANY4, priority=65535, platform_default=True, id="implied-deny-ingress"),
               allow_out("all", None, ANY4, priority=65535, platform_default=True, id="implied-allow-egress")]


def gcp(rules=(), app_public=False, nat_data=False, flow_logs=True, network="prod-net", project="shop-prod",
        is_default=False) -> Estate:
    e = Estate("gcp", project, "europe-west1")
    base_rules = [
        allow_in("tcp", 443, ANY4, targets=[tag("web")], priority=1000, name="allow-https-web"),
        allow_in("tcp", 8080, tag("web"), targets=[tag("app")], priority=1000, name="allow-web-app"),
        allow_in("tcp", 5432, tag("app"), targets=[tag("db")], priority=1000, name="allow-app-db"),
        allow_in("tcp", 22, IAP, targets=[tag("bastion")], priority=1000, name="allow-iap-bastion"),
        allow_in("tcp", 22, tag("bastion"), targets=[tag("app"), tag("db")], priority=1000, name="allow-bastion-ssh"),
        allow_out("tcp", 8080, cidr("10.10.1.0/24"), targets=[tag("web")], priority=1000, name="web-egress-app"),
        allow_out("tcp", 5432, cidr("10.10.2.0/24"), targets=[tag("app")], priority=1000, name="app-egress-db"),
        allow_out("tcp", 22, cidr("10.10.0.0/16"), targets=[tag("bastion")], priority=1000, name="bastion-egress"),
        deny_out("all", None, ANY4, targets=[tag("db"), tag("app"), tag("web"), tag("bastion")], priority=65000,
                 name="deny-egress"),
    ]
    fw = e.policy(f"{network}/firewalls", network, rules=[*rules, *base_rules, *GCP_IMPLIED])
    net = e.network(network, policy_ids=[fw], is_default=is_default, tags={"env": "prod"})
    e.gateway(f"{network}/internet", "internet", net, requires_public_address=True)
    cidrs = {"dmz": "10.10.0.0/24", "internal": "10.10.1.0/24", "data": "10.10.2.0/24", "management": "10.10.3.0/24"}
    table = e.route_table(f"{network}/routes", net, routes=[
        *(local(c, origin="system") for c in cidrs.values()),
        route("0.0.0.0/0", "internet", f"{network}/internet", priority=1000, origin="system")])
    subnets = {z: e.subnet(f"sn-{z}", net, c, route_tables=[table], name=f"{z}-subnet") for z, c in cidrs.items()}
    if nat_data:
        e.gateway("router-1/nat", "nat", net, nat_subnet_ids=[subnets["data"]])
    e.workload("vm-web", subnets["dmz"], "10.10.0.10", public_ip="198.18.2.10", network_tags=["web"])
    e.workload("vm-app", subnets["internal"], "10.10.1.10", network_tags=["app"],
               public_ip="198.18.2.20" if app_public else None)
    e.workload("vm-db", subnets["data"], "10.10.2.10", network_tags=["db"])
    e.workload("vm-bastion", subnets["management"], "10.10.3.10", network_tags=["bastion"])
    if flow_logs:
        for s in subnets.values():
            e.flow_log(f"fl-{s.id}", s, "subnet")
    return e




def azure(rules=(), app_public=False, firewall_udr=True, deny_vnet=True, flow_logs=True,
          subscription="sub-prod") -> Estate:
    e = Estate("azure", subscription, "westeurope")
    space = ("10.20.0.0/16",)
    vnet_tag = service_tag("VirtualNetwork", *space)
    base_rules = [
        allow_in("tcp", 443, INTERNET, targets=[app_group("asg-web")], priority=100, name="https-in"),
        allow_in("tcp", 8080, app_group("asg-web"), targets=[app_group("asg-app")], priority=110, name="web-to-app"),
        allow_in("tcp", 5432, app_group("asg-app"), targets=[app_group("asg-db")], priority=120, name="app-to-db"),
        allow_in("tcp", 22, app_group("asg-bastion"), targets=[app_group("asg-app"), app_group("asg-db")],
                 priority=130, name="bastion-ssh"),
        *([deny_in("all", None, vnet_tag, priority=4000, name="deny-vnet-in")] if deny_vnet else []),
        # the data tier makes no outbound connections (seeds; SEG204)
        deny_out("all", None, INTERNET, targets=[app_group("asg-db")], priority=4000, name="deny-data-internet-out"),
    ]
    nsg = e.policy("nsg-zones", "vnet-prod", rules=[*rules, *base_rules, *azure_default_rules(*space)])
    vnet = e.network("vnet-prod", *space, tags={"environment": "prod"})
    e.gateway("vnet-prod/internet", "internet", vnet)
    e.gateway("fw-1", "appliance", vnet, private_ips=("10.20.9.4",))
    udr = e.route_table("rt-to-firewall", vnet, routes=[route("0.0.0.0/0", "appliance", "10.20.9.4")])
    cidrs = {"dmz": "10.20.0.0/24", "internal": "10.20.1.0/24", "data": "10.20.2.0/24", "management": "10.20.3.0/24"}
    subnets = {}
    for zone, c in cidrs.items():
        system = e.route_table(f"sn-{zone}/system-routes", vnet, routes=[
            local(space[0], origin="system", priority=100),
            route("0.0.0.0/0", "internet", "vnet-prod/internet", origin="system", priority=100)])
        tables = [system, udr] if firewall_udr and zone in ("internal", "data", "management") else [system]
        subnets[zone] = e.subnet(f"sn-{zone}", vnet, c, route_tables=tables, policies=[nsg], tags={"zone": zone})
    e.workload("nic-web", subnets["dmz"], "10.20.0.10", public_ip="198.18.3.10", app_groups=["asg-web"])
    e.workload("nic-app", subnets["internal"], "10.20.1.10", app_groups=["asg-app"],
               public_ip="198.18.3.20" if app_public else None)
    e.workload("nic-db", subnets["data"], "10.20.2.10", app_groups=["asg-db"])
    e.workload("nic-bastion", subnets["management"], "10.20.3.10", app_groups=["asg-bastion"])
    if flow_logs:
        e.flow_log("fl-vnet", vnet, "network")
    return e
