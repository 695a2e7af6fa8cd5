"""One case file per check: named pass_* and fail_* cases, each a tiny snapshot and the
exact set of resource ids expected to fail (for reachability checks: the policies whose
rules let the flow through), and, where given, the exact set of workloads those findings
name as affected. tests/test_check_cases.py runs them all."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from scanner.model import Snapshot


@dataclass(frozen=True)
class Case:
    build: Callable[[], Snapshot]
    fails: frozenset[str] | set[str] = frozenset()
    zones: str | None = None  # zone policy YAML; None means the built-in policy
    params: dict[str, Any] = field(default_factory=dict)
    affected: frozenset[str] | set[str] | None = None  # workload ids the findings reach; None: not asserted
