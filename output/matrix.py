"""The zone matrix every human-facing report opens with: for each source and destination
zone, what really flows (Report.flows), what of it the zone policy forbids, and what the
policy permits (Report.permitted) whether or not anything uses it.

Zones are layered by trust in the seeds' order (internet, dmz, internal, data,
management); zones of other names follow by their trust level, then name.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scanner.ports import PortSet
from scanner.report import Report

TRUST_ORDER = ("internet", "dmz", "internal", "data", "management")

NONE, SAME, UNUSED, PERMITTED, VIOLATING = "none", "same", "unused", "permitted", "violating"
MARKS = {PERMITTED: "✅", VIOLATING: "❌", UNUSED: "◌"}  # in the Markdown and HTML matrix


@dataclass(frozen=True, slots=True)
class Cell:
    source: str
    destination: str
    flows: PortSet  # what really flows
    violating: PortSet  # the part of it the zone policy forbids
    permitted: PortSet  # what the policy permits, used or not

    @property
    def state(self) -> str:
        if self.source == self.destination:
            return SAME
        if self.violating:
            return VIOLATING
        if self.flows:
            return PERMITTED
        return UNUSED if self.permitted else NONE

    def ports(self, limit: int | None = None) -> str:
        """The ports a label names: what flows, or what the policy permits when nothing does."""
        shown = self.flows or self.permitted
        return shown.readable(limit) if shown else ""

    def label(self, limit: int | None = None) -> str:
        """The short text on a diagram's arrow."""
        ports = self.ports(limit)
        if self.state == VIOLATING:
            return f"VIOLATION {ports}"
        return f"unused: {ports}" if self.state == UNUSED else ports

    def describe(self, limit: int | None = None) -> str:
        """What the cell holds in words, without its state: "all TCP (permitted: only tcp/443)"."""
        state = self.state
        if state in (NONE, SAME):
            return ""
        if state == UNUSED:
            return f"unused: {self.permitted.readable(limit)}"
        text = self.flows.readable(limit)
        allowed = self.flows - self.violating
        if state == VIOLATING and allowed:
            text += f" (permitted: only {allowed.readable(limit)})"
        return text


@dataclass(frozen=True, slots=True)
class Matrix:
    zones: tuple[str, ...]  # in trust order
    trust: dict[str, Any]
    cells: dict[tuple[str, str], Cell]

    def cell(self, source: str, destination: str) -> Cell:
        return self.cells.get((source, destination)) or Cell(source, destination, PortSet(), PortSet(), PortSet())

    def edges(self) -> list[Cell]:
        """Every pair where something flows or the policy permits something, in zone order."""
        rank = {z: i for i, z in enumerate(self.zones)}
        return sorted((c for c in self.cells.values() if c.state not in (NONE, SAME)),
                      key=lambda c: (rank[c.source], rank[c.destination]))

    def layers(self) -> list[tuple[str, ...]]:
        """Zones grouped by trust level, least trusted first."""
        out: list[list[str]] = []
        last: object = object()
        for zone in self.zones:
            level = _level(zone, self.trust)
            if level != last:
                out.append([])
                last = level
            out[-1].append(zone)
        return [tuple(layer) for layer in out]


def _level(zone: str, trust: dict[str, Any]) -> tuple:
    if zone in TRUST_ORDER:
        return (0, TRUST_ORDER.index(zone))
    level = trust.get(zone)
    return (1, 0, level) if isinstance(level, (int, float)) else (2,)


def order(names: set[str], trust: dict[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(names, key=lambda z: (_level(z, trust), z)))


def matrix(report: Report) -> Matrix:
    trust = {z["name"]: z.get("trust") for z in report.zones}
    names = set(trust)
    permitted: dict[tuple[str, str], list[PortSet]] = {}
    for p in report.permitted:
        permitted.setdefault((p["source"], p["destination"]), []).append(PortSet.parse_many(p.get("ports", ())))
    observed = {(f["source"], f["destination"]): f for f in report.flows}
    cells = {}
    for pair in set(permitted) | set(observed):
        names.update(pair)
        flow = observed.get(pair, {})
        cells[pair] = Cell(pair[0], pair[1], PortSet.parse_many(flow.get("ports", ())),
                           PortSet.parse_many(flow.get("violating_ports", ())),
                           PortSet.union_of(permitted.get(pair, ())))
    return Matrix(order(names, trust), trust, cells)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def sizes(report: Report) -> dict[str, str]:
    """Per zone, what it holds ("2 subnets, 5 workloads"); nothing for zones of addresses only."""
    out = {}
    for z in report.zones:
        subnets, workloads = len(z.get("subnets", ())), z.get("workloads", 0)
        if subnets or workloads:
            out[z["name"]] = f"{_count(subnets, 'subnet')}, {_count(workloads, 'workload')}"
    return out
