"""One audit: snapshots in, a Report out."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterable, Iterator

from scanner import engine, snapshot as snapshot_file
from scanner.context import AuditContext
from scanner.model import Snapshot, merge
from scanner.report import Report, tool_version


def load(paths: Iterable[str]) -> Snapshot:
    return merge([snapshot_file.read(p) for p in paths])


@contextmanager
def _paused_cyclic_gc() -> Iterator[None]:
    """An audit builds millions of small acyclic objects (reference counting frees them);
    the cyclic collector rescanning that growing heap made big audits superlinear
    (38 s instead of 24 s at 20,000 interfaces). Collect once at the end instead."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def audit(
    snapshot: Snapshot,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    zones_file: str | None = None,
) -> Report:
    with _paused_cyclic_gc():
        return _audit(snapshot, include, exclude, zones_file)


def _audit(snapshot: Snapshot, include: Iterable[str], exclude: Iterable[str], zones_file: str | None) -> Report:
    return report_for(AuditContext(snapshot, zone_policy_path=zones_file), include, exclude)


def report_for(ctx: AuditContext, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> Report:
    """The audit of a context a caller already holds (commands that also ask it questions)."""
    snapshot = ctx.snapshot
    checks = engine.select(engine.discover(), include, exclude)
    result = engine.run(checks, ctx)
    flows = flow_summary(ctx)
    return Report(
        tool_version=tool_version(),
        accounts=snapshot.accounts,
        checks=tuple(c.meta for c in result.checks),
        findings=result.findings,
        check_errors=result.errors,
        gaps=snapshot.errors,
        zones=ctx.zones.summary(),
        flows=flows,
        permitted=tuple(
            {"source": f.source, "destination": f.destination, "ports": f.ports.describe(), "note": f.note}
            for f in ctx.policy.flows
        ),
        notes=unzoned_note(ctx),
    )


def flow_summary(ctx: AuditContext) -> tuple[dict, ...]:
    out = []
    for (src, dst), access in ctx.reach.zone_flows().items():
        if src == dst or "unzoned" in (src, dst):
            continue
        violating = access.ports - ctx.policy.permitted(src, dst)
        out.append({"source": src, "destination": dst, "ports": access.ports.describe(),
                    "permitted": not violating, "violating_ports": violating.describe()})
    return tuple(out)


def unzoned_note(ctx: AuditContext) -> tuple[str, ...]:
    subnets, workloads = ctx.zones.unzoned_subnets(), ctx.zones.unzoned_workloads()
    if not subnets and not workloads:
        return ()
    return (f"{len(subnets)} subnets and {len(workloads)} workloads have no zone; flows to and from them "
            "are not judged against the zone policy (see 'segaudit zones').",)
