"""Enforcement points evaluated over sets of classes at once: first-match chains walked
once, rule by rule, on bitsets.

A GCP network's firewall is one point holding every rule of the estate (thousands, in
priority order, behind a hierarchical policy whose rules pass on with goto_next); an
Azure Firewall's rule collections are one point every spoke-to-spoke flow meets. Asking
such a point about one far end at a time costs rules x cells per fixed end. Here:

- `Point` indexes a point's rules by their targets once (a target's classes are a
  bitset, so each target set is listed under the classes it holds): the rules that
  apply to a fixed end are a dictionary look-up, not a test of every rule's targets.
- `verdicts` walks the applicable rules once in evaluation order (Evaluator's order:
  unions, then first-match policies by chain_order, each by priority, deny before
  allow), over fragments of far-end classes: a rule splits the fragments its peers
  touch and takes its ports from their pending ports, as `Evaluator._evaluate_uncached`
  does for one far end. A rule whose peers hold no class (a health-check range, the
  internet) costs one look-up. Stateless policies answer the reply the same way.
The fragments are exactly the classes that end alike, so the engine evaluates nothing
per cell.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from scanner.evaluate import INTERNET, Evaluator, _reply_ports
from scanner.model import FirewallPolicy, Rule
from scanner.ports import PortSet
from scanner.reach.space import Space, indices

Fragment = tuple[int, PortSet, list]  # classes, ports allowed, evidence items (policy, rule, ports)


class Point:
    """One enforcement point seen in one direction: its applicable rules (as the engine's
    partition lists them) and which of them apply to each class as the fixed end."""

    def __init__(self, point: list[FirewallPolicy], direction: str, space: Space, evaluator: Evaluator) -> None:
        self.rules = [(p, r) for p in point for r in p.rules if r.enabled
                      and (r.direction == direction or not p.stateful)]
        everywhere: list[int] = []
        by_targets: dict[tuple, list[int]] = {}
        self._matches: list[list[int]] = []  # rule -> the classes of each of its peers that holds any
        self._evaluator = evaluator
        self._ranks: list[int] | None = None
        self._publics: list[bool] | None = None
        for i, (p, r) in enumerate(self.rules):
            if r.targets:
                by_targets.setdefault(r.targets, []).append(i)
            else:
                everywhere.append(i)
            self._matches.append([m for m in (space.peer(q) for q in r.peers) if m])
        self._everywhere = everywhere
        self._sets = list(by_targets.values())
        self._of_class: dict[int, list[int]] = defaultdict(list)  # class -> target sets holding it
        for k, targets in enumerate(by_targets):
            bits = 0
            for t in targets:
                bits |= space.peer(t)
            for d in indices(bits):
                self._of_class[d].append(k)
        self._mine: dict[tuple[int, ...], tuple[int, ...]] = {}

    @property
    def _rank(self) -> list[int]:
        """Rule -> its place in the Evaluator's order within its policy (asked only of
        first-match points: a union of security groups never walks a chain)."""
        if self._ranks is None:
            ranks: dict[tuple[int, str], dict[int, int]] = {}
            out = []
            for p, r in self.rules:
                rank = ranks.get((id(p), r.direction))
                if rank is None:
                    rank = ranks[(id(p), r.direction)] = {
                        id(x): k for k, x in enumerate(self._evaluator._rules(p, r.direction))}
                out.append(rank[id(r)])
            self._ranks = out
        return self._ranks

    @property
    def _public(self) -> list[bool]:
        """Rule -> whether its peers admit the internet."""
        if self._publics is None:
            self._publics = [any(self._evaluator.peer_matches(q, INTERNET) for q in r.peers) for _p, r in self.rules]
        return self._publics

    def applicable(self, d: int) -> tuple[int, ...]:
        """Indices (into `rules`, ascending) of the rules whose targets hold class `d`."""
        key = tuple(self._of_class.get(d, ()))
        found = self._mine.get(key)
        if found is None:
            found = self._mine[key] = tuple(sorted(self._everywhere + [i for k in key for i in self._sets[k]]))
        return found

    def peer_sets(self, mine: tuple[int, ...]) -> list[int]:
        """The distinct non-empty sets of classes the peers of these rules hold, in rule
        order: what splits the far ends into cells (a set met again splits nothing)."""
        seen: set[int] = set()
        out = []
        for i in mine:
            for m in self._matches[i]:
                if m not in seen:
                    seen.add(m)
                    out.append(m)
        return out

    def ordered(self, mine: tuple[int, ...], internet: bool = False) -> dict[tuple[int, str], list[Rule]]:
        """These rules per (policy, direction) in the Evaluator's order, leaving out rules
        whose peers hold no class (they decide nothing between classes), or with `internet`
        those whose peers do not admit the internet."""
        out: dict[tuple[int, str], list[Rule]] = defaultdict(list)
        keep = self._public if internet else self._matches
        for i in sorted((i for i in mine if keep[i]), key=self._rank.__getitem__):
            p, r = self.rules[i]
            out[(id(p), r.direction)].append(r)
        return out


class Chains:
    """Evaluates points over bitsets of far-end classes (see the module text)."""

    def __init__(self, space: Space, evaluator: Evaluator) -> None:
        self.space, self.evaluator = space, evaluator
        self._points: dict[tuple, Point] = {}
        self._peers: dict[int, int] = {}
        self._shrunk: dict[tuple, list[FirewallPolicy]] = {}
        self._internet: dict[tuple, tuple[PortSet, list]] = {}
        self.internet = 1 << space.n

    def point(self, point: list[FirewallPolicy], direction: str) -> Point:
        key = (tuple(id(p) for p in point), direction)
        found = self._points.get(key)
        if found is None:
            found = self._points[key] = Point(point, direction, self.space, self.evaluator)
        return found

    def forget(self, point: list[FirewallPolicy], direction: str) -> None:
        """Drop a point's index once no other class will ask about it."""
        self._points.pop((tuple(id(p) for p in point), direction), None)

    def shrunk(self, point: list[FirewallPolicy], direction: str, d: int) -> list[FirewallPolicy]:
        """The point's policies holding only the rules that apply to class `d` as the fixed
        end, for the Evaluator to ask about a far end that is no class (the internet, an
        external zone): the same verdict, without walking the rules about other workloads.
        The same list every time, so the Evaluator's caches hold."""
        indexed = self.point(point, direction)
        mine = indexed.applicable(d)
        if len(mine) == len(indexed.rules):
            return point
        key = (tuple(id(p) for p in point), direction, mine)
        found = self._shrunk.get(key)
        if found is None:
            kept: dict[int, list[Rule]] = defaultdict(list)
            for i in mine:
                p, r = indexed.rules[i]
                kept[id(p)].append(r)
            found = self._shrunk[key] = [replace(p, rules=tuple(kept[id(p)])) for p in point]
        return found

    def peers(self, rule: Rule) -> int:
        """The classes a rule's peers hold (Evaluator.applies on the far end), and the
        internet's bit (`self.internet`, above every class) when they admit it."""
        found = self._peers.get(id(rule))
        if found is None:
            found = 0
            for q in rule.peers:
                bits = self.space.peer(q)
                found = found | bits if found else bits  # one peer: its own set, not a copy
                if self.evaluator.peer_matches(q, INTERNET):
                    found |= self.internet
            self._peers[id(rule)] = found
        return found

    def from_internet(self, point: list[FirewallPolicy], d: int, want: PortSet) -> tuple[PortSet, list]:
        """Evaluator.point(point, "ingress", class d, INTERNET, want): the internet is one
        more far end, walked over the rules about class d that admit it."""
        indexed = self.point(point, "ingress")
        mine = indexed.applicable(d)
        key = (tuple(id(p) for p in point), mine, want)
        found = self._internet.get(key)
        if found is None:
            [(_bits, allowed, evidence)] = self.verdicts(point, "ingress", indexed.ordered(mine, internet=True),
                                                         self.internet, want)
            found = self._internet[key] = (allowed, evidence)
        return found

    def verdicts(self, policies: list[FirewallPolicy], direction: str, ordered: dict[tuple[int, str], list[Rule]],
                 bits: int, want: PortSet) -> list[Fragment]:
        """Evaluator.point(policies, direction, fixed end, far end, want) for every far end
        in `bits` at once, with only the `ordered` rules (those that apply to the fixed end,
        from Point.ordered): fragments of equal verdict covering `bits`."""
        frags: list[Fragment] = [(bits, want, [])]
        for group in ([p for p in policies if p.stateful], [p for p in policies if not p.stateful]):
            if not group:
                continue
            stateless = not group[0].stateful
            back = "egress" if direction == "ingress" else "ingress"
            out: list[Fragment] = []
            for fb, allowed, evidence in frags:
                if not allowed:
                    out.append((fb, allowed, evidence))
                    continue
                for b, got, ev in self._evaluate(group, direction, ordered, fb, allowed):
                    if stateless and got:
                        protocols = tuple(got.protocols())
                        for rb, ok, _ in self._evaluate(group, back, ordered, b, _reply_ports(protocols)):
                            out.append((rb, PortSet._raw({p: got.ranges(p) for p in protocols if ok.ranges(p)}),
                                        evidence + ev))
                    else:
                        out.append((b, got, evidence + ev))
            frags = out
        return [(b, a, ev if a else []) for b, a, ev in frags]

    def _evaluate(self, policies: list[FirewallPolicy], direction: str, ordered: dict, bits: int,
                  want: PortSet) -> list[Fragment]:
        """Evaluator._evaluate_uncached over the far ends in `bits`."""
        ev = self.evaluator
        union = [p for p in policies if p.evaluation == "union"]
        chain = sorted((p for p in policies if p.evaluation == "first-match"), key=lambda p: p.chain_order)
        # fragment: [classes, pending, passed on, allowed (list), evidence (list)]
        state: list[list[Any]] = [[bits, want, PortSet(), [], []]]
        if union:
            for pol in union:
                for rule in ordered.get((id(pol), direction), ()):
                    if rule.action != "allow":
                        continue
                    got = ev.ports(rule) & want
                    if got:
                        state = _split(state, self.peers(rule), lambda f, g=got, e=(pol, rule, got):
                                       [f[0], f[1], f[2], f[3] + [g], f[4] + [e]])
            state = [[b, PortSet.union_of(allowed), PortSet(), [], evidence] for b, _w, _p, allowed, evidence in state]
            if not chain:
                return [(b, pending, evidence) for b, pending, _p, _a, evidence in state]
        for pol in chain:
            for rule in ordered.get((id(pol), direction), ()):
                peers, ports, action = self.peers(rule), ev.ports(rule), rule.action
                out = []
                for f in state:
                    b, pending = f[0], f[1]
                    inside = b & peers
                    if not inside or not pending:
                        out.append(f)
                        continue
                    got = ports & pending
                    if not got:
                        out.append(f)
                        continue
                    if inside != b:
                        out.append([b & ~peers, *f[1:]])
                    if action == "allow":
                        out.append([inside, pending - got, f[2], f[3] + [got], f[4] + [(pol, rule, got)]])
                    elif action == "next":
                        out.append([inside, pending - got, f[2] | got, f[3], f[4]])
                    else:
                        out.append([inside, pending - got, f[2], f[3], f[4]])
                state = out
            state = [[b, pending | passed, PortSet(), allowed, evidence] for b, pending, passed, allowed, evidence in state]
        return [(b, PortSet.union_of(allowed), evidence) for b, _r, _p, allowed, evidence in state]


def _split(state: list[list[Any]], peers: int, change: Any) -> list[list[Any]]:
    """Fragments with the classes `peers` holds changed by `change`, the rest as they were."""
    out = []
    for f in state:
        inside = f[0] & peers
        if not inside:
            out.append(f)
            continue
        if inside != f[0]:
            out.append([f[0] & ~peers, *f[1:]])
        out.append(change([inside, *f[1:]]))
    return out
