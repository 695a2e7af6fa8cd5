"""ARM JSON -> the cloud-neutral model, following docs/model.md. Pure: no SDK, no I/O.

Input: one record per subscription, `{"subscription": id, "virtualNetworks": [...],
"networkSecurityGroups": [...], ...}` holding ARM resources exactly as the REST API
returns them (`properties` nested). ARM spells the same id in different cases in
different places, so every join goes through a case-folded index; an object keeps its id
as returned, and a reference to a known object is written with that object's spelling.
"""
from __future__ import annotations

import ipaddress
from collections import defaultdict
from typing import Any, Iterable, Mapping

from providers.azure.firewall import firewall_policies
from scanner.model import (
    Account, CollectionError, FirewallPolicy, FlowLog, Gateway, Network, Peer, Peering,
    PortRange, Route, RouteTable, Rule, Snapshot, Subnet, Workload,
)

SYSTEM_ROUTE_PRIORITY = 100
USER_ROUTE_PRIORITY = 0
LOAD_BALANCER_PROBE = ("168.63.129.16/32",)
PROTOCOLS = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "*": "all", "esp": "50", "ah": "51"}
PEERING_STATES = {"connected": "active", "initiated": "pending", "disconnected": "inactive"}
NEXT_HOPS = {
    "virtualappliance": "appliance", "internet": "internet", "none": "none",
    "vnetlocal": "local", "virtualnetworkgateway": "vpn",
}
FLOW_LOG_TARGETS = {
    "networksecuritygroups": "policy", "virtualnetworks": "network", "subnets": "subnet",
    "networkinterfaces": "interface",
}


def fold(resource_id: str) -> str:
    return (resource_id or "").casefold()


def props(item: Mapping[str, Any]) -> Mapping[str, Any]:
    return item.get("properties") or {}


def ref(value: Any) -> str:
    """The id of a sub-resource reference ({"id": ...}) or ""."""
    return (value or {}).get("id", "") if isinstance(value, Mapping) else ""


def parent_network_id(subnet_id: str) -> str:
    lower = fold(subnet_id)
    cut = lower.rfind("/subnets/")
    return subnet_id[:cut] if cut >= 0 else ""


def subscription_of(resource_id: str) -> str:
    parts = resource_id.strip("/").split("/")
    return parts[1] if len(parts) > 1 and parts[0].lower() == "subscriptions" else ""


def _cidr(text: str) -> str | None:
    try:
        return str(ipaddress.ip_network(text.strip(), strict=False))
    except ValueError:
        return None


class _Estate:
    """Case-folded lookups over every subscription's resources."""

    def __init__(self, raws: list[Mapping[str, Any]]) -> None:
        self.by_kind: dict[str, list[tuple[str, Mapping[str, Any]]]] = defaultdict(list)
        for raw in raws:
            sub = raw["subscription"]
            for kind, items in raw.items():
                if kind != "subscription":
                    self.by_kind[kind].extend((sub, item) for item in items or ())
        for kind in self.by_kind:
            self.by_kind[kind].sort(key=lambda pair: fold(pair[1].get("id", "")))
        self.canonical: dict[str, str] = {}
        self.vnets: dict[str, Mapping[str, Any]] = {}
        self.subnets: dict[str, tuple[Mapping[str, Any], Mapping[str, Any]]] = {}  # -> (subnet, vnet)
        for _, vnet in self.items("virtualNetworks"):
            self._known(vnet["id"])
            self.vnets[fold(vnet["id"])] = vnet
            for subnet in props(vnet).get("subnets") or ():
                self._known(subnet["id"])
                self.subnets[fold(subnet["id"])] = (subnet, vnet)
        for kind in ("networkSecurityGroups", "routeTables", "networkInterfaces", "publicIPAddresses",
                     "natGateways", "applicationSecurityGroups", "azureFirewalls"):
            for _, item in self.items(kind):
                self._known(item["id"])
        self.public_ips = {fold(ip["id"]): ip for _, ip in self.items("publicIPAddresses")}
        self.nics = {fold(nic["id"]): nic for _, nic in self.items("networkInterfaces")}
        self.nsg_networks: dict[str, list[str]] = defaultdict(list)
        for folded, (subnet, vnet) in self.subnets.items():
            nsg = ref(props(subnet).get("networkSecurityGroup"))
            if nsg:
                self.nsg_networks[fold(nsg)].append(vnet["id"])
        for nic in self.nics.values():
            nsg = ref(props(nic).get("networkSecurityGroup"))
            for config in props(nic).get("ipConfigurations") or ():
                if nsg and ref(props(config).get("subnet")):
                    self.nsg_networks[fold(nsg)].append(self.vnet_of_subnet(ref(props(config).get("subnet"))))

    def _known(self, resource_id: str) -> None:
        self.canonical.setdefault(fold(resource_id), resource_id)

    def items(self, kind: str) -> list[tuple[str, Mapping[str, Any]]]:
        return self.by_kind.get(kind, [])

    def id(self, resource_id: str) -> str:
        """A reference written with the referenced object's own spelling, when known."""
        return self.canonical.get(fold(resource_id), resource_id) if resource_id else ""

    def vnet_of_subnet(self, subnet_id: str) -> str:
        found = self.subnets.get(fold(subnet_id))
        return found[1]["id"] if found else self.id(parent_network_id(subnet_id))

    def address_space(self, vnet: Mapping[str, Any]) -> list[str]:
        return list((props(vnet).get("addressSpace") or {}).get("addressPrefixes") or ())

    def virtual_network_tag(self, vnet_id: str) -> list[str]:
        """What the VirtualNetwork service tag stands for inside a VNet: its own space plus
        the spaces of the VNets it is peered with (connected peerings)."""
        vnet = self.vnets.get(fold(vnet_id))
        if vnet is None:
            return []
        cidrs = self.address_space(vnet)
        for peering in props(vnet).get("virtualNetworkPeerings") or ():
            if fold(props(peering).get("peeringState", "")) == "connected":
                cidrs += self.peer_space(peering)
        return cidrs

    def peer_space(self, peering: Mapping[str, Any]) -> list[str]:
        p = props(peering)
        remote = self.vnets.get(fold(ref(p.get("remoteVirtualNetwork"))))
        if remote is not None:
            return self.address_space(remote)
        # Another subscription's VNet: the peering carries the remote space itself.
        space = p.get("remoteVirtualNetworkAddressSpace") or p.get("remoteAddressSpace") or {}
        return list(space.get("addressPrefixes") or ())


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _tags(item: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (item.get("tags") or {}).items()}


# --------------------------------------------------------------------------- rules

def _ports(p: Mapping[str, Any]) -> tuple[PortRange, ...]:
    specs = list(p.get("destinationPortRanges") or ())
    if p.get("destinationPortRange"):
        specs.append(p["destinationPortRange"])
    ranges = []
    for spec in specs:
        spec = str(spec).strip()
        if spec in ("*", "0-65535"):
            return ()
        first, _, last = spec.partition("-")
        ranges.append(PortRange(first=int(first), last=int(last or first)))
    return tuple(sorted(set(ranges), key=lambda r: (r.first, r.last)))


def _address_peer(prefix: str, vnet_tag: tuple[str, ...]) -> Peer | None:
    """One NSG address prefix; None for '*' (everything)."""
    text = prefix.strip()
    if text in ("*", "Any", "any"):
        return None
    cidr = _cidr(text)
    if cidr is not None:
        return Peer(kind="cidr", value=cidr)
    tag = text.casefold()
    if tag == "internet":
        return Peer(kind="internet", value=text)
    if tag == "virtualnetwork":
        return Peer(kind="service-tag", value=text, cidrs=vnet_tag)
    if tag == "azureloadbalancer":
        return Peer(kind="service-tag", value=text, cidrs=LOAD_BALANCER_PROBE)
    return Peer(kind="service-tag", value=text)


def _side(p: Mapping[str, Any], side: str, vnet_tag: tuple[str, ...]) -> tuple[Peer, ...] | None:
    """Peers of one side of a rule; None means everything."""
    prefixes = list(p.get(f"{side}AddressPrefixes") or ())
    if p.get(f"{side}AddressPrefix"):
        prefixes.append(p[f"{side}AddressPrefix"])
    groups = [ref(g) for g in p.get(f"{side}ApplicationSecurityGroups") or ()]
    peers: list[Peer] = []
    for prefix in prefixes:
        peer = _address_peer(prefix, vnet_tag)
        if peer is None:
            return None
        peers.append(peer)
    peers += [Peer(kind="app-group", value=g) for g in groups if g]
    return tuple(dict.fromkeys(peers)) if peers else None


def _rule(item: Mapping[str, Any], default: bool, vnet_tag: tuple[str, ...], estate: _Estate) -> Rule:
    p = props(item)
    inbound = fold(p.get("direction", "")) == "inbound"
    far, near = ("source", "destination") if inbound else ("destination", "source")
    peers = _side(p, far, vnet_tag)
    targets = _side(p, near, vnet_tag)
    fix = lambda peer: Peer(kind=peer.kind, value=estate.id(peer.value)) if peer.kind == "app-group" else peer  # noqa: E731
    return Rule(
        id=item.get("id", ""),
        name=item.get("name", ""),
        direction="ingress" if inbound else "egress",
        action="allow" if fold(p.get("access", "")) == "allow" else "deny",
        priority=int(p.get("priority", 0)),
        protocol=PROTOCOLS.get(fold(str(p.get("protocol", "*"))), str(p.get("protocol", "")).lower()),
        ports=_ports(p),
        peers=tuple(fix(x) for x in peers) if peers else (Peer(kind="any"),),
        targets=tuple(fix(x) for x in targets) if targets else (),
        platform_default=default,
        description=p.get("description", "") or "",
    )


def _nsg_networks(nsg: Mapping[str, Any], estate: _Estate) -> list[str]:
    """The VNets an NSG applies in: those of its subnets and of its NICs' subnets."""
    p = props(nsg)
    # Both directions: the NSG lists its subnets and NICs, and they name the NSG.
    networks = [estate.vnet_of_subnet(ref(s)) for s in p.get("subnets") or ()]
    networks += estate.nsg_networks.get(fold(nsg["id"]), [])
    nics = [estate.nics.get(fold(ref(n))) for n in p.get("networkInterfaces") or ()]
    for nic in nics:
        for config in props(nic or {}).get("ipConfigurations") or ():
            networks.append(estate.vnet_of_subnet(ref(props(config).get("subnet"))))
    folded = {fold(n): n for n in networks if n}
    return [folded[k] for k in sorted(folded)]


def policies(estate: _Estate) -> list[FirewallPolicy]:
    out = []
    for sub, nsg in estate.items("networkSecurityGroups"):
        networks = _nsg_networks(nsg, estate)
        vnet_tag = _unique(c for n in networks for c in estate.virtual_network_tag(n))
        p = props(nsg)
        rules = [_rule(r, False, vnet_tag, estate) for r in p.get("securityRules") or ()]
        rules += [_rule(r, True, vnet_tag, estate) for r in p.get("defaultSecurityRules") or ()]
        rules.sort(key=lambda r: (r.direction, r.priority, r.name))
        out.append(FirewallPolicy(
            provider="azure", account=sub, region=nsg.get("location", ""), id=nsg["id"],
            name=nsg.get("name", ""), tags=_tags(nsg), kind="nsg",
            network_id=networks[0] if len(networks) == 1 else "",
            stateful=True, evaluation="first-match", rules=tuple(rules),
        ))
    return out


# --------------------------------------------------------------------------- networks

def _internet_gateway_id(vnet_id: str, default_outbound: bool) -> str:
    # A subnet without default outbound access reaches the internet only from workloads
    # with a public address (or through NAT), so it gets a gateway of its own kind.
    return f"{vnet_id}/internet" if default_outbound else f"{vnet_id}/internet-public-ip-only"


def networks_and_routes(estate: _Estate, firewall_policy_ids: Mapping[str, tuple[str, ...]] | None = None
                        ) -> dict[str, list[Any]]:
    networks, subnets, tables, gateways, peerings = [], [], [], [], []
    internet: dict[str, Gateway] = {}
    nat_subnets: dict[str, list[str]] = defaultdict(list)
    udr_network: dict[str, str] = {}

    def internet_gateway(sub: str, vnet: Mapping[str, Any], default_outbound: bool) -> str:
        gid = _internet_gateway_id(vnet["id"], default_outbound)
        internet.setdefault(fold(gid), Gateway(
            provider="azure", account=sub, region=vnet.get("location", ""), id=gid,
            name=f"{vnet.get('name', '')} {'default outbound' if default_outbound else 'outbound with public IP'}",
            kind="internet", network_id=vnet["id"], requires_public_address=not default_outbound))
        return gid

    for sub, vnet in estate.items("virtualNetworks"):
        vp, vid, region = props(vnet), vnet["id"], vnet.get("location", "")
        space = estate.address_space(vnet)
        networks.append(Network(provider="azure", account=sub, region=region, id=vid, name=vnet.get("name", ""),
                                tags=_tags(vnet), cidrs=tuple(space)))
        peer_routes = []
        for peering in vp.get("virtualNetworkPeerings") or ():
            pp = props(peering)
            remote = estate.id(ref(pp.get("remoteVirtualNetwork")))
            remote_vnet = estate.vnets.get(fold(remote))
            state = PEERING_STATES.get(fold(pp.get("peeringState", "")), "inactive")
            peerings.append(Peering(
                provider="azure", account=sub, region=region, id=peering["id"], name=peering.get("name", ""),
                network_id=vid, peer_network_id=remote, peer_account=subscription_of(remote),
                peer_region=remote_vnet.get("location", "") if remote_vnet else "",
                state=state, route_exchange="automatic",
                forwarded_traffic=bool(pp.get("allowForwardedTraffic", False)),
            ))
            if state == "active":
                peer_routes += [(c, peering["id"]) for c in estate.peer_space(peering)]
        for subnet in sorted(vp.get("subnets") or (), key=lambda s: fold(s["id"])):
            sp, sid = props(subnet), subnet["id"]
            nat = estate.id(ref(sp.get("natGateway")))
            if nat:
                nat_subnets[fold(nat)].append(sid)
            routes = [Route(destination=_cidr(c) or c, target_kind="local", target_id=vid,
                            priority=SYSTEM_ROUTE_PRIORITY, origin="system") for c in space]
            routes += [Route(destination=_cidr(c) or c, target_kind="peering", target_id=pid,
                             priority=SYSTEM_ROUTE_PRIORITY, origin="system") for c, pid in peer_routes]
            if nat:
                routes.append(Route(destination="0.0.0.0/0", target_kind="nat", target_id=nat,
                                    priority=SYSTEM_ROUTE_PRIORITY, origin="system"))
            else:
                gid = internet_gateway(sub, vnet, sp.get("defaultOutboundAccess") is not False)
                routes.append(Route(destination="0.0.0.0/0", target_kind="internet", target_id=gid,
                                    priority=SYSTEM_ROUTE_PRIORITY, origin="system"))
            system_id = f"{sid}/system-routes"
            tables.append(RouteTable(provider="azure", account=sub, region=region, id=system_id,
                                     name=f"{subnet.get('name', '')} system routes", network_id=vid,
                                     routes=tuple(routes)))
            udr = estate.id(ref(sp.get("routeTable")))
            if udr:
                udr_network.setdefault(fold(udr), vid)
            nsg = estate.id(ref(sp.get("networkSecurityGroup")))
            prefixes = list(sp.get("addressPrefixes") or ()) or ([sp["addressPrefix"]] if sp.get("addressPrefix") else [])
            delegations = [props(d).get("serviceName", "") for d in sp.get("delegations") or ()]
            subnets.append(Subnet(
                provider="azure", account=sub, region=region, id=sid, name=subnet.get("name", ""),
                network_id=vid, cidrs=tuple(_cidr(c) or c for c in prefixes),
                route_table_ids=_unique([system_id, udr]), policy_ids=_unique([nsg]),
                purpose=",".join(d for d in delegations if d),
            ))
            for endpoint in sp.get("serviceEndpoints") or ():
                service = props(endpoint).get("service", "") if "properties" in endpoint else endpoint.get("service", "")
                gateways.append(Gateway(
                    provider="azure", account=sub, region=region, id=f"{sid}/serviceEndpoints/{service}",
                    name=f"{subnet.get('name', '')} {service}", kind="endpoint", network_id=vid,
                    subnet_id=sid, public=False, service=service))

    for sub, table in estate.items("routeTables"):
        network_id = udr_network.get(fold(table["id"]), "")
        routes = []
        for item in props(table).get("routes") or ():
            rp = props(item)
            destination = _cidr(rp.get("addressPrefix", ""))
            # A service-tag destination (Storage, AzureCloud) names a set of ranges that
            # only Azure knows: kept by name, like a managed prefix list.
            tag = "" if destination else rp.get("addressPrefix", "")
            kind = NEXT_HOPS.get(fold(rp.get("nextHopType", "")), "none")
            target = rp.get("nextHopIpAddress", "") if kind == "appliance" else ""
            if kind == "internet" and network_id:
                target = internet_gateway(sub, estate.vnets[fold(network_id)], True)
            routes.append(Route(destination=destination, destination_prefix_list=tag, target_kind=kind,
                                target_id=target, priority=USER_ROUTE_PRIORITY, origin="user"))
        tables.append(RouteTable(provider="azure", account=sub, region=table.get("location", ""), id=table["id"],
                                 name=table.get("name", ""), tags=_tags(table), network_id=network_id,
                                 routes=tuple(routes)))

    for sub, nat in estate.items("natGateways"):
        served = nat_subnets.get(fold(nat["id"])) or [estate.id(ref(s)) for s in props(nat).get("subnets") or ()]
        served_networks = _unique(estate.vnet_of_subnet(s) for s in served)
        gateways.append(Gateway(provider="azure", account=sub, region=nat.get("location", ""), id=nat["id"],
                                name=nat.get("name", ""), tags=_tags(nat), kind="nat",
                                network_id=served_networks[0] if len(served_networks) == 1 else "",
                                nat_subnet_ids=_unique(served)))

    for sub, firewall in estate.items("azureFirewalls"):
        fp = props(firewall)
        configs = [props(c) for c in fp.get("ipConfigurations") or ()]
        subnet_id = next((estate.id(ref(c.get("subnet"))) for c in configs if ref(c.get("subnet"))), "")
        gateways.append(Gateway(
            provider="azure", account=sub, region=firewall.get("location", ""), id=firewall["id"],
            name=firewall.get("name", ""), tags=_tags(firewall), kind="appliance",
            network_id=estate.vnet_of_subnet(subnet_id) if subnet_id else "", subnet_id=subnet_id,
            public=any(ref(c.get("publicIPAddress")) for c in configs),
            service="AzureFirewall" + (f" policy {ref(fp.get('firewallPolicy'))}" if ref(fp.get("firewallPolicy")) else ""),
            private_ips=_unique(c.get("privateIPAddress", "") for c in configs),
            policy_ids=(firewall_policy_ids or {}).get(fold(firewall["id"]), ()),
        ))

    for sub, nic in estate.items("networkInterfaces"):
        # A VM forwarding IP traffic is a network virtual appliance: UDRs name it by its
        # private address, so it is written as an appliance gateway holding its addresses.
        np = props(nic)
        if not np.get("enableIPForwarding"):
            continue
        configs = [props(c) for c in np.get("ipConfigurations") or ()]
        subnet_id = next((estate.id(ref(c.get("subnet"))) for c in configs if ref(c.get("subnet"))), "")
        gateways.append(Gateway(
            provider="azure", account=sub, region=nic.get("location", ""), id=nic["id"], name=nic.get("name", ""),
            tags=_tags(nic), kind="appliance", network_id=estate.vnet_of_subnet(subnet_id) if subnet_id else "",
            subnet_id=subnet_id, public=any(ref(c.get("publicIPAddress")) for c in configs),
            service="NetworkVirtualAppliance", private_ips=_unique(c.get("privateIPAddress", "") for c in configs)))

    gateways += internet.values()
    return {"networks": networks, "subnets": subnets, "route_tables": tables,
            "gateways": gateways, "peerings": peerings}


# --------------------------------------------------------------------------- workloads

def _owner(np: Mapping[str, Any]) -> tuple[str, str]:
    for key, kind in (("virtualMachine", "instance"), ("privateEndpoint", "endpoint"),
                      ("privateLinkService", "endpoint")):
        owner = ref(np.get(key))
        if owner:
            return kind, owner
    return "other", ""


def workloads(estate: _Estate) -> list[Workload]:
    out = []
    for sub, nic in estate.items("networkInterfaces"):
        np = props(nic)
        configs = sorted((props(c) for c in np.get("ipConfigurations") or ()),
                         key=lambda c: not c.get("primary", False))
        subnet_id = next((estate.id(ref(c.get("subnet"))) for c in configs if ref(c.get("subnet"))), "")
        public = []
        for c in configs:
            ip = estate.public_ips.get(fold(ref(c.get("publicIPAddress"))))
            if ip is not None and props(ip).get("ipAddress"):
                public.append(props(ip)["ipAddress"])
        kind, owner = _owner(np)
        if np.get("enableIPForwarding") and kind == "instance":
            kind = "appliance"  # a network virtual appliance: forwards traffic not addressed to it
        out.append(Workload(
            provider="azure", account=sub, region=nic.get("location", ""), id=nic["id"], name=nic.get("name", ""),
            tags=_tags(nic), network_id=estate.vnet_of_subnet(subnet_id) if subnet_id else "", subnet_id=subnet_id,
            private_ips=_unique(c.get("privateIPAddress", "") for c in configs),
            public_ips=_unique(public),
            policy_ids=_unique([estate.id(ref(np.get("networkSecurityGroup")))]),
            app_groups=_unique(estate.id(ref(g)) for c in configs for g in c.get("applicationSecurityGroups") or ()),
            owner_kind=kind, owner_id=estate.id(owner), owner_name=owner.rstrip("/").rsplit("/", 1)[-1] if owner else "",
        ))
    return out


def flow_logs(estate: _Estate) -> list[FlowLog]:
    out = []
    for sub, log in estate.items("flowLogs"):
        lp = props(log)
        target = lp.get("targetResourceId", "")
        segments = [s for s in fold(target).strip("/").split("/")]
        kind = FLOW_LOG_TARGETS.get(segments[-2] if len(segments) >= 2 else "", "network")
        out.append(FlowLog(provider="azure", account=sub, region=log.get("location", ""), id=log["id"],
                           name=log.get("name", ""), tags=_tags(log), target_id=estate.id(target),
                           target_kind=kind, enabled=bool(lp.get("enabled", False))))
    return out


def _firewall_network(firewall: Mapping[str, Any], estate: _Estate) -> str:
    configs = [props(c) for c in props(firewall).get("ipConfigurations") or ()]
    subnet_id = next((ref(c.get("subnet")) for c in configs if ref(c.get("subnet"))), "")
    return estate.vnet_of_subnet(subnet_id) if subnet_id else ""


def snapshot(raws: list[Mapping[str, Any]], gaps: Iterable[CollectionError] = (),
             names: Mapping[str, str] | None = None) -> Snapshot:
    """One snapshot of every subscription read (a denied one is still an account, with its gap)."""
    names = names or {}
    estate = _Estate(raws)
    appliance_policies, attached, firewall_gaps = firewall_policies(
        estate.items("azureFirewalls"), estate.items("firewallPolicies"),
        estate.items("firewallPolicyRuleCollectionGroups"), estate.items("firewallPolicyGroupsRead"),
        lambda fw: _firewall_network(fw, estate))
    parts = networks_and_routes(estate, attached)
    by_id = lambda items: tuple(sorted(items, key=lambda x: fold(x.id)))  # noqa: E731
    return Snapshot(
        accounts=tuple(Account(provider="azure", id=raw["subscription"], name=names.get(raw["subscription"], ""))
                       for raw in sorted(raws, key=lambda r: r["subscription"])),
        networks=by_id(parts["networks"]),
        subnets=by_id(parts["subnets"]),
        route_tables=by_id(parts["route_tables"]),
        gateways=by_id(parts["gateways"]),
        peerings=by_id(parts["peerings"]),
        policies=by_id([*policies(estate), *appliance_policies]),
        workloads=by_id(workloads(estate)),
        flow_logs=by_id(flow_logs(estate)),
        errors=(*gaps, *firewall_gaps),
    )
