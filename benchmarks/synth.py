"""Small model-building helpers the synthetic estates share."""
from __future__ import annotations

from typing import Iterable

from scanner.model import Peer, PortRange


def port_ranges(values: Iterable[int]) -> tuple[PortRange, ...]:
    """Single ports as ranges, sorted, each once."""
    return tuple(PortRange(first=p, last=p) for p in sorted(set(values)))


def cidrs(*values: str) -> tuple[Peer, ...]:
    return tuple(Peer(kind="cidr", value=c) for c in values)
