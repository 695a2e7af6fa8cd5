"""`segaudit paths`: lateral movement as the seeds' threat model tells it. An attacker who
controls a workload can open whatever that workload can open, so a path is a chain of
real flows (scanner.reach flows_into), each with its ports and the rules that admit it.

The graph has one node per workload plus the internet; its edges stay the engine's flows
into each destination (Graph says how the search reads them without listing pairs).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from scanner.context import AuditContext
from scanner.index import fold
from scanner.reach import UNZONED, Flow
from scanner.zonepolicy import INTERNET

INTERNET_NODE = 0


@dataclass(frozen=True, slots=True)
class Step:
    source: str
    destination: str
    ports: tuple[str, ...]
    rules: tuple[str, ...]  # the causes: every rule that admits part of this flow


@dataclass(frozen=True, slots=True)
class Path:
    target: str
    zone: str
    steps: tuple[Step, ...]


class Graph:
    """The flow graph, read from the engine's flows into each destination (its in-edges).

    A breadth-first search pulls: each hop, every node not yet reached asks whether one
    of the flows into it has a source in the frontier. Only flows from a zone the frontier
    occupies are looked at (a flow's sources share its zone), the first hit settles the
    node, and the test is one set operation per flow, so no edge list is ever built: memory
    and time follow the flows, not the source/destination pairs behind them.
    """

    def __init__(self, ctx: AuditContext) -> None:
        workloads = sorted(ctx.snapshot.workloads, key=lambda w: w.id)
        self.reach = ctx.reach
        self.ids = [INTERNET] + [w.id for w in workloads]
        self.zones = [INTERNET] + [ctx.zones.workload_zone(w.id) or UNZONED for w in workloads]
        self.node = {fold(i): n for n, i in enumerate(self.ids)}

    def into(self, d: int) -> tuple[Flow, ...]:
        return () if d == INTERNET_NODE else self.reach.flows_into(self.ids[d])

    def search(self, starts: Iterable[int], max_hops: int) -> tuple[dict[int, int], dict[int, tuple[int, Flow]]]:
        """Hops from the nearest start to every node within max_hops, and the edge it came by."""
        dist = {s: 0 for s in starts}
        parent: dict[int, tuple[int, Flow]] = {}
        frontier = list(dist)
        waiting = [d for d in range(1, len(self.ids)) if d not in dist]
        for hop in range(1, max_hops + 1):
            if not frontier or not waiting:
                break
            here = {self.ids[n] for n in frontier}  # sources are workload ids (or "internet") as given
            zones = {self.zones[n] for n in frontier}
            nxt, still = [], []
            for d in waiting:
                edge = self._edge(d, here, zones)
                if edge is None:
                    still.append(d)
                else:
                    dist[d], parent[d] = hop, edge
                    nxt.append(d)
            frontier, waiting = nxt, still
        return dist, parent

    def _edge(self, d: int, here: set[str], zones: set[str]) -> tuple[int, Flow] | None:
        """A flow into d from a node of the frontier (`here`), and that node; None if none."""
        for flow in self.into(d):
            if flow.zone not in zones or here.isdisjoint(flow.sources):
                continue
            src = next(s for s in flow.sources if s in here)
            return self.node[fold(src)], flow
        return None

    def path(self, target: int, parent: dict[int, tuple[int, Flow]]) -> Path:
        steps = []
        node = target
        while node in parent:
            src, flow = parent[node]
            steps.append(Step(self.ids[src], self.ids[node], tuple(flow.ports.describe()),
                              tuple(dict.fromkeys(c.text for c in flow.causes))))
            node = src
        return Path(self.ids[target], self.zones[target], tuple(reversed(steps)))


@dataclass(frozen=True, slots=True)
class Blast:
    foothold: str
    zone: str
    within: tuple[dict[str, int], ...]  # [hops 1, 2, ...]: workloads reached per zone, cumulative


@dataclass(frozen=True, slots=True)
class Paths:
    paths: tuple[Path, ...]  # shortest per target, shortest first, at most `limit`
    reachable: int  # targets reachable within max_hops
    targets: int
    blast: tuple[Blast, ...]
    max_hops: int


def nodes(graph: Graph, ctx: AuditContext, spec: str, option: str) -> list[int]:
    from scanner.questions.resolve import resolve

    end = resolve(ctx, spec, option)
    if end.internet:
        return [INTERNET_NODE]
    return sorted(graph.node[fold(w.id)] for w in end.workloads)


def shortest(graph: Graph, starts: list[int], targets: list[int], max_hops: int,
             searched: tuple[dict[int, int], dict[int, tuple[int, Flow]]] | None = None) -> list[Path]:
    dist, parent = searched or graph.search(starts, max_hops)
    reached = sorted((t for t in targets if t in dist and dist[t] > 0), key=lambda t: (dist[t], graph.ids[t]))
    return [graph.path(t, parent) for t in reached]


def blast_radius(graph: Graph, foothold: int, max_hops: int, dist: dict[int, int] | None = None) -> Blast:
    dist = dist if dist is not None else graph.search([foothold], max_hops)[0]
    within = []
    for hop in range(1, max_hops + 1):
        counts = Counter(graph.zones[n] for n, d in dist.items() if 0 < d <= hop and n != INTERNET_NODE)
        within.append(dict(sorted(counts.items())))
    return Blast(graph.ids[foothold], graph.zones[foothold], tuple(within))


def paths(ctx: AuditContext, source: str, target: str, max_hops: int = 3, limit: int = 10,
          graph: Graph | None = None) -> Paths:
    graph = graph or Graph(ctx)
    starts, targets = nodes(graph, ctx, source, "--from"), nodes(graph, ctx, target, "--to")
    searched = graph.search(starts, max_hops)
    found = shortest(graph, starts, targets, max_hops, searched)
    # one foothold: its blast radius is the search just made
    blast = tuple(blast_radius(graph, s, max_hops, searched[0] if len(starts) == 1 else None) for s in starts[:limit])
    return Paths(tuple(found[:limit]), len(found), len(targets), blast, max_hops)
