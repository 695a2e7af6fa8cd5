"""Zone boundaries: flows the network allows that the zone policy does not permit."""
from __future__ import annotations

from typing import Iterator

from checks.causes import by_cause
from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.findings import Result
from scanner.ports import PortSet
from scanner.reach import UNZONED


@check(CheckMeta(
    id="SEG203",
    name="forbidden-zone-flow",
    title="Flow between zones that the zone policy does not permit",
    severity="high",
    rationale=(
        "Network Security Architecture (the five-zone model): traffic crosses zone boundaries only "
        "for explicitly permitted flows; anything not explicitly permitted is denied. Internet to "
        "internal or data, DMZ to data, data to internal are blocked flows; when routes, ACLs and "
        "firewall rules still let them through, one compromised zone reaches the next. Flows into "
        "the management zone are reported by SEG402."
    ),
    remediation=(
        "Remove the rule (or route) that lets the source zone reach the destination, or, if the flow "
        "is intended, add it to the zone policy with its ports and choke point. Prefer group, tag or "
        "ASG references that name the one permitted peer."
    ),
    fix_example=(
        "# zones.yaml: permit the flow explicitly if it is intended\n"
        "flows:\n"
        "  - from: internal\n"
        "    to: data\n"
        "    ports: [tcp/5432]\n"
        "    note: orders service to its database\n"
    ),
    references=(
        "https://docs.aws.amazon.com/whitepapers/latest/building-scalable-secure-multi-vpc-network-infrastructure/welcome.html",
        "https://cloud.google.com/architecture/best-practices-vpc-design",
        "https://learn.microsoft.com/azure/well-architected/security/networking",
    ),
    tags=("zones", "lateral-movement"),
    providers=("aws", "gcp", "azure", "kubernetes"),
    params={"management_zone": "management"},
))
def forbidden_zone_flow(ctx: AuditContext, management_zone: str = "management") -> Iterator[Result]:
    policy = ctx.policy

    def pick(src, dst, ports):
        if dst in (UNZONED, management_zone) or src in (dst, UNZONED):
            return PortSet()
        return ports - policy.permitted(src, dst)

    for group in by_cause(ctx, pick):
        yield Result(
            group.policy,
            f"{group.cause_text()} lets {group.flows_text()}, which the zone policy does not permit.",
            **group.result_fields(),
        )
