"""One audit: snapshots in, a Report out."""
from __future__ import annotations

from typing import Iterable

from scanner import engine, snapshot as snapshot_file
from scanner.context import AuditContext
from scanner.gcpause import paused_cyclic_gc
from scanner.model import Snapshot, merge
from scanner.progress import SILENT, Stages
from scanner.report import Report, tool_version

# The stages a terminal is told about, timed from here and from the command line.
STAGES = ("reading snapshots", "zoning", "reachability", "checks", "writing output")


def load(paths: Iterable[str]) -> Snapshot:
    with paused_cyclic_gc():
        return merge([snapshot_file.read(p) for p in paths])


def audit(
    snapshot: Snapshot,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    zones_file: str | None = None,
    stages: Stages = SILENT,
) -> Report:
    with paused_cyclic_gc():
        return _audit(snapshot, include, exclude, zones_file, stages)


def _audit(snapshot: Snapshot, include: Iterable[str], exclude: Iterable[str], zones_file: str | None,
           stages: Stages) -> Report:
    # Zones and reachability are computed on first use; asking for them here, in their
    # stages, only moves the work out of the first check that needs them.
    with stages.stage("zoning"):
        ctx = AuditContext(snapshot, zone_policy_path=zones_file)
        ctx.zones
    with stages.stage("reachability"):
        try:
            zone_flows = ctx.reach.zone_flows()
        except Exception:  # noqa: BLE001 - not this stage's to report
            # A fresh context: each check that needs reachability meets the failure and
            # reports it as its check error, as it did before this stage was timed.
            ctx, zone_flows = AuditContext(snapshot, zone_policy_path=zones_file), None
    with stages.stage("checks"):
        return report_for(ctx, include, exclude, zone_flows)


def report_for(ctx: AuditContext, include: Iterable[str] = (), exclude: Iterable[str] = (),
               zone_flows: dict | None = None) -> Report:
    """The audit of a context a caller already holds (commands that also ask it questions)."""
    snapshot = ctx.snapshot
    checks = engine.select(engine.discover(), include, exclude)
    result = engine.run(checks, ctx)
    flows = flow_summary(ctx, zone_flows)
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


def flow_summary(ctx: AuditContext, zone_flows: dict | None = None) -> tuple[dict, ...]:
    out = []
    for (src, dst), access in (ctx.reach.zone_flows() if zone_flows is None else zone_flows).items():
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
