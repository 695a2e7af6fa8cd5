"""Internet exposure: what the internet can really reach, from routes, ACLs and rules."""
from __future__ import annotations

import ipaddress
from typing import Iterator

from checks.causes import by_cause
from checks.common import (
    ADMIN_PORTS, DATA_PORTS, count, guarded_workloads, label, live_rules, policy_label, port_set, ports_text,
    resource_label, rule_text, shadowed,
)
from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.evaluate import INTERNET, subject
from scanner.findings import LATENT, Result
from scanner.index import fold
from scanner.ports import PortSet

ANY_PUBLIC_ADDRESS = ipaddress.ip_address("1.1.1.1")  # where replies to the internet go
SEEDS_1 = "Network Security Architecture: Zones, Segmentation, and Defence-in-Depth Design"
REFS = (
    "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html",
    "https://cloud.google.com/firewall/docs/firewalls",
    "https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview",
)


@check(CheckMeta(
    id="SEG101",
    name="admin-port-from-internet",
    title="Administrative port reachable from the internet",
    severity="critical",
    rationale=(
        f"{SEEDS_1}: management interfaces (SSH 22, RDP 3389, the Kubernetes API 6443) are the first "
        "targets of lateral movement, and the internet should not have direct access to anything "
        "internal. Administrative access goes through a bastion in the management zone, or "
        "through Session Manager / Identity-Aware Proxy, never straight from the internet."
    ),
    remediation=(
        "Remove the rule that admits the internet on the administrative port; admit it only from "
        "the bastion's security group (AWS), the bastion's network tag or IAP's range 35.235.240.0/20 "
        "(GCP), or the bastion ASG (Azure); or drop the public address."
    ),
    fix_example=(
        'resource "aws_security_group_rule" "ssh_from_bastion" {\n'
        '  type                     = "ingress"\n'
        "  from_port                = 22\n"
        "  to_port                  = 22\n"
        '  protocol                 = "tcp"\n'
        "  security_group_id        = aws_security_group.app.id\n"
        "  source_security_group_id = aws_security_group.bastion.id  # not cidr_blocks = [\"0.0.0.0/0\"]\n"
        "}"
    ),
    references=REFS,
    tags=("internet-exposure", "management"),
    params={"ports": ADMIN_PORTS, "extra_ports": ()},
))
def admin_port_from_internet(ctx: AuditContext, ports: tuple = ADMIN_PORTS, extra_ports: tuple = ()) -> Iterator[Result]:
    yield from _report(ctx, port_set((*ports, *extra_ports)), "administrative")


@check(CheckMeta(
    id="SEG102",
    name="data-port-from-internet",
    title="Database or data-store port reachable from the internet",
    severity="critical",
    rationale=(
        f"{SEEDS_1}: the data zone accepts connections only from the internal application zone on "
        "specific ports; no inbound access from the DMZ, no inbound access from the internet. "
        "Database ports (3306, 5432, 1433, 27017, ...) are what post-compromise tooling scans for."
    ),
    remediation=(
        "Remove the public path to the data store: admit the database port only from the "
        "application tier's group, tag or ASG, and keep the data store in a data subnet "
        "without a public address or internet route."
    ),
    fix_example=(
        'resource "aws_security_group" "data" {\n'
        '  name   = "data-isolated"\n'
        "  vpc_id = aws_vpc.main.id\n"
        "  ingress {\n"
        "    from_port       = 5432\n"
        "    to_port         = 5432\n"
        '    protocol        = "tcp"\n'
        "    security_groups = [aws_security_group.app.id]\n"
        "  }\n"
        "}"
    ),
    references=REFS,
    tags=("internet-exposure", "data"),
    params={"ports": DATA_PORTS, "extra_ports": ()},
))
def data_port_from_internet(ctx: AuditContext, ports: tuple = DATA_PORTS, extra_ports: tuple = ()) -> Iterator[Result]:
    yield from _report(ctx, port_set((*ports, *extra_ports)), "database")


@check(CheckMeta(
    id="SEG103",
    name="non-web-port-from-internet",
    title="Port other than 80/443 reachable from the internet",
    severity="medium",
    rationale=(
        f"{SEEDS_1}: internet to DMZ is allowed on ports 80/443 only, through WAF/CDN; the "
        "internet-facing layer is where the attack surface is largest. Any other port the internet "
        "reaches is attack surface no zone policy asked for. (Administrative and database ports "
        "are reported by SEG101 and SEG102 instead.)"
    ),
    remediation="Admit only HTTP/HTTPS from the internet, on the load balancer tier; close every other port.",
    fix_example=(
        'resource "aws_security_group_rule" "https_only" {\n'
        '  type              = "ingress"\n'
        "  from_port         = 443\n"
        "  to_port           = 443\n"
        '  protocol          = "tcp"\n'
        '  cidr_blocks       = ["0.0.0.0/0"]\n'
        "  security_group_id = aws_security_group.alb.id\n"
        "}"
    ),
    references=REFS,
    tags=("internet-exposure",),
    params={"allowed": ("tcp/80", "tcp/443")},
))
def non_web_port_from_internet(ctx: AuditContext, allowed: tuple = ("tcp/80", "tcp/443")) -> Iterator[Result]:
    reported_elsewhere = port_set((*ADMIN_PORTS, *DATA_PORTS))
    others = PortSet.all() - port_set(allowed) - reported_elsewhere
    yield from _report(ctx, others, "non-web")


def _report(ctx: AuditContext, wanted: PortSet, what: str) -> Iterator[Result]:
    """One finding per rule that lets the internet reach `wanted` ports."""
    def pick(src, dst, ports):
        return ports & wanted if src == "internet" else PortSet()

    for group in by_cause(ctx, pick):
        addresses = sorted({ip for wl in group.affected.values() for ip in wl.public_ips})
        yield Result(
            group.policy,
            f"{group.cause_text()} lets {group.flows_text(what + ' ports ')} "
            f"at {', '.join(addresses[:5])}{', ...' if len(addresses) > 5 else ''}.",
            **group.result_fields(),
        )


@check(CheckMeta(
    id="SEG104",
    name="public-address-outside-dmz",
    title="Workload outside the DMZ has a public address",
    severity="high",
    rationale=(
        f"{SEEDS_1}, 'Modern Cloud Network Architecture': \"The public subnet contains only the "
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
            f"Interface {label(wl)} in zone {zone} has public address "
            f"{', '.join(wl.public_ips)}: the internet can address it directly instead of through the DMZ.",
            evidence=(*(f"public address {ip}" for ip in wl.public_ips), f"zone {zone}: {zones.reason(wl.id)}"),
            zones=(zone,),
        )


@check(CheckMeta(
    id="SEG105",
    name="latent-internet-exposure",
    title="Rule admits the internet on an admin or database port that nothing reaches yet",
    severity="high",
    rationale=(
        f"{SEEDS_1}: the internet should not have direct access to anything internal, and the data "
        "zone accepts no inbound access from the internet. A rule that admits the whole internet on "
        "SSH, RDP or a database port is exposure waiting for its trigger: nothing reaches it today "
        "only because the workload has no public address or its subnet no route to an internet "
        "gateway; one Elastic IP, one public load balancer or one route change exposes it, and "
        "no rule review will be asked for then."
    ),
    remediation=(
        "Narrow the rule to the callers that need it (the application tier's group, tag or ASG; "
        "the bastion for administration) now, while nothing depends on the internet reaching it."
    ),
    fix_example=(
        'resource "aws_security_group_rule" "db_from_app" {\n'
        '  type                     = "ingress"\n'
        "  from_port                = 5432\n"
        "  to_port                  = 5432\n"
        '  protocol                 = "tcp"\n'
        "  security_group_id        = aws_security_group.db.id\n"
        "  source_security_group_id = aws_security_group.app.id  # not cidr_blocks = [\"0.0.0.0/0\"]\n"
        "}"
    ),
    references=REFS,
    tags=("internet-exposure", "latent"),
    params={"ports": (*ADMIN_PORTS, *DATA_PORTS)},
))
def latent_internet_exposure(ctx: AuditContext, ports: tuple = (*ADMIN_PORTS, *DATA_PORTS)) -> Iterator[Result]:
    wanted, ev = port_set(ports), ctx.reach.evaluator
    for policy in ctx.snapshot.policies:
        if not policy.stateful or policy.kind in ("listener", "appliance-firewall"):
            continue  # what the internet may open is decided on the workload's own rules
        guarded = sorted(guarded_workloads(ctx, policy), key=lambda w: w.id)
        hits, latent = [], {}
        for rule in live_rules(policy, "ingress"):
            open_ports = ev.ports(rule) & wanted
            world = [p for p in rule.peers if ev.peer_matches(p, INTERNET)]
            if not open_ports or not world or shadowed(policy, rule, world):
                continue
            targets = [w for w in guarded if not rule.targets or any(ev.peer_matches(t, subject(w))
                                                                    for t in rule.targets)]
            unreached = [w for w in targets if not (ctx.reach.inbound(w.id).get("internet") is not None
                                                    and ctx.reach.inbound(w.id)["internet"].ports & open_ports)]
            unreached = [w for w in unreached if _why_unreached(ctx, w)]  # blocked elsewhere: SEG403 and the like
            if unreached:
                hits.append((rule, open_ports))
                latent.update((w.id, w) for w in unreached)
        if not hits:
            continue
        workloads = list(latent.values())
        why = sorted({_why_unreached(ctx, w) for w in workloads})
        names = ", ".join(resource_label(w) for w in workloads[:5]) + (", ..." if len(workloads) > 5 else "")
        yield Result(
            policy,
            f"{policy_label(policy)} admits the internet on "
            f"{ports_text(PortSet.union_of(p for _, p in hits))} of {count(len(workloads), 'workload')} "
            f"({names}) that the internet cannot reach today ({'; '.join(why)}): latent: one public IP or "
            f"route away.",
            evidence=tuple(rule_text(r) for r, _ in hits), zones=("internet", *sorted(
                {ctx.zones.workload_zone(w.id) or "unzoned" for w in workloads})),
            cause=tuple(f"{fold(policy.id)}/{fold(r.id)}" for r, _ in hits), affected=tuple(workloads),
            state=LATENT, state_reason="one public IP or route away: " + "; ".join(why),
        )


def _why_unreached(ctx: AuditContext, wl) -> str:
    """What the internet lacks to reach `wl`: a public address or a route; "" when it has
    both (then another enforcement point blocks it, which the rule-level checks report)."""
    if not wl.public_ips:
        return "no public address"
    subnet = ctx.index.subnet(wl.subnet_id)
    if subnet is None:
        return ""
    hop = ctx.routing.lookup(subnet, ANY_PUBLIC_ADDRESS, wl.network_tags)
    if hop is None or not hop.route.active or hop.route.target_kind != "internet":
        return f"no route from {subnet.name or subnet.id} back to an internet gateway"
    return ""
