"""Which zones (and the internet) can really reach each workload, on which ports, and why.

A flow from a source workload to a destination workload needs: a route from the source's
subnet to the destination's address (local, an active peering with routes as its kind
requires, transit, or an appliance), a route back, the source's egress at every
enforcement point, the rules of any appliance a route goes through (Gateway.policy_ids)
and the destination's ingress at every enforcement point (scanner.evaluate).
From the internet it needs a public address on the destination, a route from its subnet
back to an internet gateway, and ingress that admits a public source.

Workloads that share subnet, policies, tags, zone and the narrow address ranges rules
name behave alike; each such class is evaluated once, which keeps large estates near
linear.
"""
from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from scanner.evaluate import INTERNET, Evaluator, Subject, cite, net, subject
from scanner.index import Index, fold
from scanner.model import FirewallPolicy, Gateway, Route, Workload
from scanner.ports import PortSet
from scanner.routing import Hop, Routing
from scanner.zonepolicy import INTERNET as INTERNET_ZONE
from scanner.zones import ZoneMap

UNZONED = "unzoned"
PUBLIC_PROBE = ipaddress.ip_address("1.1.1.1")
MAX_EVIDENCE = 12
MAX_SOURCES = 8
NO_APPLIANCES: tuple = ()


@dataclass(frozen=True, slots=True)
class Cause:
    """One rule that lets part of a flow through, with the ports it admits of it: what a
    user changes to close the flow."""

    policy_id: str
    rule_id: str
    direction: str  # "ingress" or "egress": the rule's own direction
    ports: PortSet
    text: str


@dataclass(frozen=True, slots=True)
class Access:
    ports: PortSet
    evidence: tuple[str, ...]  # route lines and rule citations, a capped sample
    sources: tuple[str, ...]  # source workload ids (a sample) or ("internet",)
    causes: tuple[Cause, ...] = ()  # every rule that admits part of it, never capped


@dataclass(frozen=True, slots=True)
class Flow:
    """What one group of sources can open on a destination workload."""

    zone: str  # the sources' zone ("internet" for the internet)
    sources: tuple[str, ...]  # every source workload id, or ("internet",)
    ports: PortSet
    evidence: tuple[str, ...]
    causes: tuple[Cause, ...]


@dataclass
class _Class:
    """Workloads that behave alike: evaluated once through `rep`."""

    rep: Workload
    zone: str
    members: list[Workload]


class Reachability:
    def __init__(self, index: Index, zones: ZoneMap, routing: Routing) -> None:
        self.index, self.zones, self.routing = index, zones, routing
        self.evaluator = Evaluator(index)
        self._inbound: dict[str, dict[str, Access]] | None = None
        self._subjects: dict[int, Subject] = {}
        self._transit: dict[str, set[str]] | None = None
        self._point_cache: dict[tuple[int, bool], list[list[FirewallPolicy]]] = {}
        self._appliances: dict[str, list[Gateway]] | None = None
        self._appliance_points: dict[tuple[int, str], tuple[str, list[FirewallPolicy]]] = {}
        self._causes: dict[tuple, Cause] = {}
        self._flows: dict[str, list[tuple]] = {}
        self.stats = {"flow_evaluations": 0}

    def _subject(self, wl: Workload) -> Subject:
        found = self._subjects.get(id(wl))
        if found is None:
            found = self._subjects[id(wl)] = subject(wl)
        return found

    # -- public queries ----------------------------------------------------------
    def inbound(self, workload_id: str) -> dict[str, Access]:
        """Source zone -> what it can reach on this workload ("internet" included)."""
        return self._computed().get(fold(workload_id), {})

    def flows_into(self, workload_id: str) -> tuple[Flow, ...]:
        """Every group of sources that can open something on this workload, in full."""
        self._computed()
        out = []
        for src, ports, evidence, causes in self._flows.get(fold(workload_id), ()):
            if src is None:
                out.append(Flow(INTERNET_ZONE, (INTERNET_ZONE,), ports, evidence, causes))
                continue
            ids = tuple(m.id for m in src.members if fold(m.id) != fold(workload_id))
            if ids:
                out.append(Flow(src.zone, ids, ports, evidence, causes))
        return tuple(out)

    def live_rules(self) -> dict[tuple[str, str], PortSet]:
        """(policy id, rule id), folded -> the ports of real flows the rule admits."""
        self._computed()
        found: dict[tuple[str, str], list[PortSet]] = defaultdict(list)
        seen: set[int] = set()
        for flows in self._flows.values():
            if id(flows) in seen:
                continue
            seen.add(id(flows))
            for _src, _ports, _evidence, causes in flows:
                for c in causes:
                    found[(fold(c.policy_id), fold(c.rule_id))].append(c.ports)
        return {k: PortSet.union_of(v) for k, v in found.items()}

    def zone_flows(self) -> dict[tuple[str, str], Access]:
        """(source zone, destination zone) -> union of what reaches any workload there."""
        self._computed()
        acc: dict[tuple[str, str], list[Access]] = defaultdict(list)
        for dst, result in self._by_class:
            for src, access in result.items():
                acc[(src, dst)].append(access)
        return {k: _merge(v) for k, v in sorted(acc.items())}

    # -- one flow ------------------------------------------------------------------
    def flow(self, src: Workload | None, dst: Workload,
             want: PortSet | None = None) -> tuple[PortSet, list[str], list[Cause]]:
        """What can flow from `src` (None: the internet) to `dst`, the evidence and the causes."""
        self.stats["flow_evaluations"] += 1
        allowed = PortSet.all() if want is None else want
        local, remote = self._subject(dst), (INTERNET if src is None else self._subject(src))
        evidence: list = []
        # The destination's ingress first: most pairs stop there, before any route lookup.
        for policies in self._points(dst, ingress=True):
            allowed, ev = self.evaluator.point(policies, "ingress", local, remote, allowed)
            evidence += ev
            if not allowed:
                return allowed, [], []
        if src is None:
            path, appliances = self._path_from_internet(dst), NO_APPLIANCES
        else:
            path, appliances = self._path(src, dst)
        if path is None:
            return PortSet(), [], []
        for policies in appliances:
            # A firewall on the path sees the forward flow: sources are peers, destinations targets.
            allowed, ev = self.evaluator.point(policies, "ingress", local, remote, allowed)
            evidence += ev
            if not allowed:
                return allowed, [], []
        if src is not None:
            for policies in self._points(src, ingress=False):
                allowed, ev = self.evaluator.point(policies, "egress", remote, local, allowed)
                evidence += ev
                if not allowed:
                    return allowed, [], []
        causes = [c for c in (self._cause(e, allowed) for e in evidence) if c.ports]
        return allowed, [*path, *(c.text for c in causes)], causes

    def _cause(self, item: tuple, allowed: PortSet) -> Cause:
        """A rule's share of the flow that survived every enforcement point."""
        policy, rule, got = item
        key = (id(policy), id(rule), got, allowed)
        found = self._causes.get(key)
        if found is None:
            ports = got & allowed
            found = self._causes[key] = Cause(policy.id, rule.id, rule.direction, ports, cite(policy, rule, ports))
        return found

    def _points(self, wl: Workload, ingress: bool) -> list[list[FirewallPolicy]]:
        key = (id(wl), ingress)
        found = self._point_cache.get(key)
        if found is None:
            found = self._point_cache[key] = self._find_points(wl, ingress)
        return found

    def _find_points(self, wl: Workload, ingress: bool) -> list[list[FirewallPolicy]]:
        network = self.index.network(wl.network_id)
        subnet = self.index.subnet(wl.subnet_id)
        points = [
            self.index.policies_by_ids(network.policy_ids) if network else [],
            self.index.policies_by_ids(subnet.policy_ids) if subnet else [],
            self.index.policies_by_ids(wl.policy_ids),
        ]
        points = [p for p in points if p]
        return points[::-1] if ingress else points  # most selective first: fail fast

    # -- routes ------------------------------------------------------------------------
    def _path_from_internet(self, dst: Workload) -> list[str] | None:
        if not dst.public_ips:
            return None
        subnet = self.index.subnet(dst.subnet_id)
        if subnet is None:
            return [f"{dst.id} has public address {dst.public_ips[0]}; no subnet, routes not checked"]
        hop = self.routing.lookup(subnet, PUBLIC_PROBE, dst.network_tags)
        if hop is None or not hop.route.active or hop.route.target_kind != "internet":
            return None
        return [f"{dst.id} has public address {dst.public_ips[0]}", hop.describe()]

    def _path(self, src: Workload, dst: Workload) -> tuple[list[str] | None, tuple[list[FirewallPolicy], ...]]:
        """The route evidence (None: no path) and the policies of appliances on it."""
        if fold(src.network_id) == fold(dst.network_id) and self.routing.flat(src.network_id):
            return [], NO_APPLIANCES
        src_subnet, dst_subnet = self.index.subnet(src.subnet_id), self.index.subnet(dst.subnet_id)
        if src_subnet is None or dst_subnet is None or not src.private_ips or not dst.private_ips:
            return None, NO_APPLIANCES
        there = self.routing.lookup(src_subnet, dst.private_ips[0], src.network_tags)
        back = self.routing.lookup(dst_subnet, src.private_ips[0], dst.network_tags)
        if not (self.routing.usable(there, src_subnet, dst.network_id, dst.private_ips[0])
                and self.routing.usable(back, dst_subnet, src.network_id, src.private_ips[0])):
            return None, NO_APPLIANCES
        if there.route.target_kind == "local" and fold(src.network_id) == fold(dst.network_id):
            return [], NO_APPLIANCES  # the ordinary case needs no evidence line
        appliances = NO_APPLIANCES
        if there.route.target_kind == "appliance" or back.route.target_kind == "appliance":
            found = dict(self._appliance_policies(h.route, n) for h, n in ((there, src.network_id), (back, dst.network_id))
                         if h.route.target_kind == "appliance")
            appliances = tuple(p for p in found.values() if p)
        return [there.describe(), back.describe()], appliances

    def _appliance_policies(self, route: Route, network_id: str) -> tuple[str, list[FirewallPolicy]]:
        """The appliance a route in `network_id` targets and the policies it enforces;
        resolved once per route and network, the same list object every time so the
        evaluator's caches hold."""
        key = (id(route), fold(network_id))
        found = self._appliance_points.get(key)
        if found is None:
            gateway = self._appliance(route.target_id, network_id)
            found = ((fold(gateway.id), self.index.policies_by_ids(gateway.policy_ids)) if gateway
                     else (fold(route.target_id), []))
            self._appliance_points[key] = found
        return found

    def _appliance(self, target: str, network_id: str) -> Gateway | None:
        """The appliance gateway a route names: by its id, or by a private address of an
        appliance in the route's own network or one peered with it (private addresses
        repeat across unrelated networks)."""
        if self._appliances is None:
            self._appliances = defaultdict(list)
            for gw in self.index.snapshot.gateways:
                if gw.kind == "appliance":
                    self._appliances[fold(gw.id)].append(gw)
                    for ip in gw.private_ips:
                        self._appliances["ip:" + fold(ip)].append(gw)
        if not target:
            return None
        by_id = self._appliances.get(fold(target))
        if by_id:
            return by_id[0]
        here = fold(network_id)
        near = {here} | {fold(p.peer_network_id) for p in self.index.peerings_of.get(here, ())}
        return next((gw for gw in self._appliances.get("ip:" + fold(target), ())
                     if fold(gw.network_id) in near or not gw.network_id), None)

    # -- the whole estate -------------------------------------------------------------
    def _computed(self) -> dict[str, dict[str, Access]]:
        if self._inbound is None:
            self._inbound = {}
            self._by_class: list[tuple[str, dict[str, Access]]] = []
            classes = self._classes()
            by_network: dict[str, list[_Class]] = defaultdict(list)
            for c in classes:
                by_network[fold(c.rep.network_id)].append(c)
            for dst in classes:
                result, flows = self._inbound_for(dst, self._candidates(dst, by_network))
                for member in dst.members:
                    self._inbound[fold(member.id)] = result
                    self._flows[fold(member.id)] = flows
                self._by_class.append((dst.zone, result))
        return self._inbound

    def _inbound_for(self, dst: _Class, sources: Iterable[_Class]) -> tuple[dict[str, Access], list[tuple]]:
        found: dict[str, list[Access]] = defaultdict(list)
        flows: list[tuple] = []
        if dst.rep.public_ips:
            ports, evidence, causes = self.flow(None, dst.rep)
            if ports:
                found[INTERNET_ZONE].append(Access(ports, tuple(evidence), (INTERNET_ZONE,), tuple(causes)))
                flows.append((None, ports, tuple(evidence), tuple(causes)))
        for src in sources:
            if src is dst and len(src.members) == 1:
                continue
            ports, evidence, causes = self.flow(src.rep, dst.rep)
            if ports:
                ids = tuple(m.id for m in src.members if m is not dst.rep)
                found[src.zone].append(Access(ports, tuple(evidence), ids[:MAX_SOURCES], tuple(causes)))
                flows.append((src, ports, tuple(evidence), tuple(causes)))
        return {zone: _merge(items) for zone, items in found.items()}, tuple(flows)

    def _candidates(self, dst: _Class, by_network: dict[str, list[_Class]]) -> list[_Class]:
        networks = {fold(dst.rep.network_id)}
        networks |= {fold(p.peer_network_id) for p in self.index.peerings_of.get(fold(dst.rep.network_id), ())}
        networks |= self._transit_neighbours(dst.rep.network_id)
        return [c for n in sorted(networks) for c in by_network.get(n, ())]

    def _transit_neighbours(self, network_id: str) -> set[str]:
        """Networks that route to the same transit gateway (its own tables are not modelled)
        or to the same appliance (a hub firewall between spokes that are not peered)."""
        if self._transit is None:
            joined: dict[str, set[str]] = defaultdict(set)
            for table in self.index.snapshot.route_tables:
                for route in table.routes:
                    if route.target_kind == "transit" and route.target_id:
                        joined[fold(route.target_id)].add(fold(table.network_id))
                    elif route.target_kind == "appliance" and route.target_id:
                        # Only a known appliance joins networks: a bare next-hop address
                        # may be a different box in each network.
                        gateway = self._appliance(route.target_id, table.network_id)
                        if gateway is not None:
                            joined["appliance:" + fold(gateway.id)].add(fold(table.network_id))
            self._transit = defaultdict(set)
            for nets in joined.values():
                for n in nets:
                    self._transit[n] |= nets
        return self._transit.get(fold(network_id), set())

    def _classes(self) -> list[_Class]:
        narrow = _narrow_ranges(self.index)
        groups: dict[tuple, _Class] = {}
        for wl in self.index.snapshot.workloads:
            zone = self.zones.workload_zone(wl.id) or UNZONED
            subj = self._subject(wl)
            key = (fold(wl.network_id), fold(wl.subnet_id), subj.policy_ids, subj.tags, subj.service_accounts,
                   subj.app_groups, subj.selectors, bool(wl.public_ips), zone, _signature(wl, narrow, self.index))
            found = groups.get(key)
            if found is None:
                groups[key] = _Class(wl, zone, [wl])
            else:
                found.members.append(wl)
        return list(groups.values())


def _merge(items: list[Access]) -> Access:
    if len(items) == 1:
        return items[0]
    evidence: dict[str, None] = {}
    sources: dict[str, None] = {}
    for a in items:
        for e in a.evidence:
            if len(evidence) >= MAX_EVIDENCE:
                break
            evidence.setdefault(e)
        for s in a.sources:
            if len(sources) >= MAX_SOURCES:
                break
            sources.setdefault(s)
    causes = tuple(dict.fromkeys(c for a in items for c in a.causes))
    return Access(PortSet.union_of(a.ports for a in items), tuple(evidence), tuple(sources), causes)


def _narrow_ranges(index: Index) -> dict[tuple[int, int], set[Any]]:
    """Every address range a rule names, by (IP version, prefix length)."""
    out: dict[tuple[int, int], set[Any]] = defaultdict(set)

    def add(c: str) -> None:
        n = net(c)
        out[(n.version, n.prefixlen)].add(n)

    for pol in index.snapshot.policies:
        for rule in pol.rules:
            for peer in (*rule.peers, *rule.targets):
                if peer.kind == "cidr":
                    add(peer.value)
                for c in peer.cidrs:
                    add(c)
    for pl in index.snapshot.prefix_lists:
        for c in pl.cidrs:
            add(c)
    # A route narrower than a subnet (a /32 to an appliance) sends some of its workloads elsewhere.
    for table in index.snapshot.route_tables:
        for route in table.routes:
            if route.destination:
                add(route.destination)
    return out


def _signature(wl: Workload, narrow: dict[tuple[int, int], set[Any]], index: Index) -> tuple:
    """Which rule-named ranges narrower than the subnet hold this workload's addresses."""
    subnet = index.subnet(wl.subnet_id)
    widest = {}
    for c in (subnet.cidrs if subnet else ()):
        n = net(c)
        widest[n.version] = min(widest.get(n.version, 128), n.prefixlen)
    hits = []
    for ip in wl.private_ips:
        addr = ipaddress.ip_address(ip)
        for (version, length), nets in narrow.items():
            if version != addr.version or length <= widest.get(version, -1):
                continue
            candidate = ipaddress.ip_network(f"{addr}/{length}", strict=False)
            if candidate in nets:
                hits.append((version, length, str(candidate)))
    return tuple(sorted(hits))
