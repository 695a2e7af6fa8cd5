"""Firewall evaluation as the clouds do it, driven by the policies' own data.

An enforcement point is the list of policies at one place on the path (network, subnet,
interface: docs/model.md). Union policies admit what any allow admits; first-match
policies are chained by chain_order and decide rule by rule in priority order, deny
before allow at equal priority, `next` passing on to the next policy. Nothing matched
is denied. Stateless policies must also let the reply through on ephemeral ports.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from scanner.index import Index, fold
from scanner.model import FirewallPolicy, Peer, Rule, Workload
from scanner.ports import FULL, PORTED, PortSet

EPHEMERAL = ((1024, 65535),)
_ACTION_ORDER = {"deny": 0, "allow": 1, "next": 2}


@lru_cache(maxsize=None)
def net(value: str) -> Any:
    return ipaddress.ip_network(value, strict=False)


# The internet zone is an arbitrary public address, not a known partner: a range admits
# it only when it is public and as wide as this (0.0.0.0/1 + 128.0.0.0/1 still counts).
INTERNET_WIDEST = {4: 8, 6: 16}


@lru_cache(maxsize=None)
def admits_internet(value: str) -> bool:
    n = net(value)
    if n.prefixlen == 0:
        return True
    return n.prefixlen <= INTERNET_WIDEST[n.version] and not n.is_private


class _PrefixTable:
    """A long list of ranges (a prefix list, a service tag) as one set per prefix length:
    an address is looked up once per length instead of once per range."""

    def __init__(self, cidrs: tuple[str, ...]) -> None:
        by_length: dict[tuple[int, int], set[int]] = {}
        for c in cidrs:
            n = net(c)
            by_length.setdefault((n.version, n.prefixlen), set()).add(int(n.network_address))
        self.lengths = [(v, length, set_) for (v, length), set_ in by_length.items()]

    def holds(self, addresses: tuple[Any, ...]) -> bool:
        for a in addresses:
            ai, width = int(a), a.max_prefixlen
            for version, length, starts in self.lengths:
                if version == a.version and (ai >> (width - length)) << (width - length) in starts:
                    return True
        return False


@lru_cache(maxsize=4096)
def _prefix_table(cidrs: tuple[str, ...]) -> _PrefixTable:
    return _PrefixTable(cidrs)


@dataclass(frozen=True, slots=True)
class Subject:
    """One end of a flow as firewall rules see it."""

    internet: bool = False
    addresses: tuple[Any, ...] = ()
    policy_ids: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    service_accounts: frozenset[str] = frozenset()
    app_groups: frozenset[str] = frozenset()
    selectors: frozenset[str] = frozenset()
    public: bool = False
    # Address ranges standing for a whole external zone (scanner.external): a rule's
    # range admits the zone when the two overlap.
    ranges: tuple[Any, ...] = ()


INTERNET = Subject(internet=True, public=True)


def subject(wl: Workload) -> Subject:
    return Subject(
        addresses=tuple(ipaddress.ip_address(a) for a in wl.private_ips),
        policy_ids=frozenset(fold(p) for p in wl.policy_ids),
        tags=frozenset(wl.network_tags),
        service_accounts=frozenset(wl.service_accounts),
        app_groups=frozenset(fold(a) for a in wl.app_groups),
        selectors=frozenset(wl.selectors),
        public=bool(wl.public_ips),
    )


class Evaluator:
    def __init__(self, index: Index) -> None:
        self.index = index
        self._rule_ports: dict[int, PortSet] = {}
        self._sorted: dict[tuple[int, str], list[Rule]] = {}
        self._peers: dict[int, list[Peer]] = {}
        self._splits: dict[int, tuple] = {}
        self._group_ids: dict[tuple[int, ...], int] = {}
        self._signatures: dict[int, tuple[Subject, dict[int, frozenset[int]]]] = {}
        self._results: dict[tuple, tuple[PortSet, list[Any]]] = {}

    # -- matching ----------------------------------------------------------------
    def _cidrs_match(self, cidrs: Any, who: Subject) -> bool:
        if who.internet:
            return any(admits_internet(c) for c in cidrs)
        if who.ranges:
            return any(r.version == net(c).version and r.overlaps(net(c)) for c in cidrs for r in who.ranges)
        if len(cidrs) > 4:
            return _prefix_table(cidrs).holds(who.addresses)
        for c in cidrs:
            n = net(c)
            if any(a.version == n.version and a in n for a in who.addresses):
                return True
        return False

    def peer_matches(self, peer: Peer, who: Subject) -> bool:
        kind = peer.kind
        if kind == "any":
            return True
        if kind == "cidr":
            return self._cidrs_match((peer.value,), who)
        if kind == "internet":
            return who.internet
        if kind == "group":
            return fold(peer.value) in who.policy_ids
        if kind == "tag":
            return peer.value in who.tags
        if kind == "service-account":
            return peer.value in who.service_accounts
        if kind == "app-group":
            return fold(peer.value) in who.app_groups
        if kind == "selector":
            return peer.value in who.selectors
        if kind == "service-tag":
            return self._cidrs_match(peer.cidrs, who)
        if kind == "prefix-list":
            pl = self.index.prefix_lists.get(fold(peer.value))
            return pl is not None and self._cidrs_match(pl.cidrs, who)
        return False

    def applies(self, rule: Rule, local: Subject, remote: Subject) -> bool:
        if not rule.enabled:
            return False
        if rule.targets and not any(self.peer_matches(t, local) for t in rule.targets):
            return False
        return any(self.peer_matches(p, remote) for p in rule.peers)

    def ports(self, rule: Rule) -> PortSet:
        key = id(rule)
        found = self._rule_ports.get(key)
        if found is None:
            found = PortSet.of(rule.protocol, [(r.first, r.last) for r in rule.ports])
            self._rule_ports[key] = found
        return found

    def _rules(self, policy: FirewallPolicy, direction: str) -> list[Rule]:
        key = (id(policy), direction)
        found = self._sorted.get(key)
        if found is None:
            found = sorted((r for r in policy.rules if r.direction == direction),
                           key=lambda r: (r.priority, _ACTION_ORDER[r.action]))
            self._sorted[key] = found
        return found

    # -- one enforcement point ---------------------------------------------------------
    def point(self, policies: list[FirewallPolicy], direction: str, local: Subject, remote: Subject,
              want: PortSet, memo: bool = True) -> tuple[PortSet, list[Any]]:
        """What `policies` at one place let through of `want`, and the (policy, rule, ports)
        that did; the caller formats them with cite() only if the flow survives. `memo`
        False skips the signature cache, for callers that already evaluate each distinct
        case once."""
        if not policies or not want:
            return want, []
        split = self._splits.get(id(policies))
        if split is None or split[0] is not policies:
            groups = [g for g in ([p for p in policies if p.stateful], [p for p in policies if not p.stateful]) if g]
            split = self._splits[id(policies)] = (policies, [(g, self._group_id(g), not g[0].stateful)
                                                              for g in groups])
        allowed, evidence = want, []
        for group, gid, stateless in split[1]:
            allowed, ev = self._evaluate(group, gid, direction, local, remote, allowed, memo)
            evidence += ev
            if stateless and allowed:
                allowed = self._reply(group, gid, direction, local, remote, allowed, memo)
        return allowed, evidence if allowed else []

    def explain(self, policies: list[FirewallPolicy], direction: str, local: Subject, remote: Subject,
                want: PortSet) -> tuple[PortSet, list["Decision"]]:
        """point() with every rule decision on the way (for `segaudit query`; see explain_point)."""
        return explain_point(self, policies, direction, local, remote, want)

    def _group_id(self, group: list[FirewallPolicy]) -> int:
        """A small number per distinct policy group: cheap keys on the hot path."""
        return self._group_ids.setdefault(tuple(id(p) for p in group), len(self._group_ids))

    def _signature(self, gid: int, policies: list[FirewallPolicy], direction: str, who: Subject) -> frozenset[int]:
        """Which of these policies' distinct peers and targets (of one direction) match
        `who`: subjects with the same signature get the same verdict, so one evaluation
        serves them all."""
        key = gid * 2 + (direction == "egress")
        entry = self._signatures.get(id(who))
        if entry is None or entry[0] is not who:
            entry = self._signatures[id(who)] = (who, {})
        found = entry[1].get(key)
        if found is not None:
            return found
        peers = self._peers.get(key)
        if peers is None:
            peers = self._peers[key] = list(dict.fromkeys(
                p for pol in policies for r in pol.rules if r.direction == direction for p in (*r.peers, *r.targets)))
        sig = entry[1][key] = frozenset(i for i, peer in enumerate(peers) if self.peer_matches(peer, who))
        return sig

    def _evaluate(self, policies: list[FirewallPolicy], gid: int, direction: str, local: Subject,
                  remote: Subject, want: PortSet, use_memo: bool = True) -> tuple[PortSet, list[Any]]:
        if not use_memo:
            return self._evaluate_uncached(policies, direction, local, remote, want)
        memo = (gid, direction, self._signature(gid, policies, direction, local),
                self._signature(gid, policies, direction, remote), want)
        found = self._results.get(memo)
        if found is None:
            found = self._results[memo] = self._evaluate_uncached(policies, direction, local, remote, want)
        return found

    def _evaluate_uncached(self, policies: list[FirewallPolicy], direction: str, local: Subject, remote: Subject,
                           want: PortSet) -> tuple[PortSet, list[Any]]:
        union = [p for p in policies if p.evaluation == "union"]
        chain = sorted((p for p in policies if p.evaluation == "first-match"), key=lambda p: p.chain_order)
        evidence: list[str] = []
        if union:
            got_all = []
            for pol in union:
                for rule in self._rules(pol, direction):
                    if rule.action != "allow" or not self.applies(rule, local, remote):
                        continue
                    got = self.ports(rule) & want
                    if got:
                        got_all.append(got)
                        evidence.append((pol, rule, got))
            want = PortSet.union_of(got_all)
            if not chain:
                return want, evidence
        allowed: list[PortSet] = []
        remaining = want
        for pol in chain:
            pending, passed_on = remaining, PortSet()
            for rule in self._rules(pol, direction):
                if not pending:
                    break
                if not self.applies(rule, local, remote):
                    continue
                got = self.ports(rule) & pending
                if not got:
                    continue
                pending = pending - got
                if rule.action == "allow":
                    allowed.append(got)
                    evidence.append((pol, rule, got))
                elif rule.action == "next":
                    passed_on = passed_on | got
            remaining = pending | passed_on
        return PortSet.union_of(allowed), evidence

    def _reply(self, policies: list[FirewallPolicy], gid: int, direction: str, local: Subject,
               remote: Subject, allowed: PortSet, memo: bool = True) -> PortSet:
        protocols = tuple(allowed.protocols())
        back = "egress" if direction == "ingress" else "ingress"
        need = _reply_ports(protocols)
        ok, _ = self._evaluate(policies, gid, back, local, remote, need, memo)
        return PortSet._raw({p: allowed.ranges(p) for p in protocols if ok.ranges(p)})


@lru_cache(maxsize=None)
def _reply_ports(protocols: tuple[str, ...]) -> PortSet:
    """What a stateless policy must let back: ephemeral ports for TCP/UDP, all else whole."""
    return PortSet({p: EPHEMERAL if p in PORTED else FULL for p in protocols})


def cite(policy: FirewallPolicy, rule: Rule, ports: PortSet) -> str:
    name = policy.name or policy.id
    label = rule.name or rule.id
    side = "from" if rule.direction == "ingress" else "to"
    peers = ", ".join(_peer_text(p) for p in rule.peers)
    return f"{policy.kind} {name} ({policy.id}) rule {label} allows {' '.join(ports.describe())} {side} {peers}"


def _peer_text(peer: Peer) -> str:
    if peer.kind in ("any", "internet"):
        return peer.kind
    return f"{peer.kind} {peer.value}" if peer.kind != "cidr" else peer.value


@dataclass(frozen=True, slots=True)
class Decision:
    """What one rule (or the lack of one) did to part of a flow at an enforcement point."""

    policy: FirewallPolicy | None  # None for "unmatched" across a group of policies
    rule: Rule | None
    action: str  # allow, deny, next, unmatched (no rule admits), reply-denied (stateless return)
    ports: PortSet


def _explain_group(ev: Evaluator, policies: list[FirewallPolicy], direction: str, local: Subject,
                   remote: Subject, want: PortSet, out: list[Decision]) -> PortSet:
    """The evaluation of Evaluator._evaluate_uncached, written down rule by rule (only for
    explanations; the hot path stays the cached one, and tests hold the two equal)."""
    union = [p for p in policies if p.evaluation == "union"]
    chain = sorted((p for p in policies if p.evaluation == "first-match"), key=lambda p: p.chain_order)
    if union:
        got_all = []
        for pol in union:
            for rule in ev._rules(pol, direction):
                if rule.action == "allow" and ev.applies(rule, local, remote):
                    got = ev.ports(rule) & want
                    if got:
                        got_all.append(got)
                        out.append(Decision(pol, rule, "allow", got))
        admitted = PortSet.union_of(got_all)
        if want - admitted:
            out.append(Decision(None, None, "unmatched", want - admitted))
        want = admitted
        if not chain:
            return want
    allowed: list[PortSet] = []
    remaining = want
    for pol in chain:
        pending, passed_on = remaining, PortSet()
        for rule in ev._rules(pol, direction):
            if not pending:
                break
            if not ev.applies(rule, local, remote):
                continue
            got = ev.ports(rule) & pending
            if not got:
                continue
            pending = pending - got
            out.append(Decision(pol, rule, rule.action, got))
            if rule.action == "allow":
                allowed.append(got)
            elif rule.action == "next":
                passed_on = passed_on | got
        remaining = pending | passed_on
    if remaining:
        out.append(Decision(None, None, "unmatched", remaining))
    return PortSet.union_of(allowed)


def explain_point(ev: Evaluator, policies: list[FirewallPolicy], direction: str, local: Subject, remote: Subject,
            want: PortSet) -> tuple[PortSet, list[Decision]]:
    """What Evaluator.point lets through of `want`, with every rule decision on the way:
    the allow that admitted each part, the deny (or the absence of an allow) that stopped
    the rest, a stateless policy that drops the reply."""
    if not policies or not want:
        return want, []
    decisions: list[Decision] = []
    allowed = want
    for group in ([p for p in policies if p.stateful], [p for p in policies if not p.stateful]):
        if not group or not allowed:
            continue
        allowed = _explain_group(ev, group, direction, local, remote, allowed, decisions)
        if not group[0].stateful and allowed:
            replied = ev._reply(group, ev._group_id(group), direction, local, remote, allowed)
            if allowed - replied:
                decisions.append(Decision(None, None, "reply-denied", allowed - replied))
            allowed = replied
    return allowed, decisions

