"""Findings: what a check reports, named so a user can look the resource up."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
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


_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")  # what quote(safe="") leaves as it is: most ids


def ref(obj: Resource) -> ResourceRef:
    kind = resource_type(obj)
    parts = ("cloud", obj.provider, obj.account or "-", obj.region or "global", kind, obj.id)
    uri = "/".join(p if _PLAIN.fullmatch(p) else quote(p, safe="") for p in parts)
    name = obj.name
    if isinstance(obj, Workload) and not name:
        name = obj.owner_name
    return ResourceRef(obj.provider, obj.account, obj.region, kind, obj.id, name, uri)


@dataclass(frozen=True, slots=True)
class FlowRef:
    """One flow a finding's cause enables: which zone reaches which, on what, and where."""

    source: str  # source zone ("internet" or an external zone included)
    destination: str  # destination zone
    ports: tuple[str, ...]  # PortSet.describe() of the reported ports
    workloads: int  # how many destination workloads it reaches
    sample: tuple[str, ...]  # a few of their ids, sorted


@dataclass(frozen=True, slots=True)
class AlsoReported:
    """Another check's finding about the same cause, folded into this one."""

    check_id: str
    title: str
    severity: Severity
    message: str


LIVE, LATENT = "live", "latent"
MAX_AFFECTED = 100  # related locations per finding: enough to act on, small enough to read


@dataclass(frozen=True, slots=True)
class Result:
    """What a check yields: the resource at fault and why."""

    resource: Resource
    message: str
    evidence: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    key: str = ""  # tells apart several findings of one check on one resource
    # What a user changes: "policy-id/rule-id" of every rule that must change (folded,
    # sorted). Findings of any checks with the same cause are one finding (fold_by_cause).
    cause: tuple[str, ...] = ()
    flows: tuple[FlowRef, ...] = ()  # the flows the cause enables (reachability checks)
    affected: tuple[Resource, ...] = ()  # every workload those flows reach
    state: str = ""  # LIVE, LATENT, or "" where the question does not arise
    state_reason: str = ""  # why: the real flow it admits, or what blocks it
    severity: Severity | None = None  # overrides the check's; latent rule findings are low


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
    cause: tuple[str, ...] = ()
    flows: tuple[FlowRef, ...] = ()
    affected: tuple[ResourceRef, ...] = ()  # the first MAX_AFFECTED, sorted by uri
    affected_count: int = 0
    state: str = ""
    state_reason: str = ""
    also: tuple[AlsoReported, ...] = ()  # other checks' findings about the same cause

    @property
    def sort_key(self) -> tuple:
        return (RANK[self.severity], self.check_id, self.resource.uri, self.key)


def fingerprint(check_id: str, uri: str, key: str) -> str:
    """Stable across runs while the finding is the same: no time, no order, no machine."""
    return hashlib.sha256(f"{check_id}\x1f{uri}\x1f{key}".encode()).hexdigest()[:32]


def fold_by_cause(findings: list[Finding]) -> list[Finding]:
    """One finding per change a user makes: findings (of any checks) whose causes are the
    same rules, or one's rules a subset of the other's, are one finding: the change that
    fixes the wider fixes both. The survivor is the one with the widest cause (the whole
    fix), then the most severe, then the lowest check id; it takes the highest severity
    among them, names the others (Finding.also) and carries the union of their causes,
    flows, affected workloads and evidence."""
    ranked = sorted(findings, key=lambda f: (-len(f.cause), RANK[f.severity], f.check_id, f.resource.uri, f.key))
    kept: list[list] = []  # [finding, cause set, folded]
    holding: dict[str, list[int]] = {}  # rule -> kept entries whose causes name it
    out: list[Finding] = []
    for f in ranked:
        mine = set(f.cause)
        index = None
        if mine:
            # a cause that contains or is contained in `mine` shares a rule with it
            near = sorted({i for rule in mine for i in holding.get(rule, ())})
            index = next((i for i in near if mine <= kept[i][1] or kept[i][1] <= mine), None)
        if index is None:
            kept.append([f, mine, []])
            for rule in mine:
                holding.setdefault(rule, []).append(len(kept) - 1)
            continue
        home = kept[index]
        for rule in mine - home[1]:
            holding.setdefault(rule, []).append(index)
        home[1] |= mine
        home[2].append(f)
    for f, cause, folded in kept:
        if folded:
            also = tuple(AlsoReported(g.check_id, g.title, g.severity, g.message)
                         for g in sorted(folded, key=lambda g: (g.check_id, g.resource.uri, g.key)))
            group = [f, *folded]
            affected = sorted({r.uri: r for g in group for r in g.affected}.values(), key=lambda r: r.uri)
            f = replace(
                f, cause=tuple(sorted(cause)), also=f.also + also,
                severity=min((g.severity for g in group), key=RANK.__getitem__),
                evidence=tuple(sorted({e for g in group for e in g.evidence})),
                flows=_flows_of(group),
                affected=tuple(affected[:MAX_AFFECTED]),
                affected_count=max(len(affected), *(g.affected_count for g in group)),
                state=next((g.state for g in group if g.state == LIVE), f.state),
                state_reason=next((g.state_reason for g in group if g.state == LIVE), f.state_reason))
        out.append(f)
    return out


def _flows_of(group: list[Finding]) -> tuple[FlowRef, ...]:
    """One flow per zone pair: the survivor's own, then what folded findings add."""
    pairs: dict[tuple[str, str], FlowRef] = {}
    for g in group:
        for fl in g.flows:
            pairs.setdefault((fl.source, fl.destination), fl)
    return tuple(pairs[k] for k in sorted(pairs))
