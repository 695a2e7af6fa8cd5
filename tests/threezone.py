"""Three-zone estates (dmz, internal, data) per cloud, written as each normalizer writes
them (docs/model.md), for the zone-based check cases. Keyword switches turn one thing
wrong at a time."""
from __future__ import annotations

from builder import internet_peer, azure_default_rules, Estate, allow_in, allow_out, cidr, deny_in, deny_out, group, local, route, service_tag, tag

ALL = cidr("0.0.0.0/0")
ZONES = (("dmz", "0"), ("internal", "1"), ("data", "2"))


def aws(*, app_route="nat", data_route=None, app_public=None, db_public=None, db_egress=None,
        db_subnet="data", default_vpc=False, single_subnet=False) -> Estate:
    """AWS: IGW and NAT; db egress defaults to the AWS default allow-all egress rule."""
    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16", is_default=default_vpc)
    e.gateway("igw-1", "internet", vpc, requires_public_address=True)
    e.gateway("nat-1", "nat", vpc, subnet_id="sn-dmz")
    exits = {"igw": route("0.0.0.0/0", "internet", "igw-1"), "nat": route("0.0.0.0/0", "nat", "nat-1"), None: None}
    acl = e.policy("acl-1", vpc, kind="network-acl", is_default=True, rules=[
        allow_in("all", None, ALL, priority=100), allow_out("all", None, ALL, priority=100),
        deny_in("all", None, ALL, priority=32767, platform_default=True),
        deny_out("all", None, ALL, priority=32767, platform_default=True)])
    subnets = {}
    for zone, n in ZONES:
        if single_subnet and zone != "dmz":
            subnets[zone] = subnets["dmz"]
            continue
        way = {"dmz": "igw", "internal": app_route, "data": data_route}[zone]
        rt = e.route_table(f"rtb-{zone}", vpc, routes=[local("10.0.0.0/16"), *filter(None, [exits[way]])])
        subnets[zone] = e.subnet(f"sn-{zone}", vpc, f"10.0.{n}.0/24", route_tables=[rt], policies=[acl],
                                 tags={} if single_subnet else {"Zone": zone})
    web = e.policy("sg-web", vpc, rules=[allow_in("tcp", 443, ALL), allow_out("all", None, ALL)])
    app = e.policy("sg-app", vpc, rules=[allow_in("tcp", 8080, group(web)), allow_out("all", None, ALL)])
    db = e.policy("sg-db", vpc, rules=[allow_in("tcp", 5432, group(app)),
                                       *([allow_out("all", None, ALL)] if db_egress is None else db_egress)])
    e.workload("eni-web", subnets["dmz"], "10.0.0.10", policies=[web], public_ip="198.18.0.10",
               tags={"Zone": "dmz"} if single_subnet else {})
    e.workload("eni-app", subnets["internal"], "10.0.1.10", policies=[app], public_ip=app_public,
               tags={"Zone": "internal"} if single_subnet else {})
    e.workload("eni-db", subnets[db_subnet], "10.0.2.10" if db_subnet == "data" else "10.0.1.20", policies=[db],
               public_ip=db_public, tags={"Zone": "data"} if single_subnet or db_subnet != "data" else {})
    return e


GCP_IMPLIED = [deny_in("all", None, ALL, priority=65535, platform_default=True, id="implied-deny-ingress"),
               allow_out("all", None, ALL, priority=65535, platform_default=True, id="implied-allow-egress")]
GCP_NET = "projects/proj-1/global/networks/prod"


def gcp(*, rules=(), nat_subnets=(), app_public=None, db_public=None, default_network=False,
        db_subnet="data", single_subnet=False) -> Estate:
    """GCP: one network-wide rule set, the default route to the default internet gateway
    (usable only with an external address), Cloud NAT listing the subnets it serves."""
    e = Estate("gcp", "proj-1", "europe-west1")
    net_id = "projects/proj-1/global/networks/default" if default_network else GCP_NET
    fw = e.policy(f"{net_id}/firewalls", net_id, rules=[*rules, *GCP_IMPLIED], name="firewall-rules")
    net = e.network(net_id, policy_ids=[fw], is_default=default_network, name=net_id.rsplit("/", 1)[-1])
    e.gateway(f"{net_id}/default-internet-gateway", "internet", net, requires_public_address=True)
    rt = e.route_table(f"{net_id}/routes", net, routes=[
        *(local(f"10.0.{n}.0/24") for _, n in ZONES),
        route("0.0.0.0/0", "internet", f"{net_id}/default-internet-gateway", priority=1000, origin="system")])
    subnets = {}
    for zone, n in ZONES:
        if single_subnet and zone != "dmz":
            subnets[zone] = subnets["dmz"]
            continue
        subnets[zone] = e.subnet(f"projects/proj-1/regions/europe-west1/subnetworks/{zone}", net,
                                 f"10.0.{n}.0/24", route_tables=[rt], name="catch-all" if single_subnet else zone)
    if nat_subnets:
        e.gateway("projects/proj-1/regions/europe-west1/routers/r1/nats/nat-1", "nat", net,
                  nat_subnet_ids=[subnets[z] for z in nat_subnets])
    vm = "projects/proj-1/zones/europe-west1-b/instances/{}/nic0"
    labels = (lambda z: {"zone": z}) if single_subnet else (lambda z: {})
    e.workload(vm.format("web"), subnets["dmz"], "10.0.0.10", public_ip="198.18.0.10", network_tags=["web"],
               tags=labels("dmz"), owner_name="web")
    e.workload(vm.format("app"), subnets["internal"], "10.0.1.10", public_ip=app_public, network_tags=["app"],
               tags=labels("internal"), owner_name="app")
    e.workload(vm.format("db"), subnets[db_subnet], "10.0.2.10" if db_subnet == "data" else "10.0.1.20",
               public_ip=db_public, network_tags=["db"], owner_name="db",
               tags={"zone": "data"} if single_subnet or db_subnet != "data" else {})
    return e




AZ = "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network"
AZ_VNET = f"{AZ}/virtualNetworks/vnet-prod"


def azure(*, udr_zones=(), nat_zones=(), data_rules=(), app_public=None, db_public=None, db_subnet="data",
          single_subnet=False) -> Estate:
    """Azure: a system route table per subnet with the default 0.0.0.0/0 -> Internet,
    user routes (priority 0) sending chosen subnets to a firewall appliance, NSGs with
    the six default rules."""
    e = Estate("azure", "sub-1", "westeurope")
    vnet = e.network(AZ_VNET, "10.0.0.0/16", name="vnet-prod")
    e.gateway(f"{AZ_VNET}/internet", "internet", vnet)
    udr = e.route_table(f"{AZ}/routeTables/to-firewall", vnet, name="to-firewall",
                        routes=[route("0.0.0.0/0", "appliance", "10.0.0.4")])
    subnets = {}
    for zone, n in ZONES:
        if single_subnet and zone != "dmz":
            subnets[zone] = subnets["dmz"]
            continue
        sid = f"{AZ_VNET}/subnets/{'default' if single_subnet else zone}"
        exit_route = (route("0.0.0.0/0", "nat", f"{AZ}/natGateways/nat-1", origin="system", priority=100)
                      if zone in nat_zones else
                      route("0.0.0.0/0", "internet", f"{AZ_VNET}/internet", origin="system", priority=100))
        system = e.route_table(f"{sid}/system-routes", vnet, routes=[
            local("10.0.0.0/16", origin="system", priority=100), exit_route])
        rules = data_rules if zone == "data" else ()
        nsg = e.policy(f"{AZ}/networkSecurityGroups/nsg-{zone}", rules=[*rules, *azure_default_rules("10.0.0.0/16")],
                       name=f"nsg-{zone}")
        subnets[zone] = e.subnet(sid, vnet, f"10.0.{n}.0/24", policies=[nsg], name=sid.rsplit("/", 1)[-1],
                                 route_tables=[system, *([udr] if zone in udr_zones else [])])
    nic = f"{AZ}/networkInterfaces/{{}}-nic"
    labels = (lambda z: {"zone": z}) if single_subnet else (lambda z: {})
    e.workload(nic.format("web"), subnets["dmz"], "10.0.0.10", public_ip="198.18.0.10", tags=labels("dmz"),
               name="web-nic")
    e.workload(nic.format("app"), subnets["internal"], "10.0.1.10", public_ip=app_public, tags=labels("internal"),
               name="app-nic")
    e.workload(nic.format("db"), subnets[db_subnet], "10.0.2.10" if db_subnet == "data" else "10.0.1.20",
               public_ip=db_public, name="db-nic",
               tags={"zone": "data"} if single_subnet or db_subnet != "data" else {})
    return e


def gcp_deny_data_egress():
    return [deny_out("all", None, ALL, targets=[tag("db")], priority=1000, name="data-deny-egress")]
