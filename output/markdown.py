"""--format markdown: a GitHub step summary ($GITHUB_STEP_SUMMARY).

A summary table, the findings (the first TOP, most severe first), then a Mermaid flowchart
of the zones: the policy's permitted flows as plain arrows, and in red dotted arrows the
flows the policy forbids but the network allows. GitHub renders it as it is.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from output import RenderOptions
from scanner.findings import SEVERITIES
from scanner.report import Report

TOP = 50
MAX_PORTS = 4  # ports named on one arrow before "+N"
_MERMAID_ESCAPES = {"#": "#35;", '"': "#quot;", "[": "#91;", "]": "#93;", "(": "#40;", ")": "#41;",
                    "{": "#123;", "}": "#125;", "<": "#60;", ">": "#62;", "|": "#124;", "`": "#96;"}


def cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    text = " ".join(str(text).split())
    for ch in "\\|*_`<>[]":
        text = text.replace(ch, "\\" + ch)
    return text


def label(text: str) -> str:
    """Text safe inside a quoted Mermaid label: no raw quotes, brackets or pipes."""
    text = " ".join(str(text).split())
    return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in text)


def _ports(ports: Iterable[str]) -> str:
    ports = list(ports)
    shown = ", ".join(ports[:MAX_PORTS])
    return shown + (f" +{len(ports) - MAX_PORTS}" if len(ports) > MAX_PORTS else "")


class _Nodes:
    """Mermaid ids from zone names: letters, digits and _ only, unique, never a keyword."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.labels: dict[str, str] = {}

    def add(self, name: str, text: str | None = None) -> str:
        if name not in self.ids:
            base = "zone_" + (re.sub(r"[^A-Za-z0-9_]", "_", name) or "_")
            node, n = base, 1
            while node in self.ids.values():
                n += 1
                node = f"{base}_{n}"
            self.ids[name] = node
            self.labels[name] = text or name
        return self.ids[name]


def flowchart(report: Report) -> list[str]:
    nodes = _Nodes()
    for zone in sorted(report.zones, key=lambda z: (z.get("trust", 0), z["name"])):
        extra = [f"trust {zone['trust']}"] if "trust" in zone else []
        extra += [f"{len(zone.get('subnets', ()))} subnets", f"{zone.get('workloads', 0)} workloads"]
        nodes.add(zone["name"], f"{zone['name']}: {', '.join(extra)}")
    edges: list[str] = []
    violations: list[int] = []
    for flow in sorted(report.permitted, key=lambda p: (p["source"], p["destination"])):
        a, b = nodes.add(flow["source"]), nodes.add(flow["destination"])
        text = _ports(flow.get("ports", ())) or "any"
        edges.append(f'    {a} -->|"{label(text)}"| {b}')
    for flow in sorted(report.flows, key=lambda f: (f["source"], f["destination"])):
        bad = list(flow.get("violating_ports") or ())
        if not bad:
            continue
        a, b = nodes.add(flow["source"]), nodes.add(flow["destination"])
        violations.append(len(edges))
        edges.append(f'    {a} -.->|"{label("VIOLATION " + _ports(bad))}"| {b}')
    lines = ["```mermaid", "flowchart LR"]
    for name, node in nodes.ids.items():
        lines.append(f'    {node}["{label(nodes.labels[name])}"]')
    lines += edges
    for i in violations:
        lines.append(f"    linkStyle {i} stroke:red,stroke-width:2px,color:red")
    lines.append("```")
    return lines


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    active = report.active()
    counts = report.counts()
    suppressed = len(report.findings) - len(active)
    status = "complete" if report.complete else f"**incomplete**: {len(report.gaps)} collection gaps"
    lines = [
        "## segaudit: network segmentation audit",
        "",
        f"{len(active)} findings from {len(report.checks)} checks; snapshot {status}.",
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
    if active:
        lines += ["### Findings", "", "| Severity | Check | Resource | Finding |", "| --- | --- | --- | --- |"]
        for f in active[:TOP]:
            r = f.resource
            where = "/".join(p for p in (r.provider, r.account, r.region) if p)
            lines.append(f"| {f.severity} | {f.check_id} | {cell(f'{r.type} {r.id} ({where})')} | {cell(f.message)} |")
        if len(active) > TOP:
            lines.append(f"\n… and {len(active) - TOP} more (see the SARIF or JSON report).")
        lines.append("")
    problems = [f"check {e.check_id} failed: {e.message}" for e in report.check_errors]
    for gap in sorted(report.gaps, key=lambda g: (g.provider, g.account, g.region, g.service, g.operation)):
        scope = "/".join(p for p in (gap.provider, gap.account, gap.region, gap.service) if p)
        problems.append(f"not collected: {scope} {gap.operation}: {gap.code} {gap.message}".strip())
    problems += list(report.notes)
    if problems:
        lines += ["### Gaps and notes", "", *(f"- {cell(p)}" for p in problems), ""]
    if report.zones or report.permitted or report.flows:
        lines += [
            "### Zones and flows",
            "",
            "Solid arrows: flows the zone policy permits. Red dotted arrows: flows the policy "
            "forbids but the network allows.",
            "",
            *flowchart(report),
            "",
        ]
    return "\n".join(lines)
