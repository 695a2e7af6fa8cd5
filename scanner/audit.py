"""One audit: snapshots in, a Report out."""
from __future__ import annotations

from typing import Iterable

from scanner import engine, snapshot as snapshot_file
from scanner.context import AuditContext
from scanner.model import Snapshot, merge
from scanner.report import Report, tool_version


def load(paths: Iterable[str]) -> Snapshot:
    return merge([snapshot_file.read(p) for p in paths])


def audit(
    snapshot: Snapshot,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    zones_file: str | None = None,
) -> Report:
    checks = engine.select(engine.discover(), include, exclude)
    ctx = AuditContext(snapshot)
    result = engine.run(checks, ctx)
    return Report(
        tool_version=tool_version(),
        accounts=snapshot.accounts,
        checks=tuple(c.meta for c in result.checks),
        findings=result.findings,
        check_errors=result.errors,
        gaps=snapshot.errors,
    )
