"""Detection: segmentation only works if violations can be seen."""
from __future__ import annotations

from typing import Iterator

from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.findings import Result
from scanner.index import fold

SEEDS = "Network Security Architecture: Zones, Segmentation, and Defence-in-Depth Design"


@check(CheckMeta(
    id="SEG501",
    name="flow-logs-missing",
    title="Network or subnet without flow logs that record rejected traffic",
    severity="medium",
    rationale=(
        "Both seed articles: architecture limits blast radius, detection shows when an "
        "attacker tests those limits. VPC flow logs (AWS, GCP) and NSG or VNet flow logs "
        "(Azure) that record rejected connections are how denied lateral-movement attempts, "
        "data-zone egress and port scans are seen. A log of accepted traffic only misses "
        "the attempts that segmentation stopped."
    ),
    remediation=(
        "Enable flow logs that capture ALL (or at least REJECT) traffic on every network, "
        "or on each subnet, and ship them to the SIEM."
    ),
    fix_example=(
        'resource "aws_flow_log" "vpc" {\n'
        "  vpc_id               = aws_vpc.main.id\n"
        '  traffic_type         = "ALL"\n'
        '  log_destination_type = "cloud-watch-logs"\n'
        "  log_destination      = aws_cloudwatch_log_group.flow.arn\n"
        "  iam_role_arn         = aws_iam_role.flow.arn\n"
        "}"
    ),
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html",
        "https://cloud.google.com/vpc/docs/using-flow-logs",
        "https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview",
    ),
    tags=("detection", "flow-logs"),
))
def flow_logs_missing(ctx: AuditContext) -> Iterator[Result]:
    index = ctx.index

    def watched(target_id: str) -> bool:
        return any(
            log.enabled and log.traffic in ("all", "reject")
            for log in index.flow_logs_on.get(fold(target_id), ())
        )

    for network in ctx.snapshot.networks:
        if watched(network.id):
            continue
        subnets = index.subnets_of.get(fold(network.id), [])
        blind = [s for s in subnets if not (watched(s.id) or any(watched(p) for p in s.policy_ids))]
        if not subnets or len(blind) == len(subnets):
            yield Result(
                network,
                f"Network {network.name or network.id} has no flow logs recording rejected "
                "traffic: denied lateral-movement attempts in it go unseen.",
                evidence=tuple(f"no flow log on {s.id}" for s in subnets) or ("no flow log on the network",),
            )
            continue
        for subnet in blind:
            yield Result(
                subnet,
                f"Subnet {subnet.name or subnet.id} in {network.name or network.id} has no flow "
                "logs recording rejected traffic, while other subnets of the network do.",
                evidence=(f"no flow log on {subnet.id} or its network",),
            )
