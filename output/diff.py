"""`segaudit diff` as text, JSON or Markdown (a pull-request comment or step summary)."""
from __future__ import annotations

import json

from scanner.questions.diff import Change, Diff


def _change(c: Change) -> dict:
    out = {"source": c.source, "destination": c.destination, "ports": c.ports.describe()}
    if c.forbidden:
        out["forbidden"] = c.forbidden.describe()
    return out


def _finding(f) -> dict:
    return {"check_id": f.check_id, "severity": f.severity, "resource": f.resource.id, "message": f.message,
            "fingerprint": f.fingerprint}


def doc(d: Diff) -> dict:
    return {
        "zone_flows": {"opened": [_change(c) for c in d.zones_opened], "closed": [_change(c) for c in d.zones_closed]},
        "workload_flows": {"opened": d.workloads_opened, "closed": d.workloads_closed,
                           "opened_sample": [_change(c) for c in d.workloads_opened_sample],
                           "closed_sample": [_change(c) for c in d.workloads_closed_sample]},
        "findings": {"new": [_finding(f) for f in d.findings_new], "fixed": [_finding(f) for f in d.findings_fixed],
                     "unchanged": d.findings_unchanged},
        "gaps": {"appeared": list(d.gaps_appeared), "went": list(d.gaps_went)},
        "forbidden_flows_opened": len(d.forbidden),
    }


def render_json(d: Diff) -> str:
    return json.dumps(doc(d), indent=2) + "\n"


def _ports(c: Change) -> str:
    text = " ".join(c.ports.describe())
    return text + (f" (not permitted: {' '.join(c.forbidden.describe())})" if c.forbidden else "")


def render_text(d: Diff) -> str:
    lines = [f"zone flows: {len(d.zones_opened)} opened, {len(d.zones_closed)} closed"]
    lines += [f"  + {c.source} -> {c.destination}: {_ports(c)}" for c in d.zones_opened]
    lines += [f"  - {c.source} -> {c.destination}: {_ports(c)}" for c in d.zones_closed]
    lines.append(f"workload flows: {d.workloads_opened} opened, {d.workloads_closed} closed")
    lines += [f"  + {c.source} -> {c.destination}: {_ports(c)}" for c in d.workloads_opened_sample]
    lines += [f"  - {c.source} -> {c.destination}: {_ports(c)}" for c in d.workloads_closed_sample]
    lines.append(f"findings: {len(d.findings_new)} new, {len(d.findings_fixed)} fixed, {d.findings_unchanged} unchanged")
    lines += [f"  + {f.check_id} {f.severity} {f.resource.id}: {f.message}" for f in d.findings_new]
    lines += [f"  - {f.check_id} {f.severity} {f.resource.id}: {f.message}" for f in d.findings_fixed]
    lines.append(f"gaps: {len(d.gaps_appeared)} appeared, {len(d.gaps_went)} went")
    return "\n".join(lines) + "\n"


def render_markdown(d: Diff) -> str:
    head = ("**This change opens flows the zone policy forbids.**" if d.forbidden
            else "No flow the zone policy forbids is opened.")
    lines = ["### segaudit: what this change opens", "", head, ""]
    if d.zones_opened or d.zones_closed:
        lines += ["| | From | To | Ports |", "| --- | --- | --- | --- |"]
        lines += [f"| {'⛔ opened' if c.forbidden else 'opened'} | {c.source} | {c.destination} | {_ports(c)} |"
                  for c in d.zones_opened]
        lines += [f"| closed | {c.source} | {c.destination} | {_ports(c)} |" for c in d.zones_closed]
        lines.append("")
    lines.append(f"Workload flows: **{d.workloads_opened}** opened, **{d.workloads_closed}** closed.")
    if d.workloads_opened_sample:
        lines += ["", "<details><summary>Opened workload flows (sample)</summary>", ""]
        lines += [f"- `{c.source}` → `{c.destination}`: {_ports(c)}" for c in d.workloads_opened_sample]
        lines += ["", "</details>"]
    lines += ["", f"Findings: **{len(d.findings_new)}** new, **{len(d.findings_fixed)}** fixed, "
                  f"{d.findings_unchanged} unchanged."]
    if d.findings_new or d.findings_fixed:
        lines += ["", "| | Check | Severity | Resource | Message |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| new | {f.check_id} | {f.severity} | `{f.resource.id}` | {f.message} |" for f in d.findings_new]
        lines += [f"| fixed | {f.check_id} | {f.severity} | `{f.resource.id}` | {f.message} |" for f in d.findings_fixed]
    if d.gaps_appeared or d.gaps_went:
        lines += ["", f"Collection gaps: {len(d.gaps_appeared)} appeared, {len(d.gaps_went)} went."]
    return "\n".join(lines) + "\n"


RENDER = {"text": render_text, "json": render_json, "markdown": render_markdown}
