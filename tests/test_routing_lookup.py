"""Routing.lookup (prefix bits through NetSet) against the linear reading it replaced, on
random route tables: several tables on one subnet, prefix lists, equal prefixes with
different priorities, IPv6, and GCP instance tags (which keep the scan)."""
from __future__ import annotations

import ipaddress

from hypothesis import given, settings, strategies as st

from builder import Estate, route
from scanner.index import Index
from scanner.routing import Routing

V4 = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.128/25", "10.2.0.0/16", "0.0.0.0/0", "192.168.0.0/16",
      "10.1.0.0/16"]
V6 = ["::/0", "fd00::/8", "fd00:1::/32", "fd00:1:2::/48"]
KINDS = ["local", "internet", "nat", "peering", "transit", "appliance", "blackhole"]
ADDRESSES = ["10.1.2.3", "10.1.2.200", "10.1.9.9", "10.2.0.1", "10.9.9.9", "192.168.1.1", "8.8.8.8",
             "fd00:1:2::1", "fd00:1:3::1", "fd01::1", "2001:db8::1"]

a_route = st.builds(
    lambda dest, kind, prio, tags, active: route(dest, kind, f"{kind}-1", priority=prio, instance_tags=tags,
                                                 active=active),
    st.sampled_from(V4 + V6), st.sampled_from(KINDS), st.integers(0, 3),
    st.sampled_from([(), (), (), ("web",), ("db", "web")]), st.booleans())


def linear(routing: Routing, subnet, address, tags=()):
    """The lookup before NetSet: the first entry in (-prefix length, priority) order."""
    addr = ipaddress.ip_address(address)
    for net, _prio, rt, table_id in routing._entries(subnet):
        if net.version != addr.version or addr not in net:
            continue
        if rt.instance_tags and not set(rt.instance_tags) & set(tags):
            continue
        return rt, table_id, str(net)
    return None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(a_route, max_size=8), min_size=1, max_size=3), st.lists(st.sampled_from(V4), max_size=3),
       st.sampled_from([(), ("web",), ("db",)]))
def test_lookup_is_the_linear_reading(tables, listed, tags):
    e = Estate("gcp" if any(r.instance_tags for t in tables for r in t) else "aws")
    net = e.network("net-1", "10.0.0.0/8")
    pl = e.prefix_list("pl-1", *listed)
    made = [e.route_table(f"rt-{i}", net, [*routes, route(None, "endpoint", "vpce-1", destination_prefix_list=pl.id)])
            for i, routes in enumerate(tables)]
    subnet = e.subnet("sub-1", net, "10.1.2.0/24", route_tables=made)
    routing = Routing(Index(e.snapshot()))
    for address in ADDRESSES:
        hop = routing.lookup(subnet, address, tags)
        want = linear(routing, subnet, address, tags)
        assert (None if hop is None else (hop.route, hop.table_id, hop.destination)) == want
