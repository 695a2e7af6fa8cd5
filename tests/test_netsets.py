"""NetSet against the one-member-at-a-time ipaddress reading it replaces (hub route
lookups, hub probes, management ranges), on random IPv4 and IPv6 networks."""
from __future__ import annotations

import ipaddress

from hypothesis import given, settings, strategies as st

from scanner.netsets import NetSet


def _v4(bits: int, plen: int):
    return ipaddress.ip_network((bits, plen), strict=False)


# Few distinct prefixes in a small space, so members nest, repeat and collide often.
v4_nets = st.builds(lambda a, plen: _v4(0x0A000000 | (a << 16), plen), st.integers(0, 255), st.integers(6, 28))
v6_nets = st.builds(lambda a, plen: ipaddress.ip_network(((0xFD00 << 112) | (a << 96), plen), strict=False),
                    st.integers(0, 255), st.integers(8, 64))
nets = st.one_of(v4_nets, v4_nets, v6_nets)
addresses = st.one_of(st.builds(lambda a: ipaddress.ip_address(0x0A000000 | a), st.integers(0, 2**24 - 1)),
                      st.builds(lambda a: ipaddress.ip_address((0xFD00 << 112) | (a << 80)), st.integers(0, 2**24 - 1)))


def first_holding(members, address):
    return next((i for i, n in enumerate(members) if n.version == address.version and address in n), None)


def holds(members, net):
    return any(net.version == m.version and net.subnet_of(m) for m in members)


def inside(members, net):
    found = [i for i, n in enumerate(members) if n.version == net.version and n.subnet_of(net)]
    return sorted(found, key=lambda i: (int(members[i].network_address), i))


@settings(max_examples=300, deadline=None)
@given(st.lists(nets, max_size=30), st.lists(addresses, min_size=1, max_size=10))
def test_first_holding_is_the_first_member_holding_the_address(members, probes):
    found = NetSet(members)
    for address in probes + [m.network_address for m in members] + [m.broadcast_address for m in members]:
        assert found.first_holding(address) == first_holding(members, address)


@settings(max_examples=300, deadline=None)
@given(st.lists(nets, max_size=30), st.lists(nets, min_size=1, max_size=10))
def test_holds_and_inside_read_subnet_of(members, probes):
    found = NetSet(members)
    for net in probes + members:
        assert found.holds(net) == holds(members, net)
        assert found.inside(net) == inside(members, net)


def test_hub_route_order_wins_on_ties():
    members = [ipaddress.ip_network(c) for c in ("10.1.0.0/16", "10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0")]
    found = NetSet(members)
    assert found.first_holding(ipaddress.ip_address("10.1.2.3")) == 0
    assert found.first_holding(ipaddress.ip_address("10.2.0.1")) == 1
    assert found.first_holding(ipaddress.ip_address("192.0.2.1")) == 3
    assert found.first_holding(ipaddress.ip_address("fd00::1")) is None
