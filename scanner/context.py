"""The audit context every check receives: snapshot, lookups, zones, routes, reachability.

Zones, routing and reachability are computed on first use and then shared, so checks
that need none of them cost nothing and the ones that do share one computation.
"""
from __future__ import annotations

from scanner import zonepolicy
from scanner.index import Index
from scanner.model import Snapshot


class AuditContext:
    def __init__(self, snapshot: Snapshot, zone_policy_path: str | None = None,
                 zone_policy_text: str | None = None) -> None:
        self.snapshot = snapshot
        self.index = Index(snapshot)
        if zone_policy_text is not None:
            self.policy = zonepolicy.loads(zone_policy_text, "zone policy")
        else:
            self.policy = zonepolicy.load(zone_policy_path)
        self.inferred = zone_policy_path is None and zone_policy_text is None
        self._zones = self._routing = self._reach = None
        self._shared: dict = {}

    def shared(self, key: object, make):
        """One value per audit for `key`, made by `make(self)` on first use: lookups that
        several checks build (rule indexes, flow walks) are built once and shared."""
        found = self._shared.get(key)
        if found is None:
            found = self._shared[key] = make(self)
        return found

    @property
    def zones(self):  # -> scanner.zones.ZoneMap
        if self._zones is None:
            from scanner.zones import ZoneMap

            self._zones = ZoneMap(self.index, self.policy, self.inferred)
        return self._zones

    @property
    def routing(self):  # -> scanner.routing.Routing
        if self._routing is None:
            from scanner.routing import Routing

            self._routing = Routing(self.index)
        return self._routing

    @property
    def reach(self):  # -> scanner.reach.Reachability
        if self._reach is None:
            from scanner.reach import Reachability

            self._reach = Reachability(self.index, self.zones, self.routing)
        return self._reach
