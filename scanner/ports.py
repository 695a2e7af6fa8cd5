"""Sets of (protocol, port) as sorted disjoint intervals.

Protocols are tcp, udp, sctp, icmp, icmpv6 and "other" (every other IP protocol, lumped:
segmentation questions are about TCP and UDP ports; ESP or GRE only ever need "is it
open at all"). ICMP has no ports; it is held as the full range so set algebra stays
uniform and prints as plain "icmp".
"""
from __future__ import annotations

from typing import Iterable, Mapping

PROTOCOLS: tuple[str, ...] = ("tcp", "udp", "sctp", "icmp", "icmpv6", "other")
PORTED = ("tcp", "udp", "sctp")
FULL = ((0, 65535),)
_NUMBERS = {"6": "tcp", "17": "udp", "132": "sctp", "1": "icmp", "58": "icmpv6"}
_NAMES = {"tcp": "TCP", "udp": "UDP", "sctp": "SCTP", "icmp": "ICMP", "icmpv6": "ICMPv6", "other": "other IP protocols"}

Intervals = tuple[tuple[int, int], ...]


def _norm(ranges: Iterable[tuple[int, int]]) -> Intervals:
    out: list[list[int]] = []
    for lo, hi in sorted((max(0, a), min(65535, b)) for a, b in ranges):
        if lo > hi:
            continue
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((a, b) for a, b in out)


def _intersect(a: Intervals, b: Intervals) -> Intervals:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _subtract(a: Intervals, b: Intervals) -> Intervals:
    out = []
    for lo, hi in a:
        for blo, bhi in b:
            if bhi < lo or blo > hi:
                continue
            if blo > lo:
                out.append((lo, blo - 1))
            lo = bhi + 1
            if lo > hi:
                break
        if lo <= hi:
            out.append((lo, hi))
    return tuple(out)


def protocol_key(protocol: str) -> list[str]:
    p = protocol.lower()
    if p in ("all", "-1", "*", "any"):
        return list(PROTOCOLS)
    p = _NUMBERS.get(p, p)
    return [p] if p in PROTOCOLS else ["other"]


class PortSet:
    __slots__ = ("_m", "_hash")

    def __init__(self, mapping: Mapping[str, Iterable[tuple[int, int]]] | None = None) -> None:
        m = {}
        for proto, ranges in (mapping or {}).items():
            r = _norm(ranges)
            if r:
                m[proto] = r
        self._m: dict[str, Intervals] = m
        self._hash: int | None = None

    @classmethod
    def _raw(cls, mapping: dict[str, Intervals]) -> "PortSet":
        """From intervals already sorted and disjoint (results of set algebra)."""
        new = cls.__new__(cls)
        new._m = {p: r for p, r in mapping.items() if r}
        new._hash = None
        return new

    @classmethod
    def of(cls, protocol: str, ranges: Iterable[tuple[int, int]] = ()) -> "PortSet":
        ranges = tuple(ranges) or FULL
        key = (protocol, ranges)
        found = _OF.get(key)  # a hundred thousand rules name a few dozen port specs
        if found is None:
            found = cls({p: (ranges if p in PORTED else FULL) for p in protocol_key(protocol)})
            if len(_OF) < 100_000:
                _OF[key] = found
        return found

    @classmethod
    def all(cls) -> "PortSet":
        return _ALL

    @classmethod
    def parse(cls, spec: str) -> "PortSet":
        """tcp/443, tcp/8000-8999, udp/53, icmp, all."""
        spec = spec.strip().lower()
        if spec in ("all", "any", "*"):
            return cls.all()
        proto, _, port = spec.partition("/")
        if proto not in PROTOCOLS or (port and proto not in PORTED):
            raise ValueError(f"{spec!r} is not a protocol/port such as tcp/443, udp/53, icmp or all")
        if not port or port in ("all", "*"):
            return cls.of(proto)
        lo, _, hi = port.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            raise ValueError(f"{spec!r} has a port that is not a number or range")
        first, last = int(lo), int(hi or lo)
        if not 0 <= first <= last <= 65535:
            raise ValueError(f"{spec!r} has a port outside 0-65535")
        return cls({proto: ((first, last),)})

    @classmethod
    def parse_many(cls, specs: Iterable[str]) -> "PortSet":
        """The union of parse() of each spec: reads describe()'s output back."""
        return cls.union_of(cls.parse(s) for s in specs)

    @classmethod
    def union_of(cls, sets: Iterable["PortSet"]) -> "PortSet":
        sets = list(dict.fromkeys(s for s in sets if s._m))  # the same set often comes many times
        if len(sets) == 1:
            return sets[0]
        key = tuple(sets)
        found = _UNIONS.get(key)
        if found is not None:
            return found
        acc: dict[str, list[tuple[int, int]]] = {}
        for s in sets:
            for proto, ranges in s._m.items():
                acc.setdefault(proto, []).extend(ranges)
        found = cls(acc)
        if len(_UNIONS) < 200_000 and len(key) <= 16:
            _UNIONS[key] = found
        return found

    def __bool__(self) -> bool:
        return bool(self._m)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PortSet) and self._m == other._m

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(sorted(self._m.items())))
        return self._hash

    def __or__(self, other: "PortSet") -> "PortSet":
        return PortSet.union_of((self, other))

    def __and__(self, other: "PortSet") -> "PortSet":
        if other is self or other is _ALL:
            return self
        if self is _ALL:
            return other
        key = (self, other)
        found = _ANDS.get(key)
        if found is None:
            found = PortSet._raw({p: _intersect(r, other._m[p]) for p, r in self._m.items() if p in other._m})
            if len(_ANDS) < 200_000:  # few distinct sets meet again and again in an audit
                _ANDS[key] = found
        return found

    def __sub__(self, other: "PortSet") -> "PortSet":
        if not other._m:
            return self
        return PortSet._raw({p: _subtract(r, other._m[p]) if p in other._m else r for p, r in self._m.items()})

    def __repr__(self) -> str:
        return f"PortSet({', '.join(self.describe())})"

    def ranges(self, protocol: str) -> Intervals:
        return self._m.get(protocol, ())

    def protocols(self) -> list[str]:
        return [p for p in PROTOCOLS if p in self._m]

    def covers(self, protocol: str, port: int = 0) -> bool:
        return any(lo <= port <= hi for lo, hi in self._m.get(protocol, ()))

    def is_all(self) -> bool:
        return all(self._m.get(p) == FULL for p in PROTOCOLS)

    def describe(self) -> list[str]:
        if self.is_all():
            return ["all"]
        out = []
        for proto in PROTOCOLS:
            for lo, hi in self._m.get(proto, ()):
                if proto not in PORTED or (lo, hi) == FULL[0]:
                    out.append(f"{proto}/all" if proto in PORTED else proto)
                else:
                    out.append(f"{proto}/{lo}" if lo == hi else f"{proto}/{lo}-{hi}")
        return out

    def readable(self, limit: int | None = None) -> str:
        """For people: "every port and protocol", "all TCP except 80, 443, 8000-8999",
        "tcp/22, tcp/3389, ICMP". A protocol open on more than half its ports is said as
        its complement; `limit` caps the ports named, then says how many more."""
        if self.is_all():
            return "every port and protocol"
        if not self._m:
            return "nothing"
        if all(self._m.get(p) == FULL for p in PROTOCOLS if p not in PORTED) and all(
                _mostly(self._m.get(p, ())) for p in PORTED):
            return "every port and protocol except " + _cap((_ALL - self)._listed(), limit)
        parts = []
        for proto in PROTOCOLS:
            ranges = self._m.get(proto)
            if not ranges:
                continue
            if proto not in PORTED:
                parts.append(_NAMES[proto])
            elif ranges == FULL:
                parts.append(f"all {_NAMES[proto]}")
            elif _mostly(ranges):
                gaps = [_span(lo, hi) for lo, hi in _subtract(FULL, ranges)]
                parts.append(f"all {_NAMES[proto]} except {_cap(gaps, limit)}")
            else:
                parts.append(_cap([f"{proto}/{_span(lo, hi)}" for lo, hi in ranges], limit))
        return ", ".join(parts)

    def _listed(self) -> list[str]:
        return [f"{p}/{_span(lo, hi)}" for p in PORTED for lo, hi in self._m.get(p, ())]


def _mostly(ranges: Intervals) -> bool:
    """More than half the port space: said as its complement."""
    return sum(hi - lo + 1 for lo, hi in ranges) > (FULL[0][1] + 1) // 2


def _span(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _cap(items: list[str], limit: int | None) -> str:
    if limit is None or len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


_ALL = PortSet({p: FULL for p in PROTOCOLS})
_ANDS: dict[tuple[PortSet, PortSet], PortSet] = {}
_UNIONS: dict[tuple[PortSet, ...], PortSet] = {}
_OF: dict[tuple, PortSet] = {}
