"""`paths` searches the flow graph by pulling (each unreached node asks its inbound flows
whether a source is in the frontier) instead of building every source/destination edge.
On random estates of every cloud it must reach the same nodes at the same hop counts as
the simple search over the full edge list, by real edges."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from scanner.context import AuditContext
from scanner.index import fold
from scanner.questions.paths import INTERNET_NODE, Graph, blast_radius
from test_engine_differential import Random


class EdgeListGraph:
    """The reference: one edge per (source, destination) of every flow, searched forward."""

    def __init__(self, ctx: AuditContext, graph: Graph) -> None:
        self.out: list[list[int]] = [[] for _ in graph.ids]
        for d in range(1, len(graph.ids)):
            for flow in ctx.reach.flows_into(graph.ids[d]):
                for src in flow.sources:
                    s = graph.node.get(fold(src))
                    if s is not None and s != d:
                        self.out[s].append(d)

    def search(self, starts: list[int], max_hops: int) -> dict[int, int]:
        dist = {s: 0 for s in starts}
        frontier = list(dist)
        for hop in range(1, max_hops + 1):
            nxt = []
            for n in frontier:
                for d in self.out[n]:
                    if d not in dist:
                        dist[d] = hop
                        nxt.append(d)
            frontier = nxt
        return dist


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.sampled_from(["aws", "gcp", "azure"]), st.integers(1, 4), st.data())
def test_pull_search_reaches_what_the_edge_list_does(seed, provider, max_hops, data):
    ctx = AuditContext(Random(seed, provider).build())
    graph = Graph(ctx)
    reference = EdgeListGraph(ctx, graph)
    nodes = list(range(len(graph.ids)))
    starts = [INTERNET_NODE] if data.draw(st.booleans()) else data.draw(
        st.lists(st.sampled_from(nodes), min_size=1, max_size=3, unique=True))
    dist, parent = graph.search(starts, max_hops)
    assert dist == reference.search(starts, max_hops)
    for d, (s, flow) in parent.items():  # every step a real flow from a node one hop nearer
        assert dist[s] == dist[d] - 1
        assert flow in graph.into(d) and graph.ids[s] in flow.sources
    for foothold in starts:
        blast = blast_radius(graph, foothold, max_hops)
        near = reference.search([foothold], max_hops)
        for hop, counts in enumerate(blast.within, 1):
            assert sum(counts.values()) == sum(1 for n, h in near.items() if 0 < h <= hop and n != INTERNET_NODE)
