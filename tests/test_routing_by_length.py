"""Routing.lookup finds the route a linear scan of the table finds: longest prefix, then
lowest priority, instance tags honoured (a GCP table with a route per subnet, tagged
routes at several lengths and priorities, both IP versions)."""
from __future__ import annotations

import ipaddress
import random

from builder import Estate, local, route
from scanner.index import Index
from scanner.routing import Routing


def _scan(routing: Routing, subnet, address: str, tags: tuple[str, ...]):
    addr = ipaddress.ip_address(address)
    for n, _prio, r, table_id in routing._entries(subnet):
        if n.version == addr.version and addr in n and (not r.instance_tags or set(r.instance_tags) & set(tags)):
            return r, table_id, str(n)
    return None


def test_lookup_matches_a_scan_of_the_table():
    rng = random.Random(7)
    e = Estate("gcp")
    network = e.network("net", flat=False)
    routes = [local(f"10.0.{s}.0/24") for s in range(40)]
    routes += [route("0.0.0.0/0", "internet", "igw", priority=1000),
               route("0.0.0.0/0", "nat", "nat-1", priority=900, instance_tags=("private",)),
               route("10.0.0.0/8", "vpn", "vpn-1", priority=100),
               route("10.0.3.0/24", "appliance", "10.0.9.4", priority=50, instance_tags=("inspected",)),
               route("10.0.3.0/24", "appliance", "10.0.9.5", priority=50, instance_tags=("web",)),
               route("10.0.5.16/28", "appliance", "10.0.9.4", priority=10),
               route("fd00::/8", "vpn", "vpn-1", priority=100),
               route("::/0", "internet", "igw", priority=1000)]
    table = e.route_table("rt", network, routes=routes)
    subnet = e.subnet("sn", network, "10.0.0.0/24", route_tables=[table])
    routing = Routing(Index(e.snapshot()))
    addresses = [f"10.0.{rng.randrange(48)}.{rng.randrange(256)}" for _ in range(300)]
    addresses += ["10.0.5.20", "10.0.5.40", "8.8.8.8", "fd00::1", "2001:db8::1", "10.0.3.7"]
    for address in addresses:
        for tags in ((), ("web",), ("private",), ("inspected", "web"), ("private", "inspected")):
            hop = routing.lookup(subnet, address, tags)
            want = _scan(routing, subnet, address, tags)
            assert (None if hop is None else (hop.route, hop.table_id, hop.destination)) == want, (address, tags)
