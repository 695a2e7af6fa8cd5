"""Small helpers the built-in checks share."""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Iterable

from scanner.context import AuditContext
from scanner.index import fold
from scanner.model import FirewallPolicy, Network, Peer, Resource, Rule, Workload
from scanner.ports import PortSet

ADMIN_PORTS = ("tcp/22", "tcp/3389", "tcp/6443", "tcp/5985-5986", "tcp/23", "tcp/2375-2376", "tcp/10250")
DATA_PORTS = ("tcp/3306", "tcp/5432", "tcp/1433", "tcp/1521", "tcp/27017", "tcp/6379", "tcp/9200", "tcp/9300",
              "tcp/5984", "tcp/11211", "tcp/9042")
MGMT_PORTS = ("tcp/22", "tcp/3389", "tcp/5985-5986", "tcp/6443")


def port_set(specs: Iterable[str]) -> PortSet:
    return PortSet.parse_many(specs)


def label(wl: Workload) -> str:
    name = wl.name or wl.owner_name
    return f"{wl.id} ({name})" if name else wl.id


def listing(portset: PortSet) -> str:
    return ports_text(portset)


# -- wording and address tests for rule, separation and egress checks ----------------
SEEDS_ZONES = "Network Security Architecture: Zones, Segmentation, and Defence-in-Depth Design"
SEEDS_MICRO = "Network Segmentation Patterns: Micro-segmentation, East-West Controls, and Zero-Trust Zones"

# RFC 1918 and IPv6 unique local addresses (RFC 4193).
PRIVATE_RANGES: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")

_KIND_LABEL = {
    "security-group": "Security group",
    "network-acl": "Network ACL",
    "vpc-firewall": "VPC firewall",
    "network-firewall-policy": "Network firewall policy",
    "hierarchical-firewall-policy": "Hierarchical firewall policy",
    "nsg": "NSG",
    "network-policy": "NetworkPolicy",
}


def resource_label(obj: Resource) -> str:
    """How a user looks the resource up: its name, and the native id when that is short."""
    name, rid = obj.name, obj.id
    if not name or name == rid:
        return rid
    return name if "/" in rid else f"{name} ({rid})"


@lru_cache(maxsize=65536)  # findings say the same few port sets again and again
def ports_text(ports: PortSet) -> str:
    return ports.readable()


def policy_label(policy: FirewallPolicy) -> str:
    return f"{_KIND_LABEL.get(policy.kind, policy.kind)} {resource_label(policy)}"


@lru_cache(maxsize=65536)  # every range an estate's rules name, parsed once
def network_of(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def within(value: str, ranges: Iterable[str]) -> bool:
    """True when the CIDR lies wholly inside one of `ranges`."""
    return _within(value, tuple(ranges))


@lru_cache(maxsize=65536)  # rules name the same ranges in every policy
def _within(value: str, ranges: tuple[str, ...]) -> bool:
    net = network_of(value)
    if net is None:
        return False
    for r in ranges:
        outer = network_of(r)
        if outer is not None and outer.version == net.version and net.subnet_of(outer):
            return True
    return False


def covers_all(value: str, ranges: Iterable[str]) -> bool:
    """True when the CIDR contains every range given (of its own IP version) and at least one."""
    net = network_of(value)
    if net is None:
        return False
    mine = [n for n in (network_of(r) for r in ranges) if n is not None and n.version == net.version]
    return bool(mine) and all(n.subnet_of(net) for n in mine)


def peer_text(peer: Peer) -> str:
    if peer.kind == "any":
        return "any address"
    if peer.kind == "internet":
        return "the internet"
    if peer.kind in ("cidr", "selector"):
        return peer.value  # a selector peer's id says which pods it selects
    kind = {"group": "security group", "prefix-list": "prefix list", "tag": "network tag",
            "service-account": "service account", "service-tag": "service tag",
            "app-group": "application security group"}.get(peer.kind, peer.kind)
    return f"{kind} {peer.value.rsplit('/', 1)[-1]}"


def rule_ports(rule: Rule) -> PortSet:
    return _ports(rule.protocol, rule.ports)


@lru_cache(maxsize=4096)  # estates reuse a few protocol and port combinations in every policy
def _ports(protocol: str, ranges: tuple) -> PortSet:
    return PortSet.of(protocol, [(r.first, r.last) for r in ranges])


def rule_text(rule: Rule, peers: Iterable[Peer] | None = None) -> str:
    """One evidence line: `rule-id (name) prio 100: allow tcp/5432 from 10.0.0.0/16`."""
    who = rule.id if not rule.name or rule.name == rule.id else f"{rule.id} ({rule.name})"
    prio = f" priority {rule.priority}" if rule.priority else ""
    way = "from" if rule.direction == "ingress" else "to"
    far = ", ".join(peer_text(p) for p in (rule.peers if peers is None else peers))
    return f"{who}{prio}: {rule.action} {rule.direction} {ports_text(rule_ports(rule))} {way} {far}"


def live_rules(policy: FirewallPolicy, direction: str, action: str = "allow") -> list[Rule]:
    """Enabled rules of one direction and action that a user wrote (not the platform)."""
    return [r for r in policy.rules
            if r.enabled and r.direction == direction and r.action == action and not r.platform_default]


def _peer_covers(outer: Peer, inner: Peer) -> bool:
    if outer.kind == "any":
        return True
    if (outer.kind, fold(outer.value)) == (inner.kind, fold(inner.value)):
        return True
    if outer.kind == "cidr":
        ranges = [inner.value] if inner.kind == "cidr" else list(inner.cidrs)
        return bool(ranges) and all(within(r, [outer.value]) for r in ranges)
    return False


# policy id -> (the policy, its denies for every target): a network-wide GCP firewall holds
# thousands of rules and is asked about each of them. Holding the policy keeps its id its own.
_DENIES: dict[int, tuple[FirewallPolicy, list[Rule]]] = {}


def _untargeted_denies(policy: FirewallPolicy) -> list[Rule]:
    found = _DENIES.get(id(policy))
    if found is None or found[0] is not policy:
        if len(_DENIES) >= 4096:
            _DENIES.clear()
        found = _DENIES[id(policy)] = (policy, [d for d in policy.rules if d.enabled and d.action == "deny"
                                                and all(t.kind == "any" for t in d.targets)])
    return found[1]


def shadowed(policy: FirewallPolicy, rule: Rule, peers: Iterable[Peer]) -> bool:
    """In a first-match policy, an earlier deny for all ports already stops these peers."""
    if policy.evaluation != "first-match":
        return False
    for deny in _untargeted_denies(policy):
        if (deny.direction == rule.direction and deny.priority <= rule.priority
                and not (rule_ports(rule) - rule_ports(deny))
                and all(any(_peer_covers(d, p) for d in deny.peers) for p in peers)):
            return True
    return False


def policy_networks(ctx: AuditContext, policy: FirewallPolicy) -> list[Network]:
    """The networks a policy applies in: its own, or those of what it is attached to."""
    index = ctx.index
    ids = {fold(policy.network_id)} if policy.network_id else set()
    ids |= {fold(s.network_id) for s in index.subnets_with_policy.get(fold(policy.id), ())}
    ids |= {fold(w.network_id) for w in index.workloads_with_policy.get(fold(policy.id), ())}
    ids |= {fold(n.id) for n in index.networks_with_policy.get(fold(policy.id), ())}
    return [n for n in (index.networks.get(i) for i in sorted(ids)) if n is not None]


def network_ranges(ctx: AuditContext, network: Network) -> tuple[str, ...]:
    """A network's address space; GCP networks carry none, their subnets do."""
    if network.cidrs:
        return network.cidrs
    return tuple(c for s in ctx.index.subnets_of.get(fold(network.id), ()) for c in s.cidrs)


def guarded_workloads(ctx: AuditContext, policy: FirewallPolicy) -> tuple[Workload, ...]:
    """Workloads a policy applies to, wherever it is attached (interface, subnet, network);
    asked by several checks per policy, found once per audit."""
    known, pid = ctx.shared(guarded_workloads, lambda _ctx: {}), fold(policy.id)
    found = known.get(pid)
    if found is None:
        found = known[pid] = tuple(_guarded(ctx, pid))
    return found


def _guarded(ctx: AuditContext, pid: str) -> list[Workload]:
    index = ctx.index
    found: dict[str, Workload] = {fold(w.id): w for w in index.workloads_with_policy.get(pid, ())}
    for subnet in index.subnets_with_policy.get(pid, ()):
        found.update((fold(w.id), w) for w in index.workloads_of.get(fold(subnet.id), ()))
    for network in index.networks_with_policy.get(pid, ()):
        found.update((fold(w.id), w) for w in index.workloads_in_network.get(fold(network.id), ()))
    return list(found.values())


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def capped(items: Iterable[str], limit: int = 10) -> tuple[str, ...]:
    """At most `limit` items, then how many more: evidence stays readable on big estates."""
    items = list(items)
    if len(items) <= limit:
        return tuple(items)
    return (*items[:limit], f"... and {len(items) - limit} more")
