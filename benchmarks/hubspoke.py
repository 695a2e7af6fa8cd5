"""A synthetic AWS hub-and-spoke estate, deterministic by seed (issue 12, item 1).

The shape is the same at every size; only the number of VPCs changes (20 security groups
per VPC: 1,000 SGs = 50 VPCs, 10,000 SGs = 500 VPCs):

- VPC v belongs to environment ENVIRONMENTS[v % 5] (prod 40 %, dev, staging, shared 20 %
  each). Every group of five VPCs has one shared-services hub peered with its four
  spokes (one of every environment); VPC v is also peered with VPC v+5, the next VPC of
  its own environment. Routes to the peer go into the app and mgmt tables on both sides.
- One transit gateway; every other prod VPC (v % 5 == 0) and every other shared VPC are
  attached, with 10.0.0.0/8 -> the transit gateway in their mgmt tables only.
- Four subnets per VPC (public, app, data, mgmt, tagged Zone=dmz/internal/data/management),
  one route table each plus the main table: public 0.0.0.0/0 -> internet gateway, app and
  mgmt -> NAT gateway, data local only plus the S3 gateway-endpoint prefix-list route.
- About 10 rules per security group from tier-specific pools: subnet ranges, 10.0.0.0/8,
  the corporate public /24, group references (self, same VPC, across a peering), the
  250-entry customer-managed prefix list, AWS-managed prefix lists; explicit egress.
- The default NACL on public and app subnets; ordered, stateless data and mgmt NACLs with
  AWS's implicit `*` denies (rules 32767 and 32768) as the normalizer writes them.
- 2 interfaces per security group (10 % with a secondary address, 10 % with a second group),
  public addresses on the public tier, 1 % detached; IPv6 on every tenth VPC.

`build(sgs)` is one account; `build_accounts(accounts, sgs_per_account)` spreads the same
shape over many accounts (five VPCs each at 100 SGs), one Snapshot per account, with the
transit gateway shared and same-environment peerings crossing accounts when asked.
`build(BIG)` is the big snapshot of item 3: 1,000 VPCs of 50 groups, 500,000 security-group
rules (523,000 with the NACLs), 101,000 interfaces; 131 MB as a snapshot file.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import count
from typing import Callable

from scanner.model import (
    Account, FirewallPolicy, Gateway, Hub, HubAttachment, HubRouteTable, Network, Peer, Peering, PortRange,
    PrefixList, Route, RouteTable, Rule, Snapshot, Subnet, Workload,
)

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ENVIRONMENTS = ("prod", "dev", "staging", "prod", "shared")
HUB = 4  # position of the shared-services VPC in each group of five
TIERS = ("public", "app", "data", "mgmt")
ZONE = {"public": "dmz", "app": "internal", "data": "data", "mgmt": "management"}
SG_TIER_CYCLE = ("app", "data", "public", "app", "mgmt", "app", "data", "app")
SGS_PER_VPC = 20
BIG = 50_000  # security groups of the item-3 snapshot, at 50 per VPC
BIG_SGS_PER_VPC = 50
CORPORATE = "198.51.100.0/24"
TGW = "tgw-0a1b2c3d4e5f60718"
S3 = ("pl-6da54004", f"com.amazonaws.{REGION}.s3",
      ("52.218.0.0/17", "3.5.64.0/21", "3.5.72.0/23", "52.92.0.0/17", "18.34.32.0/20"))
DYNAMODB = ("pl-b3a742da", f"com.amazonaws.{REGION}.dynamodb",
            ("52.94.5.0/24", "52.119.240.0/21", "52.94.24.0/23", "52.94.26.0/23"))
CLOUDFRONT = ("pl-4fa04526", "com.amazonaws.global.cloudfront.origin-facing",
              tuple(f"130.176.{4 * i}.0/22" for i in range(45)))
ANY4, ANY6, TEN, CORP = (Peer(kind="cidr", value=c) for c in ("0.0.0.0/0", "::/0", "10.0.0.0/8", CORPORATE))
ALL_PORTS = ()
EPHEMERAL = (PortRange(first=1024, last=65535),)


def vpc_cidr(v: int) -> str:
    return f"10.{v >> 4}.{(v & 15) << 4}.0/20"


def subnet_cidr(v: int, t: int) -> str:
    return f"10.{v >> 4}.{((v & 15) << 4) + t}.0/24"


def has_ipv6(v: int) -> bool:
    return v % 10 == 7


def v6(v: int, t: int | None = None, host: int | None = None) -> str:
    if t is None:
        return f"2600:1f18:{v:x}:ab00::/56"
    return f"2600:1f18:{v:x}:ab0{t}::/64" if host is None else f"2600:1f18:{v:x}:ab0{t}::{host:x}"


def tgw_attached(v: int) -> bool:
    """Every other prod VPC (positions 0 and 3 are prod; 0 is every other) and every other hub."""
    return v % 5 == 0 or (v % 5 == HUB and (v // 5) % 2 == 0)


def corporate_prefix_list() -> tuple[str, ...]:
    """250 entries: on-premises /24s, partner /29s and a few VPC ranges seen from on-premises."""
    on_prem = [f"172.{16 + i // 256}.{i % 256}.0/24" for i in range(210)]
    partners = [f"203.0.113.{8 * i}/29" for i in range(32)]
    legacy = [vpc_cidr(v) for v in range(0, 80, 10)]
    return tuple(on_prem + partners + legacy)


def sg_id(v: int, g: int) -> str:
    return f"sg-{v:08x}{g:09x}"


def account_id(a: int) -> str:
    return f"{100000000000 + a:012d}"


@dataclass
class Plan:
    """Who is where: VPC count, accounts, peerings and the tier of every group slot."""

    vpcs: int
    sgs_per_vpc: int
    vpcs_per_account: int  # 0: everything in ACCOUNT
    cross_account: bool
    peers: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # vpc -> [(peer vpc, pcx)]
    tier_groups: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert self.vpcs >= 5 and self.vpcs <= 4096, "between 5 and 4,096 VPCs (10.0.0.0/8 in /20s)"
        last_hub = (self.vpcs - 1 - HUB) // 5 * 5 + HUB
        pairs = []
        for v in range(self.vpcs):
            if v % 5 != HUB:
                pairs.append((min(v // 5 * 5 + HUB, last_hub), v))
            if v + 5 < self.vpcs and (self.cross_account or self.account(v) == self.account(v + 5)):
                pairs.append((v, v + 5))
        for n, (a, b) in enumerate(sorted(set(pairs))):
            if self.account(a) != self.account(b) and not self.cross_account:
                continue
            pcx = f"pcx-{n + 1:017x}"
            self.peers.setdefault(a, []).append((b, pcx))
            self.peers.setdefault(b, []).append((a, pcx))
        for g in range(1, self.sgs_per_vpc):
            self.tier_groups.setdefault(SG_TIER_CYCLE[(g - 1) % len(SG_TIER_CYCLE)], []).append(g)

    def account(self, v: int) -> str:
        return account_id(v // self.vpcs_per_account) if self.vpcs_per_account else ACCOUNT

    def tgw(self, v: int) -> str:
        # One transit gateway shared through RAM, or one per account.
        return TGW if self.cross_account or not self.vpcs_per_account else f"tgw-{v // self.vpcs_per_account:017x}"

    def tier_of(self, g: int) -> str:
        return SG_TIER_CYCLE[(g - 1) % len(SG_TIER_CYCLE)]


class _Builder:
    def __init__(self, plan: Plan, seed: int) -> None:
        self.plan, self.rnd = plan, random.Random(seed)
        self.rule_ids = count(1)
        self.out: dict[str, list] = {k: [] for k in Snapshot.__dataclass_fields__}
        self.public_ips = count(1)

    def base(self, v: int, id: str, name: str = "", tags: dict | None = None) -> dict:
        return dict(provider="aws", account=self.plan.account(v), region=REGION, id=id, name=name,
                    tags=tags if tags is not None else ({"Name": name} if name else {}))

    # -- rules ----------------------------------------------------------------------
    def rule(self, direction: str, protocol: str, port: int | None, peer: Peer) -> Rule:
        spans = (PortRange(first=port, last=port),) if port is not None else ALL_PORTS
        return Rule(id=f"sgr-{next(self.rule_ids):017x}", direction=direction, protocol=protocol, ports=spans,
                    peers=(peer,))

    def group(self, v: int, tier: str, other: int | None = None) -> Peer:
        """A reference to a group of `tier` in VPC `other` (default `v`), cross-account aware."""
        w = v if other is None else other
        g = self.rnd.choice(self.plan.tier_groups.get(tier) or [1])
        owner = self.plan.account(w)
        return Peer(kind="group", value=sg_id(w, g), account=owner if owner != self.plan.account(v) else "")

    def peered(self, v: int) -> int:
        return self.rnd.choice(self.plan.peers[v])[0] if self.plan.peers.get(v) else v

    def sg_rules(self, v: int, g: int, tier: str, corp_pl: Peer) -> list[Rule]:
        rnd, r, grp = self.rnd, self.rule, self.group
        own = Peer(kind="group", value=sg_id(v, g))
        sub = {t: Peer(kind="cidr", value=subnet_cidr(v, i)) for i, t in enumerate(TIERS)}
        pick = rnd.choice
        ingress: dict[str, list[Callable[[], Rule]]] = {
            "public": [
                lambda: r("ingress", "tcp", 443, ANY4), lambda: r("ingress", "tcp", 80, ANY4),
                lambda: r("ingress", "tcp", 443, ANY6 if has_ipv6(v) else CORP),
                lambda: r("ingress", "tcp", 443, Peer(kind="prefix-list", value=CLOUDFRONT[0])),
                lambda: r("ingress", "tcp", pick((443, 8443)), CORP),
                lambda: r("ingress", "tcp", 22, grp(v, "mgmt")), lambda: r("ingress", "all", None, own),
                lambda: r("ingress", "tcp", 443, TEN), lambda: r("ingress", "tcp", 8443, sub["public"])],
            "app": [
                lambda: r("ingress", "tcp", pick((8080, 8443, 9000)), grp(v, "public")),
                lambda: r("ingress", "tcp", pick((8080, 8443)), sub["app"]),
                lambda: r("ingress", "tcp", pick((8080, 8443, 9090)), TEN),
                lambda: r("ingress", "tcp", pick((8080, 9000)), grp(v, "app", self.peered(v))),
                lambda: r("ingress", "tcp", 8080, sub["public"]), lambda: r("ingress", "all", None, own),
                lambda: r("ingress", "tcp", 22, grp(v, "mgmt")),
                lambda: r("ingress", "tcp", pick((8080, 50051)), grp(v, "app")),
                lambda: r("ingress", "tcp", 443, CORP)],
            "data": [
                lambda: r("ingress", "tcp", pick((5432, 3306, 6379)), grp(v, "app")),
                lambda: r("ingress", "tcp", 5432, sub["app"]),
                lambda: r("ingress", "tcp", pick((5432, 6379)), grp(v, "app", self.peered(v))),
                lambda: r("ingress", "tcp", 5432, CORP), lambda: r("ingress", "tcp", 22, sub["mgmt"]),
                lambda: r("ingress", "all", None, own), lambda: r("ingress", "tcp", 3306, TEN),
                lambda: r("ingress", "tcp", 5432, grp(v, "mgmt", self.peered(v))),
                lambda: r("ingress", "tcp", 9200, sub["data"])],
            "mgmt": [
                lambda: r("ingress", "tcp", 22, CORP), lambda: r("ingress", "tcp", 3389, CORP),
                lambda: r("ingress", "tcp", 22, corp_pl), lambda: r("ingress", "tcp", 22, TEN),
                lambda: r("ingress", "tcp", 443, grp(v, "mgmt", self.peered(v))),
                lambda: r("ingress", "all", None, own), lambda: r("ingress", "icmp", None, TEN),
                lambda: r("ingress", "tcp", 9100, sub["app"]), lambda: r("ingress", "tcp", 22, grp(v, "mgmt"))],
        }
        downstream = {"public": "app", "app": "data", "data": "data", "mgmt": pick(TIERS)}[tier]
        egress: list[Callable[[], Rule]] = [
            lambda: r("egress", "all", None, ANY4),
            lambda: r("egress", "tcp", 443, Peer(kind="prefix-list", value=S3[0])),
            lambda: r("egress", "tcp", 443, Peer(kind="prefix-list", value=DYNAMODB[0])),
            lambda: r("egress", "tcp", pick((5432, 8080, 22)), grp(v, downstream)),
            lambda: r("egress", "tcp", 443, TEN),
            lambda: r("egress", "all", None, ANY6 if has_ipv6(v) else TEN)]
        chosen = rnd.sample(ingress[tier], rnd.randint(6, 9)) + rnd.sample(egress, rnd.randint(2, 3))
        return sorted((make() for make in chosen), key=lambda x: (x.direction, x.id))

    # -- network ACLs ---------------------------------------------------------------
    def nacl(self, v: int, id: str, entries: list[tuple], is_default: bool = False) -> FirewallPolicy:
        """entries: (direction, number, action, protocol, ports, cidr); AWS's `*` denies added."""
        entries = list(entries) + [(d, n, "deny", "all", ALL_PORTS, c) for d in ("ingress", "egress")
                                   for c, n in (("0.0.0.0/0", 32767), ("::/0", 32768))]
        rules = [Rule(id=f"{id}/{d}/{n}", name=str(n), direction=d, action=a, priority=n, protocol=p, ports=ports,
                      peers=(Peer(kind="cidr", value=c),), platform_default=n >= 32767)
                 for d, n, a, p, ports, c in entries]
        rules.sort(key=lambda x: (x.direction, x.priority, x.id))
        return FirewallPolicy(**self.base(v, id), kind="network-acl", network_id=f"vpc-{v:017x}", stateful=False,
                              evaluation="first-match", is_default=is_default, rules=tuple(rules))

    def nacls(self, v: int) -> tuple[str, str, str]:
        app, mgmt, data = subnet_cidr(v, 1), subnet_cidr(v, 3), subnet_cidr(v, 2)
        every = [(d, 100, "allow", "all", ALL_PORTS, "0.0.0.0/0") for d in ("ingress", "egress")]
        if has_ipv6(v):
            every += [(d, 101, "allow", "all", ALL_PORTS, "::/0") for d in ("ingress", "egress")]
        tcp = lambda port: (PortRange(first=port, last=port),)  # noqa: E731
        ids = (f"acl-{v:013x}0000", f"acl-{v:013x}0002", f"acl-{v:013x}0003")
        self.out["policies"] += [
            self.nacl(v, ids[0], every, is_default=True),
            self.nacl(v, ids[1], [
                ("ingress", 100, "allow", "tcp", tcp(5432), app), ("ingress", 110, "allow", "tcp", tcp(6379), app),
                ("ingress", 120, "allow", "tcp", tcp(22), mgmt), ("ingress", 130, "allow", "tcp", tcp(5432), "10.0.0.0/8"),
                ("ingress", 140, "allow", "tcp", EPHEMERAL, "0.0.0.0/0"), ("ingress", 200, "deny", "all", ALL_PORTS, "10.0.0.0/8"),
                ("egress", 100, "allow", "tcp", EPHEMERAL, "10.0.0.0/8"), ("egress", 110, "allow", "tcp", tcp(443), "0.0.0.0/0")]),
            self.nacl(v, ids[2], [
                ("ingress", 100, "allow", "tcp", tcp(22), CORPORATE), ("ingress", 110, "allow", "tcp", tcp(22), "10.0.0.0/8"),
                ("ingress", 120, "deny", "tcp", tcp(3389), "0.0.0.0/0"), ("ingress", 130, "allow", "tcp", EPHEMERAL, "0.0.0.0/0"),
                ("ingress", 140, "allow", "icmp", ALL_PORTS, "10.0.0.0/8"),
                ("egress", 100, "allow", "all", ALL_PORTS, "10.0.0.0/8"), ("egress", 110, "allow", "tcp", tcp(443), "0.0.0.0/0"),
                ("egress", 120, "allow", "tcp", tcp(80), "0.0.0.0/0"), ("egress", 130, "allow", "tcp", EPHEMERAL, "0.0.0.0/0")]),
        ]
        return ids[0], ids[1], ids[2]

    # -- one VPC --------------------------------------------------------------------
    def vpc(self, v: int, corp_pl: Peer) -> None:
        plan, out, env = self.plan, self.out, ENVIRONMENTS[v % 5]
        vid, name = f"vpc-{v:017x}", f"{env}-vpc-{v:04d}"
        cidrs = (vpc_cidr(v), v6(v)) if has_ipv6(v) else (vpc_cidr(v),)
        out["networks"].append(Network(**self.base(v, vid, name, {"Name": name, "Environment": env}), cidrs=cidrs))
        igw, nat, vpce = f"igw-{v:017x}", f"nat-{v:017x}", f"vpce-{v:017x}"
        public_subnet = f"subnet-{v:013x}0000"
        out["gateways"] += [
            Gateway(**self.base(v, igw, f"{name}-igw"), kind="internet", network_id=vid, requires_public_address=True),
            Gateway(**self.base(v, nat, f"{name}-nat"), kind="nat", network_id=vid, subnet_id=public_subnet,
                    private_ips=(subnet_cidr(v, 0).replace(".0/24", ".5"),)),
            Gateway(**self.base(v, vpce, f"{name}-s3"), kind="endpoint", network_id=vid, public=False, service=S3[1])]
        if has_ipv6(v):
            out["gateways"].append(Gateway(**self.base(v, f"eigw-{v:016x}", f"{name}-eigw"), kind="egress-only",
                                           network_id=vid))
        if tgw_attached(v):
            out["gateways"].append(Gateway(**self.base(v, f"tgw-attach-{v:017x}", f"{name}-tgw"), kind="transit",
                                           network_id=vid, public=False, service=plan.tgw(v)))
        local = [Route(destination=c, target_kind="local", target_id="local", origin="system") for c in cidrs]
        to_peers = [Route(destination=vpc_cidr(p), target_kind="peering", target_id=pcx) for p, pcx in plan.peers.get(v, ())]
        default_nat = Route(destination="0.0.0.0/0", target_kind="nat", target_id=nat)
        eigw = [Route(destination="::/0", target_kind="egress-only", target_id=f"eigw-{v:016x}")] if has_ipv6(v) else []
        tables = {
            "public": local + [Route(destination="0.0.0.0/0", target_kind="internet", target_id=igw)]
            + ([Route(destination="::/0", target_kind="internet", target_id=igw)] if has_ipv6(v) else []),
            "app": local + [default_nat, *eigw, *to_peers],
            "data": local + [Route(destination_prefix_list=S3[0], target_kind="endpoint", target_id=vpce)],
            "mgmt": local + [default_nat, *eigw, *to_peers]
            + ([Route(destination="10.0.0.0/8", target_kind="transit", target_id=plan.tgw(v))] if tgw_attached(v) else []),
        }
        out["route_tables"].append(RouteTable(**self.base(v, f"rtb-{v:013x}ffff", f"{name}-main"), network_id=vid,
                                              routes=tuple(local), is_main=True))
        default_acl, data_acl, mgmt_acl = self.nacls(v)
        acl = {"public": default_acl, "app": default_acl, "data": data_acl, "mgmt": mgmt_acl}
        for t, tier in enumerate(TIERS):
            rtb, sid = f"rtb-{v:013x}{t:04x}", f"subnet-{v:013x}{t:04x}"
            out["route_tables"].append(RouteTable(**self.base(v, rtb, f"{name}-{tier}"), network_id=vid,
                                                  routes=tuple(tables[tier])))
            sub_cidrs = (subnet_cidr(v, t), v6(v, t)) if has_ipv6(v) else (subnet_cidr(v, t),)
            out["subnets"].append(Subnet(**self.base(v, sid, f"{name}-{tier}", {"Name": f"{name}-{tier}",
                                                                               "Zone": ZONE[tier]}),
                                         network_id=vid, cidrs=sub_cidrs, route_table_ids=(rtb,),
                                         policy_ids=(acl[tier],), assigns_public_ips=tier == "public"))
        out["policies"].append(FirewallPolicy(
            **self.base(v, sg_id(v, 0), "default"), kind="security-group", network_id=vid, stateful=True,
            evaluation="union", is_default=True, rules=tuple(sorted(
                (self.rule("ingress", "all", None, Peer(kind="group", value=sg_id(v, 0))),
                 self.rule("egress", "all", None, ANY4)), key=lambda x: (x.direction, x.id)))))
        for g in range(1, plan.sgs_per_vpc):
            tier = plan.tier_of(g)
            out["policies"].append(FirewallPolicy(
                **self.base(v, sg_id(v, g), f"{env}-{tier}-{g:03d}"), kind="security-group", network_id=vid,
                stateful=True, evaluation="union", rules=tuple(self.sg_rules(v, g, tier, corp_pl))))
        self.interfaces(v, vid, name)

    def interfaces(self, v: int, vid: str, name: str) -> None:
        plan, rnd = self.plan, self.rnd
        hosts = [10] * len(TIERS)
        nat_eni = f"eni-{v:08x}{0xfffffffff:09x}"
        self.out["workloads"].append(Workload(
            **self.base(v, nat_eni, tags={}), network_id=vid, subnet_id=f"subnet-{v:013x}0000",
            private_ips=(subnet_cidr(v, 0).replace(".0/24", ".5"),), owner_kind="nat", owner_id=f"nat-{v:017x}"))
        access = sg_id(v, plan.tier_groups["mgmt"][0])
        for i in range(2 * plan.sgs_per_vpc):
            g = 1 + i % (plan.sgs_per_vpc - 1)
            tier = plan.tier_of(g)
            t = TIERS.index(tier)
            ips = [subnet_cidr(v, t).replace(".0/24", f".{hosts[t]}")]
            hosts[t] += 1
            if rnd.random() < 0.10:  # a secondary private address
                ips.append(subnet_cidr(v, t).replace(".0/24", f".{hosts[t]}"))
                hosts[t] += 1
            assert hosts[t] < 255, "too many interfaces for a /24"
            if has_ipv6(v):
                ips.append(v6(v, t, hosts[t]))
            public = ()
            if tier == "public":
                p = next(self.public_ips)
                public = (f"198.{18 + (p >> 16)}.{(p >> 8) & 255}.{p & 255}",)
            groups = (sg_id(v, g), access) if rnd.random() < 0.10 and sg_id(v, g) != access else (sg_id(v, g),)
            eni, instance = f"eni-{v:08x}{i:09x}", f"i-{v:08x}{i:09x}"
            detached = rnd.random() < 0.01
            label = f"{name}-{tier}-{i:03d}"
            self.out["workloads"].append(Workload(
                **self.base(v, eni, label), network_id=vid, subnet_id=f"subnet-{v:013x}{t:04x}",
                private_ips=tuple(ips), public_ips=public, policy_ids=groups,
                owner_kind="other" if detached else "instance", owner_id="" if detached else instance,
                owner_name="" if detached else label))

    # -- the estate -----------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        plan, out = self.plan, self.out
        accounts = sorted({plan.account(v) for v in range(plan.vpcs)})
        out["accounts"] = [Account(provider="aws", id=a) for a in accounts]
        first_vpc = {plan.account(v): v for v in reversed(range(plan.vpcs))}
        corp = corporate_prefix_list()
        for acct in accounts:
            v = first_vpc[acct]
            out["prefix_lists"].append(PrefixList(**self.base(v, self.corp_pl_id(acct), "corporate-networks"),
                                                  cidrs=corp))
            # AWS-managed lists: the same id in every account of the region.
            out["prefix_lists"] += [PrefixList(**self.base(v, pl, pl_name), cidrs=cidrs)
                                    for pl, pl_name, cidrs in (S3, DYNAMODB, CLOUDFRONT)]
        for v in range(plan.vpcs):
            self.vpc(v, Peer(kind="prefix-list", value=self.corp_pl_id(plan.account(v))))
            for p, pcx in plan.peers.get(v, ()):
                out["peerings"].append(Peering(
                    **self.base(v, f"{pcx}/vpc-{v:017x}", pcx), network_id=f"vpc-{v:017x}",
                    peer_network_id=f"vpc-{p:017x}", peer_account=plan.account(p), peer_region=REGION))
        self.hubs()
        return Snapshot(**{k: tuple(items) for k, items in out.items()})

    def hubs(self) -> None:
        """Each transit gateway with two route tables, as segregated hubs are built: prod
        attachments associate with a table that propagates prod and shared VPCs only;
        shared attachments with one that propagates every attached VPC."""
        plan, out = self.plan, self.out
        attached = [v for v in range(plan.vpcs) if tgw_attached(v)]
        for tgw in sorted({plan.tgw(v) for v in attached}):
            mine = [v for v in attached if plan.tgw(v) == tgw]
            v0 = mine[0]
            out["hubs"].append(Hub(**self.base(v0, tgw, f"{tgw}-hub")))
            tables = {"prod": f"tgw-rtb-{tgw[4:]}-prod", "shared": f"tgw-rtb-{tgw[4:]}-shared"}
            for v in mine:
                env = ENVIRONMENTS[v % 5]
                out["hub_attachments"].append(HubAttachment(
                    **self.base(v, f"tgw-attach-{v:017x}", f"{env}-vpc-{v:04d}-tgw"), hub_id=tgw, kind="network",
                    network_id=f"vpc-{v:017x}", subnet_ids=(f"subnet-{v:013x}{TIERS.index('mgmt'):04x}",),
                    route_table_id=tables["shared" if env == "shared" else "prod"]))

            def propagated(vs: list[int]) -> tuple[Route, ...]:
                return tuple(Route(destination=vpc_cidr(v), target_kind="transit", target_id=f"tgw-attach-{v:017x}",
                                   origin="propagated", priority=1) for v in vs)
            out["hub_route_tables"] += [
                HubRouteTable(**self.base(v0, tables["prod"], "prod"), hub_id=tgw,
                              routes=propagated([v for v in mine if ENVIRONMENTS[v % 5] in ("prod", "shared")])),
                HubRouteTable(**self.base(v0, tables["shared"], "shared"), hub_id=tgw, routes=propagated(mine))]

    @staticmethod
    def corp_pl_id(account: str) -> str:
        return f"pl-0c{int(account):015x}"


def build(sgs: int = 1000, seed: int = 12, sgs_per_vpc: int | None = None) -> Snapshot:
    """One account of `sgs` security groups (BIG: the item-3 snapshot)."""
    per = sgs_per_vpc or (BIG_SGS_PER_VPC if sgs >= BIG else SGS_PER_VPC)
    return _Builder(Plan(vpcs=max(5, sgs // per), sgs_per_vpc=per, vpcs_per_account=0, cross_account=False),
                    seed).snapshot()


def build_accounts(accounts: int = 100, sgs_per_account: int = 100, seed: int = 12,
                   cross_account: bool = True) -> list[Snapshot]:
    """The same shape over `accounts` accounts, one Snapshot each (as one collector job per
    account writes them). cross_account: one transit gateway shared by all and the
    same-environment peerings between accounts; else every account stands alone."""
    per_account = max(5, sgs_per_account // SGS_PER_VPC)
    plan = Plan(vpcs=accounts * per_account, sgs_per_vpc=SGS_PER_VPC, vpcs_per_account=per_account,
                cross_account=cross_account)
    return split_by_account(_Builder(plan, seed).snapshot())


def split_by_account(snapshot: Snapshot) -> list[Snapshot]:
    """One Snapshot per account, each holding only what that account owns."""
    parts: dict[str, dict[str, list]] = {a.id: {k: [] for k in Snapshot.__dataclass_fields__} for a in snapshot.accounts}
    for name in Snapshot.__dataclass_fields__:
        for item in getattr(snapshot, name):
            parts[item.id if name == "accounts" else item.account][name].append(item)
    return [Snapshot(**{k: tuple(v) for k, v in parts[a].items()}) for a in sorted(parts)]
