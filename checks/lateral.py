"""Lateral movement: how few footholds separate the internet from the most trusted zones."""
from __future__ import annotations

import heapq
from typing import Iterator

from checks.causes import RuleIndex
from checks.common import label
from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.findings import Result
from scanner.index import fold
from scanner.questions.paths import INTERNET_NODE, Graph, Step, shortest
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
    targets = [w for w in ctx.snapshot.workloads if ctx.zones.workload_zone(w.id) in guarded]
    if not targets:
        return
    paths = _within_two_hops(ctx, targets) if max_hops <= 2 else _searched(ctx, targets, max_hops)
    rules = RuleIndex.of(ctx)
    for wl, zone, steps in paths:
        if len(steps) > max_hops:
            continue
        chain = " -> ".join([INTERNET, *(f"{s.destination} ({' '.join(s.ports)})" for s in steps)])
        evidence = [f"hop {i}: {s.source} -> {s.destination} on {' '.join(s.ports)}" for i, s in enumerate(steps, 1)]
        evidence += [r for s in steps for r in s.rules]
        yield Result(
            wl,
            f"{label(wl)} in the {zone} zone is {len(steps)} hop(s) from the internet: {chain}.",
            evidence=tuple(evidence),
            zones=(INTERNET, zone),
            key=f"internet->{zone}",
            cause=_foothold_cause(ctx, rules, steps[0]),
        )


def _foothold_cause(ctx: AuditContext, rules: RuleIndex, first: Step) -> tuple[str, ...]:
    """The rules that expose the first hop to the internet: closing them breaks every chain
    through that foothold, so the finding folds with the exposure finding of the same rule."""
    access = ctx.reach.inbound(first.destination).get(INTERNET)
    wl = ctx.index.workloads.get(first.destination.casefold())
    if access is None or wl is None:
        return ()
    return tuple(sorted(f"{fold(p.id)}/{fold(r.id)}" for p, r in rules.deciding(wl, access.causes, access.ports)[0]))


def _step(source: str, destination: str, ports, causes) -> Step:
    return Step(source, destination, tuple(ports.describe()), tuple(dict.fromkeys(c.text for c in causes)))


def _within_two_hops(ctx: AuditContext, targets: list) -> Iterator[tuple]:
    """Only the flows into the targets are needed: internet -> target, or internet ->
    the lowest-id source that opens the target (so the evidence is stable). Whether the
    internet reaches a source is the same for its whole class, so each flow's footholds
    are found once per class of sources, not once per source and target."""
    lowest: dict[int, list[str]] = {}  # a flow's source classes -> its two lowest sources the internet reaches
    own: dict[int, list[str]] = {}  # a source class -> the same among its members
    for wl in targets:
        zone = ctx.zones.workload_zone(wl.id)
        flows = ctx.reach.flows_into(wl.id)
        direct = next((f for f in flows if f.zone == INTERNET and f.sources == (INTERNET,)), None)
        if direct is not None:
            yield wl, zone, [_step(INTERNET, wl.id, direct.ports, direct.causes)]
            continue
        best = None
        for flow in flows:
            if flow.source_classes is None:
                continue  # an external zone is no foothold
            key = id(flow.source_classes)
            if key not in lowest:
                lowest[key] = heapq.nsmallest(2, (i for c in flow.source_classes() for i in _exposed(ctx, c, own)))
            src = next((s for s in lowest[key] if s != wl.id), None)  # a workload is not its own source
            if src is not None and (best is None or src < best[0]):
                best = (src, flow)
        if best is not None:
            src, flow = best
            first = ctx.reach.inbound(src)[INTERNET]
            yield wl, zone, [_step(INTERNET, src, first.ports, first.causes),
                             _step(src, wl.id, flow.ports, flow.causes)]


def _exposed(ctx: AuditContext, c, own: dict[int, list[str]]) -> list[str]:
    """The two lowest member ids of a source class the internet reaches, else none."""
    found = own.get(id(c))
    if found is None:
        found = own[id(c)] = (heapq.nsmallest(2, (m.id for m in c.members))
                              if INTERNET in ctx.reach.inbound(c.rep.id) else [])
    return found


def _searched(ctx: AuditContext, targets: list, max_hops: int) -> Iterator[tuple]:
    graph = Graph(ctx)
    for path in shortest(graph, [INTERNET_NODE], [graph.node[w.id.casefold()] for w in targets], max_hops):
        yield ctx.index.workloads[path.target.casefold()], path.zone, list(path.steps)
