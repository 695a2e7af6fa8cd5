"""The reachability engine: cost follows what the rules can tell apart, not the pairs.

For each enforcement point and each distinct way its rules see the fixed end of a flow,
the other ends (all classes, as bitsets) are split into cells by the peers the rules
name (atomic predicates, after Yang and Lam): classes no rule tells apart share a cell
and are evaluated once, through one representative, by the same Evaluator the pairwise
reference uses. A destination's inbound flows are then intersections of bitsets:
routes (scanner.reach.routes) x its ingress cells x the appliances' cells x the sources'
egress. Each source's egress point has one dominant cell holding most destinations;
destinations outside it are listed per point, so a destination meets only the few
sources whose egress treats it specially, and the rest come in groups of equal verdict.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from scanner.evaluate import INTERNET, Subject
from scanner.model import FirewallPolicy, Workload
from scanner.ports import PortSet
from scanner.reach.chains import Chains
from scanner.reach.pair import MAX_SOURCES, Class, Group, PairFlow
from scanner.reach.routes import RouteBits
from scanner.reach.space import Members, Space, indices, lowest

ALL = PortSet.all()
# A non-dominant egress cell larger than this (or than a quarter of the classes) is not
# listed per destination: its points are looked up directly instead, which costs more per
# destination but nothing up front.
LISTED = 512

Cell = tuple[int, PortSet, list]  # classes, ports allowed, evidence items (policy, rule, ports)


class Reachability(PairFlow):
    def _compute(self) -> None:
        self.space = space = Space(self.classes(), self.evaluator, self.index)
        self.routes = RouteBits(self, space)
        self._path_lines: dict[tuple, tuple[str, ...]] = {}  # route keys of two classes -> a path's lines
        self._partitions: dict[tuple, list[Cell]] = {}
        self.chains = Chains(space, self.evaluator)
        # A destination's own ingress point that no other class has is partitioned, used
        # and dropped: kept, its cells' bitsets (one bit per class each) grew with the square.
        uses: dict[tuple, int] = defaultdict(int)
        for dst in space.classes:
            for point in self.points(dst.rep, ingress=True):
                uses[tuple(id(p) for p in point)] += 1
        self._once_only = {k for k, n in uses.items() if n == 1}
        self.egress = Egress(self, space)
        self._partitions = {k: v for k, v in self._partitions.items() if k[1] != "egress"}
        for d, dst in enumerate(space.classes):
            groups = self.pseudo_groups(dst)
            groups += self._groups_into(d, dst)
            self._record(dst, groups, lambda sources, me=dst: _sample(sources, me))
        self.egress.note_live()

    # -- cells -------------------------------------------------------------------------
    def partition(self, point: list[FirewallPolicy], direction: str, local: Class) -> list[Cell]:
        """Every class as the far end of `direction` at this point, split into cells of
        equal verdict, with `local` as the fixed end."""
        indexed = self.chains.point(point, direction)
        rules, mine = indexed.rules, indexed.applicable(self.space.position[id(local)])
        ids = tuple(id(p) for p in point)
        key = (ids, direction, mine)
        found = self._partitions.get(key)
        if found is not None:
            return found
        cells = [self.space.all]
        for match in indexed.peer_sets(mine):
            split = []
            for c in cells:
                inside = c & match
                if inside and inside != c:
                    split += (inside, c & ~match)
                else:
                    split.append(c)
            cells = split
        union = self._union_rules(point, direction, rules, mine) if all(
            p.evaluation == "union" and p.stateful for p in point) else None
        if union is None:
            # Rules whose targets miss the fixed end never apply to it: a long network-wide
            # chain (GCP) shrinks to the few rules about this workload, walked once over
            # every far end (scanner.reach.chains).
            verdicts = self.chains.verdicts(point, direction, indexed.ordered(mine), self.space.all, ALL)
        out = []
        for c in cells:
            rep = lowest(c)
            if union is not None:
                bit = 1 << rep
                hits = [(p, r, ports) for p, r, ports, peers in union if peers & bit]
                allowed, evidence = PortSet.union_of(h[2] for h in hits), hits
            else:
                allowed, evidence = next((a, e) for b, a, e in verdicts if b >> rep & 1)
            self.stats["flow_evaluations"] += 1
            out.append((c, allowed, evidence))
        out = _same_verdicts_joined(out)
        if direction != "ingress" or ids not in self._once_only:
            self._partitions[key] = out
        else:
            self.chains.forget(point, direction)
        return out

    def applicable(self, policies: list[FirewallPolicy], direction: str, local: Workload) -> list[FirewallPolicy]:
        d = self.space.of_workload.get(id(local)) if hasattr(self, "chains") else None
        return policies if d is None else self.chains.shrunk(policies, direction, d)

    def ingress(self, policies: list[FirewallPolicy], dst: Workload, local: Subject, remote: Subject,
                want: PortSet) -> tuple[PortSet, list]:
        d = self.space.of_workload.get(id(dst)) if hasattr(self, "chains") else None
        if d is None or remote is not INTERNET or not want:
            return super().ingress(policies, dst, local, remote, want)
        return self.chains.from_internet(policies, d, want)

    def _union_rules(self, point: list[FirewallPolicy], direction: str, rules: list, mine: tuple) -> list:
        """Evaluator._evaluate_uncached for a point of stateful unions (security groups),
        prepared once: each allow rule that applies here, with the classes its peers hold."""
        chosen = {id(rules[i][1]) for i in mine}
        out = []
        for policy in point:
            for rule in self.evaluator._rules(policy, direction):
                if rule.action == "allow" and id(rule) in chosen:
                    ports = self.evaluator.ports(rule)
                    if ports:
                        peers = 0
                        for q in rule.peers:
                            peers |= self.space.peer(q)
                        out.append((policy, rule, ports, peers))
        return out

    # -- one destination ---------------------------------------------------------------
    def _groups_into(self, d: int, dst: Class) -> list[Group]:
        paths = self.routes.into(d)
        if not paths:
            return []
        cells: list[Cell] = []
        for appliances, bits in paths.items():
            cells += self._through(bits, appliances, dst)
        for point in self.points(dst.rep, ingress=True):
            if not cells:
                return []
            cells = _refine(cells, self.partition(point, "ingress", dst))
        groups: list[Group] = []
        reach = 0
        for bits, _ports, _evidence in cells:
            reach |= bits
        prepared = self.egress.prepare(d, reach)
        for bits, ports, evidence in cells:
            for sources, allowed in self.egress.towards(prepared, bits, ports):
                causes = tuple(self.causes(evidence, allowed, live=True))
                for zone, zone_bits in self.space.by_zone.items():
                    part = sources & zone_bits
                    if part:
                        part = Members(self.space, part)
                        groups.append((zone, part, allowed, Evidence(self, part, dst, causes), causes))
        return groups

    def _through(self, bits: int, appliances: tuple, dst: Class) -> list[Cell]:
        """Cells of the sources on one kind of path, after its appliances' rules."""
        cells: list[Cell] = [(bits, ALL, [])]
        for gateway in appliances:
            policies = self.routes.appliance_rules.get(gateway)
            if policies and cells:
                cells = _refine(cells, self.partition(policies, "ingress", dst))
        return cells

    def route_lines(self, sources: Members, dst: Class) -> tuple[str, ...]:
        """Route lines of one source's path (a sample)."""
        src = sources.first()
        key = (src.route_key, dst.route_key)
        path = self._path_lines.get(key) if src.route_key and dst.route_key else None
        if path is None:
            path = tuple(self._path(src.rep, dst.rep)[0] or ())
            if src.route_key and dst.route_key:
                self._path_lines[key] = path
        return path


class Evidence:
    """One group's evidence, made on first read: the route lines of a sample source's path,
    then the rules that admit the flow. The route lines alone are what checks grouping by
    cause read (they cite the rules themselves), so they are asked without the rest."""

    __slots__ = ("engine", "sources", "dst", "causes", "value", "path")

    def __init__(self, engine: Reachability, sources: Members, dst: Class, causes: tuple) -> None:
        self.engine, self.sources, self.dst, self.causes = engine, sources, dst, causes
        self.value = self.path = None

    def __call__(self) -> tuple[str, ...]:
        if self.value is None:
            self.value = (*self.routes(), *(c.text for c in self.causes))
        return self.value

    def routes(self) -> tuple[str, ...]:
        """The same tuple on every call (callers remember it by identity)."""
        if self.path is None:
            self.path = self.engine.route_lines(self.sources, self.dst)
        return self.path


class Egress:
    """Each source class's egress, as points whose cells hold destinations."""

    def __init__(self, engine: Reachability, space: Space) -> None:
        self.engine, self.space = engine, space
        self.points: list[list[Cell]] = []  # egress point id -> cells over destinations
        self.dominant: list[int] = []
        self.wide: set[int] = set()  # points with a large non-dominant cell
        ids: dict[tuple, int] = {}
        profiles: dict[tuple[int, ...], int] = {}
        self.profile_points: list[tuple[int, ...]] = []
        self.profile_bits: list[int] = []
        for i, c in enumerate(space.classes):
            mine = []
            for point in engine.points(c.rep, ingress=False):
                cells = engine.partition(point, "egress", c)
                pid = ids.get(id(cells))
                if pid is None:
                    pid = ids[id(cells)] = len(self.points)
                    self.points.append(cells)
                mine.append(pid)
            key = tuple(mine)
            prof = profiles.get(key)
            if prof is None:
                prof = profiles[key] = len(self.profile_points)
                self.profile_points.append(key)
                self.profile_bits.append(0)
            self.profile_bits[prof] |= 1 << i
        self.listed: dict[int, list[tuple[int, int]]] = defaultdict(list)  # destination -> (point, cell)
        for pid, cells in enumerate(self.points):
            sizes = [c[0].bit_count() for c in cells]
            dom = max(range(len(cells)), key=sizes.__getitem__)
            self.dominant.append(dom)
            for ci, (bits, _allowed, _ev) in enumerate(cells):
                if ci == dom:
                    continue
                if sizes[ci] > max(LISTED, space.n // 4):
                    self.wide.add(pid)
                    continue
                for d in indices(bits):
                    self.listed[d].append((pid, ci))
        # Only a wide point's cells are searched by destination later: the others keep
        # their verdicts and rules, not their bitsets (most of the memory at scale).
        self.points = [cells if pid in self.wide else [(0, allowed, ev) for _b, allowed, ev in cells]
                       for pid, cells in enumerate(self.points)]
        self.users: dict[int, list[int]] = defaultdict(list)  # point -> profiles using it
        for prof, pts in enumerate(self.profile_points):
            for pid in set(pts):
                self.users[pid].append(prof)
        self.odd = [prof for prof, pts in enumerate(self.profile_points) if any(p in self.wide for p in pts)]
        # Profiles that see a destination in every point's dominant cell, by verdict.
        self.by_verdict: dict[PortSet, int] = defaultdict(int)
        self.verdict: list[PortSet | None] = []
        odd = set(self.odd)
        for prof, pts in enumerate(self.profile_points):
            v = None
            if prof not in odd:
                v = ALL
                for pid in pts:
                    v = v & self.points[pid][self.dominant[pid]][1]
                self.by_verdict[v] |= self.profile_bits[prof]
            self.verdict.append(v)
        self.by_verdict = {v: b for v, b in self.by_verdict.items() if v}
        self.live: dict[PortSet, dict[PortSet, int]] = defaultdict(lambda: defaultdict(int))
        self.cell_live: dict[tuple[int, int], list[PortSet]] = defaultdict(list)  # (point, cell) -> what flowed

    def prepare(self, d: int, reach: int) -> tuple:
        """What destination `d` needs from every source's egress: the points that hold it
        outside their dominant cell, and the profiles (among the sources that can reach
        it, `reach`) that use them."""
        special = {pid: ci for pid, ci in self.listed.get(d, ())}
        touched = [prof for prof in {prof for pid in special for prof in self.users[pid]}.union(self.odd)
                   if self.profile_bits[prof] & reach]
        touched_bits = 0
        for prof in touched:
            touched_bits |= self.profile_bits[prof]
        return d, special, touched, touched_bits

    def towards(self, prepared: tuple, sources: int, ports: PortSet) -> list[tuple[int, PortSet]]:
        """The sources (of `sources`, already admitted on `ports`) whose egress lets some
        of it out towards the destination, grouped by what flows."""
        d, special, touched, touched_bits = prepared
        out: dict[PortSet, int] = defaultdict(int)
        for prof in touched:
            bits = sources & self.profile_bits[prof]
            if not bits:
                continue
            allowed, used = ports, []
            for pid in self.profile_points[prof]:
                ci = special.get(pid)
                if ci is None:
                    ci = self._cell(pid, d) if pid in self.wide else self.dominant[pid]
                allowed = allowed & self.points[pid][ci][1]
                used.append((pid, ci))
                if not allowed:
                    break
            if allowed:
                out[allowed] |= bits
                for cell in used:
                    self.cell_live[cell].append(allowed)
        plain = sources & ~touched_bits
        if plain:
            for verdict, bits in self.by_verdict.items():
                mine = plain & bits
                if mine:
                    allowed = ports & verdict
                    if allowed:
                        out[allowed] |= mine
                        self.live[verdict][allowed] |= mine
        return [(bits, allowed) for allowed, bits in out.items()]

    def _cell(self, pid: int, d: int) -> int:
        bit = 1 << d
        return next(ci for ci, (bits, _a, _e) in enumerate(self.points[pid]) if bits & bit)

    def note_live(self) -> None:
        """The egress rules behind the real flows: the cells each flow's sources passed,
        and each profile's dominant cells for the flows grouped by verdict. A rule's live
        ports are a union, and (rule & a) | (rule & b) = rule & (a | b): each cell's rules
        are asked once, for the union of what flowed through it."""
        # Walked from the flows' sources to their profiles: asking every profile about every
        # flow cost profiles x flows wide intersections (16 s of a 100,000-workload audit).
        profile_of = [0] * self.space.n
        for prof, bits in enumerate(self.profile_bits):
            for i in indices(bits):
                profile_of[i] = prof
        by_profile: dict[int, set[PortSet]] = defaultdict(set)
        for by_allowed in self.live.values():
            for allowed, bits in by_allowed.items():
                for i in indices(bits):
                    by_profile[profile_of[i]].add(allowed)
        for prof, ports in by_profile.items():
            for pid in self.profile_points[prof]:
                self.cell_live[(pid, self.dominant[pid])] += ports
        for (pid, ci), flowed in self.cell_live.items():
            self.engine._note_live(self.engine.causes(self.points[pid][ci][2], PortSet.union_of(flowed)))


def _same_verdicts_joined(cells: list[Cell]) -> list[Cell]:
    """Cells the rules told apart but that end alike (a rule for ::/0 beside one for
    0.0.0.0/0) are one: fewer cells for every destination that meets them."""
    joined: dict[tuple, list] = {}
    for bits, allowed, evidence in cells:
        key = (allowed, *((id(p), id(r), g) for p, r, g in evidence))
        found = joined.get(key)
        if found is None:
            joined[key] = [bits, allowed, evidence]
        else:
            found[0] |= bits
    return [tuple(c) for c in joined.values()]


def _refine(cells: list[Cell], by: list[Cell]) -> list[Cell]:
    out = []
    for bits, ports, evidence in cells:
        for other, allowed, more in by:
            both = bits & other
            if both:
                q = ports & allowed
                if q:
                    out.append((both, q, evidence + more))
    return out


def _sample(sources: Any, dst: Class) -> tuple[str, ...]:
    if sources is None:
        return ("internet",)
    out: list[str] = []
    for c in sources(MAX_SOURCES + 1):
        for m in c.members:
            if m is not dst.rep:
                out.append(m.id)
                if len(out) >= MAX_SOURCES:
                    return tuple(out)
    return tuple(out)
