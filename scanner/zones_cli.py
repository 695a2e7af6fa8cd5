"""`segaudit zones`: where every subnet and workload landed, and why; --init writes a policy."""
from __future__ import annotations

from typing import Any

import click
import yaml

from scanner.context import AuditContext
from scanner.zonepolicy import DEFAULT_DOC


def rows(ctx: AuditContext) -> list[tuple[str, str, str, str, str]]:
    zones = ctx.zones
    out = []
    for s in ctx.snapshot.subnets:
        out.append(("subnet", s.id, s.name, zones.subnet_zone(s.id) or "-", zones.reason(s.id)))
    for w in ctx.snapshot.workloads:
        out.append(("workload", w.id, w.name or w.owner_name, zones.workload_zone(w.id) or "-", zones.reason(w.id)))
    return out


def render_table(ctx: AuditContext) -> str:
    table = rows(ctx)
    widths = [max([len(h)] + [len(r[i]) for r in table]) for i, h in enumerate(("KIND", "ID", "NAME", "ZONE"))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(("KIND", "ID", "NAME", "ZONE"), widths)) + "  REASON"]
    for r in table:
        lines.append("  ".join(v.ljust(w) for v, w in zip(r, widths)) + "  " + r[4])
    unzoned = sum(1 for r in table if r[3] == "-")
    lines.append(f"{len(table) - unzoned} placed, {unzoned} unzoned ({ctx.policy.source})")
    return "\n".join(lines) + "\n"


def initial_policy(ctx: AuditContext) -> str:
    """A starting policy: the current placement as explicit selectors, the seeds' flows."""
    doc: dict[str, Any] = {"version": 1, "zones": [], "flows": DEFAULT_DOC["flows"]}
    for zone in ctx.policy.zones[1:]:
        match = [{"id": s.id} for s in ctx.snapshot.subnets if ctx.zones.subnet_zone(s.id) == zone.name]
        match += [{"id": w.id} for w in ctx.snapshot.workloads
                  if ctx.zones.workload_zone(w.id) == zone.name
                  and ctx.zones.subnet_zone(w.subnet_id) != zone.name]
        entry: dict[str, Any] = {"name": zone.name, "trust": zone.trust, "description": zone.description}
        if match:
            entry["match"] = match
        doc["zones"].append(entry)
    header = "# segaudit zone policy, written by 'segaudit zones --init'. Edit the selectors and flows.\n"
    return header + yaml.safe_dump(doc, sort_keys=False, width=100)


def register(main: click.Group, load_snapshots: Any) -> None:
    @main.command()
    @click.argument("snapshots", nargs=-1, required=True)
    @click.option("--zones", "zones_file", type=click.Path(dir_okay=False), help="Zone policy file (YAML).")
    @click.option("--init", is_flag=True, help="Print a starting zone policy (YAML) from the current placement.")
    def zones(snapshots: tuple[str, ...], zones_file: str | None, init: bool) -> None:
        """Show which zone every subnet and workload is in, and why."""
        ctx = AuditContext(load_snapshots(snapshots), zone_policy_path=zones_file)
        click.echo(initial_policy(ctx) if init else render_table(ctx), nl=False)
