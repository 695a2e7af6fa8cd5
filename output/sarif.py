"""--format sarif: SARIF 2.1.0 for GitHub code scanning.

Cloud resources are not files, so each result points at a stable relative pseudo-path
(Finding.resource.uri) and carries its own partialFingerprints: GitHub cannot hash a line
of a file that is not in the repository. Every rule that ran is listed even without
results, so a clean scan closes the alerts it fixed. No timestamps, no host data: the same
report gives the same bytes.
"""
from __future__ import annotations

import json
from typing import Any

from output import RenderOptions
from scanner.findings import Finding
from scanner.report import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 25_000  # GitHub rejects a run with more results than this

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}

# Notifications segaudit can raise, listed on the driver so each reference resolves.
NOTIFICATIONS = {
    "collection-gap": "A scope the snapshot could not read: findings there are unknown.",
    "check-error": "A check failed while running; its results are missing.",
    "results-truncated": "More results than GitHub accepts in one run; the most severe were kept.",
    "audit-note": "Something the reader should know, e.g. a suppression that has expired.",
}
_NOTIFICATION_INDEX = {name: i for i, name in enumerate(NOTIFICATIONS)}


def _text(value: str) -> dict[str, str]:
    return {"text": value}


def _fence(snippet: str) -> str:
    lang = "hcl" if snippet.lstrip().startswith(("resource ", "module ", "data ")) else ""
    return f"```{lang}\n{snippet}\n```"


def rule(meta: Any) -> dict[str, Any]:
    refs = list(meta.references)
    text = [meta.remediation]
    markdown = [f"**{meta.title}**", "", meta.rationale, "", "## Remediation", "", meta.remediation]
    if meta.fix_example:
        text += ["", "Example fix:", meta.fix_example]
        markdown += ["", _fence(meta.fix_example)]
    if refs:
        text += ["", "References:", *refs]
        markdown += ["", "## References", "", *(f"- [{r}]({r})" for r in refs)]
    tags = ["security", "network-segmentation", *meta.tags]
    doc: dict[str, Any] = {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": _text(meta.title),
        "fullDescription": _text(meta.rationale),
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "help": {"text": "\n".join(text), "markdown": "\n".join(markdown)},
        "properties": {
            "tags": list(dict.fromkeys(tags)),
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[meta.severity],
        },
    }
    if refs:
        doc["helpUri"] = refs[0]
    return doc


def result(f: Finding, rule_index: int) -> dict[str, Any]:
    r = f.resource
    where = "/".join(p for p in (r.provider, r.account, r.region) if p)
    doc: dict[str, Any] = {
        "ruleId": f.check_id,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": _text(f"{f.message} (resource: {r.type} {r.id} in {where})"),
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": r.uri},
                "region": {"startLine": 1},
            },
            "logicalLocations": [{"name": r.name or r.id, "fullyQualifiedName": r.id, "kind": r.type}],
        }],
        "partialFingerprints": {"primaryLocationLineHash": f.fingerprint},
        "properties": {
            "resource": {"provider": r.provider, "account": r.account, "region": r.region,
                         "type": r.type, "id": r.id, "name": r.name},
            "severity": f.severity,
            "evidence": list(f.evidence),
            "zones": list(f.zones),
        },
    }
    doc["properties"].update(_cause_properties(f))
    if f.affected:
        # The workloads the cause's flows reach: GitHub lists them beside the primary location.
        doc["relatedLocations"] = [{
            "id": i,
            "physicalLocation": {"artifactLocation": {"uri": a.uri}, "region": {"startLine": 1}},
            "logicalLocations": [{"name": a.name or a.id, "fullyQualifiedName": a.id, "kind": a.type}],
            "message": _text(f"affected {a.type} {a.name or a.id}"),
        } for i, a in enumerate(f.affected)]
    if f.suppression is not None:
        doc["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": f.suppression.reason}]
    return doc


def _cause_properties(f: Finding) -> dict[str, Any]:
    """What a finding's cause enables and whether it matters today (only what is set)."""
    props: dict[str, Any] = {}
    if f.cause:
        props["cause"] = list(f.cause)
    if f.state:
        props["state"] = f.state
        props["stateReason"] = f.state_reason
    if f.flows:
        props["flows"] = [{"source": fl.source, "destination": fl.destination, "ports": list(fl.ports),
                           "workloads": fl.workloads, "sample": list(fl.sample)} for fl in f.flows]
    if f.affected_count:
        props["affectedCount"] = f.affected_count
    if f.also:
        props["alsoReported"] = [{"ruleId": a.check_id, "severity": a.severity, "message": a.message}
                                 for a in f.also]
    return props


def _notification(kind: str, text: str, level: str, rule_ref: dict[str, Any] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "level": level,
        "message": _text(text),
        "descriptor": {"id": kind, "index": _NOTIFICATION_INDEX[kind]},
    }
    if rule_ref is not None:
        doc["associatedRule"] = rule_ref
    return doc


def _kept(findings: tuple[Finding, ...]) -> tuple[list[Finding], int]:
    """At most MAX_RESULTS, preferring active findings, then the most severe."""
    if len(findings) <= MAX_RESULTS:
        return list(findings), 0
    ranked = sorted(findings, key=lambda f: (f.suppression is not None, f.sort_key))
    keep = {f.fingerprint for f in ranked[:MAX_RESULTS]}
    return [f for f in findings if f.fingerprint in keep], len(findings) - MAX_RESULTS


def document(report: Report, options: RenderOptions = RenderOptions()) -> dict[str, Any]:
    checks = sorted(report.checks, key=lambda m: m.id)
    index = {m.id: i for i, m in enumerate(checks)}
    findings, dropped = _kept(report.findings)

    notes: list[dict[str, Any]] = []
    for gap in sorted(report.gaps, key=lambda g: (g.provider, g.account, g.region, g.service, g.operation, g.code)):
        scope = "/".join(p for p in (gap.provider, gap.account, gap.region, gap.service) if p)
        text = f"Not collected: {scope} {gap.operation}: {gap.code} {gap.message}".strip()
        notes.append(_notification("collection-gap", text, "warning"))
    for err in report.check_errors:
        ref = {"id": err.check_id, "index": index[err.check_id]} if err.check_id in index else None
        notes.append(_notification("check-error", f"Check {err.check_id} failed: {err.message}", "error", ref))
    for note in report.notes:
        notes.append(_notification("audit-note", note, "warning"))
    if dropped:
        notes.append(_notification(
            "results-truncated",
            f"{dropped} of {len(report.findings)} results left out: GitHub accepts at most "
            f"{MAX_RESULTS} per run; the most severe were kept. See --format json for all.",
            "warning",
        ))

    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "segaudit",
            "version": report.tool_version,
            "semanticVersion": report.tool_version,
            "rules": [rule(m) for m in checks],
            "notifications": [{"id": k, "shortDescription": _text(v)} for k, v in NOTIFICATIONS.items()],
        }},
        "invocations": [{
            "executionSuccessful": report.complete and not report.check_errors,
            "toolExecutionNotifications": notes,
        }],
        "results": [result(f, index[f.check_id]) for f in findings],
        "columnKind": "unicodeCodePoints",
        "properties": {"complete": report.complete,
                       "accounts": sorted(f"{a.provider}/{a.id}" for a in report.accounts)},
    }
    if options.sarif_category:
        # GitHub takes everything before the last "/" as the category (as upload-sarif does).
        category = options.sarif_category
        run["automationDetails"] = {"id": category if category.endswith("/") else category + "/"}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


COMPACT_ABOVE = 2_000  # results; indenting makes json.dumps leave its C encoder (8x slower, 2x bigger)


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    doc = document(report, options)
    if len(doc["runs"][0]["results"]) > COMPACT_ABOVE:
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n"
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
