"""Classes in address order, and every predicate a rule can name as a set of classes.

Sets of classes are Python ints used as bitsets (bit i: class i), so a union, an
intersection or an emptiness test over thousands of classes is one C-level operation.
Classes are numbered in the order of their first address, so the classes inside a CIDR
are one contiguous run of bits found by bisection; further addresses are looked up in a
second sorted list.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from typing import Any, Iterator

from scanner.evaluate import Evaluator, net
from scanner.index import Index, fold
from scanner.model import Peer
from scanner.reach.pair import Class

V6 = 1 << 128


def addr_key(addr: Any) -> int:
    """One integer line for both families: IPv6 after all of IPv4."""
    return int(addr) + (V6 if addr.version == 6 else 0)


def indices(bits: int) -> Iterator[int]:
    """The set bits of `bits`, lowest first."""
    if not bits:
        return
    # Shifted down first: most sets are a few neighbours far up a wide space, and the
    # text of the whole width cost more than the shift.
    low = lowest(bits)
    text = bin(bits >> low)[:1:-1]
    i = 0
    while i >= 0:
        yield low + i
        i = text.find("1", i + 1)


def lowest(bits: int) -> int:
    return (bits & -bits).bit_length() - 1


class Space:
    def __init__(self, classes: list[Class], evaluator: Evaluator, index: Index) -> None:
        self.evaluator, self.index = evaluator, index
        self.classes = sorted(classes, key=_order)
        self.n = len(self.classes)
        self.position = {id(c): i for i, c in enumerate(self.classes)}  # class -> its bit
        self.of_workload = {id(m): i for i, c in enumerate(self.classes) for m in c.members}  # -> its class's bit
        self.all = (1 << self.n) - 1
        self.primary: list[int] = []  # first-address keys, ascending (classes without one come last)
        extra: list[tuple[int, int]] = []
        self.by_group: dict[str, int] = defaultdict(int)
        self.by_tag: dict[str, int] = defaultdict(int)
        self.by_account: dict[str, int] = defaultdict(int)
        self.by_app_group: dict[str, int] = defaultdict(int)
        self.by_selector: dict[str, int] = defaultdict(int)
        self.by_zone: dict[str, int] = defaultdict(int)
        self.by_network: dict[str, int] = defaultdict(int)
        self.by_subnet: dict[str, int] = defaultdict(int)
        for i, c in enumerate(self.classes):
            bit = 1 << i
            addresses = c.subject.addresses
            if addresses:
                self.primary.append(addr_key(addresses[0]))
                extra += ((addr_key(a), i) for a in addresses[1:])
            s = c.subject
            for key, table in ((s.policy_ids, self.by_group), (s.tags, self.by_tag),
                               (s.service_accounts, self.by_account), (s.app_groups, self.by_app_group),
                               (s.selectors, self.by_selector)):
                for k in key:
                    table[k] |= bit
            self.by_zone[c.zone] |= bit
            self.by_network[fold(c.rep.network_id)] |= bit
            self.by_subnet[fold(c.rep.subnet_id)] |= bit
        extra.sort()
        self._extra_keys = [k for k, _ in extra]
        self._extra_idx = [i for _, i in extra]
        self._peers: dict[int, int] = {}
        self._cidrs: dict[str, int] = {}

    def run(self, lo: int, hi: int) -> int:
        """Classes whose first address lies in [lo, hi]."""
        i, j = bisect_left(self.primary, lo), bisect_right(self.primary, hi)
        return ((1 << (j - i)) - 1) << i

    def in_net(self, network: Any) -> int:
        """Classes whose first address is inside `network` (routing looks at that one)."""
        return self.run(addr_key(network.network_address), addr_key(network.broadcast_address))

    def cidr(self, value: str) -> int:
        """Classes with any address inside the range (as rules match)."""
        found = self._cidrs.get(value)
        if found is None:
            n = net(value)
            lo, hi = addr_key(n.network_address), addr_key(n.broadcast_address)
            found = self.run(lo, hi)
            k = bisect_left(self._extra_keys, lo)
            while k < len(self._extra_keys) and self._extra_keys[k] <= hi:
                found |= 1 << self._extra_idx[k]
                k += 1
            self._cidrs[value] = found
        return found

    def peer(self, peer: Peer) -> int:
        """The classes a rule's peer (or target) matches."""
        # Keyed by identity (rules hold their peers for the whole audit): hashing a frozen
        # dataclass on every lookup costs more than the lookup.
        found = self._peers.get(id(peer))
        if found is None:
            found = self._peers[id(peer)] = self._peer(peer)
        return found

    def _peer(self, peer: Peer) -> int:
        kind = peer.kind
        if kind == "any":
            return self.all
        if kind == "internet":
            return 0  # workloads are private addresses; the internet is a pseudo-source
        if kind == "cidr":
            return self.cidr(peer.value)
        if kind in ("service-tag",):
            return _union(self.cidr(c) for c in peer.cidrs)
        if kind == "prefix-list":
            pl = self.index.prefix_lists.get(fold(peer.value))
            return _union(self.cidr(c) for c in pl.cidrs) if pl else 0
        table = {"group": (self.by_group, True), "tag": (self.by_tag, False),
                 "service-account": (self.by_account, False), "app-group": (self.by_app_group, True),
                 "selector": (self.by_selector, False)}.get(kind)
        if table is not None:
            return table[0].get(fold(peer.value) if table[1] else peer.value, 0)
        # A kind without an index: ask the evaluator about every class, once per peer.
        return _union(1 << i for i, c in enumerate(self.classes) if self.evaluator.peer_matches(peer, c.subject))

    def members(self, bits: int, limit: int | None = None) -> list[Class]:
        """The classes in `bits`, lowest first; the first `limit` of them if given."""
        if limit is None:
            return [self.classes[i] for i in indices(bits)]
        out = []
        while bits and len(out) < limit:
            low = bits & -bits
            out.append(self.classes[low.bit_length() - 1])
            bits ^= low
        return out


class Members:
    """Some classes as a function giving them (`limit`: the first that many), the bitset
    kept shifted down to its lowest class: a flow's sources are mostly a few neighbours
    in address order, and a hundred thousand full-width bitsets were an audit's largest
    memory."""

    __slots__ = ("space", "low", "bits")

    def __init__(self, space: Space, bits: int) -> None:
        self.space, self.low = space, lowest(bits)
        self.bits = bits >> self.low

    def __call__(self, limit: int | None = None) -> list[Class]:
        return self.space.members(self.bits << self.low, limit)

    def first(self) -> Class:
        return self.space.classes[self.low]


def _union(items) -> int:
    out = 0
    for b in items:
        out |= b
    return out


def _order(c: Class) -> tuple:
    addresses = c.subject.addresses
    return (0, addr_key(addresses[0])) if addresses else (1, 0)
