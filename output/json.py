"""--format json: everything the audit found, sorted and stable; see schemas/report.schema.json."""
from __future__ import annotations

from io import StringIO
from typing import Any, TextIO

import msgspec

from scanner.codec import to_plain
from scanner.findings import Finding
from scanner.report import Report

FORMAT = "segaudit.report"
VERSION = 1


def finding_doc(f: Finding) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "check_id": f.check_id,
        "title": f.title,
        "severity": f.severity,
        "resource": {
            "provider": f.resource.provider,
            "account": f.resource.account,
            "region": f.resource.region,
            "type": f.resource.type,
            "id": f.resource.id,
            "name": f.resource.name,
            "uri": f.resource.uri,
        },
        "message": f.message,
        "evidence": list(f.evidence),
        "zones": list(f.zones),
        "key": f.key,
        "fingerprint": f.fingerprint,
    }
    doc.update({
        "cause": list(f.cause),
        "state": f.state,
        "state_reason": f.state_reason,
        "flows": [{"source": fl.source, "destination": fl.destination, "ports": list(fl.ports),
                   "workloads": fl.workloads, "sample": list(fl.sample)} for fl in f.flows],
        "affected": [{"type": a.type, "id": a.id, "name": a.name, "uri": a.uri} for a in f.affected],
        "affected_count": f.affected_count,
        "also": [{"check_id": a.check_id, "title": a.title, "severity": a.severity, "message": a.message}
                 for a in f.also],
    })
    if f.suppression is not None:
        doc["suppression"] = to_plain(f.suppression)
    return doc


def check_doc(meta: Any) -> dict[str, Any]:
    return {
        "id": meta.id,
        "name": meta.name,
        "title": meta.title,
        "severity": meta.severity,
        "rationale": meta.rationale,
        "remediation": meta.remediation,
        "fix_example": meta.fix_example,
        "references": list(meta.references),
        "tags": list(meta.tags),
        "providers": list(meta.providers),
    }


def document(report: Report, findings: bool = True) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "tool": {"name": "segaudit", "version": report.tool_version},
        "complete": report.complete,
        "accounts": [to_plain(a) for a in sorted(report.accounts, key=lambda a: (a.provider, a.id))],
        "summary": report.counts(),
        "checks": [check_doc(m) for m in sorted(report.checks, key=lambda m: m.id)],
        "findings": [finding_doc(f) for f in report.findings] if findings else [],
        "check_errors": [{"check_id": e.check_id, "message": e.message} for e in report.check_errors],
        "gaps": sorted((to_plain(g) for g in report.gaps), key=lambda g: sorted(g.items())),
        "zones": list(report.zones),
        "flows": list(report.flows),
        "permitted": list(report.permitted),
        "notes": list(report.notes),
    }


def render(report: Report, options: Any = None) -> str:
    out = StringIO()
    write(report, out, options)
    return out.getvalue()


# Stands for the findings while the rest of the document is encoded. Found as the value
# of the top-level key, on a line of its own at depth 1: no string can hold a raw newline,
# so nothing an account or a gap names can look like it.
_HOLE = "\x00segaudit-findings\x00"


def write(report: Report, fh: TextIO, options: Any = None) -> None:
    """The report as json.dumps(indent=2, sort_keys=True, ensure_ascii=False) would print
    it, written finding by finding: a big estate's report is hundreds of megabytes, and one
    string of it (with its encoded and indented copies) was most of an audit's peak memory.
    msgspec encodes and indents ~10x faster than json.dumps, which leaves its C encoder
    when indenting."""
    doc = document(report, findings=False)
    doc["findings"] = _HOLE if report.findings else []
    text = _indented(doc)
    if not report.findings:
        fh.write(text + "\n")
        return
    at = '\n  "findings": '
    head, tail = text.split(at + _indented(_HOLE), 1)
    fh.write(head + at + "[\n")
    for i, f in enumerate(report.findings):
        lines = _indented(finding_doc(f)).replace("\n", "\n    ")  # items of a list at depth 1
        fh.write(("    " if not i else ",\n    ") + lines)
    fh.write("\n  ]" + tail + "\n")


def _indented(value: Any) -> str:
    return msgspec.json.format(msgspec.json.encode(value, order="sorted"), indent=2).decode()
