"""The engine against the pairwise reference on random estates of every cloud.

For every workload: the same sources reach it on the same ports through the same
(ingress-side) rules, zone by zone and pair by pair; the estate's zone flows and the
live rules are the same too.
"""
from __future__ import annotations

import random
from collections import defaultdict

from hypothesis import HealthCheck, given, settings, strategies as st

from builder import (
    Estate, hub_blackhole, hub_route, allow_in, allow_out, app_group, azure_default_rules, cidr, deny_in, deny_out, group,
    internet_peer, local,
    prefix_list, route, service_account, service_tag, tag,
)
from reference_reach import ReferenceReachability
from scanner.context import AuditContext
from scanner.model import Peer, Route
from scanner.reach import Reachability

PORTS = [22, 80, 443, 5432, (8000, 8999), 3389, 53]
PROTOCOLS = ["tcp", "tcp", "tcp", "udp", "all", "icmp"]


def _port(rng):
    return None if rng.random() < 0.15 else rng.choice(PORTS)


def _proto(rng):
    p = rng.choice(PROTOCOLS)
    return p, (None if p in ("all", "icmp") else _port(rng))


class Random:
    """A random estate of one cloud, small enough for the reference."""

    def __init__(self, seed: int, provider: str) -> None:
        self.rng, self.provider = random.Random(seed), provider
        self.e = Estate(provider)
        self.nets, self.subnets, self.cidrs, self.policies = [], [], ["10.0.0.0/8", "0.0.0.0/0"], []
        self.appliances = []

    def build(self):
        rng, e = self.rng, self.e
        self.pl = e.prefix_list("pl-1", *rng.sample(["10.1.0.0/16", "10.2.1.0/24", "192.168.0.0/16", "10.3.0.0/28"], 2))
        for n in range(rng.randint(1, 3)):
            self.nets.append(e.network(f"net-{n}", f"10.{n + 1}.0.0/16", flat=False))
            self.cidrs.append(f"10.{n + 1}.0.0/16")
        e.gateway("igw", "internet", self.nets[0], requires_public_address=self.provider != "azure")
        if rng.random() < 0.5:
            fw = e.policy("fw-rules", self.nets[0], kind="appliance-firewall",
                          rules=self._first_match_rules(ingress_only=True, targets=True))
            self.appliances.append(e.gateway("fw-1", "appliance", self.nets[0], private_ips=("10.1.250.4",),
                                             policy_ids=(fw.id,)))
        pairs = [(a, b) for a in range(len(self.nets)) for b in range(a + 1, len(self.nets))]
        peered = set()
        for a, b in pairs:
            if rng.random() < 0.6:
                state = "active" if rng.random() < 0.85 else "inactive"
                exchange = "explicit" if self.provider == "aws" else "automatic"
                e.peering(f"pcx-{a}{b}/net-{a}", self.nets[a], self.nets[b], name=f"pcx-{a}{b}", state=state,
                          route_exchange=exchange)
                e.peering(f"pcx-{a}{b}/net-{b}", self.nets[b], self.nets[a], name=f"pcx-{a}{b}", state=state,
                          route_exchange=exchange)
                peered |= {(a, b), (b, a)}
        self._network_policies()
        for n, network in enumerate(self.nets):
            for s in range(rng.randint(1, 3)):
                self._subnet(n, s, network, peered)
        if rng.random() < 0.6:
            self._hub()
        return e.snapshot()

    def _hub(self) -> None:
        """tgw-1 with its own tables: attachments associate with one of two tables, whose
        routes (static, propagated, blackhole) decide which networks meet."""
        rng, e = self.rng, self.e
        hub = e.hub("tgw-1")
        tables = ["tgw-rtb-a", "tgw-rtb-b"]
        for n, network in enumerate(self.nets):
            if rng.random() < 0.8:
                subnets = [s for s in e.items["subnets"] if s.network_id == network.id][:1]
                e.hub_attachment(f"att-{n}", hub, network=network, subnets=subnets,
                                 route_table=rng.choice(tables + [""]))
        for t in tables:
            routes = []
            for n in range(len(self.nets)):
                roll = rng.random()
                if roll < 0.5:
                    routes.append(hub_route(f"10.{n + 1}.0.0/16", f"att-{n}", origin="propagated"))
                elif roll < 0.7:
                    routes.append(hub_route(f"10.{n + 1}.0.0/16", f"att-{rng.randrange(len(self.nets))}"))
                elif roll < 0.8:
                    routes.append(hub_blackhole(f"10.{n + 1}.0.0/16"))
            e.hub_route_table(t, hub, routes=routes)

    # -- routes ------------------------------------------------------------------------
    def _routes(self, n: int, peered: set) -> list:
        rng = self.rng
        routes = [local(f"10.{n + 1}.0.0/16")]
        if rng.random() < 0.6:
            routes.append(route("0.0.0.0/0", rng.choice(["internet", "nat", "appliance"]),
                                rng.choice(["igw", "nat-1", "10.1.250.4", "fw-1"])))
        for m in range(len(self.nets)):
            if m == n:
                continue
            roll = rng.random()
            if (n, m) in peered and roll < 0.6:
                a, b = sorted((n, m))
                routes.append(route(f"10.{m + 1}.0.0/16", "peering", f"pcx-{a}{b}", active=rng.random() < 0.9))
            elif roll < 0.8:
                routes.append(route(f"10.{m + 1}.0.0/16", rng.choice(["transit", "appliance", "none"]),
                                    rng.choice(["tgw-1", "fw-1", "10.1.250.4"])))
        if rng.random() < 0.3:
            routes.append(route("10.0.0.0/8", "transit", "tgw-1"))
        if rng.random() < 0.2:
            routes.append(route(f"10.{n + 1}.1.8/29", "appliance", "fw-1"))
        if rng.random() < 0.2:
            routes.append(Route(destination_prefix_list="pl-1", target_kind="endpoint", target_id="vpce-1"))
        if self.provider == "gcp" and rng.random() < 0.3:
            routes.append(route("0.0.0.0/0", "internet", "igw", instance_tags=("web",), priority=100))
        return routes

    def _subnet(self, n: int, s: int, network, peered: set) -> None:
        rng, e = self.rng, self.e
        table = e.route_table(f"rt-{n}-{s}", network, routes=self._routes(n, peered))
        block = f"10.{n + 1}.{s}.0/24"
        self.cidrs.append(block)
        policies = []
        if self.provider == "aws" and rng.random() < 0.5:
            policies.append(self._nacl(network, f"acl-{n}-{s}"))
        if self.provider == "azure" and rng.random() < 0.7:
            policies.append(e.policy(f"nsg-sub-{n}-{s}", network, rules=self._first_match_rules(targets=True)))
        # Two availability zones: a hub attachment carries only from subnets in its own zones.
        subnet = e.subnet(f"sn-{n}-{s}", network, block, route_tables=[table], policies=policies,
                          tags={"Zone": rng.choice(["dmz", "internal", "data", "management"])},
                          availability_zone=rng.choice(["az-a", "az-b"]) if self.provider == "aws" else "")
        for w in range(rng.randint(1, 4)):
            self._workload(n, s, w, subnet, network)

    def _workload(self, n: int, s: int, w: int, subnet, network) -> None:
        rng, e = self.rng, self.e
        ips = [f"10.{n + 1}.{s}.{10 + w}"]
        if rng.random() < 0.15:
            ips.append(f"10.{n + 1}.{s}.{100 + w}")
        kw = {}
        if self.provider == "aws":
            sgs = [self._sg(network, f"sg-{n}-{s}-{w}")]
            if self.policies and rng.random() < 0.4:
                sgs.append(rng.choice(self.policies))
            kw["policies"] = sgs
        elif self.provider == "gcp":
            kw["network_tags"] = rng.sample(["web", "app", "db", "ssh"], rng.randint(0, 2))
            kw["service_accounts"] = rng.sample(["sa-a", "sa-b"], rng.randint(0, 1))
        else:
            kw["app_groups"] = rng.sample(["asg-web", "asg-app", "asg-db"], rng.randint(0, 2))
            if rng.random() < 0.7:
                kw["policies"] = [e.policy(f"nsg-nic-{n}-{s}-{w}", network, rules=self._first_match_rules())]
        public = f"198.51.{n}.{s * 16 + w}" if rng.random() < 0.3 else None
        e.workload(f"wl-{n}-{s}-{w}", subnet, *ips, public_ip=public, **kw)

    # -- rules -------------------------------------------------------------------------
    def _peer(self) -> Peer:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            # 128.0.0.0/1 and the Internet tag admit the internet and hold no workload
            return cidr(rng.choice(self.cidrs + ["10.1.0.8/29", "203.0.113.0/24", "128.0.0.0/1"]))
        if self.provider == "azure" and roll < 0.5:
            return internet_peer()
        if self.provider == "aws":
            if roll < 0.75 and self.policies:
                return group(rng.choice(self.policies))
            return prefix_list(self.pl)
        if self.provider == "gcp":
            return tag(rng.choice(["web", "app", "db", "ssh"])) if roll < 0.8 else service_account("sa-a")
        if roll < 0.8:
            return app_group(rng.choice(["asg-web", "asg-app", "asg-db"]))
        return service_tag("VirtualNetwork", "10.0.0.0/8") if roll < 0.9 else Peer(kind="any")

    def _sg(self, network, id: str):
        rng = self.rng
        rules = []
        for _ in range(rng.randint(0, 4)):
            p, port = _proto(rng)
            rules.append(allow_in(p, port, self._peer()))
        if rng.random() < 0.6:
            rules.append(allow_out("all", None, cidr("0.0.0.0/0")))
        for _ in range(rng.randint(0, 2)):
            p, port = _proto(rng)
            rules.append(allow_out(p, port, self._peer()))
        sg = self.e.policy(id, network, rules=rules)
        self.policies.append(sg)
        return sg

    def _nacl(self, network, id: str):
        rules = self._first_match_rules(priorities=True)
        return self.e.policy(id, network, rules=rules, kind="network-acl")

    def _target(self, appliance: bool) -> Peer:
        """What a first-match rule is about: GCP tags and service accounts, Azure ASGs (NSGs)
        and destination ranges (Azure Firewall)."""
        rng = self.rng
        if appliance:
            return cidr(rng.choice(self.cidrs[2:] + ["10.0.0.0/8", "10.1.0.8/29"]))
        if self.provider == "gcp":
            return tag(rng.choice(["web", "app", "db", "ssh"])) if rng.random() < 0.7 else service_account(
                rng.choice(["sa-a", "sa-b"]))
        return app_group(rng.choice(["asg-web", "asg-app", "asg-db"]))

    def _first_match_rules(self, priorities: bool = True, ingress_only: bool = False, targets: bool = False,
                           actions: tuple = ("allow", "deny")) -> list:
        rng = self.rng
        rules = []
        for i in range(rng.randint(1, 5)):
            p, port = _proto(rng)
            make = rng.choice([allow_in, allow_in, deny_in] if ingress_only else [allow_in, deny_in, allow_out, deny_out])
            kw = {"priority": 100 + 10 * rng.randint(0, 5)}
            if targets and rng.random() < 0.5:
                kw["targets"] = tuple(self._target(ingress_only) for _ in range(rng.choice((1, 1, 2))))
            if "next" in actions and make in (allow_in, allow_out) and rng.random() < 0.4:
                kw["action"] = "next"
            if rng.random() < 0.05:
                kw["enabled"] = False
            rules.append(make(p, port, self._peer(), **kw))
        if self.provider == "azure" and not ingress_only:
            rules += azure_default_rules("10.0.0.0/8")
        elif not ingress_only and rng.random() < 0.7:
            rules += [allow_in("all", None, cidr("0.0.0.0/0"), priority=900),
                      allow_out("all", None, cidr("0.0.0.0/0"), priority=900)]
        return rules

    def _network_policies(self) -> None:
        if self.provider != "gcp":
            return
        rng, e = self.rng, self.e
        for network in self.nets:
            rules = self._first_match_rules(targets=True)
            if rng.random() < 0.3:
                rules.append(allow_in("tcp", 22, cidr("0.0.0.0/0"), priority=50, action="next"))
            ids = [e.policy(f"fw-{network.id}", network, rules=rules).id]
            # An organization's hierarchical policy before the VPC rules, passing on with
            # goto_next, and a network firewall policy after them: one chain by chain_order.
            if rng.random() < 0.5:
                rules = self._first_match_rules(targets=True, actions=("allow", "deny", "next"))
                rules += [allow_in("all", None, cidr("0.0.0.0/0"), priority=2000, action="next"),
                          allow_out("all", None, cidr("0.0.0.0/0"), priority=2000, action="next")]
                ids.insert(0, e.policy(f"org-{network.id}", network, rules=rules,
                                       kind="hierarchical-firewall-policy").id)
            if rng.random() < 0.4:
                ids.append(e.policy(f"nfp-{network.id}", network, rules=self._first_match_rules(targets=True),
                                    kind="network-firewall-policy").id)
            items = e.items["networks"]
            items[items.index(network)] = network.__class__(
                **{**{f: getattr(network, f) for f in network.__dataclass_fields__},
                   "policy_ids": tuple(rng.sample(ids, len(ids)))})
        self.nets = list(e.items["networks"])


def _pairs(reach, workload_ids):
    out = {}
    for wid in workload_ids:
        for f in reach.flows_into(wid):
            for src in f.sources:
                ports, causes = out.setdefault((wid, src), [None, defaultdict(list)])[0], out[(wid, src)][1]
                out[(wid, src)][0] = f.ports if ports is None else ports | f.ports
                for c in f.causes:
                    causes[(c.policy_id, c.rule_id)].append(c.ports)
    return {k: (v[0], {r: frozenset(p) for r, p in v[1].items()}) for k, v in out.items()}


def _zones(reach, workload_ids):
    return {wid: {z: a.ports for z, a in reach.inbound(wid).items()} for wid in workload_ids}


def _inward(reach, workload_ids):
    return {wid: {z: {(c.policy_id, c.rule_id, c.ports) for c in a.causes} for z, a in reach.inbound(wid).items()}
            for wid in workload_ids}


def _engines(snapshot):
    ctx = AuditContext(snapshot)
    new = Reachability(ctx.index, ctx.zones, ctx.routing)
    ref = ReferenceReachability(ctx.index, ctx.zones, ctx.routing)
    return new, ref


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.sampled_from(["aws", "gcp", "azure"]))
def test_engine_matches_reference(seed, provider):
    snapshot = Random(seed, provider).build()
    new, ref = _engines(snapshot)
    ids = [w.id for w in snapshot.workloads]
    assert _pairs(new, ids) == _pairs(ref, ids)
    assert _zones(new, ids) == _zones(ref, ids)
    assert _inward(new, ids) == _inward(ref, ids)
    assert {k: v.ports for k, v in new.zone_flows().items()} == {k: v.ports for k, v in ref.zone_flows().items()}
    assert new.live_rules() == ref.live_rules()


def test_random_estates_are_not_trivial():
    """The generator gives estates where flows exist and some are blocked."""
    flowing = blocked = 0
    for seed in range(30):
        snapshot = Random(seed, ["aws", "gcp", "azure"][seed % 3]).build()
        new, _ = _engines(snapshot)
        for w in snapshot.workloads:
            if new.flows_into(w.id):
                flowing += 1
            else:
                blocked += 1
    assert flowing > 20 and blocked > 5
