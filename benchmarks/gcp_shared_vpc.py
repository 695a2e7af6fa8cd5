"""A synthetic GCP Shared VPC estate, deterministic by seed (issue 12, item 1, GCP shape).

One host project owns one global network holding every instance of twenty service
projects, over 200 subnets in four regions (tiers dmz/app/data/mgmt by subnet name, so
zone inference places them). The network's firewall is 2,000 VPC firewall rules that
select targets by network tag and service account and name sources by tag, service
account and range; an organization hierarchical policy is evaluated first and a network
firewall policy after the VPC rules (chain_order 0 / 100 / 200, as the normalizer writes
them). Cloud NAT serves the private subnets of each region; dmz instances have external
addresses. Instances come in managed instance groups of eight sharing a template (network
tags, service account, subnet). The 200 subnets are fixed; with `workloads` (2,000 or
20,000) grow the templates, their tags and service accounts, and the firewall rules (one
per workload: 2,000 at 2,000), so what rules tell apart grows with the estate.
"""
from __future__ import annotations

import random
from itertools import count

from synth import cidrs, port_ranges

from scanner.model import (
    Account, FirewallPolicy, Gateway, Network, Peer, Route, RouteTable, Rule, Snapshot, Subnet,
    Workload,
)

HOST = "acme-net-host"
SERVICE_PROJECTS = tuple(f"acme-svc-{i:02d}" for i in range(20))
REGIONS = ("europe-west1", "europe-west4", "us-central1", "us-east1")
TIERS = ("dmz", "app", "data", "mgmt")
ENVIRONMENTS = ("prod", "dev", "staging", "shared")
NETWORK = f"projects/{HOST}/global/networks/shared-vpc"
VPC_FIREWALL = f"{NETWORK}/firewall-rules"
HIERARCHICAL = "firewallPolicies/880011223344"
NETWORK_POLICY = f"projects/{HOST}/global/firewallPolicies/shared-vpc-policy"
GROUP_SIZE = 8  # instances per managed instance group (one template: tags, service account, subnet)
HEALTH_CHECKS = ("35.191.0.0/16", "130.211.0.0/22")
IAP = "35.235.240.0/20"
CORPORATE = "198.51.100.0/24"
PORTS = {"dmz": (80, 443, 8443), "app": (8080, 8443, 9000, 50051), "data": (5432, 3306, 6379, 9200),
         "mgmt": (22, 3389, 9100)}
UPSTREAM = {"dmz": None, "app": "dmz", "data": "app", "mgmt": None}


def subnet_cidr(s: int) -> str:
    return f"10.{100 + s // 256}.{s % 256}.0/24"


def subnet_id(s: int) -> str:
    return f"projects/{HOST}/regions/{REGIONS[s % len(REGIONS)]}/subnetworks/{subnet_name(s)}"


def subnet_name(s: int) -> str:
    return f"{ENVIRONMENTS[s // 4 % 4]}-{TIERS[s % 4]}-{REGIONS[s % len(REGIONS)]}-{s:03d}"


def tag(tier: str, k: int) -> str:
    return f"{tier}-{k:03d}"


def service_account(tier: str, j: int) -> str:
    return f"sa-{tier}-{j:02d}@{SERVICE_PROJECTS[j % len(SERVICE_PROJECTS)]}.iam.gserviceaccount.com"


def _goto_next(policy: str) -> list[Rule]:
    """The implied goto_next rules at the bottom of every firewall policy."""
    out = []
    for priority, direction, cidr in ((2147483644, "egress", "::/0"), (2147483645, "ingress", "::/0"),
                                      (2147483646, "egress", "0.0.0.0/0"), (2147483647, "ingress", "0.0.0.0/0")):
        out.append(Rule(id=f"{policy}/rules/{priority}", direction=direction, action="next", priority=priority,
                        peers=cidrs(cidr), platform_default=True))
    return out


class _Builder:
    def __init__(self, workloads: int, subnets: int, rules: int, seed: int) -> None:
        assert subnets % 4 == 0 and subnets <= 4 * 256 and workloads <= subnets * 240, \
            "whole tiers of /24s in 10.100.0.0/14, 240 hosts each"
        self.workloads, self.subnets, self.rules, self.rnd = workloads, subnets, rules, random.Random(seed)
        self.by_tier = {t: [s for s in range(subnets) if s % 4 == i] for i, t in enumerate(TIERS)}
        templates = -(-workloads // GROUP_SIZE)
        self.tags_per_tier = max(1, -(-templates // 4))  # one tag per instance template
        self.accounts_per_tier = max(1, self.tags_per_tier // 3)  # a service account serves three

    def base(self, id: str, name: str = "", account: str = HOST, region: str = "global") -> dict:
        return dict(provider="gcp", account=account, region=region, id=id, name=name)

    def firewall_rule(self, r: int) -> Rule:
        rnd = self.rnd
        tier = TIERS[r % 4]
        name = f"fw-{tier}-{r:04d}"
        targets = tuple(Peer(kind="tag", value=tag(tier, rnd.randrange(self.tags_per_tier)))
                        for _ in range(rnd.choice((1, 1, 2))))
        if rnd.random() < 0.3:
            targets = (Peer(kind="service-account", value=service_account(tier, rnd.randrange(self.accounts_per_tier))),)
        ports = port_ranges(rnd.sample(PORTS[tier], rnd.choice((1, 2))))
        direction, action, priority = "ingress", "allow", rnd.randrange(500, 60000, 5)
        up = UPSTREAM[tier]
        roll = rnd.random()
        if roll < 0.05:
            action, priority, peers = "deny", rnd.randrange(100, 500, 5), cidrs("0.0.0.0/0")
        elif roll < 0.15:
            direction, peers = "egress", cidrs(rnd.choice(("10.0.0.0/8", "0.0.0.0/0", CORPORATE)))
            action = "deny" if tier == "data" and rnd.random() < 0.5 else "allow"
        elif roll < 0.20:
            peers, ports = cidrs(*HEALTH_CHECKS), port_ranges((80, 443, 8080))
            targets = (Peer(kind="tag", value="allow-health-checks"),)
        elif tier == "dmz":
            peers = cidrs("0.0.0.0/0") if rnd.random() < 0.6 else cidrs(CORPORATE)
        elif tier == "mgmt":
            peers = cidrs(IAP, CORPORATE) if rnd.random() < 0.5 else cidrs("10.0.0.0/8")
        elif roll < 0.55:
            peers = tuple(Peer(kind="tag", value=tag(up, rnd.randrange(self.tags_per_tier))) for _ in range(rnd.randint(1, 3)))
        elif roll < 0.80:
            peers = (Peer(kind="service-account", value=service_account(up, rnd.randrange(self.accounts_per_tier))),)
        else:
            peers = cidrs(*(subnet_cidr(s) for s in rnd.sample(self.by_tier[up], rnd.randint(2, 4))))
        return Rule(id=f"projects/{HOST}/global/firewalls/{name}", name=name, direction=direction, action=action,
                    priority=priority, protocol="tcp", ports=ports, peers=peers, targets=targets)

    def policies(self) -> list[FirewallPolicy]:
        fw = sorted((self.firewall_rule(r) for r in range(self.rules)), key=lambda x: x.name)
        implied = [
            Rule(id=f"{NETWORK}/implied-deny-ingress", name="implied-deny-ingress", direction="ingress",
                 action="deny", priority=65535, peers=(Peer(kind="any"),), platform_default=True),
            Rule(id=f"{NETWORK}/implied-allow-egress", name="implied-allow-egress", direction="egress",
                 action="allow", priority=65535, peers=(Peer(kind="any"),), platform_default=True)]
        hier = [
            Rule(id=f"{HIERARCHICAL}/rules/900", name="allow-iap-ssh", direction="ingress", priority=900,
                 protocol="tcp", ports=port_ranges((22,)), peers=cidrs(IAP)),
            Rule(id=f"{HIERARCHICAL}/rules/1000", name="deny-rdp", direction="ingress", action="deny", priority=1000,
                 protocol="tcp", ports=port_ranges((3389,)), peers=cidrs("0.0.0.0/0")),
            Rule(id=f"{HIERARCHICAL}/rules/1001", name="deny-ssh-internet", direction="ingress", action="deny",
                 priority=1001, protocol="tcp", ports=port_ranges((22,)), peers=cidrs("0.0.0.0/0")),
            Rule(id=f"{HIERARCHICAL}/rules/1100", name="internal-to-vpc", direction="ingress", action="next",
                 priority=1100, peers=cidrs("10.0.0.0/8")),
            Rule(id=f"{HIERARCHICAL}/rules/2000", name="deny-egress-blocked", direction="egress", action="deny",
                 priority=2000, peers=cidrs("192.0.2.0/24")),
            *_goto_next(HIERARCHICAL)]
        monitoring = Peer(kind="service-account", value=service_account("mgmt", 0))
        network = [
            Rule(id=f"{NETWORK_POLICY}/rules/100", name="deny-legacy", direction="ingress", action="deny", priority=100,
                 protocol="tcp", ports=port_ranges((23, 445)), peers=cidrs("0.0.0.0/0")),
            Rule(id=f"{NETWORK_POLICY}/rules/200", name="monitoring-scrape", direction="ingress", priority=200,
                 protocol="tcp", ports=port_ranges((9100,)), peers=cidrs("10.0.0.0/8"), targets=(monitoring,)),
            Rule(id=f"{NETWORK_POLICY}/rules/300", name="deny-smtp-out", direction="egress", action="deny",
                 priority=300, protocol="tcp", ports=port_ranges((25,)), peers=cidrs("0.0.0.0/0")),
            *_goto_next(NETWORK_POLICY)]
        common = dict(network_id=NETWORK, stateful=True, evaluation="first-match")
        return [
            FirewallPolicy(**self.base(HIERARCHICAL, "org-baseline"), kind="hierarchical-firewall-policy",
                           chain_order=0, rules=tuple(hier), **common),
            FirewallPolicy(**self.base(VPC_FIREWALL, "shared-vpc firewall rules"), kind="vpc-firewall",
                           chain_order=100, rules=tuple(fw + implied), **common),
            FirewallPolicy(**self.base(NETWORK_POLICY, "shared-vpc-policy"), kind="network-firewall-policy",
                           chain_order=200, rules=tuple(network), **common)]

    def snapshot(self) -> Snapshot:
        rnd = self.rnd
        igw = f"{NETWORK}/default-internet-gateway"
        network = Network(**self.base(NETWORK, "shared-vpc"), subnet_mode="custom", routing_mode="global",
                          policy_ids=(HIERARCHICAL, VPC_FIREWALL, NETWORK_POLICY))
        subnets = [Subnet(**self.base(subnet_id(s), subnet_name(s), region=REGIONS[s % len(REGIONS)]),
                          network_id=NETWORK, cidrs=(subnet_cidr(s),), route_table_ids=(f"{NETWORK}/routes",),
                          private_service_access=TIERS[s % 4] != "dmz")
                   for s in range(self.subnets)]
        routes = [Route(destination=subnet_cidr(s), target_kind="local", target_id=subnet_id(s), priority=0,
                        origin="system") for s in range(self.subnets)]
        routes += [Route(destination="0.0.0.0/0", target_kind="internet", target_id=igw, priority=1000,
                         origin="system"),
                   Route(destination="172.16.0.0/12", target_kind="vpn", priority=100,
                         target_id=f"projects/{HOST}/regions/europe-west1/vpnTunnels/onprem-1")]
        gateways = [Gateway(**self.base(igw, "default-internet-gateway"), kind="internet", network_id=NETWORK,
                            requires_public_address=True)]
        for i, region in enumerate(REGIONS):
            router = f"projects/{HOST}/regions/{region}/routers/nat-router-{region}"
            served = tuple(sorted(subnet_id(s) for s in range(self.subnets)
                                  if s % len(REGIONS) == i and TIERS[s % 4] != "dmz"))
            gateways.append(Gateway(**self.base(f"{router}/nats/nat-{region}", f"nat-{region}", region=region),
                                    kind="nat", network_id=NETWORK, nat_subnet_ids=served))
        workloads, hosts, public = [], [2] * self.subnets, count(1)
        template: tuple = ()
        for i in range(self.workloads):
            k = i // GROUP_SIZE  # the instance template (managed instance group) this one comes from
            s = k % self.subnets
            tier, region = TIERS[s % 4], REGIONS[s % len(REGIONS)]
            if i % GROUP_SIZE == 0:
                tags = [tag(tier, k // 4 % self.tags_per_tier)]
                if rnd.random() < 0.2:
                    tags.append(tag(tier, rnd.randrange(self.tags_per_tier)))
                if rnd.random() < 0.3:
                    tags.append("allow-health-checks")
                template = (tuple(dict.fromkeys(tags)), (service_account(tier, k // 4 % self.accounts_per_tier),),
                            SERVICE_PROJECTS[k % len(SERVICE_PROJECTS)])
            network_tags, accounts, project = template
            name = f"{tier}-{k:04d}-{i % GROUP_SIZE}"
            inst = f"projects/{project}/zones/{region}-b/instances/{name}"
            ip = subnet_cidr(s).replace(".0/24", f".{hosts[s]}")
            hosts[s] += 1
            ext = ()
            if tier == "dmz":
                p = next(public)
                ext = (f"198.18.{p >> 8}.{p & 255}",)
            workloads.append(Workload(
                **self.base(f"{inst}/nic0", f"{name}/nic0", account=project, region=region),
                network_id=NETWORK, subnet_id=subnet_id(s), private_ips=(ip,), public_ips=ext,
                network_tags=network_tags, service_accounts=accounts,
                owner_kind="instance", owner_id=inst, owner_name=name))
        return Snapshot(
            accounts=tuple(Account(provider="gcp", id=p) for p in (HOST, *SERVICE_PROJECTS)),
            networks=(network,), subnets=tuple(subnets),
            route_tables=(RouteTable(**self.base(f"{NETWORK}/routes", "shared-vpc routes"), network_id=NETWORK,
                                     routes=tuple(routes)),),
            gateways=tuple(gateways), policies=tuple(self.policies()), workloads=tuple(workloads))


def build(workloads: int = 2000, seed: int = 12, subnets: int = 200, rules: int | None = None) -> Snapshot:
    """rules: VPC firewall rules, one per workload unless given (2,000 at 2,000)."""
    return _Builder(workloads, subnets, workloads if rules is None else rules, seed).snapshot()
