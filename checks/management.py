"""Management plane isolation: application traffic never reaches the management plane."""
from __future__ import annotations

from typing import Iterator

from checks.common import MGMT_PORTS, label, listing, port_set, shadowed
from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.evaluate import net
from scanner.findings import Result
from scanner.index import fold
from scanner.model import FirewallPolicy, Peer, Rule

SEEDS_1 = "Network Security Architecture: Management Plane Isolation"
REFS = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html",
    "https://cloud.google.com/iap/docs/using-tcp-forwarding",
    "https://learn.microsoft.com/azure/bastion/bastion-overview",
)
BASTION_FIX = (
    'resource "aws_security_group_rule" "ssh_from_bastion_only" {\n'
    '  type                     = "ingress"\n'
    "  from_port                = 22\n"
    "  to_port                  = 22\n"
    '  protocol                 = "tcp"\n'
    "  security_group_id        = aws_security_group.app.id\n"
    "  source_security_group_id = aws_security_group.bastion.id\n"
    "}"
)


@check(CheckMeta(
    id="SEG401",
    name="management-port-from-application-zone",
    title="Management port reachable from a zone other than management",
    severity="high",
    rationale=(
        f"{SEEDS_1}: management traffic (SSH, RDP, WinRM, API server) must traverse a separate "
        "network segment; administrators SSHing to production over the network that carries "
        "application traffic is a common architectural mistake. A management port a non-management "
        "zone can reach is a shared management path an attacker in that zone can use."
    ),
    remediation=(
        "Admit management ports only from the management zone: the bastion's security group, network "
        "tag or ASG. Remove management-port rules that trust application or DMZ ranges."
    ),
    fix_example=BASTION_FIX,
    references=REFS,
    tags=("management",),
    params={"ports": MGMT_PORTS, "management_zone": "management"},
))
def management_port_from_application_zone(ctx: AuditContext, ports: tuple = MGMT_PORTS,
                                          management_zone: str = "management") -> Iterator[Result]:
    wanted = port_set(ports)
    for wl in ctx.snapshot.workloads:
        zone = ctx.zones.workload_zone(wl.id)
        if zone == management_zone:
            continue  # SEG402
        for src, access in sorted(ctx.reach.inbound(wl.id).items()):
            if src in (management_zone, "internet"):
                continue  # the internet is SEG101's
            hit = access.ports & wanted
            if hit:
                yield Result(
                    wl,
                    f"the {src} zone ({', '.join(access.sources)}) can reach management ports "
                    f"{listing(hit)} on {label(wl)}: management shares the application path.",
                    evidence=access.evidence, zones=(src, zone or "unzoned"), key=src,
                )


@check(CheckMeta(
    id="SEG402",
    name="management-zone-reachable",
    title="Management zone reachable from application or DMZ zones",
    severity="high",
    rationale=(
        f"{SEEDS_1}: critically, an attacker in the application zone must not be able to reach "
        "the management plane (application traffic to management: blocked). Bastions and monitoring "
        "hold the keys to every other zone."
    ),
    remediation=(
        "Deny all traffic from application and DMZ zones into the management zone; let management "
        "initiate connections outward (stateful replies need no inbound rule)."
    ),
    fix_example=(
        'resource "aws_security_group" "bastion" {\n'
        '  name   = "bastion"\n'
        "  vpc_id = aws_vpc.mgmt.id\n"
        "  # no ingress from application or DMZ security groups or CIDRs\n"
        "  ingress {\n"
        "    from_port   = 22\n"
        "    to_port     = 22\n"
        '    protocol    = "tcp"\n'
        "    cidr_blocks = [var.vpn_cidr]\n"
        "  }\n"
        "}"
    ),
    references=REFS,
    tags=("management", "zones"),
    params={"management_zone": "management", "application_zones": ("dmz", "internal", "data")},
))
def management_zone_reachable(ctx: AuditContext, management_zone: str = "management",
                              application_zones: tuple = ("dmz", "internal", "data")) -> Iterator[Result]:
    for wl in ctx.snapshot.workloads:
        if ctx.zones.workload_zone(wl.id) != management_zone:
            continue
        for src, access in sorted(ctx.reach.inbound(wl.id).items()):
            if src in application_zones:
                yield Result(
                    wl,
                    f"the {src} zone ({', '.join(access.sources)}) can reach {label(wl)} in the "
                    f"management zone on {listing(access.ports)}.",
                    evidence=access.evidence, zones=(src, management_zone), key=src,
                )


@check(CheckMeta(
    id="SEG403",
    name="ssh-rdp-not-from-bastion",
    title="SSH or RDP admitted from somewhere other than the management zone or a bastion",
    severity="high",
    rationale=(
        f"{SEEDS_1}: no one connects directly to production systems; all administrative access "
        "flows through a bastion host in the management subnet, the only point where administrative "
        "access is permitted. A rule admitting SSH or RDP from any other source bypasses it."
    ),
    remediation=(
        "Restrict SSH (22) and RDP (3389) rules to the bastion: its security group (AWS), network "
        "tag or service account (GCP), or ASG (Azure), or to the management subnet."
    ),
    fix_example=BASTION_FIX,
    references=REFS,
    tags=("management", "bastion"),
    # 35.235.240.0/20 is GCP Identity-Aware Proxy's TCP forwarding range, which the seeds
    # name as a bastion alternative.
    # AzureLoadBalancer is the platform's health probe (168.63.129.16), not a place anyone logs in from.
    params={"ports": ("tcp/22", "tcp/3389"), "management_zone": "management", "bastion_words": ("bastion", "jump"),
            "trusted_admin_ranges": ("35.235.240.0/20",), "trusted_service_tags": ("AzureLoadBalancer",)},
))
def ssh_rdp_not_from_bastion(ctx: AuditContext, ports: tuple = ("tcp/22", "tcp/3389"),
                             management_zone: str = "management", bastion_words: tuple = ("bastion", "jump"),
                             trusted_admin_ranges: tuple = ("35.235.240.0/20",),
                             trusted_service_tags: tuple = ("AzureLoadBalancer",)) -> Iterator[Result]:
    wanted = port_set(ports)
    judge = _PeerJudge(ctx, management_zone, bastion_words, trusted_admin_ranges, trusted_service_tags)
    for policy in ctx.snapshot.policies:
        if not policy.stateful or policy.kind == "listener":
            continue  # ACLs only hold ranges and listeners no sources; interface rules decide who is a bastion
        bad = [
            (rule, peer) for rule in policy.rules
            if rule.direction == "ingress" and rule.action == "allow" and rule.enabled and not rule.platform_default
            and ctx.reach.evaluator.ports(rule) & wanted
            for peer in rule.peers if not judge.is_management(peer) and not shadowed(policy, rule, (peer,))
        ]
        if bad:
            yield Result(
                policy,
                f"{policy.kind} {policy.name or policy.id} admits SSH/RDP from "
                f"{', '.join(sorted({_text(p) for _, p in bad}))}, not only from the management zone or a bastion.",
                evidence=tuple(f"rule {r.name or r.id}: {_text(p)}" for r, p in bad),
            )


def _text(peer: Peer) -> str:
    return peer.value or peer.kind


class _PeerJudge:
    """Does a rule's peer stand only for the management zone or a bastion?"""

    def __init__(self, ctx: AuditContext, zone: str, words: tuple, trusted: tuple, trusted_tags: tuple) -> None:
        self.ctx, self.zone, self.words = ctx, zone, words
        self.trusted_tags = {t.lower() for t in trusted_tags}
        self.mgmt_nets = [net(c) for s in ctx.snapshot.subnets if ctx.zones.subnet_zone(s.id) == zone for c in s.cidrs]
        self.mgmt_nets += [net(c) for c in trusted]

    def _named_bastion(self, text: str) -> bool:
        return any(w in text.lower() for w in self.words)

    def _all_management(self, workloads: list) -> bool:
        return bool(workloads) and all(self.ctx.zones.workload_zone(w.id) == self.zone for w in workloads)

    def is_management(self, peer: Peer) -> bool:
        wls = self.ctx.snapshot.workloads
        if peer.kind == "group":
            group = self.ctx.index.policy(peer.value)
            named = group is not None and self._named_bastion(group.name)
            return named or self._all_management(self.ctx.index.workloads_with_policy.get(fold(peer.value), []))
        if peer.kind == "tag":
            return self._named_bastion(peer.value) or self._all_management([w for w in wls if peer.value in w.network_tags])
        if peer.kind == "service-account":
            return self._named_bastion(peer.value) or self._all_management(
                [w for w in wls if peer.value in w.service_accounts])
        if peer.kind == "app-group":
            return self._named_bastion(peer.value) or self._all_management(
                [w for w in wls if fold(peer.value) in {fold(a) for a in w.app_groups}])
        if peer.kind == "service-tag":
            return peer.value.lower() in self.trusted_tags
        if peer.kind == "cidr":
            n = net(peer.value)
            return any(n.version == m.version and n.subnet_of(m) for m in self.mgmt_nets)
        return False
