"""A fixed list of networks asked by integer compares instead of one ipaddress call per member.

CIDR blocks nest or are disjoint, so a block holding an address (or a smaller block) is
found by its prefix bits at each prefix length the list uses (at most 33 or 129 dict
lookups, usually a handful), and the blocks inside a range by bisecting their sorted
start addresses. tests/test_netsets.py holds the one-member-at-a-time reading each
method replaces and compares them on random networks.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Iterable


class NetSet:
    def __init__(self, nets: Iterable[Any]) -> None:
        self.nets = list(nets)
        self._at: dict[tuple[int, int, int], int] = {}  # (version, prefix length, prefix bits) -> first position
        lens: dict[int, set[int]] = {4: set(), 6: set()}
        starts: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        for i, n in enumerate(self.nets):
            start = int(n.network_address)
            self._at.setdefault((n.version, n.prefixlen, start >> (n.max_prefixlen - n.prefixlen)), i)
            lens[n.version].add(n.prefixlen)
            starts[n.version].append((start, i))
        self._lens = {v: sorted(found) for v, found in lens.items()}
        self._starts = {v: [s for s, _ in sorted(found)] for v, found in starts.items()}
        self._positions = {v: [i for _, i in sorted(found)] for v, found in starts.items()}

    def first_holding(self, address: Any) -> int | None:
        """The position of the first member that holds `address` (an ip_address), or None."""
        a, bits, v = int(address), address.max_prefixlen, address.version
        best = None
        for plen in self._lens[v]:
            i = self._at.get((v, plen, a >> (bits - plen)))
            if i is not None and (best is None or i < best):
                best = i
        return best

    def holds(self, net: Any) -> bool:
        """Whether some member contains `net` (an ip_network): `net.subnet_of(member)`."""
        a, bits, v = int(net.network_address), net.max_prefixlen, net.version
        return any((v, plen, a >> (bits - plen)) in self._at for plen in self._lens[v] if plen <= net.prefixlen)

    def inside(self, net: Any) -> list[int]:
        """Positions, in start-address order, of the members inside `net`: `member.subnet_of(net)`."""
        v, starts = net.version, self._starts[net.version]
        lo = bisect_left(starts, int(net.network_address))
        hi = bisect_right(starts, int(net.broadcast_address))
        return [i for i in self._positions[v][lo:hi] if self.nets[i].prefixlen >= net.prefixlen]
