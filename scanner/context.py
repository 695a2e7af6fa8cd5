"""The audit context every check receives: snapshot, lookups, zones and reachability."""
from __future__ import annotations

from scanner.index import Index
from scanner.model import Snapshot


class AuditContext:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.index = Index(snapshot)
