"""Flows from external zones: address ranges outside the estate that the zone policy names
(a corporate VPN range, a partner's office: ZoneMap.external_zones()).

Matching. An external zone is a set of addresses, not one: a rule's range admits the zone
when the two overlap, so a rule for the zone's exact range, for part of it, or for the
whole world lets (some of) the zone in. A rule for a narrow range is never "the internet":
the internet is an arbitrary public address and only a range as wide as
evaluate.INTERNET_WIDEST admits it (evaluate.admits_internet), so the bastion's rule for
203.0.113.0/24 is judged as the flow workstations -> management, not as exposure.

Path. The route back from the destination's subnet towards the zone's range decides how
the zone arrives: an active route to an internet gateway carries a public range to a
destination with a public address; an active route to a VPN gateway or a peering carries
any range (private or public) to the destination's private address; a transit route
carries it when the hub's own tables send the range to a VPN or Direct Connect
attachment and bring it back in (scanner.hubs); anything else (no route, a blackhole,
NAT, local) carries nothing. On-premises sends over Direct Connect only to what it is
told (a gateway's or attachment's `advertised_cidrs`). What the far side lets out is not
known and not assumed to block.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from scanner.evaluate import Subject, net, subject
from scanner.index import Index, fold
from scanner.model import FirewallPolicy, Subnet, Workload
from scanner.ports import PortSet

# Ranges the internet does not carry (RFC 1918, shared address space, unique local). Not
# ipaddress.is_private: that also counts the documentation ranges, which stand for public
# addresses in examples and tests.
NOT_ON_THE_INTERNET = tuple(ipaddress.ip_network(c) for c in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))


def private(n: Any) -> bool:
    return any(n.version == p.version and n.subnet_of(p) for p in NOT_ON_THE_INTERNET)


@lru_cache(maxsize=None)
def zone_subject(cidrs: tuple[str, ...]) -> Subject:
    """The one Subject of an external zone (kept alive: the evaluator caches by identity)."""
    return Subject(ranges=tuple(net(c) for c in cidrs), public=any(not private(net(c)) for c in cidrs))


def points(index: Index, wl: Workload) -> list[tuple[str, list[FirewallPolicy]]]:
    """A workload's enforcement points, most selective first, each with where it sits."""
    subnet, network = index.subnet(wl.subnet_id), index.network(wl.network_id)
    short = lambda obj, fallback: obj.name if obj is not None and obj.name else fallback.rsplit("/", 1)[-1]  # noqa: E731
    found = [(f"interface {short(wl, wl.id)}", wl.policy_ids),
             (f"subnet {short(subnet, wl.subnet_id)}", subnet.policy_ids if subnet else ()),
             (f"network {short(network, wl.network_id)}", network.policy_ids if network else ())]
    return [(where, index.policies_by_ids(ids)) for where, ids in found if ids]


def route_back(routing: Any, dst: Workload, subnet: Subnet | None, cidrs: tuple[str, ...]) -> list[str] | None:
    """The route lines by which the zone reaches `dst`, or None (module docstring)."""
    if subnet is None:
        return None
    for c in cidrs:
        n = net(c)
        hop = routing.lookup(subnet, ipaddress.ip_address(n.network_address), dst.network_tags)
        if hop is None or not hop.route.active:
            continue
        kind = hop.route.target_kind
        if kind == "internet" and dst.public_ips and not private(n):
            return [f"{dst.id} has public address {dst.public_ips[0]}", hop.describe()]
        if kind == "peering":
            return [hop.describe()]
        if kind == "vpn":
            gateway = routing.index.gateways.get(fold(hop.route.target_id))
            told = _told(gateway.advertised_cidrs if gateway is not None else None, subnet, hop.route.target_id)
            if told is not None:
                return [hop.describe(), *told]
        if kind == "transit":
            found = _through_hub(routing, hop, dst, subnet, n)
            if found is not None:
                return found
    return None


def _through_hub(routing: Any, hop: Any, dst: Workload, subnet: Subnet, zone: Any) -> list[str] | None:
    """A transit route towards the zone carries it when the hub's table (the one the
    source's attachment is associated with) sends the zone's range to a VPN or Direct
    Connect attachment, and that attachment's own table brings the zone in to `dst`,
    inside what on-premises is told (Direct Connect allowed prefixes). Probed at the
    range's first address and at each hub route inside the range."""
    hubs = routing.hubs
    entry, _why = hubs.entry(hop.route.target_id, subnet.network_id, subnet.availability_zone)
    table = hubs.tables.get(fold(entry.route_table_id), []) if entry is not None else []
    probes = [zone.network_address] + sorted({d.network_address for d, _p, _r in table
                                              if d.version == zone.version and d.subnet_of(zone)})
    for address in dict.fromkeys(probes):
        if not routing.usable(hop, subnet, "", address):
            continue
        lines = [hop.describe(), *routing.transit_path(hop, subnet, "", address)]
        way_out = routing.onprem_exit(hop, subnet, address)
        if way_out is None:
            return lines  # a hub not read, or on-premises beyond a network between hubs
        told = _told(way_out.advertised_cidrs, subnet, way_out.id)
        if told is None:
            continue
        there = next(iter(dst.private_ips), None)
        ok, way_in = routing.from_attachment(way_out, dst.network_id, there) if there else (True, ())
        if ok:
            return [*lines, *told, *(f"way in: {line}" for line in way_in)]
    return None


def _told(advertised: tuple[str, ...] | None, subnet: Subnet, via: str) -> list[str] | None:
    """Whether on-premises sends to `subnet` at all: only to what it is told (None: not
    restricted). A subnet partly inside counts as reached: its workloads are one class."""
    if advertised is None:
        return []
    ranges = [net(c) for c in subnet.cidrs]
    told = [net(c) for c in advertised]
    inside = [r for r in ranges if any(r.version == t.version and r.subnet_of(t) for t in told)]
    if inside:
        return [f"on-premises is told {', '.join(advertised)} over {via}"]
    if any(r.version == t.version and r.overlaps(t) for r in ranges for t in told):
        return [f"on-premises is told {', '.join(advertised)} over {via}: part of {subnet.id} only"]
    return None


def external_flows(reach: Any, dst: Workload) -> list[tuple[str, PortSet, tuple[str, ...], tuple[Any, ...]]]:
    """(zone, ports, evidence, causes) for every external zone that reaches `dst`."""
    from scanner.reach import Cause  # reach imports this module: resolve at call time

    zones = reach.zones.external_zones()
    if not zones:
        return []
    subnet, local = reach.index.subnet(dst.subnet_id), subject(dst)
    out = []
    for name, cidrs in sorted(zones.items()):
        path = route_back(reach.routing, dst, subnet, cidrs)
        if path is None:
            continue
        remote, allowed, cited = zone_subject(cidrs), PortSet.all(), []
        for _where, policies in points(reach.index, dst):
            allowed, ev = reach.evaluator.point(reach.applicable(policies, "ingress", dst), "ingress", local, remote,
                                                allowed)
            cited += ev
            if not allowed:
                break
        if not allowed:
            continue
        causes = tuple(Cause(p.id, r.id, r.direction, got & allowed, p, r) for p, r, got in cited if got & allowed)
        evidence = (f"zone {name} is the external range {', '.join(cidrs)}", *path, *(c.text for c in causes))
        out.append((name, allowed, evidence, causes))
    return out
