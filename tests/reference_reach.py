"""The reference reachability engine: every candidate pair of classes, one flow at a time.

This is the first engine segaudit shipped, kept as the executable statement of what the
clouds do: simple enough to check by reading, quadratic in the workloads a hub joins.
The production engine (scanner.reach.engine) must give the same answers; the
differential test (test_engine_differential.py) compares them on random estates.
"""
from __future__ import annotations

from collections import defaultdict

from scanner.index import fold
from scanner.reach.pair import MAX_SOURCES, Class, Group, PairFlow


class ReferenceReachability(PairFlow):
    def _compute(self) -> None:
        classes = self.classes()
        by_network: dict[str, list[Class]] = defaultdict(list)
        for c in classes:
            by_network[fold(c.rep.network_id)].append(c)
        for dst in classes:
            groups = self.pseudo_groups(dst)
            for src in self._candidates(dst, by_network):
                if src is dst and len(src.members) == 1:
                    continue
                ports, evidence, causes = self.flow(src.rep, dst.rep)
                if ports:
                    self._note_live(causes)
                    inward = tuple(c for c in causes if c.direction == "ingress")
                    groups.append((src.zone, (lambda s=src: (s,)), ports, tuple(evidence), inward))
            self._record(dst, groups, lambda sources, d=dst: _sample(sources, d))

    def _candidates(self, dst: Class, by_network: dict[str, list[Class]]) -> list[Class]:
        return [c for n in sorted(self.candidate_networks(dst.rep.network_id)) for c in by_network.get(n, ())]


def _sample(sources, dst: Class) -> tuple[str, ...]:
    if sources is None:
        return ("internet",)
    return tuple(m.id for c in sources() for m in c.members if m is not dst.rep)[:MAX_SOURCES]
