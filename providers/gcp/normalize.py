"""GCP Compute REST records -> the cloud-neutral model (pure; no SDK, no I/O).

Input is one project's raw records as the Compute REST API spells them (camelCase
JSON dicts, ids as strings), so the same code runs on recorded JSON and on what
fetch.py converts from the SDK's proto messages. Conventions follow docs/model.md.
"""
from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import replace
from typing import Any, Iterable, Mapping

from scanner.model import (
    FirewallPolicy, FlowLog, Gateway, Network, Peer, Peering, PortRange, Route, RouteTable,
    Rule, Snapshot, Subnet, Workload,
)

Raw = Mapping[str, Any]
P = "gcp"

VPC_FIREWALL_ORDER = 100
# networkFirewallPolicyEnforcementOrder: AFTER_CLASSIC_FIREWALL is the platform default.
NETWORK_POLICY_ORDER = {"AFTER_CLASSIC_FIREWALL": 200, "BEFORE_CLASSIC_FIREWALL": 50}
REGIONAL_POLICY_OFFSET = 10  # regional network policies are evaluated after the global one
IMPLIED_PRIORITY = 65535
DEFAULT_NETWORK_RULES = frozenset({
    "default-allow-internal", "default-allow-ssh", "default-allow-rdp", "default-allow-icmp",
})
PROTOCOL_NAMES = {"1": "icmp", "6": "tcp", "17": "udp", "58": "icmpv6"}
EXTERNAL_SCHEMES = {"EXTERNAL", "EXTERNAL_MANAGED"}
# Firewall-policy matchers the model cannot express as addresses (FQDNs, geolocation,
# threat intelligence, address groups). They only ever narrow public sources, so an
# allow is kept as an allow from the internet and a deny is dropped: both err towards
# reporting exposure rather than hiding it.
UNRESOLVED_SOURCES = ("srcFqdns", "srcRegionCodes", "srcThreatIntelligences", "srcAddressGroups")
UNRESOLVED_DESTS = ("destFqdns", "destRegionCodes", "destThreatIntelligences", "destAddressGroups")


# ---------------------------------------------------------------- ids and urls

def path(url: str, project: str = "") -> str:
    """A resource URL or relative name as `projects/{p}/...`, whatever host or API version."""
    if not url:
        return ""
    i = url.find("projects/")
    if i >= 0:
        return url[i:].rstrip("/")
    if project and url.startswith(("global/", "regions/", "zones/")):
        return f"projects/{project}/{url}"
    return url


def last(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1] if url else ""


def project_of(url: str) -> str:
    parts = path(url).split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "projects" else ""


def region_of_zone(zone: str) -> str:
    return last(zone).rsplit("-", 1)[0]


def labels(record: Raw) -> dict[str, str]:
    return {str(k): str(v) for k, v in sorted((record.get("labels") or {}).items())}


def routes_table_id(network_id: str) -> str:
    return f"{network_id}/routes"


def vpc_firewall_id(network_id: str) -> str:
    return f"{network_id}/firewall-rules"


def internet_gateway_id(network_id: str) -> str:
    return f"{network_id}/default-internet-gateway"


def peering_id(network_id: str, name: str) -> str:
    return f"{network_id}/peerings/{name}"


# ---------------------------------------------------------------- rules

def _ports(specs: Iterable[str]) -> tuple[PortRange, ...]:
    out = []
    for spec in specs or ():
        lo, _, hi = str(spec).partition("-")
        out.append(PortRange(first=int(lo), last=int(hi or lo)))
    return tuple(out)


def _protocol(value: str) -> str:
    value = str(value or "all").lower()
    return PROTOCOL_NAMES.get(value, value)


def _cidrs(ranges: Iterable[str]) -> list[Peer]:
    peers = []
    for r in ranges or ():
        net = ipaddress.ip_network(r, strict=False)
        peers.append(Peer(kind="cidr", value=str(net)))
    return peers


def _everything() -> tuple[Peer, ...]:
    return (Peer(kind="any"),)


def firewall_rules(fw: Raw, project: str, network_name: str) -> list[Rule]:
    """One model rule per allowed/denied protocol entry of a VPC firewall rule."""
    fw_id = path(fw.get("selfLink", ""), project) or f"projects/{project}/global/firewalls/{fw['name']}"
    direction = "egress" if fw.get("direction") == "EGRESS" else "ingress"
    if direction == "ingress":
        peers = (_cidrs(fw.get("sourceRanges"))
                 + [Peer(kind="tag", value=t) for t in fw.get("sourceTags") or ()]
                 + [Peer(kind="service-account", value=s) for s in fw.get("sourceServiceAccounts") or ()])
        targets = [Peer(kind="tag", value=t) for t in fw.get("targetTags") or ()]
        targets += [Peer(kind="service-account", value=s) for s in fw.get("targetServiceAccounts") or ()]
        targets += _cidrs(fw.get("destinationRanges"))
    else:
        peers = _cidrs(fw.get("destinationRanges"))
        targets = [Peer(kind="tag", value=t) for t in fw.get("targetTags") or ()]
        targets += [Peer(kind="service-account", value=s) for s in fw.get("targetServiceAccounts") or ()]
        targets += _cidrs(fw.get("sourceRanges"))
    # A rule naming no source (ingress) or destination (egress) matches every address.
    peers_t = tuple(peers) or _everything()
    entries = [("allow", e) for e in fw.get("allowed") or ()] + [("deny", e) for e in fw.get("denied") or ()]
    platform = network_name == "default" and fw.get("name") in DEFAULT_NETWORK_RULES
    rules = []
    for i, (action, entry) in enumerate(entries):
        rules.append(Rule(
            id=fw_id if len(entries) == 1 else f"{fw_id}#{i}",
            name=fw.get("name", ""),
            direction=direction,
            action=action,
            priority=int(fw.get("priority", 1000)),
            protocol=_protocol(entry.get("IPProtocol", "all")),
            ports=_ports(entry.get("ports")),
            peers=peers_t,
            targets=tuple(targets),
            enabled=not fw.get("disabled", False),
            platform_default=platform,
            description=fw.get("description", ""),
        ))
    return rules


def implied_rules(network_id: str) -> tuple[Rule, ...]:
    return (
        Rule(id=f"{network_id}/implied-deny-ingress", name="implied-deny-ingress", direction="ingress",
             action="deny", priority=IMPLIED_PRIORITY, peers=_everything(), platform_default=True),
        Rule(id=f"{network_id}/implied-allow-egress", name="implied-allow-egress", direction="egress",
             action="allow", priority=IMPLIED_PRIORITY, peers=_everything(), platform_default=True),
    )


def _policy_rule(policy_id: str, rule: Raw) -> list[Rule]:
    """Rules of a network or hierarchical firewall policy (one per layer-4 config)."""
    match = rule.get("match") or {}
    direction = "egress" if rule.get("direction") == "EGRESS" else "ingress"
    action = {"goto_next": "next", "deny": "deny"}.get(rule.get("action", ""), "allow")
    if direction == "ingress":
        peers = _cidrs(match.get("srcIpRanges"))
        peers += [Peer(kind="tag", value=t.get("name", "")) for t in match.get("srcSecureTags") or ()]
        unresolved = any(match.get(k) for k in UNRESOLVED_SOURCES)
        targets = _cidrs(match.get("destIpRanges"))
    else:
        peers = _cidrs(match.get("destIpRanges"))
        unresolved = any(match.get(k) for k in UNRESOLVED_DESTS)
        targets = _cidrs(match.get("srcIpRanges"))
    if unresolved:
        if action == "deny":
            return []
        peers.append(Peer(kind="internet"))
    targets += [Peer(kind="tag", value=t.get("name", "")) for t in rule.get("targetSecureTags") or ()]
    targets += [Peer(kind="service-account", value=s) for s in rule.get("targetServiceAccounts") or ()]
    configs = match.get("layer4Configs") or [{"ipProtocol": "all"}]
    priority = int(rule.get("priority", 0))
    base = f"{policy_id}/rules/{priority}"
    return [
        Rule(
            id=base if len(configs) == 1 else f"{base}#{i}",
            name=rule.get("ruleName", ""),
            direction=direction,
            action=action,
            priority=priority,
            protocol=_protocol(cfg.get("ipProtocol", "all")),
            ports=_ports(cfg.get("ports")),
            peers=tuple(peers) or _everything(),
            targets=tuple(targets),
            enabled=not rule.get("disabled", False),
            platform_default=priority >= 2147483644,  # the implied goto_next rules at the bottom
            description=rule.get("description", ""),
        )
        for i, cfg in enumerate(configs)
    ]


def policy_rules(policy_id: str, rules: Iterable[Raw]) -> tuple[Rule, ...]:
    return tuple(r for rule in rules or () for r in _policy_rule(policy_id, rule))


# ---------------------------------------------------------------- the project

def normalize(project: str, raw: Raw) -> Snapshot:
    """One project's records -> a Snapshot (without errors: fetch adds those)."""
    networks_raw = sorted(raw.get("networks") or (), key=lambda n: n["name"])
    net_ids = {n["name"]: path(n.get("selfLink", ""), project) or f"projects/{project}/global/networks/{n['name']}"
               for n in networks_raw}

    def net_id(url: str) -> str:
        return path(url, project)

    firewalls_by_net: dict[str, list[Raw]] = defaultdict(list)
    for fw in raw.get("firewalls") or ():
        firewalls_by_net[net_id(fw.get("network", ""))].append(fw)

    # Network firewall policies (global and regional), by the networks they are attached to.
    policies: list[FirewallPolicy] = []
    policy_ids_by_net: dict[str, list[str]] = defaultdict(list)
    order_by_net = {net_ids[n["name"]]: NETWORK_POLICY_ORDER.get(
        n.get("networkFirewallPolicyEnforcementOrder", ""), 200) for n in networks_raw}
    for fp in sorted(raw.get("firewallPolicies") or (), key=lambda f: path(f.get("selfLink", ""), project)):
        fp_id = path(fp.get("selfLink", ""), project)
        region = last(fp.get("region", "")) or "global"
        for assoc in fp.get("associations") or ():
            target = net_id(assoc.get("attachmentTarget", ""))
            order = order_by_net.get(target, 200) + (REGIONAL_POLICY_OFFSET if region != "global" else 0)
            policies.append(FirewallPolicy(
                provider=P, account=project, region=region, id=fp_id, name=fp.get("name", ""),
                kind="network-firewall-policy", network_id=target, stateful=True,
                evaluation="first-match", chain_order=order, rules=policy_rules(fp_id, fp.get("rules")),
            ))
            policy_ids_by_net[target].append(fp_id)
            break  # a model policy carries one network; further associations are listed below
        for assoc in (fp.get("associations") or ())[1:]:
            policy_ids_by_net[net_id(assoc.get("attachmentTarget", ""))].append(fp_id)

    # Hierarchical policies, as the network sees them (organization first, then folders).
    hier_ids_by_net: dict[str, list[str]] = defaultdict(list)
    seen_hier: set[str] = set()
    for name, effective in sorted((raw.get("effectiveFirewalls") or {}).items()):
        nid = net_ids.get(name, f"projects/{project}/global/networks/{name}")
        hier = [p for p in effective.get("firewallPolicys") or () if p.get("type") == "HIERARCHY"]
        for order, hp in enumerate(hier):
            hp_id = f"firewallPolicies/{hp.get('name', '')}"
            if any(r.get("targetResources") for r in hp.get("rules") or ()):
                # Rules aimed at some networks only: this network's view of the policy is its own.
                hp_id = f"{hp_id}/networks/{name}"
            hp_rules = [r for r in hp.get("rules") or ()
                        if not r.get("targetResources") or nid in {path(t, project) for t in r["targetResources"]}]
            hier_ids_by_net[nid].append(hp_id)
            if hp_id in seen_hier:  # one organization policy seen from several networks
                continue
            seen_hier.add(hp_id)
            policies.append(FirewallPolicy(
                provider=P, account=project, region="global", id=hp_id,
                name=hp.get("displayName") or hp.get("shortName") or hp.get("name", ""),
                kind="hierarchical-firewall-policy", network_id=nid, stateful=True,
                evaluation="first-match", chain_order=min(order, VPC_FIREWALL_ORDER // 2 - 1),
                rules=policy_rules(hp_id, hp_rules),
            ))

    networks, peerings, gateways, flow_logs = [], [], [], []
    for n in networks_raw:
        nid = net_ids[n["name"]]
        vpc_fw = vpc_firewall_id(nid)
        rules = [r for fw in sorted(firewalls_by_net.get(nid, ()), key=lambda f: f["name"])
                 for r in firewall_rules(fw, project, n["name"])]
        for fw in firewalls_by_net.get(nid, ()):
            if (fw.get("logConfig") or {}).get("enable"):
                fw_id = path(fw.get("selfLink", ""), project) or f"projects/{project}/global/firewalls/{fw['name']}"
                flow_logs.append(FlowLog(provider=P, account=project, region="global", id=f"{fw_id}/logging",
                                         name=fw["name"], target_id=fw_id, target_kind="policy"))
        policies.append(FirewallPolicy(
            provider=P, account=project, region="global", id=vpc_fw, name=f"{n['name']} firewall rules",
            kind="vpc-firewall", network_id=nid, stateful=True, evaluation="first-match",
            chain_order=VPC_FIREWALL_ORDER, rules=tuple(rules) + implied_rules(nid),
        ))
        networks.append(Network(
            provider=P, account=project, region="global", id=nid, name=n["name"],
            cidrs=(str(ipaddress.ip_network(n["IPv4Range"], strict=False)),) if n.get("IPv4Range") else (),
            is_default=n["name"] == "default",
            policy_ids=tuple(hier_ids_by_net.get(nid, [])) + (vpc_fw,) + tuple(policy_ids_by_net.get(nid, [])),
            subnet_mode="legacy" if n.get("IPv4Range") else ("auto" if n.get("autoCreateSubnetworks") else "custom"),
            routing_mode=str((n.get("routingConfig") or {}).get("routingMode", "")).lower(),
        ))
        gateways.append(Gateway(
            provider=P, account=project, region="global", id=internet_gateway_id(nid),
            name="default-internet-gateway", kind="internet", network_id=nid, requires_public_address=True,
        ))
        for pr in sorted(n.get("peerings") or (), key=lambda p: p["name"]):
            peer = path(pr.get("network", ""), project)
            peerings.append(Peering(
                provider=P, account=project, region="global", id=peering_id(nid, pr["name"]), name=pr["name"],
                network_id=nid, peer_network_id=peer, peer_account=project_of(peer), peer_region="global",
                state="active" if pr.get("state") == "ACTIVE" else "inactive",
                route_exchange="automatic",
                forwarded_traffic=bool(pr.get("importCustomRoutes") or pr.get("exportCustomRoutes")),
            ))

    subnets_raw = sorted(raw.get("subnetworks") or (), key=lambda s: path(s.get("selfLink", ""), project))
    subnets, subnet_routes = [], defaultdict(list)
    subnets_by_region_net: dict[tuple[str, str], list[str]] = defaultdict(list)
    for s in subnets_raw:
        sid = path(s.get("selfLink", ""), project) or f"projects/{project}/regions/{last(s['region'])}/subnetworks/{s['name']}"
        nid = net_id(s.get("network", ""))
        region = last(s.get("region", ""))
        cidrs = [s["ipCidrRange"]] if s.get("ipCidrRange") else []
        cidrs += [r["ipCidrRange"] for r in s.get("secondaryIpRanges") or () if r.get("ipCidrRange")]
        cidrs += [c for c in (s.get("ipv6CidrRange"), s.get("internalIpv6Prefix"), s.get("externalIpv6Prefix")) if c]
        cidrs = list(dict.fromkeys(str(ipaddress.ip_network(c, strict=False)) for c in cidrs))
        subnets.append(Subnet(
            provider=P, account=project, region=region, id=sid, name=s["name"], network_id=nid,
            cidrs=tuple(cidrs), route_table_ids=(routes_table_id(nid),),
            assigns_public_ips=False, purpose=s.get("purpose", ""),
            private_service_access=bool(s.get("privateIpGoogleAccess")),
        ))
        subnets_by_region_net[(region, nid)].append(sid)
        subnet_routes[nid] += [(c, sid) for c in cidrs]
        log = s.get("logConfig") or {}
        if log.get("enable") or s.get("enableFlowLogs"):
            # VPC flow logs record allowed and denied connections alike; a sampling rate
            # of 0 records nothing.
            sampled = float(log.get("flowSampling", 0.5)) > 0
            flow_logs.append(FlowLog(provider=P, account=project, region=region, id=f"{sid}/flow-log",
                                     name=s["name"], target_id=sid, target_kind="subnet", traffic="all",
                                     enabled=sampled))

    route_tables = _route_tables(project, raw.get("routes") or (), net_ids, subnet_routes)
    gateways += _nat_gateways(project, raw.get("routers") or (), subnets_by_region_net)
    workloads = _instance_workloads(project, raw.get("instances") or ())
    frontends = _lb_workloads(project, [*(raw.get("forwardingRules") or ()), *(raw.get("globalForwardingRules") or ())])
    workloads += [w for w, _ in frontends]
    policies += [p for _, p in frontends]

    return Snapshot(
        networks=tuple(networks), subnets=tuple(subnets), route_tables=tuple(route_tables),
        gateways=tuple(gateways), peerings=tuple(peerings),
        policies=tuple(sorted(policies, key=lambda p: (p.network_id, p.chain_order, p.id))),
        workloads=tuple(workloads), flow_logs=tuple(sorted(flow_logs, key=lambda f: f.id)),
    )


def _route(project: str, r: Raw) -> tuple[str, Route]:
    nid = path(r.get("network", ""), project)
    kind, target = "appliance", ""
    if r.get("nextHopGateway"):
        kind, target = "internet", internet_gateway_id(nid)
    elif r.get("nextHopNetwork") or r.get("routeType") == "SUBNET":
        kind, target = "local", path(r.get("nextHopNetwork", ""), project)
    elif r.get("nextHopPeering"):
        kind, target = "peering", peering_id(nid, r["nextHopPeering"])
    elif r.get("nextHopVpnTunnel"):
        kind, target = "vpn", path(r["nextHopVpnTunnel"], project)
    elif r.get("nextHopInterconnectAttachment"):
        kind, target = "vpn", path(r["nextHopInterconnectAttachment"], project)
    elif r.get("nextHopInstance"):
        target = path(r["nextHopInstance"], project)
    elif r.get("nextHopIlb"):
        target = path(r["nextHopIlb"], project)
    elif r.get("nextHopIp"):
        target = r["nextHopIp"]
    elif r.get("nextHopHub"):
        kind, target = "transit", path(r["nextHopHub"], project)
    origin = {"SUBNET": "system", "BGP": "propagated", "PEERING": "propagated"}.get(r.get("routeType", ""), "user")
    if kind == "internet" and str(r.get("name", "")).startswith("default-route-"):
        # GCP creates this one with every network; only workloads with an external address
        # or Cloud NAT can use it, so it is the platform's, not a user's choice of egress.
        origin = "system"
    return nid, Route(
        destination=str(ipaddress.ip_network(r["destRange"], strict=False)), target_kind=kind, target_id=target,
        priority=int(r.get("priority", 1000)), instance_tags=tuple(r.get("tags") or ()), origin=origin,
        active=r.get("routeStatus", "ACTIVE") == "ACTIVE",
    )


def _route_tables(project: str, routes: Iterable[Raw], net_ids: Mapping[str, str],
                  subnet_routes: Mapping[str, list[tuple[str, str]]]) -> list[RouteTable]:
    by_net: dict[str, list[Route]] = defaultdict(list)
    owner = {(nid, c): sid for nid, pairs in subnet_routes.items() for c, sid in pairs}
    for r in sorted(routes, key=lambda r: r.get("name", "")):
        nid, route = _route(project, r)
        if route.target_kind == "local" and (nid, route.destination) in owner:
            # A listed subnet route names the network; point it at the subnet, as written-out ones do.
            route = replace(route, target_id=owner[(nid, route.destination)])
        by_net[nid].append(route)
    # Subnet routes are the platform's: write them out even where the route list omits them.
    for nid, pairs in subnet_routes.items():
        listed = {(r.destination, r.target_kind) for r in by_net[nid]}
        for c, sid in pairs:
            if (c, "local") not in listed:
                by_net[nid].append(Route(destination=c, target_kind="local", target_id=sid, origin="system"))
    tables = []
    for nid in sorted(set(net_ids.values()) | set(by_net)):
        tables.append(RouteTable(
            provider=P, account=project, region="global", id=routes_table_id(nid), name=f"{last(nid)} routes",
            network_id=nid, routes=tuple(by_net.get(nid, ())),
        ))
    return tables


def _nat_gateways(project: str, routers: Iterable[Raw],
                  subnets_by_region_net: Mapping[tuple[str, str], list[str]]) -> list[Gateway]:
    out = []
    for router in sorted(routers, key=lambda r: path(r.get("selfLink", ""), project)):
        region = last(router.get("region", ""))
        nid = path(router.get("network", ""), project)
        router_id = path(router.get("selfLink", ""), project) or f"projects/{project}/regions/{region}/routers/{router['name']}"
        for nat in router.get("nats") or ():
            mode = nat.get("sourceSubnetworkIpRangesToNat", "")
            if mode.startswith("ALL_SUBNETWORKS"):
                served = list(subnets_by_region_net.get((region, nid), ()))
            else:
                served = [path(s.get("name", ""), project) for s in nat.get("subnetworks") or ()]
            out.append(Gateway(
                provider=P, account=project, region=region, id=f"{router_id}/nats/{nat['name']}", name=nat["name"],
                kind="nat", network_id=nid, public=nat.get("type", "PUBLIC") != "PRIVATE",
                nat_subnet_ids=tuple(sorted(served)),
            ))
    return out


def _addresses(ranges: Iterable[str]) -> list[str]:
    """Alias IP ranges that are single addresses; wider ranges (pods) stay on the subnet."""
    out = []
    for r in ranges:
        net = ipaddress.ip_network(r, strict=False) if "/" in r else None
        if net is None:
            out.append(str(ipaddress.ip_address(r)))
        elif net.num_addresses == 1:
            out.append(str(net.network_address))
    return out


def _instance_workloads(project: str, instances: Iterable[Raw]) -> list[Workload]:
    out = []
    for inst in sorted(instances, key=lambda i: path(i.get("selfLink", ""), project)):
        zone = last(inst.get("zone", ""))
        inst_id = path(inst.get("selfLink", ""), project) or f"projects/{project}/zones/{zone}/instances/{inst['name']}"
        tags = tuple((inst.get("tags") or {}).get("items") or ())
        accounts = tuple(sa["email"] for sa in inst.get("serviceAccounts") or () if sa.get("email"))
        for n, nic in enumerate(inst.get("networkInterfaces") or ()):
            nic_name = nic.get("name") or f"nic{n}"
            private = [nic["networkIP"]] if nic.get("networkIP") else []
            private += [nic["ipv6Address"]] if nic.get("ipv6Address") else []
            private += _addresses(a["ipCidrRange"] for a in nic.get("aliasIpRanges") or () if a.get("ipCidrRange"))
            public = [a["natIP"] for a in nic.get("accessConfigs") or () if a.get("natIP")]
            public += [a["externalIpv6"] for a in nic.get("ipv6AccessConfigs") or () if a.get("externalIpv6")]
            out.append(Workload(
                provider=P, account=project, region=region_of_zone(zone), id=f"{inst_id}/{nic_name}",
                name=f"{inst['name']}/{nic_name}", tags=labels(inst),
                network_id=path(nic.get("network", ""), project), subnet_id=path(nic.get("subnetwork", ""), project),
                private_ips=tuple(dict.fromkeys(private)), public_ips=tuple(dict.fromkeys(public)),
                network_tags=tags, service_accounts=accounts, owner_kind="instance",
                owner_id=inst_id, owner_name=inst["name"],
            ))
    return out


def _listener(fr_id: str, project: str, region: str, fr: Raw) -> FirewallPolicy:
    """A forwarding rule forwards only its own protocol and ports: that is its firewall."""
    protocol = {"TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "ESP": "50", "AH": "51", "SCTP": "132"}.get(
        str(fr.get("IPProtocol", "TCP")).upper(), "all")
    if fr.get("allPorts") or protocol not in ("tcp", "udp"):
        spans: tuple[PortRange, ...] = ()
    elif fr.get("ports"):
        spans = tuple(PortRange(first=int(p), last=int(p)) for p in fr["ports"])
    else:
        lo, _, hi = str(fr.get("portRange", "0-65535")).partition("-")
        spans = (PortRange(first=int(lo), last=int(hi or lo)),)
    everyone = (Peer(kind="any"),)
    return FirewallPolicy(
        provider=P, account=project, region=region, id=f"{fr_id}/listener", name=f"{fr.get('name', '')} listener",
        kind="listener", stateful=True, evaluation="first-match", rules=(
            Rule(id=f"{fr_id}/listener/forward", direction="ingress", protocol=protocol, ports=spans, peers=everyone),
            Rule(id=f"{fr_id}/listener/rest", direction="ingress", action="deny", priority=65535, peers=everyone,
                 platform_default=True),
        ))


def _lb_workloads(project: str, rules: Iterable[Raw]) -> list[tuple[Workload, FirewallPolicy]]:
    out = []
    for fr in sorted(rules, key=lambda r: path(r.get("selfLink", ""), project)):
        if fr.get("loadBalancingScheme", "EXTERNAL") not in EXTERNAL_SCHEMES or not fr.get("IPAddress"):
            continue
        region = last(fr.get("region", "")) or "global"
        fr_id = path(fr.get("selfLink", ""), project) or (
            f"projects/{project}/global/forwardingRules/{fr['name']}" if region == "global"
            else f"projects/{project}/regions/{region}/forwardingRules/{fr['name']}")
        listener = _listener(fr_id, project, region, fr)
        out.append((Workload(
            provider=P, account=project, region=region, id=fr_id, name=fr.get("name", ""), tags=labels(fr),
            network_id=path(fr.get("network", ""), project), subnet_id=path(fr.get("subnetwork", ""), project),
            # External IPv6 forwarding rules give their address as a /96 range: keep its first address.
            public_ips=(str(ipaddress.ip_network(fr["IPAddress"], strict=False).network_address),),
            owner_kind="load-balancer", policy_ids=(listener.id,),
            owner_id=path(fr.get("target") or fr.get("backendService") or "", project), owner_name=fr.get("name", ""),
        ), listener))
    return out
