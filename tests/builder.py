"""Small snapshots built in code, for tests and benchmarks.

    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16")
    rt = e.route_table("rtb-1", vpc, routes=[local("10.0.0.0/16"), route("0.0.0.0/0", "internet", "igw-1")])
    sg = e.policy("sg-web", vpc, rules=[allow_in("tcp", 443, cidr("0.0.0.0/0"))])
    sub = e.subnet("subnet-1", vpc, "10.0.1.0/24", route_tables=[rt])
    e.workload("eni-1", sub, "10.0.1.10", policies=[sg], public_ip="203.0.113.10")
    snap = e.snapshot()

Defaults follow each cloud's normalizer: AWS security groups are stateful unions,
network ACLs stateless first-match; GCP VPC firewall rules are network-wide first-match;
Azure NSGs first-match.
"""
from __future__ import annotations

from typing import Any, Iterable

from scanner.model import (
    Account, CollectionError, FirewallPolicy, FlowLog, Gateway, Hub, HubAttachment, HubRouteTable, Network,
    Peer, Peering, PortRange, PrefixList, Route, RouteTable, Rule, Snapshot, Subnet, Workload,
)

_POLICY_DEFAULTS = {
    "security-group": dict(stateful=True, evaluation="union"),
    "network-acl": dict(stateful=False, evaluation="first-match"),
    "vpc-firewall": dict(stateful=True, evaluation="first-match", chain_order=100),
    "network-firewall-policy": dict(stateful=True, evaluation="first-match", chain_order=200),
    "hierarchical-firewall-policy": dict(stateful=True, evaluation="first-match", chain_order=0),
    "nsg": dict(stateful=True, evaluation="first-match"),
    "appliance-firewall": dict(stateful=True, evaluation="first-match"),
}
_DEFAULT_KIND = {"aws": "security-group", "gcp": "vpc-firewall", "azure": "nsg"}


def _id(x: Any) -> str:
    return x if isinstance(x, str) else x.id


def ports(spec: Any) -> tuple[PortRange, ...]:
    """443, "8000-8999", (22, 3389) or None (all ports)."""
    if spec is None:
        return ()
    if isinstance(spec, (list, tuple)):
        return tuple(r for s in spec for r in ports(s))
    if isinstance(spec, str) and "-" in spec:
        lo, hi = spec.split("-")
        return (PortRange(first=int(lo), last=int(hi)),)
    return (PortRange(first=int(spec), last=int(spec)),)


def cidr(value: str) -> Peer:
    return Peer(kind="any") if value == "*" else Peer(kind="cidr", value=value)


def group(policy: Any, account: str = "") -> Peer:
    return Peer(kind="group", value=_id(policy), account=account)


def tag(value: str) -> Peer:
    return Peer(kind="tag", value=value)


def service_account(value: str) -> Peer:
    return Peer(kind="service-account", value=value)


def service_tag(value: str, *cidrs: str) -> Peer:
    return Peer(kind="service-tag", value=value, cidrs=tuple(cidrs))


def internet_peer() -> Peer:
    return Peer(kind="internet")


def app_group(asg: str) -> Peer:
    return Peer(kind="app-group", value=asg)


def prefix_list(pl: Any) -> Peer:
    return Peer(kind="prefix-list", value=_id(pl))


_counter = iter(range(10**9))


def _rule(direction: str, protocol: str, port_spec: Any, *peers: Peer, **kw: Any) -> Rule:
    kw.setdefault("id", f"rule-{next(_counter)}")
    if "targets" in kw:
        kw["targets"] = tuple(kw["targets"])
    return Rule(direction=direction, protocol=protocol, ports=ports(port_spec), peers=tuple(peers), **kw)


def allow_in(protocol: str, port_spec: Any, *peers: Peer, **kw: Any) -> Rule:
    return _rule("ingress", protocol, port_spec, *peers, **kw)


def allow_out(protocol: str, port_spec: Any, *peers: Peer, **kw: Any) -> Rule:
    return _rule("egress", protocol, port_spec, *peers, **kw)


def deny_in(protocol: str, port_spec: Any, *peers: Peer, **kw: Any) -> Rule:
    return _rule("ingress", protocol, port_spec, *peers, action="deny", **kw)


def deny_out(protocol: str, port_spec: Any, *peers: Peer, **kw: Any) -> Rule:
    return _rule("egress", protocol, port_spec, *peers, action="deny", **kw)


def route(destination: str, target_kind: str, target_id: str = "", **kw: Any) -> Route:
    return Route(destination=destination, target_kind=target_kind, target_id=target_id, **kw)


def local(destination: str, **kw: Any) -> Route:
    return route(destination, "local", "local", **kw)


def hub_route(destination: str, attachment: Any, **kw: Any) -> Route:
    """A static hub route to an attachment (origin="propagated" for a propagated one)."""
    kw.setdefault("priority", 1 if kw.get("origin") == "propagated" else 0)
    return route(destination, "transit", _id(attachment), **kw)


def hub_blackhole(destination: str) -> Route:
    return route(destination, "none", active=False)


class Estate:
    def __init__(self, provider: str = "aws", account: str = "111111111111", region: str = "us-east-1") -> None:
        self.provider, self.account, self.region = provider, account, region
        self.items: dict[str, list[Any]] = {}
        self.add(Account(provider=provider, id=account), "accounts")

    def add(self, obj: Any, collection: str) -> Any:
        self.items.setdefault(collection, []).append(obj)
        return obj

    def _base(self, kw: dict[str, Any]) -> dict[str, Any]:
        base = dict(provider=self.provider, account=self.account, region=self.region)
        base.update(kw)
        return base

    def network(self, id: str, *cidrs: str, **kw: Any) -> Network:
        kw.setdefault("name", id)
        kw["policy_ids"] = tuple(_id(p) for p in kw.get("policy_ids", ()))
        return self.add(Network(**self._base(dict(id=id, cidrs=tuple(cidrs), **kw))), "networks")

    def subnet(self, id: str, network: Any, *cidrs: str, route_tables: Iterable[Any] = (),
               policies: Iterable[Any] = (), **kw: Any) -> Subnet:
        kw.setdefault("name", id)
        return self.add(Subnet(**self._base(dict(
            id=id, network_id=_id(network), cidrs=tuple(cidrs),
            route_table_ids=tuple(_id(t) for t in route_tables),
            policy_ids=tuple(_id(p) for p in policies), **kw))), "subnets")

    def route_table(self, id: str, network: Any, routes: Iterable[Route] = (), **kw: Any) -> RouteTable:
        return self.add(RouteTable(**self._base(dict(
            id=id, network_id=_id(network), routes=tuple(routes), **kw))), "route_tables")

    def gateway(self, id: str, kind: str, network: Any = "", **kw: Any) -> Gateway:
        if "nat_subnet_ids" in kw:
            kw["nat_subnet_ids"] = tuple(_id(s) for s in kw["nat_subnet_ids"])
        return self.add(Gateway(**self._base(dict(id=id, kind=kind, network_id=_id(network), **kw))), "gateways")

    def peering(self, id: str, network: Any, peer_network: Any, **kw: Any) -> Peering:
        return self.add(Peering(**self._base(dict(
            id=id, network_id=_id(network), peer_network_id=_id(peer_network), **kw))), "peerings")

    def hub(self, id: str, **kw: Any) -> Hub:
        return self.add(Hub(**self._base(dict(id=id, **kw))), "hubs")

    def hub_route_table(self, id: str, hub: Any, routes: Iterable[Route] = (), **kw: Any) -> HubRouteTable:
        return self.add(HubRouteTable(**self._base(dict(id=id, hub_id=_id(hub), routes=tuple(routes), **kw))),
                        "hub_route_tables")

    def hub_attachment(self, id: str, hub: Any, kind: str = "network", network: Any = "",
                       subnets: Iterable[Any] = (), route_table: Any = "", **kw: Any) -> HubAttachment:
        for key in ("availability_zones", "remote_cidrs"):
            if key in kw:
                kw[key] = tuple(kw[key])
        return self.add(HubAttachment(**self._base(dict(
            id=id, hub_id=_id(hub), kind=kind, network_id=_id(network), subnet_ids=tuple(_id(s) for s in subnets),
            route_table_id=_id(route_table), **kw))), "hub_attachments")

    def prefix_list(self, id: str, *cidrs: str, **kw: Any) -> PrefixList:
        return self.add(PrefixList(**self._base(dict(id=id, cidrs=tuple(cidrs), **kw))), "prefix_lists")

    def policy(self, id: str, network: Any = "", rules: Iterable[Rule] = (), kind: str | None = None,
               **kw: Any) -> FirewallPolicy:
        kind = kind or _DEFAULT_KIND[self.provider]
        fields = dict(_POLICY_DEFAULTS[kind])
        fields.update(kw)
        fields.setdefault("name", id)
        return self.add(FirewallPolicy(**self._base(dict(
            id=id, kind=kind, network_id=_id(network), rules=tuple(rules), **fields))), "policies")

    def workload(self, id: str, subnet: Subnet, *private_ips: str, policies: Iterable[Any] = (),
                 public_ip: str | None = None, **kw: Any) -> Workload:
        for key in ("network_tags", "service_accounts", "app_groups"):
            if key in kw:
                kw[key] = tuple(kw[key])
        return self.add(Workload(**self._base(dict(
            id=id, network_id=subnet.network_id, subnet_id=subnet.id, private_ips=tuple(private_ips),
            public_ips=(public_ip,) if public_ip else (), policy_ids=tuple(_id(p) for p in policies),
            **kw))), "workloads")

    def flow_log(self, id: str, target: Any, target_kind: str = "network", **kw: Any) -> FlowLog:
        return self.add(FlowLog(**self._base(dict(id=id, target_id=_id(target), target_kind=target_kind, **kw))),
                        "flow_logs")

    def error(self, **kw: Any) -> CollectionError:
        kw.setdefault("provider", self.provider)
        kw.setdefault("account", self.account)
        return self.add(CollectionError(**kw), "errors")

    def snapshot(self) -> Snapshot:
        return Snapshot(**{k: tuple(v) for k, v in self.items.items()})


def merge_estates(*estates: Estate) -> Snapshot:
    from scanner.model import merge

    return merge([e.snapshot() for e in estates])


def azure_default_rules(*space: str) -> list[Rule]:
    """Azure's six default security rules, as the normalizer writes them."""
    vnet = service_tag("VirtualNetwork", *space)
    lb = service_tag("AzureLoadBalancer", "168.63.129.16/32")
    anywhere = Peer(kind="any")
    d = dict(platform_default=True)
    return [
        allow_in("all", None, vnet, targets=[vnet], priority=65000, name="AllowVnetInBound", **d),
        allow_in("all", None, lb, priority=65001, name="AllowAzureLoadBalancerInBound", **d),
        deny_in("all", None, anywhere, priority=65500, name="DenyAllInBound", **d),
        allow_out("all", None, vnet, targets=[vnet], priority=65000, name="AllowVnetOutBound", **d),
        allow_out("all", None, Peer(kind="internet"), priority=65001, name="AllowInternetOutBound", **d),
        deny_out("all", None, anywhere, priority=65500, name="DenyAllOutBound", **d),
    ]
