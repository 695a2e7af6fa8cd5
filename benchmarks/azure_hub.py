"""A synthetic Azure hub-and-spoke estate, deterministic by seed (issue 12, item 1, Azure shape).

A hub VNet in the connectivity subscription holds an Azure Firewall (gateway kind
"appliance" with its "appliance-firewall" network rules, as providers/azure/firewall.py
writes them) and a management subnet. 200 spoke VNets over twenty landing-zone
subscriptions are peered with the hub only; each has web/app/data subnets (placed in
zones by name) whose NSGs name application security groups and service tags
(VirtualNetwork, AzureLoadBalancer, Internet, Storage, AzureFrontDoor.Backend) next to
Azure's six default rules, and one UDR sending 0.0.0.0/0 and 10.0.0.0/8 to the firewall,
so spoke-to-spoke traffic crosses it. The 200 spokes are fixed; `workloads` (2,000 or
20,000 NICs) sets the applications per spoke (ten NICs each, with their own ASGs, NSG
rules and firewall rule), so what rules tell apart grows with the estate.
"""
from __future__ import annotations

import random
from itertools import count

from synth import cidrs, port_ranges

from scanner.model import (
    Account, FirewallPolicy, Gateway, Network, Peer, Peering, Route, RouteTable, Rule, Snapshot,
    Subnet, Workload,
)

REGION = "westeurope"
HUB_SPACE, FIREWALL_IP, MGMT = "10.0.0.0/16", "10.0.0.4", "10.0.1.0/24"
CORPORATE = "198.51.100.0/24"
TIERS = ("web", "app", "data")
ASG = {"web": "asg-web", "app": "asg-app", "data": "asg-db", "monitoring": "asg-monitoring"}
PORTS = {"web": (443, 8443), "app": (8080, 8443, 9000), "data": (1433, 5432, 6379)}
APP_SIZE = 10  # NICs per application (web, app and data tiers, each with its own ASG)
SYSTEM, USER = 100, 0  # route priorities as the normalizer writes them
LB_PROBE = ("168.63.129.16/32",)


def subscription(a: int) -> str:
    return f"{a:08x}-0000-4000-8000-00000000a2e0"


def rg(sub: str, group: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Network"


HUB_SUB = subscription(0)
HUB_RG = rg(HUB_SUB, "rg-connectivity")
HUB = f"{HUB_RG}/virtualNetworks/vnet-hub"
FIREWALL = f"{HUB_RG}/azureFirewalls/fw-hub"
FIREWALL_RULES = f"{FIREWALL}/networkRules"


def spoke_space(s: int) -> str:
    return f"10.{1 + s}.0.0/16"


def spoke_subnet(s: int, t: int) -> str:
    return f"10.{1 + s}.{t}.0/24"


def default_rules(nsg: str, vnet_tag: tuple[str, ...]) -> list[Rule]:
    """Azure's six default security rules, ids as ARM gives them."""
    vnet = Peer(kind="service-tag", value="VirtualNetwork", cidrs=vnet_tag)
    lb = Peer(kind="service-tag", value="AzureLoadBalancer", cidrs=LB_PROBE)
    anywhere, internet = Peer(kind="any"), Peer(kind="internet", value="Internet")
    out = []
    for name, direction, action, priority, peer, targets in (
            ("AllowVnetInBound", "ingress", "allow", 65000, vnet, (vnet,)),
            ("AllowAzureLoadBalancerInBound", "ingress", "allow", 65001, lb, ()),
            ("DenyAllInBound", "ingress", "deny", 65500, anywhere, ()),
            ("AllowVnetOutBound", "egress", "allow", 65000, vnet, (vnet,)),
            ("AllowInternetOutBound", "egress", "allow", 65001, internet, ()),
            ("DenyAllOutBound", "egress", "deny", 65500, anywhere, ())):
        out.append(Rule(id=f"{nsg}/defaultSecurityRules/{name}", name=name, direction=direction, action=action,
                        priority=priority, peers=(peer,), targets=targets, platform_default=True))
    return out


class _Builder:
    def __init__(self, workloads: int, spokes: int, subscriptions: int, seed: int) -> None:
        assert spokes <= 250 and workloads <= spokes * 3 * 240, "10.1-250.0.0/16 spokes, 240 NICs per subnet"
        self.workloads, self.spokes, self.subs, self.rnd = workloads, spokes, subscriptions, random.Random(seed)
        self.apps = -(-workloads // (spokes * APP_SIZE))  # applications per spoke
        assert self.apps <= 100, "NSG priorities hold 100 applications per spoke"
        # Every application's app tier serves one client application in another spoke.
        self.partners = {(s, a): (self.rnd.choice([o for o in range(spokes) if o != s]), self.rnd.choice(PORTS["app"]))
                         for s in range(spokes) for a in range(self.apps) if spokes > 1}
        self.out: dict[str, list] = {k: [] for k in Snapshot.__dataclass_fields__}

    def sub(self, s: int) -> str:
        return subscription(1 + s % self.subs)

    def spoke_rg(self, s: int) -> str:
        return rg(self.sub(s), f"rg-spoke-{s:03d}")

    def vnet(self, s: int) -> str:
        return f"{self.spoke_rg(s)}/virtualNetworks/vnet-spoke-{s:03d}"

    def subnet_id(self, s: int, t: int) -> str:
        return f"{self.vnet(s)}/subnets/snet-{TIERS[t]}"

    def asg(self, s: int, tier: str, app: int | None = None) -> str:
        name = ASG[tier] if app is None else f"{ASG[tier]}-{app:02d}"
        return f"{self.spoke_rg(s)}/applicationSecurityGroups/{name}"

    def base(self, sub: str, id: str, name: str) -> dict:
        return dict(provider="azure", account=sub, region=REGION, id=id, name=name)

    def nsg(self, s: int, t: int) -> FirewallPolicy:
        rnd, tier, sub = self.rnd, TIERS[t], self.sub(s)
        nsg = f"{self.spoke_rg(s)}/networkSecurityGroups/nsg-spoke-{s:03d}-{tier}"
        vnet_tag = (spoke_space(s), HUB_SPACE)
        internet, vnet = Peer(kind="internet", value="Internet"), Peer(kind="service-tag", value="VirtualNetwork",
                                                                        cidrs=vnet_tag)
        storage = Peer(kind="service-tag", value="Storage")
        group = lambda tier_, app: Peer(kind="app-group", value=self.asg(s, tier_, app))  # noqa: E731
        rules: list[tuple] = []  # (direction, action, priority, ports, peers, targets)
        for a in range(self.apps):  # each application's own ASGs and rules, priorities 100-2990
            me, p = (group(tier, a),), 100 + 10 * a
            if tier == "web":
                rules += [("ingress", "allow", p, (443,), (internet,), me),
                          ("egress", "allow", p, (8080,), (group("app", a),), me)]
            elif tier == "app":
                rules += [("ingress", "allow", p, (8080,), (group("web", a),), me),
                          ("egress", "allow", p, (1433, 5432), (group("data", a),), me)]
            else:
                rules.append(("ingress", "allow", p, PORTS["data"], (group("app", a),), me))
            if tier == "app" and (s, a) in self.partners:  # its client in another spoke, through the firewall
                o, port = self.partners[(s, a)]
                rules.append(("ingress", "allow", 2000 + 10 * a, (port,), cidrs(spoke_subnet(o, 1)), me))
        if tier == "web":
            rules.append(("ingress", "allow", 1900, (443,), (Peer(kind="service-tag", value="AzureFrontDoor.Backend"),), ()))
        else:
            rules.append(("egress", "allow", 1900, (443,), (storage,), ()))
        if tier == "app":  # calls to partner applications in other spokes
            rules.append(("egress", "allow", 1930, PORTS["app"], cidrs("10.0.0.0/8"), ()))
        rules.append(("ingress", "deny", 4000, (), (vnet,), ()))  # the VNet is not flat: only the rules above
        if tier == "data":
            rules.append(("egress", "deny", 4000, (), (internet,), ()))
        rules += [("ingress", "allow", 1910, (22,), cidrs(MGMT), ()),
                  ("ingress", "allow", 1920, (9100,), cidrs(MGMT), (Peer(kind="app-group", value=self.asg(s, "monitoring")),)),
                  ("ingress", "deny", 4010, (3389,), (internet,), ())]
        out = [Rule(id=f"{nsg}/securityRules/r{p}-{d}", name=f"r{p}-{d}", direction=d, action=a, priority=p,
                    protocol="tcp" if ports else "all", ports=port_ranges(ports), peers=peers, targets=targets)
               for d, a, p, ports, peers, targets in rules]
        out += default_rules(nsg, vnet_tag)
        out.sort(key=lambda r: (r.direction, r.priority, r.name))
        return FirewallPolicy(**self.base(sub, nsg, nsg.rsplit("/", 1)[1]), kind="nsg", network_id=self.vnet(s),
                              stateful=True, evaluation="first-match", rules=tuple(out))

    def hub_nsg(self) -> FirewallPolicy:
        """Jump hosts: SSH and RDP from the corporate range only."""
        nsg = f"{HUB_RG}/networkSecurityGroups/nsg-hub-mgmt"
        vnet_tag = (HUB_SPACE, *(spoke_space(s) for s in range(self.spokes)))
        rules = [Rule(id=f"{nsg}/securityRules/jump-in", name="jump-in", direction="ingress", priority=100,
                      protocol="tcp", ports=port_ranges((22, 3389)), peers=cidrs(CORPORATE)),
                 Rule(id=f"{nsg}/securityRules/deny-vnet", name="deny-vnet", direction="ingress", action="deny",
                      priority=4000, peers=(Peer(kind="service-tag", value="VirtualNetwork", cidrs=vnet_tag),)),
                 *default_rules(nsg, vnet_tag)]
        rules.sort(key=lambda r: (r.direction, r.priority, r.name))
        return FirewallPolicy(**self.base(HUB_SUB, nsg, "nsg-hub-mgmt"), kind="nsg", network_id=HUB, stateful=True,
                              evaluation="first-match", rules=tuple(rules))

    def firewall_rules(self) -> FirewallPolicy:
        rnd, scale = self.rnd, 100 * 100000  # rule collection group 100, as firewall.py ranks them

        def rule(collection: str, priority: int, name: str, action: str, ports, sources, destinations,
                 protocol: str = "tcp") -> Rule:
            return Rule(id=f"{FIREWALL}/ruleCollections/{collection}/rules/{name}/{protocol}", name=f"{collection}/{name}",
                        direction="ingress", action=action, priority=scale + priority, protocol=protocol,
                        ports=port_ranges(ports), peers=cidrs(*sources), targets=cidrs(*destinations))

        rules = [rule("deny-rdp", 100, "rdp", "deny", (3389,), ("10.0.0.0/8",), ("10.0.0.0/8",)),
                 rule("platform", 300, "ssh-from-mgmt", "allow", (22,), (MGMT,), ("10.0.0.0/8",)),
                 rule("platform", 300, "dns", "allow", (53,), ("10.0.0.0/8",), ("10.0.1.10/32",), protocol="udp")]
        for (s, a), (o, port) in sorted(self.partners.items()):
            sources = [spoke_space(o)] + [spoke_space(x) for x in rnd.sample(range(self.spokes), 2) if x not in (s, o)]
            rules.append(rule("spoke-to-spoke", 200, f"to-spoke-{s:03d}-{a:02d}", "allow",
                              (port, rnd.choice(PORTS["app"])), sources, (spoke_subnet(s, 1),)))
        rules.append(Rule(id=f"{FIREWALL}/implicitDeny", name="ImplicitDeny", direction="ingress", action="deny",
                          priority=scale + 65536, peers=(Peer(kind="any"),), platform_default=True))
        return FirewallPolicy(**self.base(HUB_SUB, FIREWALL_RULES, "fw-hub network rules"), kind="appliance-firewall",
                              network_id=HUB, stateful=True, evaluation="first-match", rules=tuple(rules))

    def system_routes(self, sub: str, subnet: str, vnet: str, space: str, peers: list[tuple[str, str]]) -> RouteTable:
        routes = [Route(destination=space, target_kind="local", target_id=vnet, priority=SYSTEM, origin="system")]
        routes += [Route(destination=c, target_kind="peering", target_id=pid, priority=SYSTEM, origin="system")
                   for c, pid in peers]
        routes.append(Route(destination="0.0.0.0/0", target_kind="internet", target_id=f"{vnet}/internet",
                            priority=SYSTEM, origin="system"))
        return RouteTable(**self.base(sub, f"{subnet}/system-routes", f"{subnet.rsplit('/', 1)[1]} system routes"),
                          network_id=vnet, routes=tuple(routes))

    def snapshot(self) -> Snapshot:
        out, rnd = self.out, self.rnd
        hub_peers = [(spoke_space(s), f"{HUB}/virtualNetworkPeerings/peer-to-spoke-{s:03d}") for s in range(self.spokes)]
        out["networks"].append(Network(**self.base(HUB_SUB, HUB, "vnet-hub"), cidrs=(HUB_SPACE,)))
        out["gateways"] += [
            Gateway(**self.base(HUB_SUB, f"{HUB}/internet", "vnet-hub default outbound"), kind="internet",
                    network_id=HUB),
            Gateway(**self.base(HUB_SUB, FIREWALL, "fw-hub"), kind="appliance", network_id=HUB,
                    subnet_id=f"{HUB}/subnets/AzureFirewallSubnet", private_ips=(FIREWALL_IP,),
                    policy_ids=(FIREWALL_RULES,))]
        out["policies"].append(self.firewall_rules())
        mgmt_nsg = self.hub_nsg()
        out["policies"].append(mgmt_nsg)
        for name, cidr, nsgs in (("AzureFirewallSubnet", "10.0.0.0/26", ()), ("snet-mgmt", MGMT, (mgmt_nsg.id,))):
            sid = f"{HUB}/subnets/{name}"
            out["route_tables"].append(self.system_routes(HUB_SUB, sid, HUB, HUB_SPACE, hub_peers))
            out["subnets"].append(Subnet(**self.base(HUB_SUB, sid, name), network_id=HUB, cidrs=(cidr,),
                                         route_table_ids=(f"{sid}/system-routes",), policy_ids=nsgs))
        for j in range(4):  # jump hosts
            nic = f"{HUB_RG}/networkInterfaces/nic-jump-{j}"
            out["workloads"].append(Workload(**self.base(HUB_SUB, nic, f"jump-{j}"), network_id=HUB,
                                             subnet_id=f"{HUB}/subnets/snet-mgmt", private_ips=(f"10.0.1.{10 + j}",),
                                             owner_id=f"{HUB_RG.rsplit('/providers', 1)[0]}/providers/"
                                             f"Microsoft.Compute/virtualMachines/jump-{j}", owner_name=f"jump-{j}"))
        for s in range(self.spokes):
            self.spoke(s)
        hosts = {}
        public = count(1)
        for i in range(self.workloads):
            s, j = i % self.spokes, i // self.spokes
            t, app = j % len(TIERS), j // len(TIERS) % self.apps
            tier, sub = TIERS[t], self.sub(s)
            host = hosts[(s, t)] = hosts.get((s, t), 3) + 1
            name = f"vm-{s:03d}-{tier}-{i:05d}"
            groups = [self.asg(s, tier, app)]
            if rnd.random() < 0.2:
                groups.append(self.asg(s, "monitoring"))
            ext = ()
            if tier == "web" and rnd.random() < 0.05:
                p = next(public)
                ext = (f"198.18.{p >> 8}.{p & 255}",)
            out["workloads"].append(Workload(
                **self.base(sub, f"{self.spoke_rg(s)}/networkInterfaces/nic-{i:05d}", f"nic-{i:05d}"),
                network_id=self.vnet(s), subnet_id=self.subnet_id(s, t),
                private_ips=(spoke_subnet(s, t).replace(".0/24", f".{host}"),), public_ips=ext,
                app_groups=tuple(groups), owner_kind="instance", owner_name=name,
                owner_id=f"{self.spoke_rg(s).rsplit('/providers', 1)[0]}/providers/Microsoft.Compute/virtualMachines/{name}"))
        subs = sorted({HUB_SUB, *(self.sub(s) for s in range(self.spokes))})
        out["accounts"] = [Account(provider="azure", id=a, name="connectivity" if a == HUB_SUB else f"landing-zone-{a[:8]}")
                           for a in subs]
        return Snapshot(**{k: tuple(v) for k, v in out.items()})

    def spoke(self, s: int) -> None:
        out, sub, vnet = self.out, self.sub(s), self.vnet(s)
        to_hub = f"{vnet}/virtualNetworkPeerings/peer-to-hub"
        out["networks"].append(Network(**self.base(sub, vnet, vnet.rsplit("/", 1)[1]), cidrs=(spoke_space(s),)))
        out["gateways"].append(Gateway(**self.base(sub, f"{vnet}/internet", f"vnet-spoke-{s:03d} default outbound"),
                                       kind="internet", network_id=vnet))
        out["peerings"] += [
            Peering(**self.base(sub, to_hub, "peer-to-hub"), network_id=vnet, peer_network_id=HUB,
                    peer_account=HUB_SUB, peer_region=REGION, route_exchange="automatic", forwarded_traffic=True),
            Peering(**self.base(HUB_SUB, f"{HUB}/virtualNetworkPeerings/peer-to-spoke-{s:03d}", f"peer-to-spoke-{s:03d}"),
                    network_id=HUB, peer_network_id=vnet, peer_account=sub, peer_region=REGION,
                    route_exchange="automatic", forwarded_traffic=True)]
        udr = f"{self.spoke_rg(s)}/routeTables/rt-spoke-{s:03d}"
        out["route_tables"].append(RouteTable(**self.base(sub, udr, f"rt-spoke-{s:03d}"), network_id=vnet, routes=(
            Route(destination="0.0.0.0/0", target_kind="appliance", target_id=FIREWALL_IP, priority=USER),
            Route(destination="10.0.0.0/8", target_kind="appliance", target_id=FIREWALL_IP, priority=USER))))
        for t, tier in enumerate(TIERS):
            sid = self.subnet_id(s, t)
            nsg = self.nsg(s, t)
            out["policies"].append(nsg)
            out["route_tables"].append(self.system_routes(sub, sid, vnet, spoke_space(s), [(HUB_SPACE, to_hub)]))
            out["subnets"].append(Subnet(**self.base(sub, sid, f"snet-{tier}"), network_id=vnet,
                                         cidrs=(spoke_subnet(s, t),), route_table_ids=(f"{sid}/system-routes", udr),
                                         policy_ids=(nsg.id,)))


def build(workloads: int = 2000, seed: int = 12, spokes: int = 200, subscriptions: int = 20) -> Snapshot:
    return _Builder(workloads, spokes, subscriptions, seed).snapshot()
