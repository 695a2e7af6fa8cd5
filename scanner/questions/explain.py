"""One source/destination pair, hop by hop: the enforcement points and routes a packet
meets in the order it meets them, what each decided, and the first place the flow stops.

Built from the engine's own pieces (Routing.lookup and Routing.usable for routes,
Evaluator.explain for each enforcement point, the engine's appliance resolution), for one
pair at a time: nothing here computes the whole estate. Every enforcement point only
ever narrows the ports and a route passes all or nothing, so the ports that survive are
the ones scanner.reach computes, in any order (tests hold the two equal).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from scanner.context import AuditContext
from scanner.evaluate import INTERNET, Decision, Subject, subject
from scanner.index import fold
from scanner.model import FirewallPolicy, Workload
from scanner.ports import PortSet
from scanner.reach.pair import PUBLIC_PROBE
from scanner.routing import Hop as RouteHop
from scanner.zonepolicy import INTERNET as INTERNET_ZONE

# The kinds of place a flow stops (blocked_at.kind)
NO_ROUTE, BLACKHOLE, ELSEWHERE = "no-route", "blackhole-route", "route-elsewhere"
DENIED, NO_RULE, REPLY_DENIED, NO_PUBLIC = "denied-by-rule", "no-rule-admits", "reply-denied", "no-public-address"


@dataclass(frozen=True, slots=True)
class Hop:
    at: str  # the resource: policy ids, a route table, an appliance, a subnet
    kind: str  # egress-policy, route, appliance, return-route, ingress-policy, public-address, ...
    detail: str
    decision: str
    ports: PortSet  # what is still flowing after this hop
    dropped: PortSet = field(default_factory=PortSet)


@dataclass(frozen=True, slots=True)
class Blocked:
    at: str
    kind: str
    rule: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class PairAnswer:
    source: str  # workload id or "internet"
    destination: str
    ports: PortSet
    hops: tuple[Hop, ...]
    blocked_at: Blocked | None


def _policy_name(p: FirewallPolicy) -> str:
    return f"{p.kind} {p.name or p.id}" + (f" ({p.id})" if p.name and p.name != p.id else "")


def _rule_name(d: Decision) -> str:
    assert d.policy is not None and d.rule is not None
    return f"{_policy_name(d.policy)} rule {d.rule.name or d.rule.id}"


class Explainer:
    def __init__(self, ctx: AuditContext) -> None:
        self.ctx, self.index, self.routing = ctx, ctx.index, ctx.routing
        self.evaluator = ctx.reach.evaluator
        self._subjects: dict[str, Subject] = {}

    def _subject(self, wl: Workload) -> Subject:
        found = self._subjects.get(wl.id)
        if found is None:
            found = self._subjects[wl.id] = subject(wl)
        return found

    def pair(self, src: Workload | None, dst: Workload | None, want: PortSet,
             over_internet: bool = False) -> PairAnswer:
        """src None: from the internet; dst None: to the internet. `over_internet`: to dst's
        public address, out through src's exit and in through dst's internet gateway (each
        side's rules see the other as an internet address)."""
        walk = _Walk(want)
        if over_internet and src is not None and dst is not None:
            for step in (lambda: self._egress(walk, src, INTERNET), lambda: self._to_internet(walk, src),
                         lambda: self._from_internet(walk, dst), lambda: self._ingress(walk, dst, INTERNET)):
                if not walk.ok():
                    break
                step()
            return walk.answer(src.id, dst.id)
        if dst is None:
            assert src is not None
            self._egress(walk, src, INTERNET)
            if walk.ok():
                self._to_internet(walk, src)
            return walk.answer(src.id, INTERNET_ZONE)
        local = self._subject(dst)
        if src is None:
            self._from_internet(walk, dst)
            if walk.ok():
                self._ingress(walk, dst, INTERNET)
            return walk.answer(INTERNET_ZONE, dst.id)
        remote = self._subject(src)
        for step in (lambda: self._egress(walk, src, local), lambda: self._routes(walk, src, dst, local, remote),
                     lambda: self._ingress(walk, dst, remote)):
            if not walk.ok():
                break
            step()
        return walk.answer(src.id, dst.id)

    # -- enforcement points ------------------------------------------------------------
    def _points(self, wl: Workload) -> list[tuple[str, list[FirewallPolicy]]]:
        """Network, subnet, interface: the three places policies attach (docs/model.md)."""
        network, subnet = self.index.network(wl.network_id), self.index.subnet(wl.subnet_id)
        points = [("network " + wl.network_id, self.index.policies_by_ids(network.policy_ids) if network else []),
                  ("subnet " + wl.subnet_id, self.index.policies_by_ids(subnet.policy_ids) if subnet else []),
                  ("interface " + wl.id, self.index.policies_by_ids(wl.policy_ids))]
        return [p for p in points if p[1]]

    def _egress(self, walk: "_Walk", src: Workload, remote: Subject) -> None:
        for where, policies in reversed(self._points(src)):  # the packet leaves the interface first
            if not self._point(walk, "egress-policy", where, policies, "egress", self._subject(src), remote):
                return

    def _ingress(self, walk: "_Walk", dst: Workload, remote: Subject) -> None:
        for where, policies in self._points(dst):
            if not self._point(walk, "ingress-policy", where, policies, "ingress", self._subject(dst), remote):
                return

    def _point(self, walk: "_Walk", kind: str, where: str, policies: list[FirewallPolicy], direction: str,
               local: Subject, remote: Subject) -> bool:
        allowed, decisions = self.evaluator.explain(policies, direction, local, remote, walk.ports)
        at = ", ".join(p.id for p in policies)
        detail = f"{', '.join(_policy_name(p) for p in policies)} on {where}"
        said = []
        for d in decisions:
            ports = " ".join(d.ports.describe())
            if d.action in ("allow", "deny"):
                said.append(f"{_rule_name(d)} {d.action}s {ports}")
            elif d.action == "next":
                said.append(f"{_rule_name(d)} passes {ports} on")
            elif d.action == "unmatched":
                said.append("no rule admits the rest" if allowed else f"no rule admits {ports}")
            else:
                said.append(f"replies of {ports} are denied (stateless policy)")
        walk.hop(Hop(at, kind, detail, "; ".join(said) or "allows", allowed, walk.ports - allowed))
        if allowed:
            return True
        deny = next((d for d in decisions if d.action == "deny"), None)
        if deny is not None:
            walk.block(Blocked(deny.policy.id, DENIED, _rule_name(deny), f"{_rule_name(deny)} denies it ({detail})"))
        elif any(d.action == "reply-denied" for d in decisions):
            walk.block(Blocked(at, REPLY_DENIED, None, f"{detail} lets the flow out but not its replies back"))
        else:
            walk.block(Blocked(at, NO_RULE, None, f"no rule of {detail} admits it"))
        return False

    # -- routes ----------------------------------------------------------------------
    def _routes(self, walk: "_Walk", src: Workload, dst: Workload, local: Subject, remote: Subject) -> None:
        if fold(src.network_id) == fold(dst.network_id) and self.routing.flat(src.network_id):
            walk.hop(Hop(src.network_id, "network", "a flat network: every workload reaches every other",
                         "forwards", walk.ports))
            return
        src_subnet, dst_subnet = self.index.subnet(src.subnet_id), self.index.subnet(dst.subnet_id)
        if src_subnet is None or dst_subnet is None or not src.private_ips or not dst.private_ips:
            walk.stop(Blocked(src.subnet_id, NO_ROUTE, None, "a subnet or private address is missing from the snapshot"))
            return
        there = self._route(walk, "route", src, src_subnet, dst)
        if there is None:
            return
        back = self._route(walk, "return-route", dst, dst_subnet, src)
        if back is None:
            return
        if not self._joined(src.network_id, dst.network_id):
            walk.stop(Blocked(there.table_id, ELSEWHERE, None,
                              f"{there.describe()}: no peering, transit gateway or known appliance joins "
                              f"{src.network_id} and {dst.network_id}; the next hop is another network's box"))
            return
        if there.route.target_kind == "local" and fold(src.network_id) == fold(dst.network_id):
            return  # as the engine decides: inside one network the way there is the path
        reach = self.ctx.reach
        # the engine's own resolution of the appliance a route names (by id or nearby address),
        # then the appliances a hub's packets pass between hubs (an inspection VPC), either way
        boxes = [reach.appliance_policies(hop.route, network)
                 for hop, network in ((there, src.network_id), (back, dst.network_id))
                 if hop.route.target_kind == "appliance"]
        ways = ((there, src_subnet, dst.network_id, dst.private_ips[0]),
                (back, dst_subnet, src.network_id, src.private_ips[0]))
        boxes += [reach.inspection_policies(g) for way in ways for g in self.routing.transit_appliances(*way)]
        seen = set()
        for appliance, policies in boxes:
            if appliance in seen or not walk.ok():
                continue
            seen.add(appliance)
            if policies:
                # a firewall on the path sees the forward flow: sources are peers, destinations targets
                self._point(walk, "appliance", "appliance " + appliance, policies, "ingress", local, remote)
            else:
                walk.hop(Hop(appliance, "appliance", f"appliance {appliance} (no rules known)", "forwards", walk.ports))

    def _joined(self, here: str, there: str) -> bool:
        """Whether the engine counts the two networks as neighbours: the same, peered, or
        routed to one transit gateway or known appliance (scanner.reach's candidates)."""
        return fold(here) in self.ctx.reach.candidate_networks(there)

    def _route(self, walk: "_Walk", kind: str, src: Workload, subnet, dst: Workload) -> RouteHop | None:
        address = dst.private_ips[0]
        hop = self.routing.lookup(subnet, address, src.network_tags)
        tables = ", ".join(subnet.route_table_ids) or "no route table"
        if hop is None:
            walk.stop(Blocked(subnet.id, NO_ROUTE, None, f"no route from {subnet.id} ({tables}) to {address}"))
            return None
        line = f"{hop.describe()} (from {subnet.id} towards {address})"
        if not hop.route.active:
            walk.stop(Blocked(hop.table_id, BLACKHOLE, None, f"{line}: the route is a blackhole"))
            return None
        if not self.routing.usable(hop, subnet, dst.network_id, address):
            walk.stop(Blocked(hop.table_id, ELSEWHERE, None,
                              f"{line}: it leads to {hop.route.target_kind} {hop.route.target_id or ''}".rstrip()
                              + f", not to network {dst.network_id}"))
            return None
        walk.hop(Hop(hop.table_id, kind, line, "forwards", walk.ports))
        return hop

    def _from_internet(self, walk: "_Walk", dst: Workload) -> None:
        if not dst.public_ips:
            walk.stop(Blocked(dst.id, NO_PUBLIC, None, f"{dst.id} has no public address"))
            return
        walk.hop(Hop(dst.public_ips[0], "public-address", f"{dst.id} has public address {dst.public_ips[0]}",
                     "forwards", walk.ports))
        subnet = self.index.subnet(dst.subnet_id)
        if subnet is None:
            return  # no subnet in the snapshot: routes not checked, as the engine does
        hop = self.routing.lookup(subnet, PUBLIC_PROBE, dst.network_tags)
        if hop is None:
            walk.stop(Blocked(subnet.id, NO_ROUTE, None, f"no route from {subnet.id} back to the internet"))
        elif not hop.route.active:
            walk.stop(Blocked(hop.table_id, BLACKHOLE, None, f"{hop.describe()}: replies to the internet are dropped"))
        elif hop.route.target_kind != "internet":
            walk.stop(Blocked(hop.table_id, ELSEWHERE, None,
                              f"{hop.describe()}: replies leave through {hop.route.target_kind}, "
                              "not the internet gateway the request came in by"))
        else:
            walk.hop(Hop(hop.table_id, "return-route", hop.describe(), "forwards", walk.ports))

    def _to_internet(self, walk: "_Walk", src: Workload) -> None:
        subnet = self.index.subnet(src.subnet_id)
        egress = self.routing.internet_egress(subnet, src) if subnet is not None else None
        if egress is None:
            walk.stop(Blocked(src.subnet_id, NO_ROUTE, None,
                              f"no way out of {src.subnet_id} to the internet (no usable internet or NAT route)"))
            return
        walk.hop(Hop(egress.hop.table_id, "route", "; ".join(egress.evidence), f"leaves by {egress.via}",
                     walk.ports))


class _Walk:
    """The ports still flowing, the hops so far and where the flow stopped."""

    def __init__(self, want: PortSet) -> None:
        self.ports, self.hops, self.blocked = want, [], None

    def ok(self) -> bool:
        return bool(self.ports) and self.blocked is None

    def hop(self, hop: Hop) -> None:
        self.hops.append(hop)
        self.ports = hop.ports

    def block(self, blocked: Blocked) -> None:
        self.blocked = blocked

    def stop(self, blocked: Blocked) -> None:
        """A route that carries nothing: every port stops here."""
        self.hops.append(Hop(blocked.at, blocked.kind, blocked.detail, "drops", PortSet(), self.ports))
        self.ports, self.blocked = PortSet(), blocked

    def answer(self, source: str, destination: str) -> PairAnswer:
        return PairAnswer(source, destination, self.ports, tuple(self.hops), self.blocked)
