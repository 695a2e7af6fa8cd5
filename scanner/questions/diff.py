"""`segaudit diff OLD NEW`: what a change opens and closes (zone flows with their ports,
workload flows counted and sampled), which findings are new, fixed or unchanged (by
fingerprint), and which collection gaps appeared or went."""
from __future__ import annotations

from dataclasses import dataclass

from scanner.codec import to_plain
from scanner.context import AuditContext
from scanner.findings import RANK, Finding
from scanner.ports import PortSet
from scanner.questions.flows import by_workload
from scanner.reach import UNZONED
from scanner.report import Report

SAMPLE = 20


@dataclass(frozen=True, slots=True)
class Change:
    source: str
    destination: str
    ports: PortSet
    forbidden: PortSet = PortSet()  # of the opened ports, those the zone policy does not permit


@dataclass(frozen=True, slots=True)
class Diff:
    zones_opened: tuple[Change, ...]
    zones_closed: tuple[Change, ...]
    workloads_opened: int
    workloads_closed: int
    workloads_opened_sample: tuple[Change, ...]
    workloads_closed_sample: tuple[Change, ...]
    findings_new: tuple[Finding, ...]
    findings_fixed: tuple[Finding, ...]
    findings_unchanged: int
    gaps_appeared: tuple[dict, ...]
    gaps_went: tuple[dict, ...]

    @property
    def forbidden(self) -> tuple[Change, ...]:
        return tuple(c for c in self.zones_opened if c.forbidden)

    def fails(self, fail_on: str) -> bool:
        if self.forbidden:
            return True
        return fail_on != "none" and any(RANK[f.severity] <= RANK[fail_on] for f in self.findings_new
                                         if f.suppression is None)


def _changes(old: dict, new: dict) -> tuple[list[Change], list[Change]]:
    opened, closed = [], []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key, PortSet()), new.get(key, PortSet())
        if after - before:
            opened.append(Change(*key, after - before))
        if before - after:
            closed.append(Change(*key, before - after))
    return opened, closed


def _workload_flows(ctx: AuditContext) -> dict[tuple[str, str], PortSet]:
    return {(c.source, c.destination): c.ports for c in by_workload(ctx)}


def diff(old: AuditContext, new: AuditContext, old_report: Report, new_report: Report) -> Diff:
    zopen, zclosed = _changes({k: a.ports for k, a in old.reach.zone_flows().items()},
                              {k: a.ports for k, a in new.reach.zone_flows().items()})
    zopen = [Change(c.source, c.destination, c.ports,
                    c.ports - new.policy.permitted(c.source, c.destination)
                    if c.source != c.destination and UNZONED not in (c.source, c.destination) else PortSet())
             for c in zopen]
    wopen, wclosed = _changes(_workload_flows(old), _workload_flows(new))
    before = {f.fingerprint: f for f in old_report.findings}
    after = {f.fingerprint: f for f in new_report.findings}
    old_gaps = [to_plain(g) for g in old_report.gaps]
    new_gaps = [to_plain(g) for g in new_report.gaps]
    return Diff(
        tuple(zopen), tuple(zclosed), len(wopen), len(wclosed), tuple(wopen[:SAMPLE]), tuple(wclosed[:SAMPLE]),
        tuple(sorted((f for k, f in after.items() if k not in before), key=lambda f: f.sort_key)),
        tuple(sorted((f for k, f in before.items() if k not in after), key=lambda f: f.sort_key)),
        sum(1 for k in after if k in before),
        tuple(g for g in new_gaps if g not in old_gaps), tuple(g for g in old_gaps if g not in new_gaps),
    )
