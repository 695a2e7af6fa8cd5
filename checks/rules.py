"""Rule hygiene and east-west: rules that trust addresses, open everything inside a zone,
or leave the platform's permissive defaults in force."""
from __future__ import annotations

from typing import Iterator

from checks.common import (
    PRIVATE_RANGES, SEEDS_MICRO, SEEDS_ZONES, capped, count, covers_all, guarded_workloads, live_rules, network_of,
    network_ranges, peer_text, policy_label, policy_networks, ports_text, resource_label, rule_ports, rule_text,
    shadowed, within,
)
from checks.liveness import state_fields, suffix
from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.findings import Result
from scanner.index import fold
from scanner.model import FirewallPolicy, Network, Peer, Rule
from scanner.ports import FULL, PortSet

# What identity a policy of each kind can reference instead of an address range.
IDENTITY_BY_KIND = {
    "security-group": "a security group reference",
    "vpc-firewall": "source network tags or service accounts",
    "network-firewall-policy": "secure tags or service accounts",
    "hierarchical-firewall-policy": "service accounts",
    "nsg": "application security groups",
}

# The ingress rules GCP creates with its default network.
GCP_DEFAULT_RULES = ("default-allow-internal", "default-allow-ssh", "default-allow-rdp", "default-allow-icmp")


@check(CheckMeta(
    id="SEG301",
    name="cidr-where-group-belongs",
    title="Internal rule trusts a private address range where a group reference belongs",
    severity="medium",
    rationale=(
        f"{SEEDS_ZONES}, 'Security Group Design': \"security groups reference other security group "
        "IDs rather than CIDR blocks. This is critical: CIDR-based rules permit any host in the "
        "subnet range, including an attacker who has pivoted to a host in that range.\" A rule that "
        "admits a private range trusts network location; a group, network tag, service account or "
        "application security group admits only the workloads that carry that identity."
    ),
    remediation=(
        "Replace the private CIDR source with an identity: on AWS a source security group; on GCP "
        "source tags or source service accounts (with target tags / service accounts); on Azure an "
        "application security group as source. Network ACLs are not reported: CIDRs are all they "
        "can express."
    ),
    fix_example=(
        'resource "aws_security_group_rule" "db_from_app" {\n'
        '  type                     = "ingress"\n'
        '  security_group_id        = aws_security_group.data.id\n'
        '  protocol                 = "tcp"\n'
        "  from_port                = 5432\n"
        "  to_port                  = 5432\n"
        "  source_security_group_id = aws_security_group.app.id  # not cidr_blocks = [\"10.0.0.0/16\"]\n"
        "}"
    ),
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html#security-group-referencing",
        "https://cloud.google.com/firewall/docs/firewalls#service-accounts-vs-tags",
        "https://learn.microsoft.com/azure/virtual-network/application-security-groups",
    ),
    tags=("east-west", "identity", "firewall-rules"),
    params={"private_ranges": PRIVATE_RANGES, "platform_rule_names": GCP_DEFAULT_RULES},
))
def cidr_where_group_belongs(ctx: AuditContext, private_ranges=PRIVATE_RANGES,
                             platform_rule_names=GCP_DEFAULT_RULES) -> Iterator[Result]:
    for policy in ctx.snapshot.policies:
        if not policy.stateful or policy.kind == "appliance-firewall":
            continue  # stateless ACLs and firewall appliances can only speak addresses
        networks = policy_networks(ctx, policy)
        home = networks[0] if len(networks) == 1 else None
        hits = []
        for rule in live_rules(policy, "ingress"):
            if _is_platform_default(rule, home, platform_rule_names):
                continue
            private = [p for p in rule.peers if p.kind == "cidr" and within(p.value, private_ranges)]
            if private and not shadowed(policy, rule, private):
                hits.append((rule, private))
        if not hits:
            continue
        ranges = sorted({p.value for _, peers in hits for p in peers},
                        key=lambda v: (network_of(v).version, network_of(v)))
        ports = ports_text(PortSet.union_of(rule_ports(rule) for rule, _ in hits))
        instead = IDENTITY_BY_KIND.get(policy.kind, "an identity reference")
        guarded = count(len(guarded_workloads(ctx, policy)), "workload")
        state = state_fields(ctx, ((policy, rule) for rule, _ in hits))
        yield Result(
            policy,
            f"{policy_label(policy)} admits {ports} from {', '.join(ranges)} by address: any host "
            f"that gets an address in {'that range' if len(ranges) == 1 else 'those ranges'} reaches "
            f"those ports on the workloads it guards ({guarded} now); use {instead} instead.{suffix(state)}",
            evidence=tuple(rule_text(rule, peers) for rule, peers in hits), **state,
        )


def _is_platform_default(rule: Rule, network: Network | None, default_names) -> bool:
    return rule.platform_default or bool(network and network.is_default and rule.name in default_names)


def _flat_peers(ctx: AuditContext, policy: FirewallPolicy, rule: Rule, networks: list[Network],
                flat_service_tags) -> list[Peer]:
    """Peers of `rule` that stand for every workload of the zone or network."""
    pid = fold(policy.id)
    target_values = {fold(t.value) for t in rule.targets}
    ranges = [r for n in networks for r in network_ranges(ctx, n)]
    flat = []
    for peer in rule.peers:
        if peer.kind == "any":
            flat.append(peer)
        elif peer.kind == "cidr" and covers_all(peer.value, ranges):
            flat.append(peer)
        elif peer.kind == "group" and fold(peer.value) == pid:
            flat.append(peer)
        elif peer.kind in ("tag", "service-account", "app-group") and (
                not rule.targets or fold(peer.value) in target_values):
            flat.append(peer)
        elif peer.kind == "service-tag" and peer.value.casefold() in {t.casefold() for t in flat_service_tags}:
            flat.append(peer)
    return flat


def _all_ports(rule: Rule) -> bool:
    ports = rule_ports(rule)
    return ports.is_all() or ports.ranges("tcp") == FULL


@check(CheckMeta(
    id="SEG302",
    name="flat-east-west-rule",
    title="Rule opens all ports or protocols between the workloads of a zone or network",
    severity="high",
    rationale=(
        f"{SEEDS_ZONES}, 'Why DMZ-Only Design Is Insufficient': \"workloads in the same zone that do "
        "not need to communicate with each other must not be able to.\" "
        f"{SEEDS_MICRO}: on a flat network one compromised host reaches every port of every "
        "neighbour. A rule allowing all protocols (or every TCP port) from the network's whole "
        "range, from its own group, from a shared tag or from the VirtualNetwork service tag turns "
        "the zone into a lateral-movement runway."
    ),
    remediation=(
        "Replace the rule with allows for the specific ports each tier needs from the specific "
        "tier that calls it (source group / tag / service account / ASG). On AWS drop the "
        "self-referencing all-traffic rule; on GCP delete or narrow default-allow-internal style "
        "rules; on Azure add explicit allows and a deny of VirtualNetwork above them."
    ),
    fix_example=(
        'resource "google_compute_firewall" "app_from_web" {\n'
        '  name        = "app-from-web-8080"\n'
        "  network     = google_compute_network.prod.id\n"
        '  direction   = "INGRESS"\n'
        '  source_tags = ["web"]\n'
        '  target_tags = ["app"]\n'
        "  allow {\n"
        '    protocol = "tcp"\n'
        '    ports    = ["8080"]\n'
        "  }\n"
        "}\n"
        '# and delete the rule allowing protocol "all" from 10.0.0.0/8'
    ),
    references=(
        "https://cloud.google.com/firewall/docs/firewalls#more_rules_default_vpc",
        "https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html",
        "https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules",
    ),
    tags=("east-west", "lateral-movement", "firewall-rules"),
    params={"flat_service_tags": ("VirtualNetwork",), "platform_rule_names": GCP_DEFAULT_RULES},
))
def flat_east_west_rule(ctx: AuditContext, flat_service_tags=("VirtualNetwork",),
                        platform_rule_names=GCP_DEFAULT_RULES) -> Iterator[Result]:
    for policy in ctx.snapshot.policies:
        if policy.is_default:  # the default group is SEG303's
            continue
        networks = policy_networks(ctx, policy)
        home = networks[0] if len(networks) == 1 else None
        hits = []
        for rule in live_rules(policy, "ingress"):
            if not _all_ports(rule) or _is_platform_default(rule, home, platform_rule_names):
                continue
            flat = _flat_peers(ctx, policy, rule, networks, flat_service_tags)
            if flat and not shadowed(policy, rule, flat):
                hits.append((rule, flat))
        if not hits:
            continue
        pid = fold(policy.id)
        peers = sorted({"its own members" if p.kind == "group" and fold(p.value) == pid else peer_text(p)
                        for _, flat in hits for p in flat})
        where = ", ".join(resource_label(n) for n in networks) or "its network"
        guarded = guarded_workloads(ctx, policy)
        state = state_fields(ctx, ((policy, rule) for rule, _ in hits))
        yield Result(
            policy,
            f"{policy_label(policy)} allows every port from {', '.join(peers)} in {where}: one "
            f"compromised workload among them reaches every port of the workloads it guards "
            f"({count(len(guarded), 'workload')} now).{suffix(state)}",
            evidence=tuple(rule_text(rule, flat) for rule, flat in hits), **state,
        )


def _override_denies(policy: FirewallPolicy, default: Rule, tags) -> list[Rule]:
    """User denies evaluated before `default` that block everything it allows."""
    wanted = {t.casefold() for t in tags}
    vnet = [c for p in default.peers if p.kind == "service-tag" for c in p.cidrs] or ["0.0.0.0/0"]

    def blocks(peer: Peer) -> bool:
        return (peer.kind == "any" or (peer.kind == "service-tag" and peer.value.casefold() in wanted)
                or (peer.kind == "cidr" and covers_all(peer.value, vnet)))

    return [rule for rule in live_rules(policy, "ingress", "deny")
            if rule.priority < default.priority and rule_ports(rule).is_all()
            and (not rule.targets or any(blocks(t) for t in rule.targets))
            and any(blocks(p) for p in rule.peers)]


@check(CheckMeta(
    id="SEG303",
    name="permissive-platform-default",
    title="The platform's permissive default is in force",
    severity="medium",
    rationale=(
        f"{SEEDS_ZONES}, 'Problem': \"Default VPC configurations route all subnets to each other\" and "
        "'Security Group Design': \"The principle is default-deny with specific allows.\" The AWS "
        "default security group (members reach each other on everything), GCP's default network "
        "(default-allow-internal opens every port across all its subnets, default-allow-ssh/rdp "
        "open admin ports to the internet) and Azure's AllowVnetInBound (every address in the VNet "
        "and its peers reaches every port) are default-allow, not default-deny."
    ),
    remediation=(
        "AWS: remove every rule from the default security group and attach purpose-built groups. "
        "GCP: delete the default network (or at least its default-allow-* rules) and use a custom-"
        "mode network. Azure: add a user rule denying VirtualNetwork inbound (for example at "
        "priority 4096) below your explicit allows, so AllowVnetInBound at 65000 is never reached."
    ),
    fix_example=(
        'resource "aws_default_security_group" "default" {\n'
        "  vpc_id = aws_vpc.main.id\n"
        "  # no ingress or egress blocks: Terraform removes all rules from the default group\n"
        "}"
    ),
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html",
        "https://cloud.google.com/vpc/docs/vpc#default-network",
        "https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules",
    ),
    tags=("default-deny", "east-west", "defaults"),
    params={"default_rule_names": GCP_DEFAULT_RULES, "vnet_service_tags": ("VirtualNetwork",)},
))
def permissive_platform_default(ctx: AuditContext, default_rule_names=GCP_DEFAULT_RULES,
                                vnet_service_tags=("VirtualNetwork",)) -> Iterator[Result]:
    index = ctx.index
    vnet_tags = {t.casefold() for t in vnet_service_tags}
    # Default security group: used and allowing something.
    for policy in ctx.snapshot.policies:
        if not policy.is_default:
            continue
        members = index.workloads_with_policy.get(fold(policy.id), [])
        allows = [r for r in policy.rules if r.enabled and r.action == "allow"]
        if members and allows:
            inbound = [r for r in allows if r.direction == "ingress"]
            shown = inbound or allows
            ports = ports_text(PortSet.union_of(rule_ports(r) for r in shown))
            peers = ", ".join(sorted({"its own members" if fold(p.value) == fold(policy.id) else peer_text(p)
                                      for r in shown for p in r.peers}))
            way = "admits" if inbound else "allows out"
            state = state_fields(ctx, ((policy, r) for r in allows))
            yield Result(
                policy,
                f"{policy_label(policy)} is the platform's default group, attached to "
                f"{count(len(members), 'workload')}, and {way} {ports} {'from' if inbound else 'to'} "
                f"{peers}: a group nobody designed decides what "
                f"{'reaches them' if inbound else 'they reach'}.{suffix(state)}",
                evidence=(*(rule_text(r) for r in allows), *capped(f"attached to {w.id}" for w in members)),
                **state,
            )
    # Default network that still carries the platform's allow rules.
    for network in ctx.snapshot.networks:
        if not network.is_default:
            continue
        pairs = [(p, r) for p in index.policies_by_ids(network.policy_ids) for r in p.rules
                 if r.name in default_rule_names and r.enabled and r.action == "allow"]
        rules = [r for _, r in pairs]
        if rules:
            state = state_fields(ctx, pairs)
            held = index.workloads_in_network.get(fold(network.id), [])
            opened = "; ".join(
                f"{ports_text(rule_ports(r))} from {', '.join(peer_text(p) for p in r.peers)}"
                for r in rules)
            yield Result(
                network,
                f"Default network {resource_label(network)} keeps the platform's rules "
                f"{', '.join(sorted({r.name for r in rules}))}: every instance in it "
                f"({count(len(held), 'workload')} now) is open to {opened}.{suffix(state)}",
                evidence=tuple(rule_text(r) for r in rules), **state,
            )
    # NSG whose AllowVnetInBound is reached: no user deny of VirtualNetwork before it.
    for policy in ctx.snapshot.policies:
        defaults = [r for r in policy.rules if r.platform_default and r.enabled and r.action == "allow"
                    and r.direction == "ingress"
                    and any(p.kind == "service-tag" and p.value.casefold() in vnet_tags for p in r.peers)]
        if not defaults:
            continue
        subnets = [s for s in index.subnets_with_policy.get(fold(policy.id), ())
                   if index.workloads_of.get(fold(s.id))]
        nics = index.workloads_with_policy.get(fold(policy.id), [])
        if not (subnets or nics):
            continue
        open_defaults = [d for d in defaults if not _override_denies(policy, d, vnet_service_tags)]
        if not open_defaults:
            continue
        where = [f"subnet {resource_label(s)}" for s in subnets] + [f"interface {resource_label(w)}" for w in nics]
        state = state_fields(ctx, ((policy, d) for d in open_defaults))
        yield Result(
            policy,
            f"{policy_label(policy)} leaves {', '.join(sorted({d.name or d.id for d in open_defaults}))} "
            f"in force: every address in the virtual network and its peers reaches every port of "
            f"{', '.join(capped(where, 3))}.{suffix(state)}",
            evidence=(*(rule_text(d) for d in open_defaults), *capped(f"attached to {w}" for w in where),
                      "no user rule denies VirtualNetwork on all ports at a lower priority number"),
            **state,
        )
