"""--format text: grouped by severity then check, one line per finding, then a summary."""
from __future__ import annotations

from itertools import groupby

import click

from output import RenderOptions
from scanner.findings import SEVERITIES
from scanner.report import Report

COLOURS = {"critical": "magenta", "high": "red", "medium": "yellow", "low": "cyan", "info": "white"}


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    colour = options.colour

    def style(text: str, **kw) -> str:
        return click.style(text, **kw) if colour else text

    lines: list[str] = []
    active = report.active()
    for severity, by_sev in groupby(active, key=lambda f: f.severity):
        lines.append(style(severity.upper(), fg=COLOURS[severity], bold=True))
        for check_id, by_check in groupby(by_sev, key=lambda f: f.check_id):
            items = list(by_check)
            lines.append(f"  {check_id} {items[0].title} ({len(items)})")
            for f in items:
                where = "/".join(p for p in (f.resource.provider, f.resource.account, f.resource.region) if p)
                lines.append(f"    {f.resource.type} {f.resource.id} [{where}]: {f.message}")
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
