"""`segaudit flows`: the connectivity map, every source and destination that can really
talk with the ports (np-guard's source, destination, connection), or the zone matrix."""
from __future__ import annotations

from dataclasses import dataclass

from scanner.context import AuditContext
from scanner.ports import PortSet
from scanner.reach import UNZONED
from scanner.zonepolicy import INTERNET


@dataclass(frozen=True, slots=True)
class Connection:
    source: str  # workload id or "internet"
    source_zone: str
    destination: str  # workload id or zone name
    destination_zone: str
    ports: PortSet
    permitted: bool | None = None  # zone rows: whether the zone policy permits all of it
    violating: PortSet = PortSet()


def by_workload(ctx: AuditContext) -> list[Connection]:
    out = []
    for wl in sorted(ctx.snapshot.workloads, key=lambda w: w.id):
        zone = ctx.zones.workload_zone(wl.id) or UNZONED
        ports: dict[tuple[str, str], list[PortSet]] = {}
        for flow in ctx.reach.flows_into(wl.id):
            for src in flow.sources:
                ports.setdefault((src, flow.zone), []).append(flow.ports)
        for (src, src_zone), sets in sorted(ports.items()):
            out.append(Connection(src, src_zone, wl.id, zone, PortSet.union_of(sets)))
    return out


def by_zone(ctx: AuditContext) -> list[Connection]:
    out = []
    for (src, dst), access in ctx.reach.zone_flows().items():
        judged = src != dst and UNZONED not in (src, dst)
        violating = access.ports - ctx.policy.permitted(src, dst) if judged else PortSet()
        out.append(Connection(src, src, dst, dst, access.ports, not violating if judged else None, violating))
    return sorted(out, key=lambda c: (c.source != INTERNET, c.source, c.destination))
