"""Management plane isolation: application traffic never reaches the management plane."""
from __future__ import annotations

from typing import Iterator

from checks.causes import by_cause
from checks.common import MGMT_PORTS, guarded_workloads, port_set, shadowed
from checks.liveness import state_fields, suffix
from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.evaluate import admits_internet, net
from scanner.findings import Result
from scanner.index import fold
from scanner.model import FirewallPolicy, Peer, Rule
from scanner.netsets import NetSet
from scanner.ports import PortSet

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
    external = set(ctx.zones.external_zones())

    def pick(src, dst, ports):
        if dst == management_zone or src in (management_zone, "internet"):
            return PortSet()  # SEG402 and SEG101
        if src in external and not (ports & wanted) - ctx.policy.permitted(src, dst):
            return PortSet()  # an external zone the policy lets administer this zone
        return ports & wanted

    for group in by_cause(ctx, pick):
        yield Result(
            group.policy,
            f"{group.cause_text()} lets {group.flows_text('management ports ')}: management shares the "
            f"application path.",
            **group.result_fields(),
        )


@check(CheckMeta(
    id="SEG402",
    name="management-zone-reachable",
    title="Management zone reachable from application or DMZ zones",
    severity="high",
    rationale=(
        f"{SEEDS_1}: critically, an attacker in the application zone must not be able to reach "
        "the management plane (application traffic to management: blocked). Bastions and monitoring "
        "hold the keys to every other zone. From external zones of the zone policy (the admins' VPN "
        "range), only the flows the policy permits may reach it: the bastion is the only point where "
        "external administrative access is permitted."
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
    external = set(ctx.zones.external_zones())

    def pick(src, dst, ports):
        if dst != management_zone:
            return PortSet()
        if src in external:  # from outside: only what the zone policy permits, on its entry point
            return ports - ctx.policy.permitted(src, dst)
        return ports if src in application_zones else PortSet()

    for group in by_cause(ctx, pick):
        yield Result(
            group.policy,
            f"{group.cause_text()} lets {group.flows_text()}: the management zone is reachable "
            f"from {'outside the zone policy' if set(group.zones()) & external else 'application zones'}.",
            **group.result_fields(),
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
            and not judge.permitted_entry(policy, rule, peer, wanted)
        ]
        if bad:
            rules = list({id(r): r for r, _ in bad}.values())
            state = state_fields(ctx, ((policy, r) for r in rules), wanted)
            yield Result(
                policy,
                f"{policy.kind} {policy.name or policy.id} admits SSH/RDP from "
                f"{', '.join(sorted({_text(p) for _, p in bad}))}, not only from the management zone or a "
                f"bastion.{suffix(state)}",
                evidence=tuple(f"rule {r.name or r.id}: {_text(p)}" for r, p in bad), **state,
            )


def _text(peer: Peer) -> str:
    return peer.value or peer.kind


class _PeerJudge:
    """Does a rule's peer stand only for the management zone or a bastion?"""

    def __init__(self, ctx: AuditContext, zone: str, words: tuple, trusted: tuple, trusted_tags: tuple) -> None:
        self.ctx, self.zone, self.words = ctx, zone, words
        self._management_only: dict[str, bool] = {}
        self.trusted_tags = {t.lower() for t in trusted_tags}
        mgmt_nets = [net(c) for s in ctx.snapshot.subnets if ctx.zones.subnet_zone(s.id) == zone for c in s.cidrs]
        self.mgmt_nets = NetSet([*mgmt_nets, *(net(c) for c in trusted)])
        self._judged: dict[tuple[str, str], bool] = {}  # one peer is named by many rules

    def _named_bastion(self, text: str) -> bool:
        return any(w in text.lower() for w in self.words)

    def _all_management(self, workloads: list) -> bool:
        return bool(workloads) and all(self.ctx.zones.workload_zone(w.id) == self.zone for w in workloads)

    def _guards_management(self, policy: FirewallPolicy) -> bool:
        """Whether the policy guards workloads, all in the management zone: once per policy
        (a network's firewall guards every workload and is asked about each of its rules)."""
        found = self._management_only.get(fold(policy.id))
        if found is None:
            guarded = guarded_workloads(self.ctx, policy)
            found = self._management_only[fold(policy.id)] = bool(guarded) and all(
                self.ctx.zones.workload_zone(w.id) == self.zone for w in guarded)
        return found

    def permitted_entry(self, policy: FirewallPolicy, rule: Rule, peer: Peer, wanted: PortSet) -> bool:
        """A narrow external range on the management zone's entry point, when the zone
        policy permits that external zone into management on these ports. The world
        (any range as wide as the internet) never is."""
        if peer.kind != "cidr" or admits_internet(peer.value):
            return False
        if not self._guards_management(policy):
            return False
        n = net(peer.value)
        need = self.ctx.reach.evaluator.ports(rule) & wanted
        for name, cidrs in self.ctx.zones.external_zones().items():
            inside = any(n.version == net(c).version and n.subnet_of(net(c)) for c in cidrs)
            if inside and not need - self.ctx.policy.permitted(name, self.zone):
                return True
        return False

    def is_management(self, peer: Peer) -> bool:
        found = self._judged.get((peer.kind, peer.value))
        if found is None:
            found = self._judged[(peer.kind, peer.value)] = self._is_management(peer)
        return found

    def _is_management(self, peer: Peer) -> bool:
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
            return self.mgmt_nets.holds(net(peer.value))
        return False
