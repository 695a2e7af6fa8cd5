"""Lateral movement: how few footholds separate the internet from the most trusted zones."""
from __future__ import annotations

from typing import Iterator

from checks.common import label
from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.findings import Result
from scanner.questions.paths import INTERNET_NODE, Graph, shortest
from scanner.zonepolicy import INTERNET


def guarded_zones(ctx: AuditContext, zones: tuple[str, ...]) -> set[str]:
    """The zones named (data) that the policy has, and the zone(s) it trusts most."""
    ranked = [z for z in ctx.policy.zones if z.name != INTERNET]
    top = max((z.trust for z in ranked), default=0)
    return {z.name for z in ranked if z.name in zones or (top and z.trust == top)}


@check(CheckMeta(
    id="SEG206",
    name="trusted-zone-two-hops-from-internet",
    title="Data or most trusted zone reachable from the internet in at most two hops",
    severity="high",
    rationale=(
        "Network Security Architecture (threat model and defence in depth): an attacker who owns an "
        "internet-facing workload can open whatever it can open. Data must sit behind at least one "
        "further zone (internet -> DMZ -> application -> data), so that one compromised host never "
        "puts the databases, secrets or management plane in reach. A chain of real flows that gets "
        "from the internet to such a zone in one or two hops skips a layer of that design."
    ),
    remediation=(
        "Break the chain at the step the evidence names: remove the rule that lets the internet-facing "
        "workload open the data (or management) workload, or the rule that exposes the first workload "
        "to the internet, and route the access through the application tier or a bastion instead."
    ),
    fix_example=(
        "# Allow the database only from the application tier's security group\n"
        'resource "aws_vpc_security_group_ingress_rule" "db_from_app" {\n'
        "  security_group_id            = aws_security_group.db.id\n"
        "  referenced_security_group_id = aws_security_group.app.id\n"
        '  ip_protocol = "tcp"\n'
        "  from_port   = 5432\n"
        "  to_port     = 5432\n"
        "}\n"
    ),
    references=(
        "https://docs.aws.amazon.com/whitepapers/latest/aws-security-incident-response-guide/lateral-movement.html",
        "https://attack.mitre.org/tactics/TA0008/",
        "https://learn.microsoft.com/azure/well-architected/security/segmentation",
    ),
    tags=("zones", "lateral-movement", "attack-path"),
    params={"zones": ("data",), "max_hops": 2},
))
def trusted_zone_two_hops_from_internet(ctx: AuditContext, zones: tuple[str, ...] = ("data",),
                                        max_hops: int = 2) -> Iterator[Result]:
    guarded = guarded_zones(ctx, tuple(zones))
    if not any(ctx.zones.workload_zone(w.id) in guarded for w in ctx.snapshot.workloads):
        return
    graph = Graph(ctx)
    targets = [n for n, z in enumerate(graph.zones) if z in guarded]
    for path in shortest(graph, [INTERNET_NODE], targets, max_hops):
        wl = ctx.index.workloads[path.target.casefold()]
        chain = " -> ".join([INTERNET, *(f"{s.destination} ({' '.join(s.ports)})" for s in path.steps)])
        evidence = [f"hop {i}: {s.source} -> {s.destination} on {' '.join(s.ports)}" for i, s in enumerate(path.steps, 1)]
        evidence += [r for s in path.steps for r in s.rules]
        yield Result(
            wl,
            f"{label(wl)} in the {path.zone} zone is {len(path.steps)} hop(s) from the internet: {chain}.",
            evidence=tuple(evidence),
            zones=(INTERNET, path.zone),
            key=f"internet->{path.zone}",
        )
