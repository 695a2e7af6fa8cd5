"""--format text: the zone matrix, then the findings grouped by cause (most severe cause
first), gaps and notes, then a summary line."""
from __future__ import annotations

import click

from output import RenderOptions
from output.causes import by_cause
from output.matrix import PERMITTED, SAME, UNUSED, VIOLATING, Matrix, matrix
from scanner.findings import SEVERITIES
from scanner.report import Report

COLOURS = {"critical": "magenta", "high": "red", "medium": "yellow", "low": "cyan", "info": "white"}
CELL_PORTS = 2  # ports named in one matrix cell before "and N more"
MARKS = {PERMITTED: ("ok", "green"), VIOLATING: ("VIOLATION", "red"), UNUSED: ("unused", None)}


def matrix_lines(m: Matrix, style) -> list[str]:
    """A fixed-width grid; padding is computed on the plain text so colour cannot skew it."""
    head = "from \\ to"
    rows: list[list[tuple[str, dict]]] = [[(head, {})] + [(z, {"bold": True}) for z in m.zones]]
    for src in m.zones:
        row = [(src, {"bold": True})]
        for dst in m.zones:
            c = m.cell(src, dst)
            if c.state in MARKS:
                mark, colour = MARKS[c.state]
                shown = c.ports(CELL_PORTS)
                row.append((f"{mark} {shown}", {"fg": colour} if colour else {}))
            else:
                row.append(("." if c.state == SAME else "-", {}))
        rows.append(row)
    widths = [max(len(r[i][0]) for r in rows) for i in range(len(rows[0]))]
    lines = ["Zone matrix: what flows from each zone (row) to each zone (column)",
             "  ok: the zone policy permits it; VIOLATION: the policy forbids it; unused: permitted, nothing uses it"]
    for r in rows:
        cells = [style(text, **kw) + " " * (widths[i] - len(text)) for i, (text, kw) in enumerate(r)]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    colour = options.colour

    def style(text: str, **kw) -> str:
        return click.style(text, **kw) if colour and kw else text

    lines: list[str] = []
    zones = matrix(report)
    if zones.zones:
        lines += [*matrix_lines(zones, style), ""]
    active = report.active()
    for group in by_cause(active):
        n = len(group.findings)
        lines.append(style(group.cause.label, bold=True) + f" ({n} finding{'' if n == 1 else 's'})")
        for f in group.findings:
            sev = style(f.severity.upper(), fg=COLOURS[f.severity], bold=True)
            lines.append(f"  {sev} {f.check_id} {f.title}")
            lines.append(f"    {f.message}")
    for err in report.check_errors:
        lines.append(style(f"check {err.check_id} failed: {err.message}", fg="red"))
    if report.gaps:
        lines.append(style(f"Collection gaps ({len(report.gaps)}): the audit did not see these scopes", fg="yellow"))
        for gap in sorted(report.gaps, key=lambda g: (g.provider, g.account, g.region, g.operation)):
            scope = "/".join(p for p in (gap.provider, gap.account, gap.region, gap.service) if p)
            lines.append(f"  {scope} {gap.operation}: {gap.code} {gap.message}".rstrip())
    for note in report.notes:
        lines.append(f"note: {note}")
    counts = report.counts()
    suppressed = len(report.findings) - len(active)
    parts = [f"{counts[s]} {s}" for s in SEVERITIES if counts[s]]
    summary = f"{len(active)} findings" + (f" ({', '.join(parts)})" if parts else "")
    summary += f" from {len(report.checks)} checks"
    if suppressed:
        summary += f", {suppressed} suppressed"
    if not report.complete:
        summary += ", snapshot incomplete"
    lines.append(style(summary, bold=True))
    return "\n".join(lines) + "\n"
