"""Route lookups as the clouds do them: longest prefix, then lowest priority.

A subnet's routes are the union of every table listed on it (docs/model.md); routes
with instance tags (GCP) apply only to workloads carrying one of the tags. Automatic
peerings (GCP, Azure) contribute the peer's subnet ranges while active.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from scanner.hubs import EXTERNAL_KINDS, Hubs
from scanner.index import Index, fold
from scanner.model import Route, Subnet, Workload

Net = ipaddress.IPv4Network | ipaddress.IPv6Network
EXITS = ("internet", "nat", "egress-only")
# Route targets that can carry a packet to a workload in another place; every other kind
# (internet, NAT, endpoint, blackhole ...) never delivers to a private workload address.
CARRIERS = ("local", "peering", "transit", "appliance", "vpn")
MAX_TRANSITS = 3  # networks a packet may cross between hubs (an inspection VPC is one)


@dataclass(frozen=True, slots=True)
class Hop:
    route: Route
    table_id: str
    destination: str

    def describe(self) -> str:
        target = self.route.target_id or self.route.target_kind
        state = "" if self.route.active else " (blackhole)"
        return f"route {self.destination} -> {self.route.target_kind} {target}{state} in {self.table_id}"


@dataclass(frozen=True, slots=True)
class Egress:
    via: str  # "internet" or "nat"
    gateway_id: str
    hop: Hop
    evidence: tuple[str, ...]


@lru_cache(maxsize=None)  # every subnet of a network lists the same routes (GCP: one table for all)
def _net(value: str) -> Net:
    return ipaddress.ip_network(value, strict=False)


class Routing:
    def __init__(self, index: Index) -> None:
        self.index = index
        self._tables: dict[str, list[tuple[Net, int, Route, str]]] = {}
        self._lengths: dict[str, list[tuple[int, int, dict[int, list]]]] = {}
        self._nat: dict[str, str] | None = None
        self._hubs: Hubs | None = None
        self._transit_cache: dict[tuple, tuple[bool, tuple[str, ...], tuple[str, ...]]] = {}
        self._hub_reaches: dict[tuple, bool] = {}

    @property
    def hubs(self) -> Hubs:
        if self._hubs is None:
            self._hubs = Hubs(self.index)
        return self._hubs

    def _entries(self, subnet: Subnet) -> list[tuple[Net, int, Route, str]]:
        key = fold(subnet.id)
        if key not in self._tables:
            entries = []
            for table in self.index.route_tables_for(subnet):
                for route in table.routes:
                    for dest in self._destinations(route):
                        entries.append((dest, route.priority, route, table.id))
            for peering in self.index.peerings_of.get(fold(subnet.network_id), ()):
                if peering.route_exchange == "automatic" and peering.state == "active":
                    route = Route(target_kind="peering", target_id=peering.id, origin="system", priority=1000)
                    for c in self._address_space(peering.peer_network_id):
                        entries.append((_net(c), 1000, Route(destination=c, **_fields(route)), "peering"))
            entries.sort(key=lambda e: (-e[0].prefixlen, e[1]))
            self._tables[key] = entries
        return self._tables[key]

    def _address_space(self, network_id: str) -> list[str]:
        """The peer's address space (Azure, AWS), else its subnets' ranges (GCP)."""
        network = self.index.network(network_id)
        if network is not None and network.cidrs:
            return list(network.cidrs)
        return [c for s in self.index.subnets_of.get(fold(network_id), ()) for c in s.cidrs]

    def _destinations(self, route: Route) -> list[Net]:
        if route.destination:
            return [_net(route.destination)]
        pl = self.index.prefix_lists.get(fold(route.destination_prefix_list))
        return [_net(c) for c in pl.cidrs] if pl else []

    def lookup(self, subnet: Subnet, address: Any, tags: tuple[str, ...] = ()) -> Hop | None:
        """The route a packet from `subnet` to `address` takes, or None."""
        addr = _address(address)
        ai, width = int(addr), addr.max_prefixlen
        for version, length, starts in self._by_length(subnet):
            if version != addr.version:
                continue
            for net, _prio, route, table_id in starts.get(ai >> (width - length) << (width - length) if length else 0, ()):
                if route.instance_tags and not set(route.instance_tags) & set(tags):
                    continue
                return Hop(route, table_id, str(net))
        return None

    def _by_length(self, subnet: Subnet) -> list[tuple[int, int, dict[int, list]]]:
        """A subnet's entries by prefix length, longest first, each length's by network
        address in lookup order: a lookup costs the prefix lengths, not the routes (a GCP
        network lists a route per subnet in every subnet's table)."""
        key = fold(subnet.id)
        found = self._lengths.get(key)
        if found is None:
            found, at = [], {}
            for entry in self._entries(subnet):  # sorted by length (longest first), then priority
                n = entry[0]
                if (n.version, n.prefixlen) not in at:
                    at[(n.version, n.prefixlen)] = len(found)
                    found.append((n.version, n.prefixlen, {}))
                found[at[(n.version, n.prefixlen)]][2].setdefault(int(n.network_address), []).append(entry)
            self._lengths[key] = found
        return found

    def usable(self, hop: Hop | None, here: Subnet, there_network: str, there_address: Any) -> bool:
        """Whether the route a packet from subnet `here` takes towards `there_address` (in
        network `there_network`) delivers it there. The one statement of what carries a
        packet between networks: every reachability engine asks it. Engines ask once per
        route, `carrier_key` of the source, destination network and subnet, so the answer
        must depend on `here` only through that key, and on `there_address` only through
        its subnet.

        `there_network` "" (or a network not in the snapshot) is an address outside every
        network: on-premises, reached through a VPN gateway or a hub's VPN / Direct
        Connect attachment."""
        if hop is None or not hop.route.active or hop.route.target_kind not in CARRIERS:
            return False
        kind = hop.route.target_kind
        if kind == "local":
            return fold(here.network_id) == fold(there_network)
        if kind == "peering":
            return any(
                fold(hop.route.target_id) in (fold(p.id), fold(p.name)) and p.state == "active"
                and fold(p.peer_network_id) == fold(there_network)
                for p in self.index.peerings_of.get(fold(here.network_id), ())
            )
        if kind == "transit":
            return self._through_hub(hop, here, there_network, there_address)[0]
        if kind == "vpn":
            return self._external(there_network)
        return kind == "appliance"

    def carrier_key(self, hop: Hop, here: Subnet) -> tuple:
        """What `usable` (and the transit helpers) read of `here` for this hop: its network
        and zone; for a transit hop into a hub the snapshot holds, only the hub route table
        its attachment is associated with (none: no attachment in that zone). Sources with
        one key share every verdict of the hop's route, so engines ask once per key: in a
        hub-and-spoke estate that is once per hub table, not once per spoke."""
        route = hop.route
        if route.target_kind == "transit" and route.active and fold(route.target_id) in self.hubs.known:
            entry, _why = self.hubs.entry(route.target_id, here.network_id, here.availability_zone)
            if entry is None:
                return ("no attachment",)
            return ("table", fold(entry.route_table_id)) if entry.route_table_id else ("attachment", fold(entry.id))
        return (fold(here.network_id), here.availability_zone)

    def transit_path(self, hop: Hop | None, here: Subnet, there_network: str, there_address: Any) -> list[str]:
        """How a hub carries (or drops) the packet of a `transit` hop, line by line, for
        evidence; [] for other hops or a hub the snapshot does not hold."""
        if hop is None or hop.route.target_kind != "transit" or not hop.route.active:
            return []
        return list(self._through_hub(hop, here, there_network, there_address)[1])

    def transit_appliances(self, hop: Hop | None, here: Subnet, there_network: str,
                           there_address: Any) -> tuple[str, ...]:
        """Ids of the appliance gateways a `transit` hop's packet passes on its way through
        a network between hubs (an inspection VPC): each is one more enforcement point."""
        if hop is None or hop.route.target_kind != "transit" or not hop.route.active:
            return ()
        return self._through_hub(hop, here, there_network, there_address)[2]

    def onprem_exit(self, hop: Hop | None, here: Subnet, there_address: Any) -> Any:
        """The VPN or Direct Connect attachment by which a `transit` hop's packet from
        `here` leaves its hub for on-premises `there_address` (the hub's own tables, no
        network in between), or None."""
        if hop is None or hop.route.target_kind != "transit" or fold(hop.route.target_id) not in self.hubs.known:
            return None
        entry, _why = self.hubs.entry(hop.route.target_id, here.network_id, here.availability_zone)
        out = self.hubs.exit(entry, _address(there_address))[0] if entry is not None else None
        return out if out is not None and out.kind in EXTERNAL_KINDS else None

    def from_attachment(self, attachment: Any, there_network: str, there_address: Any) -> tuple[bool, tuple[str, ...]]:
        """Whether a packet arriving at a hub by `attachment` (from on-premises) is
        delivered into `there_network` (through an inspection network too), with the
        lines: the way in, looked up in that attachment's own table."""
        address = _address(there_address)
        out, lines, missing = self.hubs.exit(attachment, address)
        if out is None:
            return missing, lines
        if out.kind != "network":
            return out.kind not in EXTERNAL_KINDS, lines  # back on-premises: not delivered
        if fold(out.network_id) == fold(there_network):
            return True, lines
        ok, more, _appliances = self._onward(out, there_network, address, MAX_TRANSITS - 1)
        return ok, (*lines, *more)

    def _external(self, there_network: str) -> bool:
        return not there_network or self.index.network(there_network) is None

    def _through_hub(self, hop: Hop, here: Subnet, there_network: str,
                     there_address: Any) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
        key = (id(hop.route), fold(here.id), fold(there_network), there_address)
        found = self._transit_cache.get(key)
        if found is None:
            found = self._transit_cache[key] = self._hub_walk(hop.route.target_id, here, there_network,
                                                              _address(there_address), MAX_TRANSITS)
        return found

    def _hub_walk(self, hub_id: str, here: Subnet, there_network: str, address: Any,
                  budget: int) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
        hubs = self.hubs
        if fold(hub_id) not in hubs.known:
            return True, (), ()  # a hub not collected: carried, as before hubs were read
        entry, why = hubs.entry(hub_id, here.network_id, here.availability_zone)
        if entry is None:
            return False, (why,), ()
        out, lines, missing = hubs.exit(entry, address)
        lines = (why, *lines)
        if out is None:
            return missing, lines, ()
        if out.kind in EXTERNAL_KINDS:
            return self._external(there_network), lines, ()
        if out.kind != "network":
            return True, lines, ()  # an attachment of another kind (Connect, ...): its far side is not known
        if fold(out.network_id) == fold(there_network):
            return True, lines, ()
        if budget <= 0:
            return False, (*lines, "too many networks between hubs"), ()
        ok, more, appliances = self._onward(out, there_network, address, budget - 1)
        return ok, (*lines, *more), appliances

    def _onward(self, attachment: Any, there_network: str, address: Any,
                budget: int) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
        """A packet a hub delivers into a network that is not its destination (an
        inspection VPC) leaves by the routes of the attachment's subnet: through an
        appliance and back to a hub, or nowhere."""
        subnet = next((s for s in map(self.index.subnet, attachment.subnet_ids) if s is not None), None)
        if subnet is None:
            return False, (f"{attachment.network_id} is not the destination and its attachment subnets were not read",), ()
        appliances: list[str] = []
        lines: list[str] = []
        for _ in range(3):
            hop = self.lookup(subnet, address)
            if hop is None or not hop.route.active:
                return False, (*lines, f"{subnet.id}: no route to {address}"), tuple(appliances)
            lines.append(f"{hop.describe()} ({subnet.id})")
            kind = hop.route.target_kind
            if kind == "appliance":
                gateway = self.index.gateways.get(fold(hop.route.target_id))
                if gateway is None or gateway.kind != "appliance":
                    return True, tuple(lines), tuple(appliances)  # a next hop not known: pass-through
                appliances.append(gateway.id)
                onward = self.index.subnet(gateway.subnet_id) if gateway.subnet_id else None
                if onward is None:
                    return True, tuple(lines), tuple(appliances)
                subnet = onward
                continue
            if kind == "transit":
                ok, more, seen = self._hub_walk(hop.route.target_id, subnet, there_network, address, budget)
                return ok, (*lines, *more), (*appliances, *seen)
            if kind == "local":
                return fold(subnet.network_id) == fold(there_network), tuple(lines), tuple(appliances)
            return self.usable(hop, subnet, there_network, address), tuple(lines), tuple(appliances)
        return False, (*lines, "appliance chain too long"), tuple(appliances)

    def hub_reaches(self, hub_id: str, network_id: str, other_network_id: str, destination: str | None) -> bool:
        """Whether a route from `network_id` to `destination` through hub `hub_id` lands
        some address of `other_network_id` there, as the hub's tables decide (a hub not in
        the snapshot: yes). Availability Zones are not asked: this is about routes."""
        key = (fold(hub_id), fold(network_id), fold(other_network_id), destination)
        found = self._hub_reaches.get(key)
        if found is None:
            found = self._hub_reaches[key] = self._reaches_through(hub_id, network_id, other_network_id, destination)
        return found

    def _reaches_through(self, hub_id: str, network_id: str, other_network_id: str, destination: str | None) -> bool:
        if fold(hub_id) not in self.hubs.known:
            return True
        subnet = next(iter(self.index.subnets_of.get(fold(network_id), ())), None)
        if subnet is None:
            return True
        anywhere = replace(subnet, availability_zone="")
        dest = _net(destination) if destination else None
        entry, _why = self.hubs.entry(hub_id, network_id, "")
        table_id = fold(entry.route_table_id) if entry else ""
        table, nets = self.hubs.tables.get(table_id, []), self.hubs.nets.get(table_id)
        for cidr in self._address_space(other_network_id):
            space = _net(cidr)
            if dest is not None and (space.version != dest.version or not space.overlaps(dest)):
                continue
            narrow = space if dest is None or space.prefixlen >= dest.prefixlen else dest
            # every hub route inside the range: each may send part of it elsewhere
            probes = {narrow.network_address} | {table[i][0].network_address for i in (nets.inside(narrow) if nets else ())}
            if any(self._hub_walk(hub_id, anywhere, other_network_id, a, MAX_TRANSITS)[0] for a in sorted(probes)):
                return True
        return False

    def hub_group(self, hub_id: str) -> str:
        """One key for hubs joined by peering attachments: networks on any of them are
        candidates for each other's flows."""
        return self.hubs.group(hub_id)

    def flat(self, network_id: str) -> bool:
        """A network whose workloads all reach each other without routes (a pod network)."""
        network = self.index.network(network_id)
        return network is not None and network.flat

    def internet_egress(self, subnet: Subnet, workload: Workload | None = None) -> Egress | None:
        """How `subnet` (or one workload in it) gets out to the internet, if it can."""
        tags = workload.network_tags if workload else ()
        for net, _prio, route, table_id in self._entries(subnet):
            if route.target_kind not in EXITS or not route.active or net.is_private:
                continue
            if route.instance_tags and workload is not None and not set(route.instance_tags) & set(tags):
                continue
            hop = self.lookup(subnet, net.network_address, tags if workload else route.instance_tags)
            if hop is None or hop.route is not route:
                continue  # shadowed: a more specific or higher-priority route wins
            return self._exit(subnet, workload, hop)
        return None

    def _exit(self, subnet: Subnet, workload: Workload | None, hop: Hop) -> Egress | None:
        route = hop.route
        if route.target_kind == "nat":
            return Egress("nat", route.target_id, hop, (hop.describe(),))
        gateway = self.index.gateways.get(fold(route.target_id))
        needs_public = gateway is not None and gateway.requires_public_address
        if needs_public and workload is not None and not workload.public_ips:
            nat = self.nat_for(subnet)
            if nat is None:
                return None
            return Egress("nat", nat, hop, (hop.describe(), f"NAT {nat} serves {subnet.id}"))
        if needs_public and workload is None:
            nat = self.nat_for(subnet)
            if nat is not None:
                return Egress("nat", nat, hop, (hop.describe(), f"NAT {nat} serves {subnet.id}"))
            usable = subnet.assigns_public_ips or any(w.public_ips for w in self.index.workloads_of[fold(subnet.id)])
            if not usable and route.origin == "system":
                return None  # a platform default route nothing in the subnet can use (GCP)
        return Egress("internet", route.target_id, hop, (hop.describe(),))

    def nat_for(self, subnet: Subnet) -> str | None:
        """The NAT gateway serving a subnet without a route (GCP Cloud NAT, Azure NAT gateway)."""
        if self._nat is None:
            self._nat = {}
            for gw in self.index.snapshot.gateways:
                if gw.kind == "nat":
                    for sid in gw.nat_subnet_ids:
                        self._nat.setdefault(fold(sid), gw.id)
        return self._nat.get(fold(subnet.id))


def _fields(route: Route) -> dict[str, Any]:
    return {"target_kind": route.target_kind, "target_id": route.target_id, "origin": route.origin,
            "priority": route.priority}


@lru_cache(maxsize=65536)
def _address(value: Any) -> Any:
    return value if not isinstance(value, str) else ipaddress.ip_address(value)
