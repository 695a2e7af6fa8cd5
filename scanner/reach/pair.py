"""One flow between two workloads, and what every reachability engine shares.

A flow from a source workload to a destination workload needs: a route from the source's
subnet to the destination's address (local, an active peering with routes as its kind
requires, transit, or an appliance), a route back, the source's egress at every
enforcement point, the rules of any appliance a route goes through (Gateway.policy_ids)
and the destination's ingress at every enforcement point (scanner.evaluate).
From the internet it needs a public address on the destination, a route from its subnet
back to an internet gateway, and ingress that admits a public source.

Workloads that share subnet, policies, tags, zone and the narrow address ranges rules and
routes name behave alike: they are one class, and engines work on classes.
"""
from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from typing import Any, Callable, Iterable

from scanner.evaluate import INTERNET, Evaluator, Subject, cite, net, subject
from scanner.external import external_flows
from scanner.index import Index, fold
from scanner.model import FirewallPolicy, Gateway, Route, Rule, Workload
from scanner.ports import PortSet
from scanner.routing import Routing
from scanner.zonepolicy import INTERNET as INTERNET_ZONE
from scanner.zones import ZoneMap

UNZONED = "unzoned"
PUBLIC_PROBE = ipaddress.ip_address("1.1.1.1")
MAX_EVIDENCE = 12
MAX_SOURCES = 8
NO_APPLIANCES: tuple = ()


class Cause:
    """One rule that lets part of a flow through, with the ports it admits of it: what a
    user changes to close the flow. Equal by (policy id, rule id, direction, ports); a
    plain slotted class with its hash kept (never changed after it is made), since a big estate makes hundreds of
    thousands and checks put them in sets."""

    __slots__ = ("policy_id", "rule_id", "direction", "ports", "policy", "rule", "_hash")

    def __init__(self, policy_id: str, rule_id: str, direction: str, ports: PortSet,
                 policy: FirewallPolicy | None = None, rule: Rule | None = None) -> None:
        self.policy_id, self.rule_id, self.direction, self.ports = policy_id, rule_id, direction, ports
        self.policy, self.rule = policy, rule  # direction: "ingress" or "egress", the rule's own
        self._hash = hash((policy_id, rule_id, direction, ports))

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, Cause) and self._hash == other._hash and (
            self.policy_id, self.rule_id, self.direction, self.ports) == (
            other.policy_id, other.rule_id, other.direction, other.ports))

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"Cause({self.policy_id!r}, {self.rule_id!r}, {self.direction!r}, {self.ports!r})"

    @property
    def text(self) -> str:
        """The rule cited as evidence (formatted only when someone reads it, once)."""
        return _cause_text(self)


@lru_cache(maxsize=None)
def _cause_text(cause: Cause) -> str:
    if cause.policy and cause.rule:
        return cite(cause.policy, cause.rule, cause.ports)
    return f"{cause.policy_id} rule {cause.rule_id} allows {' '.join(cause.ports.describe())}"


def _once(obj: Any, slot: str) -> tuple[str, ...]:
    """A slot holding a tuple, or a function that makes it on first read."""
    value = getattr(obj, slot)
    if callable(value):
        value = tuple(value())
        setattr(obj, slot, value)
    return value


class Once:
    """`fn(*args)` as a tuple, made on the first call and kept: one group's evidence is
    read through both its Access and its Flow, and most groups are never read at all
    (lighter than functools.cache, which a big estate makes a hundred thousand of)."""

    __slots__ = ("fn", "args", "value")

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self.fn, self.args, self.value = fn, args, None

    def __call__(self) -> tuple:
        if self.value is None:
            self.value = tuple(self.fn(*self.args))
            self.fn = self.args = None
        return self.value


class _Lazy:
    """Sources and evidence held as tuples, or as functions that make them on first read."""

    __slots__ = ("_sources", "_evidence")

    @property
    def sources(self) -> tuple[str, ...]:
        """The source workload ids (Access: a sample), or (zone,) for the internet and
        external zones."""
        return _once(self, "_sources")

    @property
    def evidence(self) -> tuple[str, ...]:
        """Route lines and rule citations (Access: a capped sample)."""
        return _once(self, "_evidence")


def route_lines_of(evidence: Any) -> tuple[str, ...] | None:
    """A group's route lines alone where its evidence keeps them apart, else None."""
    routes = getattr(evidence, "routes", None)
    return routes() if routes is not None else None


def evidence_of(evidence: Any) -> tuple[str, ...]:
    """A group's evidence as a tuple (made on first read, and kept, where it is a function)."""
    return evidence if isinstance(evidence, tuple) else evidence()


class Access(_Lazy):
    """What one zone can open on a workload: ports, evidence, a sample of the sources and
    every destination-side rule behind it. Evidence is formatted on first read."""

    __slots__ = ("ports", "causes")

    def __init__(self, ports: PortSet, evidence: tuple[str, ...] | Callable[[], tuple[str, ...]],
                 sources: tuple[str, ...] | Callable[[], tuple[str, ...]], causes: tuple[Cause, ...] = ()) -> None:
        self.ports, self.causes, self._sources, self._evidence = ports, causes, sources, evidence

    def __repr__(self) -> str:
        return f"Access({self.ports!r}, sources={self.sources!r})"


class Flow(_Lazy):
    """What one group of sources can open on a destination workload. The source ids and
    the evidence text are produced on first read: checks that group by cause need
    neither, and a hub can put thousands of sources behind one destination."""

    __slots__ = ("zone", "ports", "causes", "source_classes")

    def __init__(self, zone: str, sources: tuple[str, ...] | Callable[[], tuple[str, ...]] | str, ports: PortSet,
                 evidence: tuple[str, ...] | Callable[[], tuple[str, ...]], causes: tuple[Cause, ...],
                 source_classes: Callable[[], Iterable[Class]] | None = None) -> None:
        # sources: the ids, a function giving them, or (with source_classes) the folded id
        # of the destination, which is left out of the source classes' members
        self.zone, self.ports, self.causes = zone, ports, causes
        self._sources, self._evidence = sources, evidence
        # The source classes (None for a zone that is no workload): one object for every
        # member of the destination's class, so a question about them is asked once per class.
        self.source_classes = source_classes

    def __repr__(self) -> str:
        return f"Flow({self.zone!r}, {self.ports!r})"

    @property
    def sources(self) -> tuple[str, ...]:
        """The source workload ids, or (zone,) for the internet and external zones."""
        me = self._sources
        if me.__class__ is str:  # the destination's folded id: every other member of the source classes
            # (a str rather than a closure per flow: a big estate makes a million flows)
            self._sources = tuple(m.id for c in self.source_classes() for m in c.members if fold(m.id) != me)
        return _once(self, "_sources")


@dataclass
class Class:
    """Workloads that behave alike: evaluated once through `rep`."""

    rep: Workload
    zone: str
    members: list[Workload]
    subject: Subject
    # What the rep's routes read of it: subnet, tags, and the rule- and route-named ranges
    # holding its first address. Classes alike in this take the same path lines.
    route_key: tuple = ()


# What an engine records per destination class: the sources' zone, a function giving the
# source classes, the ports, evidence and (ingress-side) causes.
Group = tuple[str, Callable[[], Iterable[Class]] | None, PortSet, tuple[str, ...], tuple[Cause, ...]]


class PairFlow:
    """Evaluates one flow at a time; the engines build the whole estate on top of it."""

    def __init__(self, index: Index, zones: ZoneMap, routing: Routing) -> None:
        self.index, self.zones, self.routing = index, zones, routing
        self.evaluator = Evaluator(index)
        self._subjects: dict[int, Subject] = {}
        self._transit: dict[str, set[str]] | None = None
        self._point_cache: dict[tuple[int, bool], list[list[FirewallPolicy]]] = {}
        self._appliances: dict[str, list[Gateway]] | None = None
        self._appliance_points: dict[tuple[int, str], tuple[str, list[FirewallPolicy]]] = {}
        self._causes: dict[tuple, tuple] = {}
        self._cause_objects: dict[tuple, Cause] = {}
        self._noted: set[int] = set()  # ids of the Causes already noted live
        self.stats = {"flow_evaluations": 0}
        self._inbound: dict[str, dict[str, Access]] | None = None
        self._groups: dict[str, list[Group]] = {}  # folded workload id -> its class's groups
        self._members: dict[str, Class] = {}  # folded workload id -> its class
        self._by_class: list[tuple[str, dict[str, Access]]] = []
        self._live: dict[tuple[str, str], list[PortSet]] = defaultdict(list)
        self._live_rules: dict[tuple[str, str], PortSet] | None = None
        self._zone_flows: dict[tuple[str, str], Access] | None = None
        self._flows_of: dict[str, tuple[Flow, ...]] = {}

    def _subject(self, wl: Workload) -> Subject:
        found = self._subjects.get(id(wl))
        if found is None:
            found = self._subjects[id(wl)] = subject(wl)
        return found

    # -- public queries ----------------------------------------------------------
    def inbound(self, workload_id: str) -> dict[str, Access]:
        """Source zone -> what it can reach on this workload ("internet" included)."""
        return self._computed().get(fold(workload_id), {})

    def groups_into(self, workload_id: str) -> list[Group]:
        """What flows_into() is made of, with no object per workload: the groups of the
        workload's class, (zone, source classes or None, ports, evidence, causes), where
        evidence is a tuple or a function giving one (see evidence_of and route_lines_of)."""
        self._computed()
        return self._groups.get(fold(workload_id), [])

    def flows_into(self, workload_id: str) -> tuple[Flow, ...]:
        """Every group of sources that can open something on this workload, in full."""
        self._computed()
        me = fold(workload_id)
        found = self._flows_of.get(me)
        if found is None:
            out = []
            for zone, sources, ports, evidence, causes in self._groups.get(me, ()):
                if sources is None:  # the internet, or an external zone: the zone is the source
                    out.append(Flow(zone, (zone,), ports, evidence, causes))
                    continue
                # never empty: a class is only its own source when it has other members
                out.append(Flow(zone, me, ports, evidence, causes, sources))
            found = self._flows_of[me] = tuple(out)
        return found

    def live_rules(self) -> dict[tuple[str, str], PortSet]:
        """(policy id, rule id), folded -> the ports of real flows the rule admits, on
        either end (egress rules of sources included)."""
        self._computed()
        if self._live_rules is None:
            self._live_rules = {k: PortSet.union_of(v) for k, v in self._live.items()}
        return self._live_rules

    def zone_flows(self) -> dict[tuple[str, str], Access]:
        """(source zone, destination zone) -> union of what reaches any workload there."""
        self._computed()
        if self._zone_flows is None:
            acc: dict[tuple[str, str], list[Access]] = defaultdict(list)
            for dst, result in self._by_class:
                for src, access in result.items():
                    acc[(src, dst)].append(access)
            self._zone_flows = {k: merge(v) for k, v in sorted(acc.items())}
        return self._zone_flows

    def _computed(self) -> dict[str, dict[str, Access]]:
        if self._inbound is None:
            self._inbound = {}
            self._compute()
        return self._inbound

    def _compute(self) -> None:
        raise NotImplementedError  # each engine fills _inbound, _groups, _by_class, _live

    def _record(self, dst: Class, groups: list[Group], sample: Callable[[Any], tuple[str, ...]]) -> None:
        """Store one destination class's groups and their per-zone summary."""
        found: dict[str, list[Access]] = defaultdict(list)
        for zone, sources, ports, evidence, causes in groups:
            found[zone].append(Access(ports, evidence, (zone,) if sources is None else Once(sample, sources), causes))
        result = {zone: merge(items) for zone, items in found.items()}
        for member in dst.members:
            self._inbound[fold(member.id)] = result
            self._groups[fold(member.id)] = groups
        self._by_class.append((dst.zone, result))

    def _note_live(self, causes: Iterable[Cause]) -> None:
        for c in causes:
            self._live[(fold(c.policy_id), fold(c.rule_id))].append(c.ports)

    # -- one flow ------------------------------------------------------------------
    def flow(self, src: Workload | None, dst: Workload,
             want: PortSet | None = None) -> tuple[PortSet, list[str], list[Cause]]:
        """What can flow from `src` (None: the internet) to `dst`, the evidence and every
        rule that admits part of it (the source's egress rules included)."""
        self.stats["flow_evaluations"] += 1
        allowed = PortSet.all() if want is None else want
        local, remote = self._subject(dst), (INTERNET if src is None else self._subject(src))
        evidence: list = []
        # The destination's ingress first: most pairs stop there, before any route lookup.
        for policies in self._points(dst, ingress=True):
            allowed, ev = self.ingress(policies, dst, local, remote, allowed)
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
        causes = self.causes(evidence, allowed)
        return allowed, [*path, *(c.text for c in causes if c.direction == "ingress")], causes

    def ingress(self, policies: list[FirewallPolicy], dst: Workload, local: Subject, remote: Subject,
                want: PortSet) -> tuple[PortSet, list]:
        """What one of the destination's ingress points lets through of `want` from `remote`."""
        return self.evaluator.point(self.applicable(policies, "ingress", dst), "ingress", local, remote, want)

    def applicable(self, policies: list[FirewallPolicy], direction: str, local: Workload) -> list[FirewallPolicy]:
        """A point's policies as they can apply with `local` as the fixed end: all of them
        here; an engine that indexes rules by their targets leaves out those about others."""
        return policies

    def causes(self, evidence: list[tuple], allowed: PortSet, live: bool = False) -> list[Cause]:
        """Each (policy, rule, ports) an evaluation named, as its share of the flow that
        survived every enforcement point; rules with no share are left out. `live` marks
        the rules as admitting a real flow."""
        found = [c for c in map(self._cause, evidence, repeat(allowed)) if c.ports]
        if live:
            noted = self._noted
            fresh = [c for c in found if id(c) not in noted]
            if fresh:
                noted.update(map(id, fresh))  # live ports are a union: once per Cause is enough
                self._note_live(fresh)
        return found

    def _cause(self, item: tuple, allowed: PortSet) -> Cause:
        # Keyed by identity (evidence items and port sets are shared, and hashing a port
        # set by value is a Python call); the value holds both, so a reused id is caught.
        key = (id(item), id(allowed))
        found = self._causes.get(key)
        if found is None or found[0] is not item or found[1] is not allowed:
            policy, rule, got = item
            found = self._causes[key] = (item, allowed, self._interned(policy, rule, got & allowed))
        return found[2]

    def _interned(self, policy: FirewallPolicy, rule: Rule, ports: PortSet) -> Cause:
        """One Cause object per (policy, rule, ports): liveness is noted once per object."""
        key = (id(rule), ports)
        found = self._cause_objects.get(key)
        if found is None or found.rule is not rule or found.policy is not policy:
            found = self._cause_objects[key] = Cause(policy.id, rule.id, rule.direction, ports, policy, rule)
        return found

    def pseudo_groups(self, dst: Class) -> list[Group]:
        """Sources that are not workloads: the internet, and the external zones the zone
        policy declares (scanner.external)."""
        out: list[Group] = []
        if dst.rep.public_ips:
            ports, evidence, causes = self.flow(None, dst.rep)
            if ports:
                self._note_live(causes)
                out.append((INTERNET_ZONE, None, ports, tuple(evidence), tuple(causes)))
        for zone, ports, evidence, causes in external_flows(self, dst.rep):
            self._note_live(causes)
            out.append((zone, None, ports, tuple(evidence), tuple(causes)))
        return out

    def points(self, wl: Workload, ingress: bool) -> list[list[FirewallPolicy]]:
        """The enforcement points on a workload's side, most selective first for ingress.
        The same list objects every time, so caches keyed by them hold."""
        key = (id(wl), ingress)
        found = self._point_cache.get(key)
        if found is None:
            found = self._point_cache[key] = self._find_points(wl, ingress)
        return found

    _points = points

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
        if fold(src.network_id) not in self.candidate_networks(dst.network_id):
            return None, NO_APPLIANCES
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
        # Appliances a hub's packets pass between hubs (an inspection VPC), on either way.
        ways = ((there, src_subnet, dst.network_id, dst.private_ips[0]), (back, dst_subnet, src.network_id, src.private_ips[0]))
        inspected = [g for way in ways for g in self.routing.transit_appliances(*way)]
        if there.route.target_kind == "appliance" or back.route.target_kind == "appliance" or inspected:
            found = dict(self.appliance_policies(h.route, n) for h, n in ((there, src.network_id), (back, dst.network_id))
                         if h.route.target_kind == "appliance")
            found.update(self.inspection_policies(g) for g in inspected)
            appliances = tuple(p for p in found.values() if p)
        return [there.describe(), *self.routing.transit_path(*ways[0]), back.describe(),
                *self.routing.transit_path(*ways[1])], appliances

    def appliance_policies(self, route: Route, network_id: str) -> tuple[str, list[FirewallPolicy]]:
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

    def inspection_policies(self, gateway_id: str) -> tuple[str, list[FirewallPolicy]]:
        """An appliance gateway on a hub's path and its policies, the same list every time."""
        key = ("gateway", fold(gateway_id))
        found = self._appliance_points.get(key)
        if found is None:
            gateway = self.index.gateways.get(fold(gateway_id))
            found = self._appliance_points[key] = (fold(gateway_id),
                                                   self.index.policies_by_ids(gateway.policy_ids) if gateway else [])
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

    def candidate_networks(self, network_id: str) -> set[str]:
        """Networks whose workloads may reach one in `network_id` at all: itself, its
        peers, and those sharing a transit hub or a known appliance with it."""
        here = fold(network_id)
        return ({here} | {fold(p.peer_network_id) for p in self.index.peerings_of.get(here, ())}
                | self._transit_neighbours(network_id))

    def _transit_neighbours(self, network_id: str) -> set[str]:
        """Networks that route to the same transit gateway or to the same appliance (a hub
        firewall between spokes that are not peered)."""
        if self._transit is None:
            joined: dict[str, set[str]] = defaultdict(set)
            for table in self.index.snapshot.route_tables:
                for route in table.routes:
                    if route.target_kind == "transit" and route.target_id:
                        # hubs joined by peering attachments carry between their networks
                        joined[self.routing.hub_group(route.target_id)].add(fold(table.network_id))
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

    # -- classes -------------------------------------------------------------------------
    def classes(self) -> list[Class]:
        narrow = _narrow_ranges(self.index)
        groups: dict[tuple, Class] = {}
        for wl in self.index.snapshot.workloads:
            zone = self.zones.workload_zone(wl.id) or UNZONED
            subj = self._subject(wl)
            key = (fold(wl.network_id), fold(wl.subnet_id), subj.policy_ids, subj.tags, subj.service_accounts,
                   subj.app_groups, subj.selectors, bool(wl.public_ips), zone, _signature(wl, narrow, self.index))
            found = groups.get(key)
            if found is None:
                route_key = (key[1], subj.tags, _signature(wl, narrow, self.index, wl.private_ips[:1]))
                groups[key] = Class(wl, zone, [wl], subj, route_key)
            else:
                found.members.append(wl)
        return list(groups.values())


def merge(items: list[Access]) -> Access:
    if len(items) == 1:
        return items[0]
    causes = tuple(dict.fromkeys(c for a in items for c in a.causes))
    return Access(PortSet.union_of(a.ports for a in items), Once(_evidence_of, items), Once(_sources_of, items), causes)


def _sources_of(items: list[Access]) -> tuple[str, ...]:
    sources: dict[str, None] = {}
    for a in items:
        for s in a.sources:
            if len(sources) >= MAX_SOURCES:
                break
            sources.setdefault(s)
    return tuple(sources)


def _evidence_of(items: list[Access]) -> tuple[str, ...]:
    evidence: dict[str, None] = {}
    for a in items:
        for e in a.evidence:
            if len(evidence) >= MAX_EVIDENCE:
                break
            evidence.setdefault(e)
    return tuple(evidence)


def _narrow_ranges(index: Index) -> dict[tuple[int, int], set[int]]:
    """Every address range a rule or a route names, by (IP version, prefix length): the
    network addresses as ints, so that a workload's address is masked, not parsed again."""
    out: dict[tuple[int, int], set[int]] = defaultdict(set)

    def add(c: str) -> None:
        n = net(c)
        out[(n.version, n.prefixlen)].add(int(n.network_address))

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


def _signature(wl: Workload, narrow: dict[tuple[int, int], set[int]], index: Index,
               ips: Iterable[str] | None = None) -> tuple:
    """Which rule-named ranges narrower than the subnet hold this workload's addresses
    (or just `ips` of them)."""
    subnet = index.subnet(wl.subnet_id)
    widest = {}
    for c in (subnet.cidrs if subnet else ()):
        n = net(c)
        widest[n.version] = min(widest.get(n.version, 128), n.prefixlen)
    hits = []
    for ip in wl.private_ips if ips is None else ips:
        addr = ipaddress.ip_address(ip)
        value, width = int(addr), addr.max_prefixlen
        for (version, length), nets in narrow.items():
            if version != addr.version or length <= widest.get(version, -1):
                continue
            masked = value >> (width - length) << (width - length)
            if masked in nets:
                hits.append((version, length, masked))
    return tuple(sorted(hits))
