"""Each recorded estate goes through the real SDK (offline ARM) and normalize; the model
that comes out is asserted exactly, as docs/model.md says Azure maps onto it."""
from __future__ import annotations

from functools import lru_cache

import pytest

from arm_fake import FakeArm, FakeCredential, load
from providers.azure import fetch, normalize
from scanner.index import Index
from scanner.model import FirewallPolicy, FlowLog, Gateway, Network, Peer, Peering, PortRange, Route, RouteTable, Rule, Subnet, Workload
from scanner.progress import QUIET

A = "11111111-1111-1111-1111-111111111111"
FAST = fetch.Settings(retry_total=3, retry_backoff_factor=0)


def rid(rg: str, kind: str, name: str) -> str:
    return f"/subscriptions/{A}/resourceGroups/{rg}/providers/Microsoft.Network/{kind}/{name}"


@lru_cache(maxsize=None)
def collected(name: str):
    subs = load(name)
    with FakeArm(subs) as arm:
        raws, gaps = fetch.fetch(FakeCredential(), sorted(subs), FAST, 4, QUIET)
    assert gaps == [] and all(m == "GET" for m, _, _ in arm.calls)
    return normalize.snapshot(raws, gaps)


def one(items, suffix):
    found = [x for x in items if x.id.lower().endswith(suffix.lower())]
    assert len(found) == 1, (suffix, [x.id for x in items])
    return found[0]


def vnet_tag(*cidrs):
    return Peer(kind="service-tag", value="VirtualNetwork", cidrs=cidrs)


def defaults(nsg_id: str, space: tuple[str, ...]) -> list[Rule]:
    """Azure's six default security rules as the model writes them."""
    lb = Peer(kind="service-tag", value="AzureLoadBalancer", cidrs=("168.63.129.16/32",))
    d = f"{nsg_id}/defaultSecurityRules/"
    mk = lambda name, direction, action, prio, peers, targets, desc: Rule(  # noqa: E731
        id=d + name, name=name, direction=direction, action=action, priority=prio, protocol="all",
        peers=peers, targets=targets, platform_default=True, description=desc)
    return [
        mk("AllowVnetInBound", "ingress", "allow", 65000, (vnet_tag(*space),), (vnet_tag(*space),),
           "Allow inbound traffic from all VMs in VNET"),
        mk("AllowAzureLoadBalancerInBound", "ingress", "allow", 65001, (lb,), (),
           "Allow inbound traffic from azure load balancer"),
        mk("DenyAllInBound", "ingress", "deny", 65500, (Peer(kind="any"),), (), "Deny all inbound traffic"),
        mk("AllowVnetOutBound", "egress", "allow", 65000, (vnet_tag(*space),), (vnet_tag(*space),),
           "Allow outbound traffic from all VMs to all VMs in VNET"),
        mk("AllowInternetOutBound", "egress", "allow", 65001, (Peer(kind="internet", value="Internet"),), (),
           "Allow outbound traffic from all VMs to Internet"),
        mk("DenyAllOutBound", "egress", "deny", 65500, (Peer(kind="any"),), (), "Deny all outbound traffic"),
    ]


def ordered(rules):
    return tuple(sorted(rules, key=lambda r: (r.direction, r.priority, r.name)))


def system_table(subnet_id, vnet_id, routes, region="westeurope"):
    return RouteTable(provider="azure", account=A, region=region, id=f"{subnet_id}/system-routes",
                      name=subnet_id.rsplit("/", 1)[1] + " system routes", network_id=vnet_id,
                      routes=tuple(Route(destination=d, target_kind=k, target_id=t, priority=100, origin="system")
                                   for d, k, t in routes))


# ------------------------------------------------------------------ flat VNet, default rules

def test_flat_vnet_relies_on_default_rules():
    snap = collected("flat")
    vnet = rid("flat-rg", "virtualNetworks", "vnet-flat")
    nsg = rid("flat-rg", "networkSecurityGroups", "nsg-flat")
    web, db = f"{vnet}/subnets/web", f"{vnet}/subnets/db"
    assert snap.networks == (Network(provider="azure", account=A, region="westeurope", id=vnet, name="vnet-flat",
                                     cidrs=("10.0.0.0/16",)),)
    assert snap.subnets == tuple(
        Subnet(provider="azure", account=A, region="westeurope", id=s, name=s.rsplit("/", 1)[1], network_id=vnet,
               cidrs=(c,), route_table_ids=(f"{s}/system-routes",), policy_ids=(nsg,))
        for s, c in ((db, "10.0.2.0/24"), (web, "10.0.1.0/24")))
    internet = f"{vnet}/internet"
    assert snap.route_tables == tuple(
        system_table(s, vnet, [("10.0.0.0/16", "local", vnet), ("0.0.0.0/0", "internet", internet)]) for s in (db, web))
    assert snap.gateways == (Gateway(provider="azure", account=A, region="westeurope", id=internet,
                                     name="vnet-flat default outbound", kind="internet", network_id=vnet,
                                     requires_public_address=False),)
    https = Rule(id=f"{nsg}/securityRules/allow-https", name="allow-https", direction="ingress", action="allow",
                 priority=100, protocol="tcp", ports=(PortRange(first=443, last=443),),
                 peers=(Peer(kind="internet", value="Internet"),))
    assert snap.policies == (FirewallPolicy(
        provider="azure", account=A, region="westeurope", id=nsg, name="nsg-flat", kind="nsg", network_id=vnet,
        stateful=True, evaluation="first-match", rules=ordered([https, *defaults(nsg, ("10.0.0.0/16",))])),)
    # What makes it flat: the first rule matching db <- web is the platform's AllowVnetInBound.
    inbound = [r for r in snap.policies[0].rules if r.direction == "ingress" and r.action == "allow"
               and r.protocol == "all" and not r.ports]
    assert [r.name for r in inbound] == ["AllowVnetInBound", "AllowAzureLoadBalancerInBound"]
    assert [(w.name, w.subnet_id, w.private_ips, w.owner_kind, w.owner_name) for w in snap.workloads] == [
        ("db-1-nic", db, ("10.0.2.4",), "instance", "db-1"), ("web-1-nic", web, ("10.0.1.4",), "instance", "web-1")]


# ------------------------------------------------------------------ five zones, ASGs, per-subnet NSGs

def test_five_zones_networks_peerings_and_flow_logs():
    snap = collected("five_zones")
    prod, shared = rid("prod-rg", "virtualNetworks", "vnet-prod"), rid("shared-rg", "virtualNetworks", "vnet-shared")
    assert [(n.id, n.cidrs, dict(n.tags)) for n in snap.networks] == [
        (prod, ("10.10.0.0/16",), {"env": "prod"}), (shared, ("10.20.0.0/16",), {})]
    assert snap.peerings == (
        Peering(provider="azure", account=A, region="westeurope", id=f"{prod}/virtualNetworkPeerings/to-shared",
                name="to-shared", network_id=prod, peer_network_id=shared, peer_account=A, peer_region="westeurope",
                state="active", route_exchange="automatic", forwarded_traffic=False),
        Peering(provider="azure", account=A, region="westeurope", id=f"{shared}/virtualNetworkPeerings/to-prod",
                name="to-prod", network_id=shared, peer_network_id=prod, peer_account=A, peer_region="westeurope",
                state="active", route_exchange="automatic", forwarded_traffic=False),
    )
    data = one(snap.subnets, "vnet-prod/subnets/data")
    assert data.policy_ids == (rid("prod-rg", "networkSecurityGroups", "nsg-data"),)
    assert data.purpose == "Microsoft.DBforPostgreSQL/flexibleServers"
    assert one(snap.route_tables, "vnet-prod/subnets/data/system-routes").routes == (
        Route(destination="10.10.0.0/16", target_kind="local", target_id=prod, priority=100, origin="system"),
        Route(destination="10.20.0.0/16", target_kind="peering", target_id=f"{prod}/virtualNetworkPeerings/to-shared",
              priority=100, origin="system"),
        Route(destination="0.0.0.0/0", target_kind="internet", target_id=f"{prod}/internet", priority=100,
              origin="system"),
    )
    endpoint = one(snap.gateways, "subnets/data/serviceEndpoints/Microsoft.Sql")
    assert (endpoint.kind, endpoint.service, endpoint.subnet_id, endpoint.public) == (
        "endpoint", "Microsoft.Sql", data.id, False)
    watcher = rid("NetworkWatcherRG", "networkWatchers", "NetworkWatcher_westeurope")
    assert snap.flow_logs == (
        FlowLog(provider="azure", account=A, region="westeurope", id=f"{watcher}/flowLogs/fl-nsg-dmz",
                name="fl-nsg-dmz", target_id=rid("prod-rg", "networkSecurityGroups", "nsg-dmz"),
                target_kind="policy", enabled=True),
        FlowLog(provider="azure", account=A, region="westeurope", id=f"{watcher}/flowLogs/fl-vnet-prod",
                name="fl-vnet-prod", target_id=prod, target_kind="network", enabled=False),
    )


def test_five_zones_rules_with_asgs_plural_prefixes_and_service_tags():
    snap = collected("five_zones")
    asg = lambda n: Peer(kind="app-group", value=rid("prod-rg", "applicationSecurityGroups", f"asg-{n}"))  # noqa: E731
    space = ("10.10.0.0/16", "10.20.0.0/16")  # VirtualNetwork = own space + the peered VNet's
    tcp = lambda *ps: tuple(PortRange(first=a, last=b) for a, b in ps)  # noqa: E731

    def user(nsg, name, **kw):
        return Rule(id=f"{nsg}/securityRules/{name}", name=name, **kw)

    dmz = rid("prod-rg", "networkSecurityGroups", "nsg-dmz")
    assert one(snap.policies, "nsg-dmz").rules == ordered([
        user(dmz, "allow-web-from-internet", direction="ingress", priority=100, protocol="tcp",
             ports=tcp((80, 80), (443, 443)), peers=(Peer(kind="internet", value="Internet"),), targets=(asg("web"),)),
        user(dmz, "allow-lb-probe", direction="ingress", priority=110, protocol="all",
             peers=(Peer(kind="service-tag", value="AzureLoadBalancer", cidrs=("168.63.129.16/32",)),)),
        *defaults(dmz, space)])
    app = rid("prod-rg", "networkSecurityGroups", "nsg-app")
    assert one(snap.policies, "nsg-app").rules == ordered([
        user(app, "allow-web-to-app", direction="ingress", priority=100, protocol="tcp", ports=tcp((8080, 8090)),
             peers=(asg("web"),), targets=(asg("app"),)),  # target id given in upper case, written canonically
        user(app, "deny-vnet", direction="ingress", action="deny", priority=4000, protocol="all",
             peers=(vnet_tag(*space),), targets=(vnet_tag(*space),)),
        *defaults(app, space)])
    data = rid("prod-rg", "networkSecurityGroups", "nsg-data")
    assert one(snap.policies, "nsg-data").rules == ordered([
        user(data, "allow-app-to-db", direction="ingress", priority=100, protocol="tcp",
             ports=tcp((1433, 1433), (5432, 5432)),
             peers=(Peer(kind="cidr", value="10.10.1.0/24"), Peer(kind="cidr", value="10.10.1.128/25"),
                    Peer(kind="cidr", value="10.20.0.10/32")), targets=(asg("db"),)),
        user(data, "deny-all-in", direction="ingress", action="deny", priority=4096, protocol="all",
             peers=(Peer(kind="any"),)),
        user(data, "allow-sql-out", direction="egress", priority=100, protocol="tcp", ports=tcp((1433, 1433)),
             peers=(Peer(kind="service-tag", value="Sql.WestEurope"), Peer(kind="service-tag", value="Storage")),
             targets=(vnet_tag(*space),)),
        user(data, "deny-internet-out", direction="egress", action="deny", priority=200, protocol="all",
             peers=(Peer(kind="internet", value="Internet"),)),
        *defaults(data, space)])
    mgmt = rid("prod-rg", "networkSecurityGroups", "nsg-mgmt")
    assert one(snap.policies, "nsg-mgmt").rules == ordered([
        user(mgmt, "allow-ssh-admins", direction="ingress", priority=100, protocol="tcp", ports=tcp((22, 22)),
             peers=(Peer(kind="cidr", value="203.0.113.0/24"), Peer(kind="cidr", value="198.51.100.7/32")),
             targets=(asg("bastion"),)),
        user(mgmt, "allow-ssh-out", direction="egress", priority=100, protocol="tcp", ports=tcp((22, 22)),
             peers=(vnet_tag(*space),), targets=(asg("bastion"),)),
        user(mgmt, "allow-esp", direction="ingress", priority=200, protocol="50",
             peers=(Peer(kind="cidr", value="198.51.100.0/24"),)),
        *defaults(mgmt, space)])
    assert {p.network_id for p in snap.policies} == {rid("prod-rg", "virtualNetworks", "vnet-prod")}


def test_five_zones_workloads_join_ids_in_any_case():
    snap = collected("five_zones")
    prod = rid("prod-rg", "virtualNetworks", "vnet-prod")
    web = one(snap.workloads, "web-1-nic")
    # The NIC names its subnet and ASG under "PROD-RG"; they are written as the VNet spells them.
    assert web == Workload(
        provider="azure", account=A, region="westeurope", id=rid("prod-rg", "networkInterfaces", "web-1-nic"),
        name="web-1-nic", network_id=prod, subnet_id=f"{prod}/subnets/dmz", private_ips=("10.10.0.4",),
        public_ips=("20.50.0.10",), app_groups=(rid("prod-rg", "applicationSecurityGroups", "asg-web"),),
        owner_kind="instance", owner_id=f"/subscriptions/{A}/resourceGroups/PROD-RG/providers/Microsoft.Compute/"
                                        "virtualMachines/web-1", owner_name="web-1")
    assert one(snap.workloads, "bastion-1-nic").public_ips == ("20.50.0.11",)  # public IP id in another case
    pe = one(snap.workloads, "pe-sql.nic.0a1b")
    assert (pe.owner_kind, pe.owner_name, pe.subnet_id) == ("endpoint", "pe-sql", f"{prod}/subnets/data")
    index = Index(snap)
    assert sorted(w.name for w in index.workloads_of[f"{prod}/subnets/data".casefold()]) == ["db-1-nic", "pe-sql.nic.0a1b"]
    assert [s.name for s in index.subnets_with_policy[rid("PROD-RG", "networkSecurityGroups", "nsg-dmz").casefold()]] == ["dmz"]


# ------------------------------------------------------------------ subnet NSG allows, NIC NSG denies

def test_subnet_nsg_allows_nic_nsg_denies():
    snap = collected("subnet_allows_nic_denies")
    vnet = rid("layers-rg", "virtualNetworks", "vnet-layers")
    subnet_nsg, nic_nsg = (rid("layers-rg", "networkSecurityGroups", n) for n in ("nsg-subnet", "nsg-nic"))
    assert snap.subnets[0].policy_ids == (subnet_nsg,)
    (vm,) = snap.workloads
    assert (vm.policy_ids, vm.subnet_id, vm.public_ips) == ((nic_nsg,), f"{vnet}/subnets/app", ("20.60.0.5",))
    ssh = dict(direction="ingress", priority=100, protocol="tcp", ports=(PortRange(first=22, last=22),),
               peers=(Peer(kind="internet", value="Internet"),))
    assert one(snap.policies, "nsg-subnet").rules == ordered([
        Rule(id=f"{subnet_nsg}/securityRules/allow-ssh", name="allow-ssh", action="allow", **ssh),
        *defaults(subnet_nsg, ("10.1.0.0/16",))])
    assert one(snap.policies, "nsg-nic").rules == ordered([
        Rule(id=f"{nic_nsg}/securityRules/deny-ssh", name="deny-ssh", action="deny", **ssh),
        *defaults(nic_nsg, ("10.1.0.0/16",))])
    assert {p.network_id for p in snap.policies} == {vnet}  # the NIC NSG's VNet comes through its NIC


# ------------------------------------------------------------------ default internet route, NAT, no default outbound

def test_data_subnet_keeps_the_default_internet_route():
    snap = collected("outbound")
    vnet = rid("out-rg", "virtualNetworks", "vnet-out")
    nat = rid("out-rg", "natGateways", "nat-1")
    local = ("10.2.0.0/16", "local", vnet)
    assert snap.route_tables == (
        system_table(f"{vnet}/subnets/data", vnet, [local, ("0.0.0.0/0", "internet", f"{vnet}/internet")]),
        system_table(f"{vnet}/subnets/natted", vnet, [local, ("0.0.0.0/0", "nat", nat)]),
        system_table(f"{vnet}/subnets/private", vnet, [local, ("0.0.0.0/0", "internet", f"{vnet}/internet-public-ip-only")]),
    )
    assert snap.gateways == (
        Gateway(provider="azure", account=A, region="westeurope", id=nat, name="nat-1", kind="nat", network_id=vnet,
                nat_subnet_ids=(f"{vnet}/subnets/natted",)),
        Gateway(provider="azure", account=A, region="westeurope", id=f"{vnet}/internet", name="vnet-out default outbound",
                kind="internet", network_id=vnet, requires_public_address=False),
        Gateway(provider="azure", account=A, region="westeurope", id=f"{vnet}/internet-public-ip-only",
                name="vnet-out outbound with public IP", kind="internet", network_id=vnet, requires_public_address=True),
    )


# ------------------------------------------------------------------ UDR to a firewall appliance

def test_udr_sends_default_route_to_firewall_appliance():
    snap = collected("udr_firewall")
    hub, spoke = rid("hub-rg", "virtualNetworks", "vnet-hub"), rid("spoke-rg", "virtualNetworks", "vnet-spoke")
    rt = rid("spoke-rg", "routeTables", "rt-spoke-data")
    data = f"{spoke}/subnets/data"
    assert one(snap.subnets, "vnet-spoke/subnets/data").route_table_ids == (f"{data}/system-routes", rt)
    assert one(snap.route_tables, "routeTables/rt-spoke-data") == RouteTable(
        provider="azure", account=A, region="westeurope", id=rt, name="rt-spoke-data", network_id=spoke, routes=(
            Route(destination="0.0.0.0/0", target_kind="appliance", target_id="10.30.0.4"),
            Route(destination="192.168.0.0/16", target_kind="vpn"),
            Route(destination="10.40.0.0/16", target_kind="appliance", target_id="10.30.0.68"),
            Route(destination="10.99.0.0/16", target_kind="none"),
            Route(destination=None, destination_prefix_list="Storage", target_kind="internet",
                  target_id=f"{spoke}/internet"),
        ))
    assert one(snap.route_tables, "subnets/data/system-routes").routes[1] == Route(
        destination="10.30.0.0/24", target_kind="peering", target_id=f"{spoke}/virtualNetworkPeerings/spoke-to-hub",
        priority=100, origin="system")
    firewall = one(snap.gateways, "azureFirewalls/fw-hub")
    assert firewall == Gateway(
        provider="azure", account=A, region="westeurope", id=rid("hub-rg", "azureFirewalls", "fw-hub"), name="fw-hub",
        kind="appliance", network_id=hub, subnet_id=f"{hub}/subnets/AzureFirewallSubnet", public=True,
        service="AzureFirewall", private_ips=("10.30.0.4",),
        policy_ids=(rid("hub-rg", "azureFirewalls", "fw-hub") + "/networkRules",))
    # The UDR's next hop address resolves to the firewall.
    assert [g.id for g in snap.gateways if "10.30.0.4" in g.private_ips] == [firewall.id]
    assert all(p.forwarded_traffic and p.state == "active" for p in snap.peerings)
    # A VM forwarding IP traffic is a network virtual appliance that UDRs can name.
    nva_nic = rid("hub-rg", "networkInterfaces", "nva-1-nic")
    assert [g.id for g in snap.gateways if "10.30.0.68" in g.private_ips] == [nva_nic]
    nva = one(snap.gateways, "networkInterfaces/nva-1-nic")
    assert (nva.kind, nva.service, nva.network_id, nva.subnet_id, nva.public) == (
        "appliance", "NetworkVirtualAppliance", hub, f"{hub}/subnets/nva", False)
    assert (snap.workloads[0].owner_kind, snap.workloads[0].owner_name) == ("appliance", "nva-1")


@pytest.mark.parametrize("prefix,expected", [
    ("*", None),
    ("10.0.0.5", Peer(kind="cidr", value="10.0.0.5/32")),
    ("0.0.0.0/0", Peer(kind="cidr", value="0.0.0.0/0")),
    ("2001:db8::/32", Peer(kind="cidr", value="2001:db8::/32")),
    ("internet", Peer(kind="internet", value="internet")),
    ("virtualnetwork", Peer(kind="service-tag", value="virtualnetwork", cidrs=("10.0.0.0/8",))),
    ("AzureCloud.WestEurope", Peer(kind="service-tag", value="AzureCloud.WestEurope")),
])
def test_address_prefix_mapping(prefix, expected):
    assert normalize._address_peer(prefix, ("10.0.0.0/8",)) == expected


def test_nsg_spanning_two_vnets_unions_their_virtual_network_tags():
    """Pure normalize on ARM JSON: one NSG on a subnet in each of two unpeered VNets; the
    second association is only named by the subnet (the NSG's own list omits it)."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent / "data"))
    import make_fixtures as mk

    nsg_id = mk.rid(A, "rg", "networkSecurityGroups", "shared-nsg")
    one_vnet = mk.vnet(A, "rg", "v1", ["10.1.0.0/16"], [("a", "10.1.0.0/24", {"nsg": nsg_id})])
    two_vnet = mk.vnet(A, "RG", "v2", ["10.2.0.0/16", "10.3.0.0/16"], [("b", "10.2.0.0/24", {"nsg": nsg_id.upper()})])
    nsg = mk.nsg(A, "rg", "shared-nsg", [], subnets=[one_vnet["properties"]["subnets"][0]["id"]])
    snap = normalize.snapshot([{"subscription": A, "virtualNetworks": [one_vnet, two_vnet],
                                "networkSecurityGroups": [nsg]}])
    (policy,) = snap.policies
    assert policy.network_id == ""
    allow_vnet = next(r for r in policy.rules if r.name == "AllowVnetInBound")
    assert allow_vnet.peers == (vnet_tag("10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"),)
    assert [s.policy_ids for s in snap.subnets] == [(nsg_id,), (nsg_id,)]  # written as the NSG spells itself
