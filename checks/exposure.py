"""Exposure: only the DMZ faces the internet."""
from __future__ import annotations

from typing import Iterator

from checks.describe import SEEDS_ZONES, workload_label
from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.findings import Result


@check(CheckMeta(
    id="SEG104",
    name="public-address-outside-dmz",
    title="Workload outside the DMZ has a public address",
    severity="high",
    rationale=(
        f"{SEEDS_ZONES}, 'Modern Cloud Network Architecture': \"The public subnet contains only the "
        "load balancer tier. Application servers run in private subnets with no internet-facing IP "
        "addresses.\" and the five-zone model: the internet \"should not have direct access to "
        "anything internal\". A public address on an internal, data or management workload skips "
        "the DMZ and its inspection points; one security-group change away from direct exposure."
    ),
    remediation=(
        "Remove the public address (AWS: disassociate the Elastic IP and turn off auto-assign "
        "public IP on the subnet; GCP: delete the instance's external access config; Azure: "
        "dissociate the public IP from the NIC) and publish the service through a load balancer "
        "or reverse proxy in the DMZ. Use Session Manager, IAP or Bastion for administration."
    ),
    fix_example=(
        'resource "aws_subnet" "app" {\n'
        "  vpc_id                  = aws_vpc.main.id\n"
        '  cidr_block              = "10.0.16.0/20"\n'
        "  map_public_ip_on_launch = false\n"
        "}\n"
        'resource "aws_instance" "app" {\n'
        "  subnet_id                   = aws_subnet.app.id\n"
        "  associate_public_ip_address = false\n"
        "}"
    ),
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html",
        "https://cloud.google.com/compute/docs/ip-addresses/reserve-static-external-ip-address#IP_assign",
        "https://learn.microsoft.com/azure/virtual-network/ip-services/remove-public-ip-address-vm",
    ),
    tags=("exposure", "zones", "dmz"),
    params={"dmz_zones": ("dmz",), "exempt_owner_kinds": ("nat",)},
))
def public_address_outside_dmz(ctx: AuditContext, dmz_zones=("dmz",), exempt_owner_kinds=("nat",)) -> Iterator[Result]:
    zones = ctx.zones
    for wl in ctx.snapshot.workloads:
        if not wl.public_ips or wl.owner_kind in exempt_owner_kinds:
            continue
        zone = zones.workload_zone(wl.id)
        if zone is None or zone in dmz_zones:
            continue  # unzoned workloads are reported as such, not guessed at
        yield Result(
            wl,
            f"Interface {workload_label(wl)} in zone {zone} has public address "
            f"{', '.join(wl.public_ips)}: the internet can address it directly instead of through the DMZ.",
            evidence=(*(f"public address {ip}" for ip in wl.public_ips), f"zone {zone}: {zones.reason(wl.id)}"),
            zones=(zone,),
        )
