"""Hub routing as AWS transit gateways do it (docs/model.md, "Hubs").

A packet reaches a hub through the attachment of its source network, and only from a
subnet in an Availability Zone that attachment has a subnet in. It is then looked up in
that attachment's associated hub route table alone: longest prefix, static before
propagated on a tie, a blackhole drops. The route names the attachment it leaves by: a
network (delivered if it is the destination's), a VPN or Direct Connect attachment
(on-premises), or a peering attachment, whose other side looks the packet up again in its
own associated table. The way back is a separate lookup from the destination's side.

A hub the snapshot knows nothing about (not collected, another cloud's hub) carries
everything, as it did before hubs were read: missing data never hides a flow.
"""
from __future__ import annotations

import ipaddress
from collections import defaultdict
from typing import Any

from scanner.index import Index, fold
from scanner.model import HubAttachment, Route
from scanner.netsets import NetSet

MAX_PEERING_HOPS = 4
EXTERNAL_KINDS = ("vpn", "direct-connect")


def _net(value: str) -> Any:
    return ipaddress.ip_network(value, strict=False)


class Hubs:
    def __init__(self, index: Index) -> None:
        self.index = index
        snap = index.snapshot
        self.known: set[str] = {fold(h.id) for h in snap.hubs} | {fold(a.hub_id) for a in snap.hub_attachments}
        self._owner = {fold(h.id): h.account for h in snap.hubs}
        self.by_ref: dict[tuple[str, str], HubAttachment] = {}
        self.of_network: dict[tuple[str, str], HubAttachment] = {}
        for att in sorted(snap.hub_attachments, key=self._owner_first):
            hub = fold(att.hub_id)
            for ref in {fold(att.id), fold(att.name)} if att.kind == "peering" else {fold(att.id)}:
                self.by_ref.setdefault((hub, ref), att)
            if att.kind == "network" and att.state == "active":
                self.of_network.setdefault((hub, fold(att.network_id)), att)
        self.tables: dict[str, list[tuple[Any, int, Route]]] = {}
        self.nets: dict[str, NetSet] = {}  # the same tables' destinations, for integer lookups
        for table in snap.hub_route_tables:
            entries = []
            for route in table.routes:
                for dest in self._destinations(route):
                    entries.append((dest, route.priority, route))
            entries.sort(key=lambda e: (-e[0].prefixlen, e[1]))
            self.tables[fold(table.id)] = entries
            self.nets[fold(table.id)] = NetSet(n for n, _p, _r in entries)
        self._lookups: dict[tuple[str, Any], tuple[HubAttachment | None, tuple[str, ...], bool]] = {}
        self._zones: dict[int, frozenset[str]] = {}
        self._groups: dict[str, str] | None = None

    def _owner_first(self, att: HubAttachment) -> tuple:
        """Several accounts may list one attachment: the hub owner's record (it carries the
        association) first."""
        return (self._owner.get(fold(att.hub_id)) != att.account, not att.route_table_id)

    def _destinations(self, route: Route) -> list[Any]:
        if route.destination:
            return [_net(route.destination)]
        pl = self.index.prefix_lists.get(fold(route.destination_prefix_list))
        return [_net(c) for c in pl.cidrs] if pl else []

    def zones(self, att: HubAttachment) -> frozenset[str]:
        """Its Availability Zones: as collected, plus those of its subnets in the snapshot
        (the hub owner may not see another account's subnets)."""
        found = self._zones.get(id(att))
        if found is None:
            zones = set(att.availability_zones)
            for sid in att.subnet_ids:
                subnet = self.index.subnet(sid)
                if subnet is not None and subnet.availability_zone:
                    zones.add(subnet.availability_zone)
            found = self._zones[id(att)] = frozenset(zones)
        return found

    # -- the walk --------------------------------------------------------------------
    def entry(self, hub_id: str, network_id: str, zone: str) -> tuple[HubAttachment | None, str]:
        """The attachment a packet from `network_id` (a subnet in `zone`) enters the hub by,
        or None and why not."""
        att = self.of_network.get((fold(hub_id), fold(network_id)))
        if att is None:
            return None, f"{network_id} has no active attachment to {hub_id}"
        zones = self.zones(att)
        if zone and zones and zone not in zones:
            return None, f"attachment {att.id} has no subnet in {zone}"
        return att, f"enters {hub_id} by attachment {att.id}"

    def exit(self, attachment: HubAttachment, address: Any) -> tuple[HubAttachment | None, tuple[str, ...], bool]:
        """Where a packet that entered by `attachment` leaves the hub (or None), the route
        lines, and whether data was missing on the way (an unread table or peer hub)."""
        key = (fold(attachment.id) + "|" + fold(attachment.hub_id), address)
        found = self._lookups.get(key)
        if found is None:
            found = self._lookups[key] = self._walk(attachment, address)
        return found

    def _walk(self, att: HubAttachment, address: Any) -> tuple[HubAttachment | None, tuple[str, ...], bool]:
        lines: list[str] = []
        for _ in range(MAX_PEERING_HOPS):
            if not att.route_table_id:
                return None, (*lines, f"attachment {att.id} is associated with no route table of {att.hub_id}"), False
            entries = self.tables.get(fold(att.route_table_id))
            if entries is None:
                return None, (*lines, f"route table {att.route_table_id} of {att.hub_id} was not read"), True
            first = self.nets[fold(att.route_table_id)].first_holding(address)  # longest prefix: entries are sorted
            route = None if first is None else entries[first][2]
            if route is None:
                return None, (*lines, f"{att.route_table_id}: no route to {address}"), False
            line = f"{att.route_table_id} route {route.destination or route.destination_prefix_list}"
            if not route.active:
                return None, (*lines, f"{line} is a blackhole"), False
            out = self.by_ref.get((fold(att.hub_id), fold(route.target_id)))
            lines.append(f"{line} -> attachment {route.target_id} ({route.origin})")
            if out is None:
                return None, (*lines, f"attachment {route.target_id} of {att.hub_id} was not read"), True
            if out.kind != "peering":
                return out, tuple(lines), False
            peer = self.by_ref.get((fold(out.peer_hub_id), fold(out.name or out.id)))
            if peer is None:
                return None, (*lines, f"peer hub {out.peer_hub_id} was not read"), True
            lines.append(f"over peering {out.name or out.id} to {out.peer_hub_id}")
            att = peer
        return None, (*lines, "peering hops exceed the limit"), False

    def group(self, hub_id: str) -> str:
        """One name for every hub joined to this one by peering attachments."""
        if self._groups is None:
            parent: dict[str, str] = {}

            def root(h: str) -> str:
                while parent.setdefault(h, h) != h:
                    h = parent[h]
                return h

            for att in self.index.snapshot.hub_attachments:
                if att.kind == "peering" and att.peer_hub_id and att.state == "active":
                    a, b = root(fold(att.hub_id)), root(fold(att.peer_hub_id))
                    if a != b:
                        parent[max(a, b)] = min(a, b)
            self._groups = defaultdict(str, {h: root(h) for h in list(parent)})
        return self._groups.get(fold(hub_id)) or fold(hub_id)
