from hypothesis import given, strategies as st

import pytest

from scanner.ports import PortSet

ranges = st.lists(st.tuples(st.integers(0, 70), st.integers(0, 70)).map(sorted).map(tuple), max_size=4)
sets = st.dictionaries(st.sampled_from(["tcp", "udp", "icmp"]), ranges, max_size=3).map(PortSet)


def members(s):
    return {(p, n) for p in ("tcp", "udp", "icmp") for n in range(0, 71) if s.covers(p, n)}


@given(sets, sets)
def test_algebra_matches_sets_of_ports(a, b):
    assert members(a | b) == members(a) | members(b)
    assert members(a & b) == members(a) & members(b)
    assert members(a - b) == members(a) - members(b)


def test_parse_and_describe():
    assert PortSet.parse("tcp/8000-8999").describe() == ["tcp/8000-8999"]
    assert PortSet.parse("all").describe() == ["all"]
    assert PortSet.parse("icmp").describe() == ["icmp"]
    assert PortSet.of("-1").is_all()
    assert PortSet.of("6", [(22, 22)]) == PortSet.parse("tcp/22")
    assert (PortSet.parse("all") - PortSet.parse("tcp/0-79")).describe()[0] == "tcp/80-65535"
    for bad in ("tcp/70000", "xyz/1", "icmp/3", "tcp/a-b"):
        with pytest.raises(ValueError):
            PortSet.parse(bad)


def test_readable_names_what_people_read():
    every = PortSet.all()
    web = PortSet.parse_many(["tcp/80", "tcp/443", "tcp/8000-8999"])
    assert every.readable() == "every port and protocol"
    assert PortSet().readable() == "nothing"
    assert PortSet.parse("tcp/all").readable() == "all TCP"
    assert (PortSet.parse("tcp/all") - web).readable() == "all TCP except 80, 443, 8000-8999"
    assert PortSet.parse_many(["tcp/22", "tcp/3389"]).readable() == "tcp/22, tcp/3389"
    assert PortSet.parse_many(["tcp/22", "tcp/23", "tcp/24-30"]).readable() == "tcp/22-30"  # merged
    assert PortSet.parse_many(["udp/53", "icmp", "icmpv6", "other", "tcp/443"]).readable() == \
        "tcp/443, udp/53, ICMP, ICMPv6, other IP protocols"
    assert PortSet.parse_many(["tcp/all", "udp/0-100"]).readable() == "all TCP, udp/0-100"
    assert (every - PortSet.parse("tcp/22")).readable() == "every port and protocol except tcp/22"
    assert (every - PortSet.parse("tcp/all")).readable() == "all UDP, all SCTP, ICMP, ICMPv6, other IP protocols"
    assert (every - PortSet.parse("udp/53")).readable(limit=1) == "every port and protocol except udp/53"
    assert (every - PortSet.parse("icmp")).readable() == "all TCP, all UDP, all SCTP, ICMPv6, other IP protocols"
    # exactly half the port space is still listed; one port more and it reads as the complement
    assert PortSet.parse("tcp/0-32767").readable() == "tcp/0-32767"
    assert PortSet.parse("tcp/0-32768").readable() == "all TCP except 32769-65535"


def test_readable_caps_long_lists():
    many = PortSet.parse_many([f"tcp/{p}" for p in range(20, 40, 2)])
    assert many.readable(limit=3) == "tcp/20, tcp/22, tcp/24 and 7 more"
    assert (PortSet.parse("tcp/all") - many).readable(limit=2) == "all TCP except 20, 22 and 8 more"
    assert many.readable(limit=10) == many.readable()


def _read_tcp(text):
    """Back from readable() to a set, for TCP-only sets."""
    if text == "nothing":
        return PortSet()
    if text == "all TCP":
        return PortSet.parse("tcp/all")
    if text.startswith("all TCP except "):
        return PortSet.parse("tcp/all") - PortSet.parse_many("tcp/" + p for p in text[15:].split(", "))
    return PortSet.parse_many(text.split(", "))


@given(st.lists(st.tuples(st.integers(0, 65535), st.integers(0, 65535)).map(sorted).map(tuple), max_size=5))
def test_readable_says_exactly_the_set(ranges):
    tcp = PortSet({"tcp": ranges})
    assert _read_tcp(tcp.readable()) == tcp
    assert _read_tcp((PortSet.parse("tcp/all") - tcp).readable()) == PortSet.parse("tcp/all") - tcp
    assert PortSet.parse_many(tcp.describe()) == tcp
