"""Reachability findings by cause: one finding per rule (or set of rules) a user changes,
with the flows it enables, the ports, the zones and the workloads reached inside it.

Every flow that survives all enforcement points is admitted by an allow at each point;
closing any one point closes it. The cause reported is the allow a user would change:
at the destination, the most selective place first (interface, then subnet, then
network), stateful policies before stateless ACLs, user rules before platform defaults;
then the appliances on the path; then the source's egress. Where several rules at that
place admit the reported ports, all of them must change, and the finding says so.
"""
from __future__ import annotations

from functools import lru_cache
from heapq import nsmallest
from itertools import chain
from dataclasses import dataclass, field
from typing import Callable, Iterator

from checks.common import count, policy_label, ports_text, resource_label, rule_text
from scanner.context import AuditContext
from scanner.findings import LIVE, FlowRef
from scanner.index import fold
from scanner.model import FirewallPolicy, Rule, Workload
from scanner.ports import PortSet
from scanner.reach import Cause
from scanner.reach.pair import Group, evidence_of, route_lines_of

SAMPLE = 5
MAX_ROUTE_LINES = 12

# (source zone, destination zone, the ports a flow opens) -> the ports of it to report;
# asked once per distinct triple, so it depends on nothing else
Pick = Callable[[str, str, PortSet], PortSet]


@dataclass
class Grouped:
    """What one cause enables, across every destination and source zone."""

    rules: tuple[tuple[FirewallPolicy, Rule], ...]
    index: "RuleIndex"
    flows: dict[tuple[str, str], list] = field(default_factory=dict)  # (src, dst) -> [ports, {wl ids}]
    affected: dict[str, Workload] = field(default_factory=dict)
    routes: dict[str, None] = field(default_factory=dict)
    citations: dict[str, None] = field(default_factory=dict)
    seen: set[tuple] = field(default_factory=set)  # flows whose citations and routes are in

    @property
    def policy(self) -> FirewallPolicy:
        return self.rules[0][0]

    @property
    def cause(self) -> tuple[str, ...]:
        return tuple(sorted(f"{fold(p.id)}/{fold(r.id)}" for p, r in self.rules))

    @property
    def ports(self) -> PortSet:
        return PortSet.union_of(ports for ports, _ in self.flows.values())

    def flow_refs(self) -> tuple[FlowRef, ...]:
        return tuple(FlowRef(src, dst, _described(ports), len(ids), tuple(nsmallest(SAMPLE, ids)))
                     for (src, dst), (ports, ids) in sorted(self.flows.items()))

    def evidence(self) -> tuple[str, ...]:
        routes = list(self.routes)
        if len(routes) > MAX_ROUTE_LINES:
            routes = [*routes[:MAX_ROUTE_LINES], f"... and {len(routes) - MAX_ROUTE_LINES} more route lines"]
        return (*self.citations, *routes)

    def zones(self) -> tuple[str, ...]:
        return tuple(sorted({z for pair in self.flows for z in pair}))

    def key(self) -> str:
        return ",".join(f"{p.id}/{r.id}" for p, r in self.rules)

    def cause_text(self) -> str:
        lines = [f"{policy_label(p)} {self.index.line(r)}" for p, r in self.rules]
        if len(lines) == 1:
            return lines[0]
        return f"{len(lines)} rules that must all change ({'; '.join(lines)})"

    def flows_text(self, what: str = "") -> str:
        parts = []
        for (src, dst), (ports, ids) in sorted(self.flows.items()):
            who = "the internet" if src == "internet" else f"the {src} zone"
            names = nsmallest(SAMPLE, (resource_label(self.affected[fold(i)]) for i in ids))
            sample = ", ".join(names) + (", ..." if len(ids) > SAMPLE else "")
            parts.append(f"{who} reach {what}{ports_text(ports)} on "
                         f"{count(len(ids), 'workload')} in the {dst} zone ({sample})")
        return "; ".join(parts)

    def result_fields(self) -> dict:
        """The Result fields every reachability finding shares."""
        return {"evidence": self.evidence(), "zones": self.zones(), "key": self.key(), "cause": self.cause,
                "flows": self.flow_refs(), "affected": tuple(self.affected.values()), "state": LIVE,
                "state_reason": "reachability finds these flows today"}


@lru_cache(maxsize=65536)  # the same few port sets in every finding
def _described(ports: PortSet) -> tuple[str, ...]:
    return tuple(ports.describe())


def rule_line(rule: Rule) -> str:
    """`rule ssh-any priority 100: allow ingress tcp/22 from 0.0.0.0/0`, by name where the
    id is a long path; a platform default is named as the deny that is missing above it."""
    long_id = rule.id if not rule.name or rule.name == rule.id else f"{rule.id} ({rule.name})"
    rest = rule_text(rule)[len(long_id):]  # " priority 100: allow ..."
    line = f"rule {rule.name if rule.name and '/' in rule.id else long_id}{rest}"
    if rule.platform_default:
        line += " (a platform default: no user rule denies this first)"
    return line


class RuleIndex:
    """(policy id, rule id) -> the objects, and where a policy sits for a workload. One per
    audit (`RuleIndex.of`): the checks that group by cause share it and its memos."""

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self._by_id: dict[tuple[str, str], tuple[FirewallPolicy, Rule]] = {}
        for policy in ctx.snapshot.policies:
            pid = fold(policy.id)
            for rule in policy.rules:
                self._by_id.setdefault((pid, fold(rule.id)), (policy, rule))
        self._places: dict[int, tuple] = {}  # id(workload) -> (place number, policy id sets, workload)
        self._place_ids: dict[tuple[frozenset[str], ...], int] = {}
        self._id_sets: dict[tuple[str, ...], frozenset[str]] = {}
        self._decided: dict[tuple, tuple] = {}
        self._lines: dict[int, tuple[Rule, str]] = {}
        self._found: dict[int, tuple] = {}
        self._prepared: dict[tuple[int, int], tuple] = {}
        self._meets: dict[tuple[int, int], tuple] = {}
        self._texts: dict[int, tuple] = {}
        self._canon: dict[PortSet, PortSet] = {}

    @classmethod
    def of(cls, ctx: AuditContext) -> "RuleIndex":
        return ctx.shared(cls, cls)

    def get(self, cause: Cause) -> tuple[FirewallPolicy, Rule] | None:
        return self._get(cause)[1]

    def _get(self, cause: Cause) -> tuple:
        """(cause, its (policy, rule) or None, the folded ids it is found by)."""
        found = self._found.get(id(cause))  # the engine shares Cause objects between flows
        if found is None or found[0] is not cause:
            key = (fold(cause.policy_id), fold(cause.rule_id))
            found = self._found[id(cause)] = (cause, self._by_id.get(key), key)
        return found

    def place(self, wl: Workload) -> tuple[int, tuple[frozenset[str], ...]]:
        """The folded policy ids on the workload, its subnet and its network, and one
        number for that placement: workloads placed alike decide alike."""
        found = self._places.get(id(wl))
        if found is None or found[2] is not wl:
            index = self.ctx.index
            subnet, network = index.subnet(wl.subnet_id), index.network(wl.network_id)
            sets = (self._folded(wl.policy_ids), self._folded(subnet.policy_ids if subnet else ()),
                    self._folded(network.policy_ids if network else ()))
            number = self._place_ids.setdefault(sets, len(self._place_ids))
            found = self._places[id(wl)] = (number, sets, wl)
        return found[0], found[1]

    def _folded(self, ids: tuple[str, ...]) -> frozenset[str]:
        """One frozen set per list of policy ids: a subnet's and a network's are met once
        per workload in them."""
        found = self._id_sets.get(ids)
        if found is None:
            found = self._id_sets[ids] = frozenset(fold(i) for i in ids)
        return found

    def level(self, wl: Workload, cause: Cause, policy: FirewallPolicy) -> float:
        if cause.direction == "egress":
            return 5
        pid = fold(policy.id)
        for level, ids in enumerate(self.place(wl)[1]):
            if pid in ids:
                return level if policy.stateful else level + 0.5
        return 4  # an appliance on the path

    def deciding(self, wl: Workload, causes: tuple[Cause, ...], hit: PortSet,
                 place: int | None = None) -> tuple[tuple, tuple]:
        """The allows a user changes to close `hit` on `wl` and their folded ids, once per
        placement, set of causes and ports (the engine shares one causes tuple among alike workloads)."""
        hit = self.canon(hit)  # one object per port set: the memos key on identity
        place = self.place(wl)[0] if place is None else place
        key = (place, id(causes), id(hit))
        found = self._decided.get(key)
        if found is None or found[0] is not causes:
            found = self._decided[key] = (causes, *_chosen(self, self.prepared(wl, place, causes), hit))
        return found[1], found[2]

    def prepared(self, wl: Workload, place: int, causes: tuple[Cause, ...]) -> list[tuple]:
        """The causes' rules ranked for this placement, once per placement and causes
        tuple (each check asks about other ports): (level, folded ids, (policy, rule),
        ports, platform default), by level, in the causes' order within one."""
        key = (place, id(causes))
        found = self._prepared.get(key)
        if found is None or found[0] is not causes:
            entries = []
            for c in causes:
                _c, rule, ids = self._get(c)
                if rule is not None:
                    # canonical ports: meets() remembers pairs by identity
                    entries.append((self.level(wl, c, rule[0]), ids, rule, self.canon(c.ports), rule[1].platform_default))
            entries.sort(key=_level)
            found = self._prepared[key] = (causes, entries)
        return found[1]

    def meets(self, ports: PortSet, other: PortSet) -> bool:
        """Whether two port sets overlap, remembered by identity: the engine hands out the
        same few sets again and again, and hashing them by value is what costs."""
        found = self._meets.get((id(ports), id(other)))
        if found is None or found[0] is not ports or found[1] is not other:
            found = self._meets[(id(ports), id(other))] = (ports, other, bool(ports & other))
        return found[2]

    def canon(self, ports: PortSet) -> PortSet:
        return self._canon.setdefault(ports, ports)

    def text(self, cause: Cause) -> str:
        found = self._texts.get(id(cause))
        if found is None or found[0] is not cause:
            found = self._texts[id(cause)] = (cause, cause.text)
        return found[1]

    def line(self, rule: Rule) -> str:
        found = self._lines.get(id(rule))
        if found is None or found[0] is not rule:
            found = self._lines[id(rule)] = (rule, rule_line(rule))
        return found[1]


def _level(entry: tuple) -> float:
    return entry[0]


def _chosen(rules: RuleIndex, entries: list[tuple], hit: PortSet) -> tuple[tuple, tuple]:
    """The allows a user changes to close `hit` (see the module docstring), and their
    folded ids: those at the most selective level where a user rule admits part of `hit`
    (or, with none, where a platform default does)."""
    best = first = None
    for level, _ids, _rule, ports, platform in entries:
        if best is not None and level > best:
            break
        if rules.meets(ports, hit):
            if first is None:
                first = level
            if not platform:
                best = level
    chosen = first if best is None else best
    if chosen is None:
        return (), ()
    unique = {ids: rule for level, ids, rule, ports, _p in entries if level == chosen and rules.meets(ports, hit)}
    keys = tuple(sorted(unique))
    return tuple(unique[k] for k in keys), keys


class _Flows:
    """Every flow into every workload in snapshot order, with what by_cause keys on: the
    (source zone, destination zone, ports) triple a pick is asked about, by number, and
    the destination's placement number. Built once per audit."""

    def __init__(self, ctx: AuditContext) -> None:
        rules = RuleIndex.of(ctx)
        self.rows: list[tuple[Workload, str, str, Group, int, int]] = []
        self.triples: list[tuple[str, str, PortSet]] = []
        self.at: list[list[int]] = []  # triple number -> its rows
        numbers: dict[tuple[str, str, PortSet], int] = {}
        for wl in ctx.snapshot.workloads:
            dst, folded, place = ctx.zones.workload_zone(wl.id) or "unzoned", fold(wl.id), rules.place(wl)[0]
            for group in ctx.reach.groups_into(wl.id):  # the class's, shared by its members
                triple = (group[0], dst, group[2])
                t = numbers.get(triple)
                if t is None:
                    t = numbers[triple] = len(self.triples)
                    self.triples.append(triple)
                    self.at.append([])
                self.at[t].append(len(self.rows))
                self.rows.append((wl, folded, dst, group, t, place))


def by_cause(ctx: AuditContext, pick: Pick) -> Iterator[Grouped]:
    """Every flow `pick` reports, grouped by the rules that let it through."""
    rules, flows = RuleIndex.of(ctx), ctx.shared(_Flows, _Flows)
    hits = [rules.canon(pick(*triple)) for triple in flows.triples]
    picked = sorted(chain.from_iterable(flows.at[t] for t, hit in enumerate(hits) if hit))  # snapshot order
    decided: dict[tuple[int, int, int], tuple[tuple, tuple]] = {}
    groups: dict[tuple, Grouped] = {}
    for row in picked:
        wl, folded, dst, (zone, _sources, _ports, evidence, causes), t, place = flows.rows[row]
        hit = hits[t]
        found = decided.get((place, id(causes), t))
        if found is None:
            found = decided[(place, id(causes), t)] = rules.deciding(wl, causes, hit, place)
        chosen, key = found
        if not chosen:
            continue
        group = groups.get(key)
        if group is None:
            group = groups[key] = Grouped(chosen, rules)
        entry = group.flows.get((zone, dst))
        if entry is None:
            entry = group.flows[(zone, dst)] = [hit, set()]
        elif entry[0] is not hit:
            entry[0] = entry[0] | hit
        entry[1].add(wl.id)
        group.affected.setdefault(folded, wl)
        seen = (id(causes), id(evidence), t)  # alike workloads share the class's group
        if seen not in group.seen:
            group.seen.add(seen)
            group.citations.update((rules.text(c), None) for c in causes if rules.meets(c.ports, hit))
            routes = route_lines_of(evidence)
            if routes is None:  # evidence that holds the citations among its route lines
                texts = {rules.text(c) for c in causes}
                routes = [e for e in evidence_of(evidence) if e not in texts]
            group.routes.update((e, None) for e in routes)
    for k in sorted(groups):
        yield groups.pop(k)  # let go of each as it is reported
