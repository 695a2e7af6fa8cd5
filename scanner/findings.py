"""Findings: what a check reports, named so a user can look the resource up."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from scanner.model import FirewallPolicy, Gateway, Resource, Workload

Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
RANK = {name: i for i, name in enumerate(SEVERITIES)}

_TYPES = {
    "Network": "network",
    "Subnet": "subnet",
    "RouteTable": "route-table",
    "Peering": "peering",
    "PrefixList": "prefix-list",
    "Workload": "network-interface",
    "FlowLog": "flow-log",
}


@dataclass(frozen=True, slots=True)
class ResourceRef:
    provider: str
    account: str
    region: str
    type: str
    id: str
    name: str
    uri: str  # relative, percent-encoded: cloud/aws/123/us-east-1/security-group/sg-1


def resource_type(obj: Resource) -> str:
    if isinstance(obj, FirewallPolicy):
        return obj.kind
    if isinstance(obj, Gateway):
        return f"{obj.kind}-gateway" if obj.kind in ("internet", "nat", "egress-only", "vpn", "transit") else obj.kind
    return _TYPES.get(type(obj).__name__, type(obj).__name__.lower())


def ref(obj: Resource) -> ResourceRef:
    kind = resource_type(obj)
    parts = ("cloud", obj.provider, obj.account or "-", obj.region or "global", kind, obj.id)
    uri = "/".join(quote(p, safe="") for p in parts)
    name = obj.name
    if isinstance(obj, Workload) and not name:
        name = obj.owner_name
    return ResourceRef(obj.provider, obj.account, obj.region, kind, obj.id, name, uri)


@dataclass(frozen=True, slots=True)
class Result:
    """What a check yields: the resource at fault and why."""

    resource: Resource
    message: str
    evidence: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    key: str = ""  # tells apart several findings of one check on one resource


@dataclass(frozen=True, slots=True)
class Finding:
    check_id: str
    title: str
    severity: Severity
    resource: ResourceRef
    message: str
    evidence: tuple[str, ...]
    zones: tuple[str, ...]
    key: str
    fingerprint: str
    suppression: Any = None  # set by the suppressions file

    @property
    def sort_key(self) -> tuple:
        return (RANK[self.severity], self.check_id, self.resource.uri, self.key)


def fingerprint(check_id: str, uri: str, key: str) -> str:
    """Stable across runs while the finding is the same: no time, no order, no machine."""
    return hashlib.sha256(f"{check_id}\x1f{uri}\x1f{key}".encode()).hexdigest()[:32]
