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
