"""Writes the scenario estates in this folder: ARM resources in the shapes ARM returns
(api-version 2026-03-01 list_all bodies, `properties` nested, default security rules
included as ARM lists them). Run `python tests/providers/azure/data/make_fixtures.py`
after editing; the JSON files are what the tests read.

Each file: {"subscriptions": {SUB: {"displayName": ..., "virtualNetworks": [...], ...}}}.
"""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
SUB_A = "11111111-1111-1111-1111-111111111111"
SUB_B = "22222222-2222-2222-2222-222222222222"
LOC = "westeurope"


def rid(sub: str, rg: str, kind: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/{kind}/{name}"


def subnet(vnet_id: str, name: str, prefix: str | list[str], nsg: str = "", route_table: str = "", nat: str = "",
           delegations: tuple[str, ...] = (), service_endpoints: tuple[str, ...] = (),
           default_outbound: bool | None = None) -> dict:
    p: dict = {"provisioningState": "Succeeded", "privateEndpointNetworkPolicies": "Disabled",
               "privateLinkServiceNetworkPolicies": "Enabled"}
    if isinstance(prefix, list):
        p["addressPrefixes"] = prefix
    else:
        p["addressPrefix"] = prefix
    if nsg:
        p["networkSecurityGroup"] = {"id": nsg}
    if route_table:
        p["routeTable"] = {"id": route_table}
    if nat:
        p["natGateway"] = {"id": nat}
    if service_endpoints:
        p["serviceEndpoints"] = [{"service": s, "locations": [LOC], "provisioningState": "Succeeded"}
                                 for s in service_endpoints]
    p["delegations"] = [{"name": f"delegation{i}", "id": f"{vnet_id}/subnets/{name}/delegations/delegation{i}",
                         "type": "Microsoft.Network/virtualNetworks/subnets/delegations",
                         "properties": {"serviceName": d, "actions": [], "provisioningState": "Succeeded"}}
                        for i, d in enumerate(delegations)]
    if default_outbound is not None:
        p["defaultOutboundAccess"] = default_outbound
    return {"name": name, "id": f"{vnet_id}/subnets/{name}", "etag": 'W/"00000000-0000-0000-0000-000000000001"',
            "type": "Microsoft.Network/virtualNetworks/subnets", "properties": p}


def peering(vnet_id: str, name: str, remote_id: str, remote_space: list[str], state: str = "Connected",
            forwarded: bool = False) -> dict:
    return {"name": name, "id": f"{vnet_id}/virtualNetworkPeerings/{name}",
            "etag": 'W/"00000000-0000-0000-0000-000000000002"',
            "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            "properties": {"provisioningState": "Succeeded", "peeringState": state, "peeringSyncLevel": "FullyInSync",
                           "remoteVirtualNetwork": {"id": remote_id}, "allowVirtualNetworkAccess": True,
                           "allowForwardedTraffic": forwarded, "allowGatewayTransit": False,
                           "useRemoteGateways": False,
                           "remoteAddressSpace": {"addressPrefixes": remote_space},
                           "remoteVirtualNetworkAddressSpace": {"addressPrefixes": remote_space}}}


def vnet(sub: str, rg: str, name: str, space: list[str], subnets: list, peerings: list = (), tags=None) -> dict:
    vid = rid(sub, rg, "virtualNetworks", name)
    return {"name": name, "id": vid, "etag": 'W/"00000000-0000-0000-0000-000000000003"',
            "type": "Microsoft.Network/virtualNetworks", "location": LOC, "tags": tags or {},
            "properties": {"provisioningState": "Succeeded", "resourceGuid": "0b6b1f1e-0000-0000-0000-000000000000",
                           "addressSpace": {"addressPrefixes": space},
                           "subnets": [subnet(vid, *s[:2], **(s[2] if len(s) > 2 else {})) for s in subnets],
                           "virtualNetworkPeerings": [peering(vid, *p[:4], **(p[4] if len(p) > 4 else {}))
                                                      for p in peerings],
                           "enableDdosProtection": False}}


DEFAULTS = [
    ("AllowVnetInBound", "Inbound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork",
     "Allow inbound traffic from all VMs in VNET"),
    ("AllowAzureLoadBalancerInBound", "Inbound", "Allow", 65001, "AzureLoadBalancer", "*",
     "Allow inbound traffic from azure load balancer"),
    ("DenyAllInBound", "Inbound", "Deny", 65500, "*", "*", "Deny all inbound traffic"),
    ("AllowVnetOutBound", "Outbound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork",
     "Allow outbound traffic from all VMs to all VMs in VNET"),
    ("AllowInternetOutBound", "Outbound", "Allow", 65001, "*", "Internet",
     "Allow outbound traffic from all VMs to Internet"),
    ("DenyAllOutBound", "Outbound", "Deny", 65500, "*", "*", "Deny all outbound traffic"),
]


def rule(nsg_id: str, name: str, direction: str, access: str, priority: int, protocol: str = "Tcp",
         src: str | list = "*", dst: str | list = "*", ports: str | list = "*", src_asgs=(), dst_asgs=(),
         default: bool = False, description: str = "") -> dict:
    kind = "defaultSecurityRules" if default else "securityRules"
    p = {"provisioningState": "Succeeded", "protocol": protocol, "sourcePortRange": "*",
         "access": access, "priority": priority, "direction": direction,
         "sourcePortRanges": [], "destinationPortRanges": [], "sourceAddressPrefixes": [],
         "destinationAddressPrefixes": []}
    if description:
        p["description"] = description
    for side, value, asgs in (("source", src, src_asgs), ("destination", dst, dst_asgs)):
        if asgs:
            p[f"{side}ApplicationSecurityGroups"] = [{"id": a} for a in asgs]
        elif isinstance(value, list):
            p[f"{side}AddressPrefixes"] = value
        else:
            p[f"{side}AddressPrefix"] = value
    if isinstance(ports, list):
        p["destinationPortRanges"] = ports
    else:
        p["destinationPortRange"] = ports
    return {"name": name, "id": f"{nsg_id}/{kind}/{name}", "etag": 'W/"00000000-0000-0000-0000-000000000004"',
            "type": f"Microsoft.Network/networkSecurityGroups/{kind}", "properties": p}


def nsg(sub: str, rg: str, name: str, rules: list[dict], subnets=(), nics=()) -> dict:
    nid = rid(sub, rg, "networkSecurityGroups", name)
    return {"name": name, "id": nid, "etag": 'W/"00000000-0000-0000-0000-000000000005"',
            "type": "Microsoft.Network/networkSecurityGroups", "location": LOC, "tags": {},
            "properties": {"provisioningState": "Succeeded", "resourceGuid": "5d6c0000-0000-0000-0000-000000000000",
                           "securityRules": [rule(nid, **r) for r in rules],
                           "defaultSecurityRules": [rule(nid, n, d, a, pr, "*", s, t, "*", default=True, description=ds)
                                                    for n, d, a, pr, s, t, ds in DEFAULTS],
                           "subnets": [{"id": s} for s in subnets],
                           "networkInterfaces": [{"id": n} for n in nics]}}


def nic(sub: str, rg: str, name: str, subnet_id: str, ip: str, nsg_id: str = "", public_ip: str = "",
        asgs=(), vm: str = "", private_endpoint: str = "", ip_forwarding: bool = False) -> dict:
    nid = rid(sub, rg, "networkInterfaces", name)
    config = {"provisioningState": "Succeeded", "privateIPAddress": ip, "privateIPAllocationMethod": "Dynamic",
              "subnet": {"id": subnet_id}, "primary": True, "privateIPAddressVersion": "IPv4"}
    if public_ip:
        config["publicIPAddress"] = {"id": public_ip}
    if asgs:
        config["applicationSecurityGroups"] = [{"id": a} for a in asgs]
    p: dict = {"provisioningState": "Succeeded", "ipConfigurations": [
        {"name": "ipconfig1", "id": f"{nid}/ipConfigurations/ipconfig1",
         "type": "Microsoft.Network/networkInterfaces/ipConfigurations", "properties": config}],
        "enableAcceleratedNetworking": False, "enableIPForwarding": ip_forwarding, "primary": True,
        "macAddress": "00-0D-3A-00-00-01", "nicType": "Standard"}
    if nsg_id:
        p["networkSecurityGroup"] = {"id": nsg_id}
    if vm:
        p["virtualMachine"] = {"id": vm}
    if private_endpoint:
        p["privateEndpoint"] = {"id": private_endpoint}
    return {"name": name, "id": nid, "etag": 'W/"00000000-0000-0000-0000-000000000006"',
            "type": "Microsoft.Network/networkInterfaces", "location": LOC, "tags": {}, "properties": p}


def vm_id(sub: str, rg: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}"


def public_ip(sub: str, rg: str, name: str, address: str, config: str = "") -> dict:
    p = {"provisioningState": "Succeeded", "ipAddress": address, "publicIPAddressVersion": "IPv4",
         "publicIPAllocationMethod": "Static", "idleTimeoutInMinutes": 4}
    if config:
        p["ipConfiguration"] = {"id": config}
    return {"name": name, "id": rid(sub, rg, "publicIPAddresses", name), "type": "Microsoft.Network/publicIPAddresses",
            "location": LOC, "sku": {"name": "Standard", "tier": "Regional"}, "properties": p}


def asg(sub: str, rg: str, name: str) -> dict:
    return {"name": name, "id": rid(sub, rg, "applicationSecurityGroups", name), "location": LOC,
            "type": "Microsoft.Network/applicationSecurityGroups",
            "properties": {"provisioningState": "Succeeded", "resourceGuid": "a5a00000-0000-0000-0000-000000000000"}}


def route_table(sub: str, rg: str, name: str, routes: list[tuple], subnets=()) -> dict:
    tid = rid(sub, rg, "routeTables", name)
    items = []
    for rname, prefix, hop, *ip in routes:
        p = {"provisioningState": "Succeeded", "addressPrefix": prefix, "nextHopType": hop, "hasBgpOverride": False}
        if ip:
            p["nextHopIpAddress"] = ip[0]
        items.append({"name": rname, "id": f"{tid}/routes/{rname}", "type": "Microsoft.Network/routeTables/routes",
                      "properties": p})
    return {"name": name, "id": tid, "type": "Microsoft.Network/routeTables", "location": LOC, "tags": {},
            "properties": {"provisioningState": "Succeeded", "disableBgpRoutePropagation": False, "routes": items,
                           "subnets": [{"id": s} for s in subnets]}}


def nat_gateway(sub: str, rg: str, name: str, subnets=(), public_ips=()) -> dict:
    return {"name": name, "id": rid(sub, rg, "natGateways", name), "type": "Microsoft.Network/natGateways",
            "location": LOC, "sku": {"name": "Standard"},
            "properties": {"provisioningState": "Succeeded", "idleTimeoutInMinutes": 4,
                           "subnets": [{"id": s} for s in subnets], "publicIpAddresses": [{"id": p} for p in public_ips]}}


DNS_ONLY = [("allow-dns", 100, "Allow", [{"name": "dns", "protocols": ["UDP"], "sourceAddresses": ["10.30.0.0/16"],
                                             "destinationAddresses": ["*"], "destinationPorts": ["53"]}])]


def network_rule(name: str, protocols: list[str], sources: list[str], destinations: list[str], ports: list[str],
                 **extra) -> dict:
    """A classic network rule as ARM lists it (no `properties` level inside a collection)."""
    return {"name": name, "protocols": protocols, "sourceAddresses": sources, "destinationAddresses": destinations,
            "destinationPorts": ports, "sourceIpGroups": [], "destinationIpGroups": [], "destinationFqdns": [], **extra}


def firewall(sub: str, rg: str, name: str, subnet_id: str, private_ip: str, public_ip_id: str,
             collections=DNS_ONLY, policy: str = "") -> dict:
    fid = rid(sub, rg, "azureFirewalls", name)
    rule_collections = [{"name": c, "id": f"{fid}/networkRuleCollections/{c}", "etag": 'W/"00000000-0000-0000-0000-000000000003"',
                         "properties": {"priority": prio, "action": {"type": action}, "rules": rules,
                                        "provisioningState": "Succeeded"}} for c, prio, action, rules in collections]
    extra = {"firewallPolicy": {"id": policy}} if policy else {}
    return {"name": name, "id": fid, "type": "Microsoft.Network/azureFirewalls", "location": LOC, "tags": {},
            "properties": {"provisioningState": "Succeeded", "sku": {"name": "AZFW_VNet", "tier": "Standard"},
                           "threatIntelMode": "Alert",
                           "ipConfigurations": [{"name": "ipconfig", "id": f"{fid}/azureFirewallIpConfigurations/ipconfig",
                                                 "properties": {"provisioningState": "Succeeded",
                                                                "privateIPAddress": private_ip,
                                                                "subnet": {"id": subnet_id},
                                                                "publicIPAddress": {"id": public_ip_id}}}],
                           "networkRuleCollections": rule_collections,
                           "applicationRuleCollections": [], "natRuleCollections": [], **extra}}


def watcher(sub: str) -> dict:
    return {"name": f"NetworkWatcher_{LOC}", "id": rid(sub, "NetworkWatcherRG", "networkWatchers", f"NetworkWatcher_{LOC}"),
            "type": "Microsoft.Network/networkWatchers", "location": LOC, "properties": {"provisioningState": "Succeeded"}}


def flow_log(sub: str, name: str, target: str, enabled: bool = True) -> dict:
    wid = watcher(sub)["id"]
    return {"name": name, "id": f"{wid}/flowLogs/{name}", "type": "Microsoft.Network/networkWatchers/flowLogs",
            "location": LOC, "properties": {"provisioningState": "Succeeded", "targetResourceId": target,
                                            "storageId": f"/subscriptions/{sub}/resourceGroups/logs/providers/Microsoft.Storage/storageAccounts/flowlogs",
                                            "enabled": enabled, "retentionPolicy": {"days": 30, "enabled": True},
                                            "format": {"type": "JSON", "version": 2}}}


# ----------------------------------------------------------------------------- scenarios

def flat() -> dict:
    """A VNet whose only segmentation would be the default rules: AllowVnetInBound makes it flat."""
    s, rg = SUB_A, "flat-rg"
    nsg_id = rid(s, rg, "networkSecurityGroups", "nsg-flat")
    v = vnet(s, rg, "vnet-flat", ["10.0.0.0/16"], [("web", "10.0.1.0/24", {"nsg": nsg_id}),
                                                   ("db", "10.0.2.0/24", {"nsg": nsg_id})])
    web, db = (x["id"] for x in v["properties"]["subnets"])
    return {SUB_A: {"displayName": "flat", "virtualNetworks": [v],
                    "networkSecurityGroups": [nsg(s, rg, "nsg-flat", [
                        dict(name="allow-https", direction="Inbound", access="Allow", priority=100,
                             src="Internet", dst="*", ports="443")], subnets=[web, db])],
                    "networkInterfaces": [nic(s, rg, "web-1-nic", web, "10.0.1.4", vm=vm_id(s, rg, "web-1")),
                                          nic(s, rg, "db-1-nic", db, "10.0.2.4", vm=vm_id(s, rg, "db-1"))]}}


def five_zones() -> dict:
    """The seeds' five zones: dmz, app, data, management subnets with per-subnet NSGs and ASGs,
    a peered shared-services VNet, plural prefixes, service tags, ids in mixed case."""
    s, rg = SUB_A, "prod-rg"
    ids = {n: rid(s, rg, "networkSecurityGroups", f"nsg-{n}") for n in ("dmz", "app", "data", "mgmt")}
    asgs = {n: rid(s, rg, "applicationSecurityGroups", f"asg-{n}") for n in ("web", "app", "db", "bastion")}
    shared_id = rid(s, "shared-rg", "virtualNetworks", "vnet-shared")
    prod = vnet(s, rg, "vnet-prod", ["10.10.0.0/16"], [
        ("dmz", "10.10.0.0/24", {"nsg": ids["dmz"]}),
        ("app", "10.10.1.0/24", {"nsg": ids["app"]}),
        ("data", "10.10.2.0/24", {"nsg": ids["data"], "service_endpoints": ("Microsoft.Sql",),
                                  "delegations": ("Microsoft.DBforPostgreSQL/flexibleServers",)}),
        ("mgmt", "10.10.3.0/24", {"nsg": ids["mgmt"]}),
    ], peerings=[("to-shared", shared_id, ["10.20.0.0/16"])], tags={"env": "prod"})
    prod_id = prod["id"]
    shared = vnet(s, "shared-rg", "vnet-shared", ["10.20.0.0/16"], [("tools", "10.20.0.0/24")],
                  peerings=[("to-prod", prod_id, ["10.10.0.0/16"])])
    sub_ids = {x["name"]: x["id"] for x in prod["properties"]["subnets"]}
    # ARM writes the resource group in upper case in some references: join must not care.
    upper = lambda i: i.replace("/resourceGroups/prod-rg/", "/resourceGroups/PROD-RG/")  # noqa: E731
    nics = [
        nic(s, rg, "web-1-nic", upper(sub_ids["dmz"]), "10.10.0.4", asgs=[upper(asgs["web"])],
            public_ip=rid(s, rg, "publicIPAddresses", "web-1-pip"), vm=vm_id(s, "PROD-RG", "web-1")),
        nic(s, rg, "app-1-nic", sub_ids["app"], "10.10.1.4", asgs=[asgs["app"]], vm=vm_id(s, rg, "app-1")),
        nic(s, rg, "db-1-nic", upper(sub_ids["data"]), "10.10.2.4", asgs=[asgs["db"]], vm=vm_id(s, rg, "db-1")),
        nic(s, rg, "bastion-1-nic", sub_ids["mgmt"], "10.10.3.4", asgs=[asgs["bastion"]],
            public_ip=rid(s, rg, "publicIPAddresses", "bastion-pip"), vm=vm_id(s, rg, "bastion-1")),
        nic(s, rg, "pe-sql.nic.0a1b", sub_ids["data"], "10.10.2.5",
            private_endpoint=rid(s, rg, "privateEndpoints", "pe-sql")),
    ]
    nsgs = [
        nsg(s, rg, "nsg-dmz", [
            dict(name="allow-web-from-internet", direction="Inbound", access="Allow", priority=100,
                 src="Internet", dst_asgs=[asgs["web"]], ports=["80", "443"]),
            dict(name="allow-lb-probe", direction="Inbound", access="Allow", priority=110,
                 src="AzureLoadBalancer", dst="*", ports="*", protocol="*"),
        ], subnets=[upper(sub_ids["dmz"])]),
        nsg(s, rg, "nsg-app", [
            dict(name="allow-web-to-app", direction="Inbound", access="Allow", priority=100,
                 src_asgs=[asgs["web"]], dst_asgs=[upper(asgs["app"])], ports="8080-8090"),
            dict(name="deny-vnet", direction="Inbound", access="Deny", priority=4000,
                 src="VirtualNetwork", dst="VirtualNetwork", ports="*", protocol="*"),
        ], subnets=[sub_ids["app"]]),
        nsg(s, rg, "nsg-data", [
            dict(name="allow-app-to-db", direction="Inbound", access="Allow", priority=100,
                 src=["10.10.1.0/24", "10.10.1.128/25", "10.20.0.10"], dst_asgs=[asgs["db"]],
                 ports=["1433", "5432"]),
            dict(name="deny-all-in", direction="Inbound", access="Deny", priority=4096,
                 src="*", dst="*", ports="*", protocol="*"),
            dict(name="allow-sql-out", direction="Outbound", access="Allow", priority=100,
                 src="VirtualNetwork", dst=["Sql.WestEurope", "Storage"], ports="1433"),
            dict(name="deny-internet-out", direction="Outbound", access="Deny", priority=200,
                 src="*", dst="Internet", ports="*", protocol="*"),
        ], subnets=[sub_ids["data"]]),
        nsg(s, rg, "nsg-mgmt", [
            dict(name="allow-ssh-admins", direction="Inbound", access="Allow", priority=100,
                 src=["203.0.113.0/24", "198.51.100.7"], dst_asgs=[asgs["bastion"]], ports="22"),
            dict(name="allow-ssh-out", direction="Outbound", access="Allow", priority=100,
                 src_asgs=[asgs["bastion"]], dst="VirtualNetwork", ports="22"),
            dict(name="allow-esp", direction="Inbound", access="Allow", priority=200, protocol="Esp",
                 src="198.51.100.0/24", dst="*", ports="*"),
        ], subnets=[sub_ids["mgmt"]]),
    ]
    return {SUB_A: {"displayName": "prod", "virtualNetworks": [prod, shared], "networkSecurityGroups": nsgs,
                    "networkInterfaces": nics,
                    "publicIPAddresses": [public_ip(s, rg, "web-1-pip", "20.50.0.10"),
                                          public_ip(s, "PROD-RG", "bastion-pip", "20.50.0.11")],
                    "applicationSecurityGroups": [asg(s, rg, f"asg-{n}") for n in ("web", "app", "db", "bastion")],
                    "networkWatchers": [watcher(s)],
                    "flowLogs": [flow_log(s, "fl-nsg-dmz", upper(ids["dmz"])),
                                 flow_log(s, "fl-vnet-prod", prod_id, enabled=False)]}}


def subnet_allows_nic_denies() -> dict:
    s, rg = SUB_A, "layers-rg"
    subnet_nsg = rid(s, rg, "networkSecurityGroups", "nsg-subnet")
    nic_nsg = rid(s, rg, "networkSecurityGroups", "nsg-nic")
    v = vnet(s, rg, "vnet-layers", ["10.1.0.0/16"], [("app", "10.1.1.0/24", {"nsg": subnet_nsg})])
    sid = v["properties"]["subnets"][0]["id"]
    n = nic(s, rg, "vm-1-nic", sid, "10.1.1.4", nsg_id=nic_nsg, vm=vm_id(s, rg, "vm-1"),
            public_ip=rid(s, rg, "publicIPAddresses", "vm-1-pip"))
    return {SUB_A: {"displayName": "layers", "virtualNetworks": [v],
                    "networkSecurityGroups": [
                        nsg(s, rg, "nsg-subnet", [dict(name="allow-ssh", direction="Inbound", access="Allow",
                                                       priority=100, src="Internet", dst="*", ports="22")],
                            subnets=[sid]),
                        nsg(s, rg, "nsg-nic", [dict(name="deny-ssh", direction="Inbound", access="Deny",
                                                    priority=100, src="Internet", dst="*", ports="22")],
                            nics=[n["id"]])],
                    "networkInterfaces": [n],
                    "publicIPAddresses": [public_ip(s, rg, "vm-1-pip", "20.60.0.5", n["id"] + "/ipConfigurations/ipconfig1")]}}


def outbound() -> dict:
    """A data subnet keeping the default internet route, one without default outbound
    access, one behind a NAT gateway."""
    s, rg = SUB_A, "out-rg"
    nat_id = rid(s, rg, "natGateways", "nat-1")
    v = vnet(s, rg, "vnet-out", ["10.2.0.0/16"], [
        ("data", "10.2.1.0/24"),
        ("private", "10.2.2.0/24", {"default_outbound": False}),
        ("natted", "10.2.3.0/24", {"nat": nat_id}),
    ])
    natted = v["properties"]["subnets"][2]["id"]
    return {SUB_A: {"displayName": "outbound", "virtualNetworks": [v],
                    "natGateways": [nat_gateway(s, rg, "nat-1", [natted], [rid(s, rg, "publicIPAddresses", "nat-pip")])],
                    "publicIPAddresses": [public_ip(s, rg, "nat-pip", "20.70.0.1")]}}


HUB_COLLECTIONS = [
    *DNS_ONLY,
    ("deny-ssh", 150, "Deny", [network_rule("ssh", ["TCP"], ["*"], ["*"], ["22"])]),
    ("spoke-out", 300, "Allow", [
        network_rule("web", ["TCP"], ["10.31.1.0/24"], ["10.30.0.64/26", "192.168.0.0/16"], ["443", "8000-8100"]),
        network_rule("pair", ["Any"], ["10.31.1.10-10.31.1.11"], ["*"], ["443"]),
        network_rule("ping", ["ICMP"], ["*"], ["10.31.0.0/16"], ["*"]),
        network_rule("admins", ["TCP"], [], ["*"], ["22"], sourceIpGroups=[
            rid(SUB_A, "hub-rg", "ipGroups", "admins")]),
        network_rule("to-storage", ["TCP"], ["10.31.0.0/16"], ["Storage"], ["443"]),
    ]),
]


def udr_firewall() -> dict:
    """A spoke's data subnet sends 0.0.0.0/0 to the hub's Azure Firewall."""
    s, hub_rg, spoke_rg = SUB_A, "hub-rg", "spoke-rg"
    hub_id = rid(s, hub_rg, "virtualNetworks", "vnet-hub")
    spoke_id = rid(s, spoke_rg, "virtualNetworks", "vnet-spoke")
    rt_id = rid(s, spoke_rg, "routeTables", "rt-spoke-data")
    hub = vnet(s, hub_rg, "vnet-hub", ["10.30.0.0/24"], [("AzureFirewallSubnet", "10.30.0.0/26"),
                                                         ("nva", "10.30.0.64/26")],
               peerings=[("hub-to-spoke", spoke_id, ["10.31.0.0/16"], "Connected", {"forwarded": True})])
    spoke = vnet(s, spoke_rg, "vnet-spoke", ["10.31.0.0/16"], [("data", "10.31.1.0/24", {"route_table": rt_id})],
                 peerings=[("spoke-to-hub", hub_id, ["10.30.0.0/24"], "Connected", {"forwarded": True})])
    data = spoke["properties"]["subnets"][0]["id"]
    fw_subnet = hub["properties"]["subnets"][0]["id"]
    return {SUB_A: {"displayName": "hub-spoke", "virtualNetworks": [hub, spoke],
                    "routeTables": [route_table(s, spoke_rg, "rt-spoke-data", [
                        ("default-via-firewall", "0.0.0.0/0", "VirtualAppliance", "10.30.0.4"),
                        ("onprem", "192.168.0.0/16", "VirtualNetworkGateway"),
                        ("partners-via-nva", "10.40.0.0/16", "VirtualAppliance", "10.30.0.68"),
                        ("blackhole", "10.99.0.0/16", "None"),
                        ("storage", "Storage", "Internet"),
                    ], subnets=[data])],
                    "networkInterfaces": [nic(s, hub_rg, "nva-1-nic", hub["properties"]["subnets"][1]["id"], "10.30.0.68",
                                              vm=vm_id(s, hub_rg, "nva-1"), ip_forwarding=True)],
                    "azureFirewalls": [firewall(s, hub_rg, "fw-hub", fw_subnet, "10.30.0.4",
                                                rid(s, hub_rg, "publicIPAddresses", "fw-pip"), HUB_COLLECTIONS)],
                    "publicIPAddresses": [public_ip(s, hub_rg, "fw-pip", "20.80.0.1")]}}


def policy_rule(name: str, protocols: list[str], sources: list[str], destinations: list[str], ports: list[str]) -> dict:
    return {"ruleType": "NetworkRule", "name": name, "ipProtocols": protocols, "sourceAddresses": sources,
            "destinationAddresses": destinations, "destinationPorts": ports, "sourceIpGroups": [],
            "destinationIpGroups": [], "destinationFqdns": []}


def firewall_policy(sub: str, rg: str, name: str, base: str = "") -> dict:
    pid = rid(sub, rg, "firewallPolicies", name)
    p = {"provisioningState": "Succeeded", "sku": {"tier": "Standard"}, "threatIntelMode": "Alert",
         "ruleCollectionGroups": [], "firewalls": []}
    if base:
        p["basePolicy"] = {"id": base}
    return {"name": name, "id": pid, "type": "Microsoft.Network/firewallPolicies", "location": LOC, "tags": {},
            "properties": p}


def rule_group(policy_id: str, name: str, priority: int, collections: list[dict]) -> dict:
    return {"name": name, "id": f"{policy_id}/ruleCollectionGroups/{name}",
            "type": "Microsoft.Network/FirewallPolicies/RuleCollectionGroups",
            "etag": 'W/"00000000-0000-0000-0000-000000000004"',
            "properties": {"provisioningState": "Succeeded", "priority": priority, "ruleCollections": collections}}


def firewall_with_policy() -> dict:
    """An Azure Firewall whose rules come from a Firewall Policy that inherits from a base policy."""
    s, rg = SUB_A, "fw-rg"
    net = vnet(s, rg, "vnet-fw", ["10.50.0.0/24"], [("AzureFirewallSubnet", "10.50.0.0/26")])
    base = firewall_policy(s, rg, "fwp-base")
    child = firewall_policy(s, rg, "fwp-child", base=base["id"])
    groups = [
        rule_group(base["id"], "baseline", 100, [
            {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "deny-rdp", "priority": 100,
             "action": {"type": "Deny"}, "rules": [policy_rule("rdp", ["TCP"], ["*"], ["*"], ["3389"])]}]),
        rule_group(child["id"], "apps", 200, [
            {"ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": "dnat", "priority": 100,
             "action": {"type": "DNAT"}, "rules": [{"ruleType": "NatRule", "name": "in", "ipProtocols": ["TCP"],
                                                    "sourceAddresses": ["*"], "destinationAddresses": ["20.90.0.1"],
                                                    "destinationPorts": ["443"], "translatedAddress": "10.50.1.4",
                                                    "translatedPort": "443"}]},
            {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "allow-web", "priority": 300,
             "action": {"type": "Allow"}, "rules": [
                 policy_rule("web", ["TCP", "UDP"], ["10.51.0.0/16"], ["10.52.0.0/16"], ["443"]),
                 {"ruleType": "ApplicationRule", "name": "updates", "protocols": [{"protocolType": "Https", "port": 443}],
                  "sourceAddresses": ["*"], "targetFqdns": ["*.ubuntu.com"]}]}]),
    ]
    fw = firewall(s, rg, "fw-policy", net["properties"]["subnets"][0]["id"], "10.50.0.4",
                  rid(s, rg, "publicIPAddresses", "fw-policy-pip"), collections=[], policy=child["id"])
    return {SUB_A: {"displayName": "firewall-policy", "virtualNetworks": [net], "azureFirewalls": [fw],
                    "firewallPolicies": [base, child], "firewallPolicyRuleCollectionGroups": groups}}


def hub_firewall(open_: bool = False) -> dict:
    """Two spokes peered only with the hub; each spoke's UDR sends the other spoke to the hub's
    Azure Firewall, which admits internal -> data on PostgreSQL and nothing back (`open_`:
    a rule admitting everything between the spokes instead)."""
    s, rg = SUB_A, "hubfw-rg"
    hub_id, app_id, db_id = (rid(s, rg, "virtualNetworks", n) for n in ("vnet-hubfw", "vnet-app", "vnet-db"))
    rt_app, rt_db = rid(s, rg, "routeTables", "rt-app"), rid(s, rg, "routeTables", "rt-db")
    hub = vnet(s, rg, "vnet-hubfw", ["10.60.0.0/24"], [("AzureFirewallSubnet", "10.60.0.0/26")],
               peerings=[("hub-to-app", app_id, ["10.61.0.0/16"], "Connected", {"forwarded": True}),
                         ("hub-to-db", db_id, ["10.62.0.0/16"], "Connected", {"forwarded": True})])
    app = vnet(s, rg, "vnet-app", ["10.61.0.0/16"], [("app", "10.61.1.0/24", {"route_table": rt_app})],
               peerings=[("app-to-hub", hub_id, ["10.60.0.0/24"], "Connected", {"forwarded": True})])
    db = vnet(s, rg, "vnet-db", ["10.62.0.0/16"], [("db", "10.62.1.0/24", {"route_table": rt_db})],
              peerings=[("db-to-hub", hub_id, ["10.60.0.0/24"], "Connected", {"forwarded": True})])
    app_sn, db_sn = app["properties"]["subnets"][0]["id"], db["properties"]["subnets"][0]["id"]
    app["tags"], db["tags"] = {"zone": "internal"}, {"zone": "data"}
    collections = [("internal-to-data", 200, "Allow", [
        network_rule("postgres", ["TCP"], ["10.61.1.0/24"], ["10.62.1.0/24"], ["5432"])])]
    if open_:
        collections = [("spokes", 200, "Allow", [network_rule("any", ["Any"], ["10.61.0.0/16", "10.62.0.0/16"],
                                                                 ["10.61.0.0/16", "10.62.0.0/16"], ["*"])])]
    return {SUB_A: {"displayName": "hub-firewall", "virtualNetworks": [hub, app, db],
                    "routeTables": [route_table(s, rg, "rt-app", [("db-via-fw", "10.62.0.0/16", "VirtualAppliance", "10.60.0.4")],
                                                subnets=[app_sn]),
                                    route_table(s, rg, "rt-db", [("app-via-fw", "10.61.0.0/16", "VirtualAppliance", "10.60.0.4")],
                                                subnets=[db_sn])],
                    "networkInterfaces": [nic(s, rg, "app-1-nic", app_sn, "10.61.1.10", vm=vm_id(s, rg, "app-1")),
                                          nic(s, rg, "db-1-nic", db_sn, "10.62.1.10", vm=vm_id(s, rg, "db-1"))],
                    "azureFirewalls": [firewall(s, rg, "fw-hubfw", hub["properties"]["subnets"][0]["id"], "10.60.0.4",
                                                rid(s, rg, "publicIPAddresses", "fw-hubfw-pip"), collections)],
                    "publicIPAddresses": [public_ip(s, rg, "fw-hubfw-pip", "20.95.0.1")]}}


SCENARIOS = {"flat": flat, "five_zones": five_zones, "subnet_allows_nic_denies": subnet_allows_nic_denies,
             "outbound": outbound, "udr_firewall": udr_firewall, "firewall_with_policy": firewall_with_policy,
             "hub_firewall": hub_firewall, "hub_firewall_open": lambda: hub_firewall(open_=True)}

if __name__ == "__main__":
    for name, build in SCENARIOS.items():
        (HERE / f"{name}.json").write_text(json.dumps({"subscriptions": build()}, indent=1) + "\n")
        print("wrote", name)
