"""What one audit produced, ready for the emitters in output/."""
from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Any

from scanner.engine import CheckError, CheckMeta
from scanner.findings import RANK, Finding
from scanner.model import Account, CollectionError


def tool_version() -> str:
    try:
        return metadata.version("segaudit")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True, slots=True)
class Report:
    tool_version: str
    accounts: tuple[Account, ...]
    checks: tuple[CheckMeta, ...]
    findings: tuple[Finding, ...]
    check_errors: tuple[CheckError, ...]
    gaps: tuple[CollectionError, ...]
    zones: tuple[dict[str, Any], ...] = ()  # per zone: name, trust, members
    flows: tuple[dict[str, Any], ...] = ()  # observed zone to zone: ports, violating ports
    permitted: tuple[dict[str, Any], ...] = ()  # the policy's permitted flows
    notes: tuple[str, ...] = ()  # e.g. expired suppressions

    @property
    def complete(self) -> bool:
        return not self.gaps

    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is None]

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in RANK}
        for f in self.active():
            out[f.severity] += 1
        return out

    def fails(self, fail_on: str) -> bool:
        if fail_on == "none":
            return False
        return any(RANK[f.severity] <= RANK[fail_on] for f in self.active())
