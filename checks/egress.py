"""Egress: the data zone makes no outbound connections, the internal zone only through a
controlled exit."""
from __future__ import annotations

from typing import Iterator

from checks.common import (
    SEEDS_MICRO, SEEDS_ZONES, count, label, policy_label, ports_text, resource_label, rule_text,
)
from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.evaluate import INTERNET, subject
from scanner.findings import Result
from scanner.index import fold
from scanner.ports import PortSet

_DATA_RATIONALE = (
    f"{SEEDS_ZONES}, 'The Five-Zone Model': the data zone has \"No outbound internet access. If a "
    "system in this zone has an internet route, something is wrong.\" and 'Removing Internet Routes "
    "from Sensitive Tiers': \"A data subnet with a NAT gateway route can exfiltrate data outbound. It "
    "can also download attacker tooling. Remove the route entirely.\""
)


@check(CheckMeta(
    id="SEG201",
    name="data-zone-internet-route",
    title="Data-zone subnet has a route to the internet",
    severity="critical",
    rationale=_DATA_RATIONALE,
    remediation=(
        "Remove the default route (internet gateway or NAT) from the data subnets' route table and "
        "reach cloud services through private endpoints (AWS VPC endpoints, GCP Private Google "
        "Access / Private Service Connect, Azure Private Endpoints). On Azure, override the system "
        "default route with a user route to a firewall or next hop None, and disable default "
        "outbound access on the subnet; on GCP, remove the subnet from Cloud NAT."
    ),
    fix_example=(
        'resource "aws_route_table" "data" {\n'
        "  vpc_id = aws_vpc.main.id\n"
        "  # local routes only: no internet gateway, no NAT gateway\n"
        '  tags = { Name = "data-no-internet" }\n'
        "}\n"
        'resource "aws_vpc_endpoint" "s3" {\n'
        "  vpc_id          = aws_vpc.main.id\n"
        '  service_name    = "com.amazonaws.us-east-1.s3"\n'
        "  route_table_ids = [aws_route_table.data.id]\n"
        "}"
    ),
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html",
        "https://cloud.google.com/nat/docs/overview",
        "https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access",
    ),
    tags=("data-zone", "egress", "routing", "exfiltration"),
    params={"data_zones": ("data",)},
))
def data_zone_internet_route(ctx: AuditContext, data_zones=("data",)) -> Iterator[Result]:
    zones, routing, index = ctx.zones, ctx.routing, ctx.index
    for subnet in ctx.snapshot.subnets:
        zone = zones.subnet_zone(subnet.id)
        if zone in data_zones:
            out = routing.internet_egress(subnet)
            if out is not None:
                yield Result(
                    subnet,
                    f"Data-zone subnet {resource_label(subnet)} routes to the internet through "
                    f"{_via(ctx, out)}: its databases can send data out and fetch attacker tooling.",
                    evidence=(*out.evidence, f"zone {zone}: {zones.reason(subnet.id)}"),
                    zones=(zone,),
                )
    # Data workloads placed outside a data subnet inherit that subnet's way out.
    for wl in ctx.snapshot.workloads:
        zone = zones.workload_zone(wl.id)
        subnet = index.subnet(wl.subnet_id)
        if zone not in data_zones or subnet is None or zones.subnet_zone(subnet.id) in data_zones:
            continue
        out = routing.internet_egress(subnet, wl)
        if out is not None:
            yield Result(
                wl,
                f"Data-zone workload {label(wl)} sits in subnet {resource_label(subnet)}, which routes to the "
                f"internet through {_via(ctx, out)}: it can send data out.",
                evidence=(*out.evidence, f"zone {zone}: {zones.reason(wl.id)}"),
                zones=(zone,),
            )


def _via(ctx: AuditContext, out) -> str:
    gateway = ctx.index.gateways.get(fold(out.gateway_id)) if out.gateway_id else None
    name = resource_label(gateway) if gateway else (out.gateway_id or "the default outbound route")
    return f"{'NAT' if out.via == 'nat' else 'internet gateway'} {name}"


@check(CheckMeta(
    id="SEG202",
    name="internal-zone-direct-internet-route",
    title="Internal-zone subnet routes straight to an internet gateway",
    severity="medium",
    rationale=(
        f"{SEEDS_ZONES}, 'Traffic Flow Rules': \"Internal → Internet: blocked by default; outbound "
        "proxy required for approved destinations\" and \"Application servers in the private subnet. "
        "No public IP addresses. No internet routes. Outbound internet access ... goes through an "
        "egress proxy or NAT gateway with outbound allow-lists.\" A direct internet-gateway route (or "
        "Azure's default outbound route) bypasses that choke point."
    ),
    remediation=(
        "Point the internal subnets' default route at a NAT gateway or an egress proxy / firewall "
        "with an allow-list (AWS NAT gateway + Network Firewall, GCP Cloud NAT + Secure Web Proxy, "
        "Azure Firewall via a user route 0.0.0.0/0 -> VirtualAppliance) instead of the internet "
        "gateway, and take public addresses off the workloads."
    ),
    fix_example=(
        'resource "aws_route" "app_default" {\n'
        "  route_table_id         = aws_route_table.app.id\n"
        '  destination_cidr_block = "0.0.0.0/0"\n'
        "  nat_gateway_id         = aws_nat_gateway.egress.id  # not gateway_id = aws_internet_gateway.main.id\n"
        "}"
    ),
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html",
        "https://cloud.google.com/secure-web-proxy/docs/overview",
        "https://learn.microsoft.com/azure/firewall/tutorial-firewall-deploy-portal",
    ),
    tags=("internal-zone", "egress", "routing"),
    params={"internal_zones": ("internal",)},
))
def internal_zone_direct_internet_route(ctx: AuditContext, internal_zones=("internal",)) -> Iterator[Result]:
    zones, routing = ctx.zones, ctx.routing
    for subnet in ctx.snapshot.subnets:
        zone = zones.subnet_zone(subnet.id)
        if zone not in internal_zones:
            continue
        out = routing.internet_egress(subnet)
        if out is not None and out.via == "internet":
            yield Result(
                subnet,
                f"Internal-zone subnet {resource_label(subnet)} routes straight to {_via(ctx, out)}: its workloads "
                "reach the internet without an egress proxy or allow-list.",
                evidence=(*out.evidence, f"zone {zone}: {zones.reason(subnet.id)}"),
                zones=(zone,),
            )


@check(CheckMeta(
    id="SEG204",
    name="data-zone-outbound-allowed",
    title="Firewall rules let the data zone open connections to any address",
    severity="high",
    rationale=(
        f"{SEEDS_ZONES}, 'Traffic Flow Rules': \"Data → Internal: blocked (data zone systems do not "
        "initiate connections outbound)\" and the seed's data-tier security group: \"No egress rules: "
        f"data tier makes no outbound connections\". {SEEDS_MICRO}, 'Detecting': outbound "
        "connections from the data zone \"should have none\". An egress allow to any address is what "
        "exfiltration and a reverse shell need once a route appears."
    ),
    remediation=(
        "Remove allow-all egress from data-zone policies: on AWS delete the default egress rule "
        "(0.0.0.0/0, all traffic) from the data security groups; on GCP add a deny-all egress rule "
        "targeting the data instances above the implied allow-egress; on Azure add an outbound deny "
        "to Internet (and VirtualNetwork where possible) above AllowInternetOutBound. Allow only "
        "the specific endpoints needed (private endpoints, monitoring)."
    ),
    fix_example=(
        'resource "google_compute_firewall" "data_deny_egress" {\n'
        '  name               = "data-deny-all-egress"\n'
        "  network            = google_compute_network.prod.id\n"
        '  direction          = "EGRESS"\n'
        "  priority           = 1000\n"
        '  destination_ranges = ["0.0.0.0/0"]\n'
        '  target_tags        = ["data"]\n'
        "  deny {\n"
        '    protocol = "all"\n'
        "  }\n"
        "}"
    ),
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
        "https://cloud.google.com/firewall/docs/firewalls#default_firewall_rules",
        "https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#outbound",
    ),
    tags=("data-zone", "egress", "firewall-rules", "exfiltration"),
    params={"data_zones": ("data",)},
))
def data_zone_outbound_allowed(ctx: AuditContext, data_zones=("data",)) -> Iterator[Result]:
    """One finding per policy that lets data-zone workloads out to an arbitrary public
    address, when every enforcement point on the way lets them out."""
    index, zones = ctx.index, ctx.zones
    evaluator = ctx.reach.evaluator
    hits: dict[str, dict] = {}
    outcome: dict[tuple, PortSet] = {}  # workloads alike to firewall rules share one evaluation
    by_address: dict[int, bool] = {}  # policy -> whether it targets by address, asked once per policy
    for wl in ctx.snapshot.workloads:
        zone = zones.workload_zone(wl.id)
        if zone not in data_zones:
            continue
        network, subnet = index.network(wl.network_id), index.subnet(wl.subnet_id)
        points = [index.policies_by_ids(wl.policy_ids),
                  index.policies_by_ids(subnet.policy_ids) if subnet else [],
                  index.policies_by_ids(network.policy_ids) if network else []]
        local = subject(wl)
        present = [p for p in points if p]
        for pols in present:
            for p in pols:
                if id(p) not in by_address:
                    by_address[id(p)] = _targets_addresses(p)
        key = (fold(wl.subnet_id), local.policy_ids, local.tags, local.service_accounts, local.app_groups,
               local.addresses if any(by_address[id(p)] for pols in present for p in pols) else ())
        # Each place's rules about this workload only: a network-wide firewall (GCP) holds
        # every workload's rules, which cannot apply to this one.
        mine = [ctx.reach.applicable(pols, "egress", wl) for pols in present]
        if key not in outcome:
            outcome[key] = _egress_to_internet(evaluator, mine, local)
        allowed = outcome[key]
        if not allowed or not present:
            continue
        # Blame the most selective place that lets it out: the workload's own policies first.
        for policy, about in zip(present[0], mine[0]):
            rules = [r for r in about.rules if r.direction == "egress" and r.action == "allow"
                     and evaluator.applies(r, local, INTERNET)]
            if rules:
                hit = hits.setdefault(fold(policy.id), {"policy": policy, "rules": {}, "workloads": {}})
                hit["rules"].update((r.id, r) for r in rules)
                hit["workloads"][wl.id] = (zone, allowed)
    for hit in sorted(hits.values(), key=lambda h: h["policy"].id):
        policy, wls = hit["policy"], hit["workloads"]
        ports = ports_text(PortSet.union_of(p for _, p in wls.values()))
        names = sorted(wls)
        shown = [label(index.workloads[fold(w)]) for w in names[:3]]
        yield Result(
            policy,
            f"{policy_label(policy)} lets {count(len(wls), 'data-zone workload')} "
            f"({', '.join(shown)}{', ...' if len(names) > 3 else ''}) open connections to any "
            f"internet address on {ports}.",
            evidence=(*(rule_text(r) for r in hit["rules"].values()),
                      *(f"data-zone workload {w} gets out on {ports_text(wls[w][1])}"
                        for w in names[:10])),
            zones=tuple(sorted({z for z, _ in wls.values()})),
        )


def _egress_to_internet(evaluator, points, local) -> PortSet:
    allowed = PortSet.all()
    for policies in points:
        allowed, _ = evaluator.point(policies, "egress", local, INTERNET, allowed)
        if not allowed:
            break
    return allowed


def _targets_addresses(policy) -> bool:
    """Whether a policy picks its workloads by address (so alike must mean same address)."""
    return any(t.kind in ("cidr", "service-tag", "any") for r in policy.rules for t in r.targets)
