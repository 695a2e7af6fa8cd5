"""--format markdown: a GitHub step summary ($GITHUB_STEP_SUMMARY).

The zone matrix (what really flows between zones, permitted or violating), the findings
grouped by cause (the first TOP), gaps, the summary tables, then the zone diagram as a
Mermaid flowchart (output/mermaid.py). GitHub renders it as it is.
"""
from __future__ import annotations

from typing import Any

from output import RenderOptions, problems
from output.causes import by_cause
from output.matrix import MARKS, SAME, Matrix, matrix, sizes
from output.mermaid import flowchart
from scanner.findings import SEVERITIES, Finding
from scanner.report import Report

TOP = 50


def cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    text = " ".join(str(text).split())
    for ch in "\\|*_`<>[]":
        text = text.replace(ch, "\\" + ch)
    return text


def matrix_table(m: Matrix) -> list[str]:
    lines = ["| from \\ to | " + " | ".join(cell(z) for z in m.zones) + " |",
             "| --- |" + " --- |" * len(m.zones)]
    for src in m.zones:
        row = []
        for dst in m.zones:
            c = m.cell(src, dst)
            row.append(f"{MARKS[c.state]} {cell(c.describe())}" if c.state in MARKS else
                       ("·" if c.state == SAME else "—"))
        lines.append(f"| **{cell(src)}** | " + " | ".join(row) + " |")
    return lines


def findings_by_cause(active: list[Finding]) -> list[str]:
    lines: list[str] = []
    shown = 0
    for group in by_cause(active):
        if shown >= TOP:
            break
        lines += [f"#### {cell(group.cause.label)}", ""]
        for f in group.findings[:TOP - shown]:
            lines.append(f"- **{f.severity}** {f.check_id}: {cell(f.message)}")
            shown += 1
        lines.append("")
    if len(active) > shown:
        lines.append(f"… and {len(active) - shown} more (see the SARIF or JSON report).")
        lines.append("")
    return lines


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    active = report.active()
    counts = report.counts()
    suppressed = len(report.findings) - len(active)
    status = "complete" if report.complete else f"**incomplete**: {len(report.gaps)} collection gaps"
    parts = [f"{counts[s]} {s}" for s in SEVERITIES if counts[s]]
    lines = [
        "## segaudit: network segmentation audit",
        "",
        f"{len(active)} findings" + (f" ({', '.join(parts)})" if parts else "")
        + f" from {len(report.checks)} checks; snapshot {status}.",
        "",
    ]
    zones = matrix(report)
    if zones.zones:
        lines += ["### Zone matrix", "",
                  "What really flows from each zone (row) to each zone (column): ✅ the zone policy permits it, "
                  "❌ it violates the policy, ◌ the policy permits a flow nothing uses.", "",
                  *matrix_table(zones), ""]
    if active:
        lines += ["### Findings by cause", "", *findings_by_cause(active)]
    if notes := problems(report):
        lines += ["### Gaps and notes", "", *(f"- {cell(p)}" for p in notes), ""]
    lines += [
        "### Audit summary",
        "",
        "| Severity | Findings |",
        "| --- | ---: |",
        *(f"| {s} | {counts[s]} |" for s in SEVERITIES),
        f"| suppressed | {suppressed} |",
        "",
        "| Audit | |",
        "| --- | ---: |",
        f"| checks run | {len(report.checks)} |",
        f"| check errors | {len(report.check_errors)} |",
        f"| collection gaps | {len(report.gaps)} |",
        f"| accounts | {len(report.accounts)} |",
        "",
    ]
    if zones.zones:
        lines += [
            "### Zone diagram",
            "",
            "Zones from least to most trusted. Green arrows: flows the zone policy permits; red: flows "
            "it forbids but the network allows; grey dashed: permitted flows nothing uses.",
            "",
            "```mermaid",
            *flowchart(zones, sizes(report)),
            "```",
            "",
        ]
    return "\n".join(lines)
