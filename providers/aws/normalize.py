"""Raw EC2 API records of one account and region -> the cloud-neutral model.

Pure: dicts in the shapes the EC2 API returns (as boto3 hands them over) in, model objects
out, following docs/model.md. Tested on recorded API JSON where moto differs from AWS.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from providers.aws import firewall, hubs, managed
from scanner.model import (
    FirewallPolicy, FlowLog, Gateway, Network, Peer, Peering, PortRange, PrefixList, Route,
    RouteTable, Rule, Snapshot, Subnet, Workload,
)

Raw = Mapping[str, list[dict[str, Any]]]

PROTOCOLS = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6",
             "tcp": "tcp", "udp": "udp", "icmp": "icmp", "icmpv6": "icmpv6", "all": "all"}
PORTED = {"tcp", "udp"}

PEERING_STATES = {
    "active": "active", "pending-acceptance": "pending", "initiating-request": "pending",
    "provisioning": "pending", "failed": "failed", "rejected": "failed", "expired": "inactive",
    "deleting": "deleted", "deleted": "deleted",
}
ROUTE_ORIGINS = {"CreateRouteTable": "system", "CreateRoute": "user", "EnableVgwRoutePropagation": "propagated"}
GONE_NAT_STATES = {"deleting", "deleted", "failed"}
GONE_ENDPOINT_STATES = {"deleting", "deleted", "rejected", "failed", "expired"}

# Interface types and description prefixes AWS uses for the ENIs its services create.
OWNER_BY_TYPE = {
    "nat_gateway": "nat", "network_load_balancer": "load-balancer", "gateway_load_balancer": "load-balancer",
    "load_balancer": "load-balancer", "lambda": "function", "vpc_endpoint": "endpoint",
    "gateway_load_balancer_endpoint": "endpoint", "interface_endpoint": "endpoint",
    "trunk": "container", "branch": "container", "transit_gateway": "appliance",
    "global_accelerator_managed": "load-balancer", "api_gateway_managed": "endpoint",
    "quicksight": "other", "efs": "database", "network_firewall": "appliance",
}
OWNER_BY_DESCRIPTION = (
    ("Interface for NAT Gateway", "nat"),
    ("ELB ", "load-balancer"),
    ("AWS Lambda VPC ENI", "function"),
    ("RDSNetworkInterface", "database"),
    ("DMSNetworkInterface", "database"),
    ("ElastiCache", "database"),
    ("Amazon Redshift", "database"),
    ("VPC Endpoint Interface", "endpoint"),
    ("arn:aws:ecs:", "container"),
    ("aws-K8S-", "container"),
    ("Amazon EKS", "container"),
    ("EFS mount target", "database"),
)
OWNER_BY_REQUESTER = {"amazon-rds": "database", "amazon-elb": "load-balancer", "amazon-elasticache": "database",
                      "amazon-redshift": "database", "amazon-aws-lambda": "function"}


def tags_of(item: Mapping[str, Any]) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in item.get("Tags", item.get("TagSet", ())) or ()}


def _base(account: str, region: str, id: str, item: Mapping[str, Any], name: str = "") -> dict[str, Any]:
    tags = tags_of(item)
    return dict(provider="aws", account=account, region=region, id=id, name=name or tags.get("Name", ""), tags=tags)


def protocol(value: Any) -> str:
    text = str(value).lower()
    return PROTOCOLS.get(text, text)


def _ports(proto: str, first: Any, last: Any) -> tuple[PortRange, ...]:
    if proto not in PORTED or first is None or int(first) < 0:
        return ()
    first, last = int(first), int(last if last is not None else first)
    if last < 0:
        return ()
    return (PortRange(first=first, last=last),)


# -- networks and subnets -------------------------------------------------------------

def networks(account: str, region: str, raw: Raw) -> list[Network]:
    out = []
    for vpc in raw.get("Vpcs", ()):
        cidrs = [a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet", ())
                 if a.get("CidrBlockState", {}).get("State", "associated") == "associated"]
        if not cidrs and vpc.get("CidrBlock"):
            cidrs = [vpc["CidrBlock"]]
        cidrs += [a["Ipv6CidrBlock"] for a in vpc.get("Ipv6CidrBlockAssociationSet", ())
                  if a.get("Ipv6CidrBlockState", {}).get("State", "associated") == "associated"]
        out.append(Network(**_base(account, region, vpc["VpcId"], vpc), cidrs=tuple(cidrs),
                           is_default=bool(vpc.get("IsDefault"))))
    return out


def _subnet_tables(raw: Raw) -> tuple[dict[str, str], dict[str, str]]:
    """subnet id -> explicitly associated table, vpc id -> main table."""
    explicit, main = {}, {}
    for table in raw.get("RouteTables", ()):
        for assoc in table.get("Associations", ()):
            if assoc.get("AssociationState", {}).get("State", "associated") not in ("associated", "associating"):
                continue
            if assoc.get("Main"):
                main[table["VpcId"]] = table["RouteTableId"]
            elif assoc.get("SubnetId"):
                explicit[assoc["SubnetId"]] = table["RouteTableId"]
    return explicit, main


def subnets(account: str, region: str, raw: Raw) -> list[Subnet]:
    explicit, main = _subnet_tables(raw)
    acl_of = {a["SubnetId"]: acl["NetworkAclId"] for acl in raw.get("NetworkAcls", ())
              for a in acl.get("Associations", ()) if a.get("SubnetId")}
    out = []
    for sn in raw.get("Subnets", ()):
        sid = sn["SubnetId"]
        cidrs = [sn["CidrBlock"]] if sn.get("CidrBlock") else []
        cidrs += [a["Ipv6CidrBlock"] for a in sn.get("Ipv6CidrBlockAssociationSet", ())
                  if a.get("Ipv6CidrBlockState", {}).get("State", "associated") == "associated"]
        table = explicit.get(sid) or main.get(sn["VpcId"])
        out.append(Subnet(**_base(account, region, sid, sn), network_id=sn["VpcId"], cidrs=tuple(cidrs),
                          route_table_ids=(table,) if table else (),
                          policy_ids=(acl_of[sid],) if sid in acl_of else (),
                          assigns_public_ips=bool(sn.get("MapPublicIpOnLaunch")),
                          availability_zone=sn.get("AvailabilityZone", "") or ""))
    return out


# -- routes ---------------------------------------------------------------------------

def route_target(route: Mapping[str, Any]) -> tuple[str, str]:
    """(RouteTarget kind, target id) of one EC2 route."""
    gateway = route.get("GatewayId", "")
    if gateway == "local":
        return "local", "local"
    for key, kind in (("NatGatewayId", "nat"), ("VpcPeeringConnectionId", "peering"),
                      ("TransitGatewayId", "transit"), ("EgressOnlyInternetGatewayId", "egress-only"),
                      ("NetworkInterfaceId", "appliance"), ("InstanceId", "appliance"),
                      ("CarrierGatewayId", "internet"), ("LocalGatewayId", "vpn"),
                      ("CoreNetworkArn", "transit")):
        if route.get(key):
            return kind, route[key]
    for prefix, kind in (("igw-", "internet"), ("eigw-", "egress-only"), ("vgw-", "vpn"),
                         ("vpce-", "endpoint"), ("nat-", "nat"), ("tgw-", "transit"), ("pcx-", "peering")):
        if gateway.startswith(prefix):
            return kind, gateway
    return ("none", "") if not gateway else ("appliance", gateway)


def routes(table: Mapping[str, Any], appliances: frozenset[str] = frozenset()) -> tuple[Route, ...]:
    """`appliances`: endpoint ids that forward through an appliance (Network Firewall,
    Gateway Load Balancer endpoints): a route to one is an `appliance` route."""
    out = []
    for r in table.get("Routes", ()):
        kind, target = route_target(r)
        if target in appliances:
            kind = "appliance"
        state = r.get("State", "active")
        destination = r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock")
        out.append(Route(
            destination=destination, destination_prefix_list=r.get("DestinationPrefixListId", ""),
            target_kind="none" if state == "blackhole" and kind == "none" else kind, target_id=target,
            origin=ROUTE_ORIGINS.get(r.get("Origin", ""), "user"), active=state != "blackhole",
        ))
    return tuple(out)


def appliance_endpoints(raw: Raw) -> frozenset[str]:
    gwlb = {ep["VpcEndpointId"] for ep in raw.get("VpcEndpoints", ()) if ep.get("VpcEndpointType") == "GatewayLoadBalancer"}
    return frozenset(gwlb | set(firewall.endpoints(raw)))


def route_tables(account: str, region: str, raw: Raw) -> list[RouteTable]:
    appliances = appliance_endpoints(raw)
    return [RouteTable(**_base(account, region, t["RouteTableId"], t), network_id=t["VpcId"],
                       routes=routes(t, appliances),
                       is_main=any(a.get("Main") for a in t.get("Associations", ())))
            for t in raw.get("RouteTables", ())]


# -- gateways and peerings ------------------------------------------------------------

def gateways(account: str, region: str, raw: Raw) -> list[Gateway]:
    out = []
    for igw in raw.get("InternetGateways", ()):
        vpcs = [a["VpcId"] for a in igw.get("Attachments", ()) if a.get("State") in ("available", "attached", None)]
        out.append(Gateway(**_base(account, region, igw["InternetGatewayId"], igw), kind="internet",
                           network_id=vpcs[0] if vpcs else "", requires_public_address=True))
    for eigw in raw.get("EgressOnlyInternetGateways", ()):
        vpcs = [a["VpcId"] for a in eigw.get("Attachments", ()) if a.get("State") in ("available", "attached", None)]
        out.append(Gateway(**_base(account, region, eigw["EgressOnlyInternetGatewayId"], eigw), kind="egress-only",
                           network_id=vpcs[0] if vpcs else ""))
    for nat in raw.get("NatGateways", ()):
        if nat.get("State") in GONE_NAT_STATES:
            continue
        ips = tuple(a["PrivateIp"] for a in nat.get("NatGatewayAddresses", ()) if a.get("PrivateIp"))
        out.append(Gateway(**_base(account, region, nat["NatGatewayId"], nat), kind="nat", network_id=nat["VpcId"],
                           subnet_id=nat.get("SubnetId", ""), private_ips=ips,
                           public=nat.get("ConnectivityType", "public") == "public"))
    for ep in raw.get("VpcEndpoints", ()):
        if str(ep.get("State", "")).lower() in GONE_ENDPOINT_STATES:
            continue
        subnet_ids = ep.get("SubnetIds") or []
        kind = "appliance" if ep.get("VpcEndpointType") == "GatewayLoadBalancer" else "endpoint"
        out.append(Gateway(**_base(account, region, ep["VpcEndpointId"], ep), kind=kind, network_id=ep["VpcId"],
                           subnet_id=subnet_ids[0] if len(subnet_ids) == 1 else "", public=False,
                           service=ep.get("ServiceName", "")))
    for att in raw.get("TransitGatewayAttachments", ()):
        # The transit gateway is reached by routes naming tgw-...; one gateway per VPC attachment
        # keeps ids unique while `service` names the transit gateway the routes point at.
        if att.get("ResourceType") != "vpc" or att.get("State") in ("deleted", "deleting", "failed", "rejected"):
            continue
        if att.get("ResourceOwnerId", account) != account:
            continue
        out.append(Gateway(**_base(account, region, att["TransitGatewayAttachmentId"], att), kind="transit",
                           network_id=att.get("ResourceId", ""), public=False,
                           service=att.get("TransitGatewayId", "")))
    out.extend(hubs.vpn_gateways(account, region, raw))
    firewall_endpoints = set(firewall.endpoints(raw))
    out = [g for g in out if g.id not in firewall_endpoints]  # a firewall's endpoint is its appliance below
    out.extend(firewall.gateways(account, region, raw))
    return out


def peerings(account: str, region: str, raw: Raw) -> list[Peering]:
    """One Peering per side this account owns in this region (each side is its own object)."""
    out = []
    for pcx in raw.get("VpcPeeringConnections", ()):
        state = PEERING_STATES.get(pcx.get("Status", {}).get("Code", ""), "inactive")
        sides = (pcx.get("RequesterVpcInfo", {}), pcx.get("AccepterVpcInfo", {}))
        for me, other in (sides, sides[::-1]):
            if me.get("OwnerId") != account or me.get("Region", region) != region or not me.get("VpcId"):
                continue
            base = _base(account, region, f"{pcx['VpcPeeringConnectionId']}/{me['VpcId']}", pcx,
                         name=pcx["VpcPeeringConnectionId"])
            out.append(Peering(**base, network_id=me["VpcId"], peer_network_id=other.get("VpcId", ""),
                               peer_account=other.get("OwnerId", ""), peer_region=other.get("Region", region),
                               state=state, route_exchange="explicit"))
    return out


def prefix_lists(account: str, region: str, raw: Raw, entries: Mapping[str, list[dict[str, Any]]]) -> list[PrefixList]:
    return [PrefixList(**_base(account, region, pl["PrefixListId"], pl, name=pl.get("PrefixListName", "")),
                       cidrs=tuple(e["Cidr"] for e in entries[pl["PrefixListId"]]))
            for pl in raw.get("PrefixLists", ()) if pl["PrefixListId"] in entries]


# -- firewall policies ----------------------------------------------------------------

def sg_rule(rule: Mapping[str, Any], account: str) -> Rule:
    proto = protocol(rule.get("IpProtocol", "-1"))
    if rule.get("CidrIpv4"):
        peer = Peer(kind="cidr", value=rule["CidrIpv4"])
    elif rule.get("CidrIpv6"):
        peer = Peer(kind="cidr", value=rule["CidrIpv6"])
    elif rule.get("PrefixListId"):
        peer = Peer(kind="prefix-list", value=rule["PrefixListId"])
    else:
        ref = rule.get("ReferencedGroupInfo") or {}
        owner = ref.get("UserId", "")
        peer = Peer(kind="group", value=ref.get("GroupId", ""), account=owner if owner and owner != account else "")
    return Rule(id=rule["SecurityGroupRuleId"], direction="egress" if rule.get("IsEgress") else "ingress",
                protocol=proto, ports=_ports(proto, rule.get("FromPort"), rule.get("ToPort")), peers=(peer,),
                description=rule.get("Description", "") or "")


def rules_from_permissions(sg: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    """DescribeSecurityGroupRules-shaped records from a group's IpPermissions, for when that
    call was denied (older read-only policies lack it): rule ids are then made up."""
    for egress, key in ((False, "IpPermissions"), (True, "IpPermissionsEgress")):
        n = 0
        for perm in sg.get(key, ()):
            common = {"GroupId": sg["GroupId"], "IsEgress": egress, "IpProtocol": perm.get("IpProtocol", "-1"),
                      "FromPort": perm.get("FromPort", -1), "ToPort": perm.get("ToPort", -1)}
            peers = ([{"CidrIpv4": r["CidrIp"], "Description": r.get("Description", "")} for r in perm.get("IpRanges", ())]
                     + [{"CidrIpv6": r["CidrIpv6"], "Description": r.get("Description", "")}
                        for r in perm.get("Ipv6Ranges", ())]
                     + [{"PrefixListId": r["PrefixListId"], "Description": r.get("Description", "")}
                        for r in perm.get("PrefixListIds", ())]
                     + [{"ReferencedGroupInfo": {"GroupId": r.get("GroupId", ""), "UserId": r.get("UserId", "")},
                         "Description": r.get("Description", "")} for r in perm.get("UserIdGroupPairs", ())])
            for peer in peers:
                n += 1
                yield {**common, **peer,
                       "SecurityGroupRuleId": f"{sg['GroupId']}/{'egress' if egress else 'ingress'}/{n}"}


def security_groups(account: str, region: str, raw: Raw) -> list[FirewallPolicy]:
    by_group: dict[str, list[Rule]] = {}
    records: Iterable[Mapping[str, Any]] = raw.get("SecurityGroupRules", ())
    if "SecurityGroupRules" not in raw:
        records = [r for sg in raw.get("SecurityGroups", ()) for r in rules_from_permissions(sg)]
    for rule in records:
        by_group.setdefault(rule["GroupId"], []).append(sg_rule(rule, account))
    out = []
    for sg in raw.get("SecurityGroups", ()):
        rules = sorted(by_group.get(sg["GroupId"], ()), key=lambda r: (r.direction, r.id))
        out.append(FirewallPolicy(**_base(account, region, sg["GroupId"], sg, name=sg.get("GroupName", "")),
                                  kind="security-group", network_id=sg.get("VpcId", ""), stateful=True,
                                  evaluation="union", is_default=sg.get("GroupName") == "default",
                                  rules=tuple(rules)))
    return out


# The `*` rules AWS puts at the end of every ACL: 32767 for IPv4, 32768 for IPv6.
IMPLICIT_ACL_RULES = {"0.0.0.0/0": 32767, "::/0": 32768}


def _acl_rule(acl_id: str, entry: Mapping[str, Any]) -> Rule:
    proto = protocol(entry.get("Protocol", "-1"))
    direction = "egress" if entry.get("Egress") else "ingress"
    number = int(entry["RuleNumber"])
    port_range = entry.get("PortRange") or {}
    cidr = entry.get("CidrBlock") or entry.get("Ipv6CidrBlock")
    return Rule(id=f"{acl_id}/{direction}/{number}", name=str(number), direction=direction,
                action="allow" if entry.get("RuleAction") == "allow" else "deny", priority=number,
                protocol=proto, ports=_ports(proto, port_range.get("From"), port_range.get("To")),
                peers=(Peer(kind="cidr", value=cidr),), platform_default=number in IMPLICIT_ACL_RULES.values())


def _implicit_denies(acl_id: str, present: set[tuple[str, int]]) -> Iterable[Rule]:
    """AWS lists its `*` denies; moto leaves them out of custom ACLs, so write missing ones."""
    for direction in ("ingress", "egress"):
        for cidr, number in IMPLICIT_ACL_RULES.items():
            if (direction, number) not in present:
                entry = {"RuleNumber": number, "Protocol": "-1", "RuleAction": "deny",
                         "Egress": direction == "egress",
                         ("Ipv6CidrBlock" if ":" in cidr else "CidrBlock"): cidr}
                yield _acl_rule(acl_id, entry)


def network_acls(account: str, region: str, raw: Raw) -> list[FirewallPolicy]:
    out = []
    for acl in raw.get("NetworkAcls", ()):
        acl_id = acl["NetworkAclId"]
        rules = [_acl_rule(acl_id, e) for e in acl.get("Entries", ())]
        present = {(r.direction, r.priority) for r in rules if r.platform_default}
        rules.extend(_implicit_denies(acl_id, present))
        rules.sort(key=lambda r: (r.direction, r.priority, r.id))
        out.append(FirewallPolicy(**_base(account, region, acl_id, acl), kind="network-acl", network_id=acl["VpcId"],
                                  stateful=False, evaluation="first-match", is_default=bool(acl.get("IsDefault")),
                                  rules=tuple(rules)))
    return out


# -- workloads ------------------------------------------------------------------------

def _service_owners(raw: Raw) -> dict[str, tuple[str, str]]:
    """ENI id -> (owner kind, owner id) known from the services that made the interface."""
    owners: dict[str, tuple[str, str]] = {}
    for nat in raw.get("NatGateways", ()):
        for addr in nat.get("NatGatewayAddresses", ()):
            if addr.get("NetworkInterfaceId"):
                owners[addr["NetworkInterfaceId"]] = ("nat", nat["NatGatewayId"])
    for ep in raw.get("VpcEndpoints", ()):
        for eni in ep.get("NetworkInterfaceIds", ()) or ():
            owners[eni] = ("endpoint", ep["VpcEndpointId"])
    return owners


def owner_of(eni: Mapping[str, Any]) -> tuple[str, str]:
    """(owner kind, owner id) from the interface type, requester and description."""
    attachment = eni.get("Attachment") or {}
    description = eni.get("Description", "") or ""
    kind = OWNER_BY_TYPE.get(eni.get("InterfaceType", ""), "")
    if not kind:
        kind = next((k for prefix, k in OWNER_BY_DESCRIPTION if description.startswith(prefix)), "")
    if not kind:
        kind = OWNER_BY_REQUESTER.get(eni.get("RequesterId", ""), "")
    if not kind and attachment.get("InstanceId"):
        return "instance", attachment["InstanceId"]
    owner_id = attachment.get("InstanceId", "")
    if kind == "nat":
        owner_id = next((w for w in description.split() if w.startswith("nat-")), owner_id)
    elif kind == "load-balancer" and description.startswith("ELB "):
        owner_id = description[4:]
    elif kind == "endpoint":
        owner_id = next((w for w in description.split() if w.startswith("vpce-")), owner_id)
    return kind or "other", owner_id


def managed_policies(account: str, region: str, raw: Raw) -> tuple[dict[str, FirewallPolicy], FirewallPolicy]:
    """Load balancer owner id -> its listener policy, and the replies-only policy of NAT
    gateway and transit gateway interfaces (providers/aws/managed.py)."""
    addresses: dict[str, tuple[str, ...]] = {}
    for r in raw.get("Reservations", ()):
        for i in r.get("Instances", ()):
            ips = [a["PrivateIpAddress"] for n in i.get("NetworkInterfaces", ()) for a in n.get("PrivateIpAddresses", ())
                   if a.get("PrivateIpAddress")]
            addresses[i["InstanceId"]] = tuple(ips or ([i["PrivateIpAddress"]] if i.get("PrivateIpAddress") else []))
    return managed.load_balancer_policies(account, region, raw, addresses), managed.closed_policy(account, region)


def workloads(account: str, region: str, raw: Raw,
              policies: tuple[dict[str, FirewallPolicy], FirewallPolicy] | None = None) -> list[Workload]:
    instances = {i["InstanceId"]: i for r in raw.get("Reservations", ()) for i in r.get("Instances", ())}
    service = _service_owners(raw)
    listeners, closed = policies or managed_policies(account, region, raw)
    out = []
    for eni in raw.get("NetworkInterfaces", ()):
        eni_id = eni["NetworkInterfaceId"]
        kind, owner_id = service.get(eni_id) or owner_of(eni)
        extra = ()
        if managed.closed_what(eni, kind):
            extra = (closed.id,)
        elif kind == "load-balancer" and owner_id in listeners:
            extra = (listeners[owner_id].id,)
        private = [a["PrivateIpAddress"] for a in eni.get("PrivateIpAddresses", ()) if a.get("PrivateIpAddress")]
        if not private and eni.get("PrivateIpAddress"):
            private = [eni["PrivateIpAddress"]]
        private += [a["Ipv6Address"] for a in eni.get("Ipv6Addresses", ()) if a.get("Ipv6Address")]
        public = [a["Association"]["PublicIp"] for a in eni.get("PrivateIpAddresses", ())
                  if (a.get("Association") or {}).get("PublicIp")]
        if not public and (eni.get("Association") or {}).get("PublicIp"):
            public = [eni["Association"]["PublicIp"]]
        instance = instances.get(owner_id) if kind == "instance" else None
        tags = {**(tags_of(instance) if instance else {}), **tags_of(eni)}
        owner_name = tags_of(instance).get("Name", "") if instance else ""
        out.append(Workload(provider="aws", account=account, region=region, id=eni_id,
                            name=tags_of(eni).get("Name", "") or owner_name, tags=tags,
                            network_id=eni.get("VpcId", ""), subnet_id=eni.get("SubnetId", ""),
                            private_ips=tuple(dict.fromkeys(private)), public_ips=tuple(dict.fromkeys(public)),
                            policy_ids=tuple(g["GroupId"] for g in eni.get("Groups", ())) + extra,
                            owner_kind=kind, owner_id=owner_id, owner_name=owner_name))
    return out


def flow_logs(account: str, region: str, raw: Raw) -> list[FlowLog]:
    kinds = {"vpc-": "network", "subnet-": "subnet", "eni-": "interface"}
    out = []
    for log in raw.get("FlowLogs", ()):
        target = log.get("ResourceId", "")
        kind = next((k for prefix, k in kinds.items() if target.startswith(prefix)), None)
        if kind is None:  # transit gateway flow logs: not a segmentation enforcement point
            continue
        out.append(FlowLog(**_base(account, region, log["FlowLogId"], log), target_id=target, target_kind=kind,
                           traffic=str(log.get("TrafficType", "ALL")).lower(),
                           enabled=log.get("FlowLogStatus", "ACTIVE") == "ACTIVE"))
    return out


def region_snapshot(account: str, region: str, raw: Raw,
                    entries: Mapping[str, list[dict[str, Any]]] | None = None) -> Snapshot:
    hub_tables, gaps = hubs.route_tables(account, region, raw)
    listeners, closed = managed_policies(account, region, raw)
    wls = workloads(account, region, raw, (listeners, closed))
    return Snapshot(
        hubs=tuple(hubs.hubs(account, region, raw)),
        hub_attachments=tuple(hubs.attachments(account, region, raw)),
        hub_route_tables=tuple(hub_tables),
        errors=tuple(gaps),
        networks=tuple(networks(account, region, raw)),
        subnets=tuple(subnets(account, region, raw)),
        route_tables=tuple(route_tables(account, region, raw)),
        gateways=tuple(gateways(account, region, raw)),
        peerings=tuple(peerings(account, region, raw)),
        prefix_lists=tuple(prefix_lists(account, region, raw, entries or {})),
        policies=tuple(security_groups(account, region, raw) + network_acls(account, region, raw)
                       + _used(wls, [*listeners.values(), closed]) + firewall.policies(account, region, raw)),
        workloads=tuple(wls),
        flow_logs=tuple(flow_logs(account, region, raw)),
    )


def _used(wls: list[Workload], policies: list[FirewallPolicy]) -> list[FirewallPolicy]:
    """Managed-interface policies some interface carries (no policy for a service not in use)."""
    carried = {pid for w in wls for pid in w.policy_ids}
    return [p for p in policies if p.id in carried]
