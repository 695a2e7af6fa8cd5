"""Helpers for the reachability scenario tables."""
from __future__ import annotations

from scanner.context import AuditContext


def inbound(snapshot, workload_id, zones=None):
    """{source zone: [ports]} as a user would read it."""
    ctx = AuditContext(snapshot, zone_policy_text=zones) if zones else AuditContext(snapshot)
    return {z: a.ports.describe() for z, a in ctx.reach.inbound(workload_id).items()}


def access(snapshot, workload_id, zone):
    return AuditContext(snapshot).reach.inbound(workload_id)[zone]
