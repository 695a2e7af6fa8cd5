"""Findings grouped by cause: what a user changes to fix them.

cause() is the one place that says what a finding's cause is; every report groups on it.
A finding is reported on the resource at fault (the rule's policy, the route table, the
workload); reachability and rule findings also name the rules that must change
(Finding.cause), which make the cause precise.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Iterable

from scanner.findings import RANK, Finding


@dataclass(frozen=True, slots=True)
class Cause:
    key: tuple[str, ...]  # stable: groups and sorts
    label: str  # how a person looks it up


@dataclass(frozen=True, slots=True)
class Group:
    cause: Cause
    findings: tuple[Finding, ...]  # most severe first

    @property
    def severity(self) -> str:
        return self.findings[0].severity


def where(f: Finding) -> str:
    r = f.resource
    return "/".join(p for p in (r.provider, r.account, r.region) if p)


def cause(f: Finding) -> Cause:
    r = f.resource
    name = f"{r.id} ({r.name})" if r.name and r.name != r.id else r.id
    rules = tuple(f.cause)
    label = f"{r.type} {name} [{where(f)}]"
    if rules:
        label += ", rule " + ", ".join(rule.rsplit("/", 1)[-1] for rule in rules)
    return Cause((r.provider, r.account, r.region, r.type, r.id, *rules), label)


def by_cause(findings: Iterable[Finding]) -> list[Group]:
    """One group per cause, the group with the most severe finding first, then by cause."""
    pairs = sorted(((cause(f), f) for f in findings), key=lambda p: (p[0].key, p[1].sort_key))
    groups = []
    for _, items in groupby(pairs, key=lambda p: p[0].key):
        items = list(items)
        found = sorted((f for _, f in items), key=lambda f: f.sort_key)
        groups.append(Group(items[0][0], tuple(found)))
    return sorted(groups, key=lambda g: (RANK[g.severity], g.cause.key))
