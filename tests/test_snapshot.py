"""The snapshot file: round trip, schema in step with the model, one-line errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from builder import Estate, allow_in, cidr, group, local, route
from scanner import snapshot as snapshot_file
from scanner.errors import InputError
from scanner.model import Snapshot, merge

SAMPLE = Path(__file__).parent.parent / "examples" / "sample-snapshot.json"


def small_estate(account="111111111111") -> Snapshot:
    e = Estate("aws", account)
    vpc = e.network("vpc-1", "10.0.0.0/16", tags={"Environment": "prod", "Ünï": ""})
    rt = e.route_table("rtb-1", vpc, routes=[local("10.0.0.0/16"), route("::/0", "egress-only", "eigw-1")])
    sg = e.policy("sg-1", vpc, rules=[allow_in("tcp", "8000-8999", cidr("10.0.0.0/8"), group("sg-2", "222"))])
    sub = e.subnet("subnet-1", vpc, "10.0.1.0/24", "2001:db8::/64", route_tables=[rt])
    e.workload("eni-1", sub, "10.0.1.10", policies=[sg], public_ip="203.0.113.1")
    e.error(region="ap-south-1", service="ec2", operation="DescribeVpcs", code="AccessDenied", message="denied")
    return e.snapshot()


def test_shipped_schema_is_generated_from_the_model():
    shipped = json.loads(Path(snapshot_file.__file__).with_name("schemas").joinpath("snapshot.schema.json").read_text())
    assert shipped == snapshot_file.build_schema(), "run: python -m scanner.snapshot_schema to regenerate"


def test_round_trip_gives_back_an_equal_model(tmp_path):
    snap = small_estate()
    path = tmp_path / "snap.json"
    snapshot_file.write(snap, path)
    assert snapshot_file.read(path) == snap
    assert not list(tmp_path.glob("*.part")), "temporary file left behind"


def test_sample_snapshot_loads():
    snap = snapshot_file.read(SAMPLE)
    assert len(snap.workloads) == 3


def test_merge_keeps_each_account_once():
    a, b = small_estate("111"), small_estate("222")
    merged = merge([a, b, a])
    assert len(merged.networks) == 2 and len(merged.accounts) == 2


_names = st.text(min_size=0, max_size=8)
_ids = st.text(alphabet="abcdef0123456789-", min_size=1, max_size=10)
_nets = st.sampled_from(["10.0.0.0/16", "0.0.0.0/0", "::/0", "2001:db8::/32", "192.168.1.0/24"])


@st.composite
def estates(draw):
    e = Estate(draw(st.sampled_from(["aws", "gcp", "azure"])), draw(_ids), draw(_names))
    for i in range(draw(st.integers(0, 3))):
        net = e.network(f"n{i}", *draw(st.lists(_nets, max_size=2)), tags=draw(st.dictionaries(_names, _names, max_size=2)))
        rules = [
            allow_in(draw(st.sampled_from(["tcp", "udp", "all", "icmp", "50"])),
                     draw(st.one_of(st.none(), st.integers(0, 65535))), cidr(draw(_nets)),
                     priority=draw(st.integers(0, 65535)))
            for _ in range(draw(st.integers(0, 3)))
        ]
        pol = e.policy(f"p{i}", net, rules=rules, kind=draw(st.sampled_from(["nsg", "network-acl", "security-group"])))
        sub = e.subnet(f"s{i}", net, draw(_nets), policies=[pol], assigns_public_ips=draw(st.booleans()))
        e.workload(f"w{i}", sub, "10.0.0.1", policies=[pol], network_tags=draw(st.lists(_names, max_size=2)))
    return e.snapshot()


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(estates())
def test_round_trip_property(snap):
    assert snapshot_file.loads(snapshot_file.dumps(snap)) == snap


def _sample_doc():
    return json.loads(SAMPLE.read_text())


BAD = {
    "truncated": (lambda: SAMPLE.read_text()[:200], "snap.json: not valid JSON ("),
    "wrong_version": (lambda: json.dumps({**_sample_doc(), "version": 9}), "snap.json: snapshot version 9 is not supported"),
    "not_a_snapshot": (lambda: json.dumps({"hello": 1}), "snap.json: not a segaudit snapshot"),
    "top_level_list": (lambda: "[]", "snap.json: not a segaudit snapshot"),
    "bad_cidr": (
        lambda: SAMPLE.read_text().replace('"10.0.32.0/20"]', '"10.0.0.0/33"]', 1),
        "snap.json: subnets[2].cidrs[0]: '10.0.0.0/33' is not a valid network",
    ),
    "bad_ip": (
        lambda: SAMPLE.read_text().replace('"10.0.32.10"', '"10.0.32.999"'),
        "snap.json: workloads[2].private_ips[0]: '10.0.32.999' is not a valid IP address",
    ),
    "wrong_type": (
        lambda: SAMPLE.read_text().replace('"assigns_public_ips": true', '"assigns_public_ips": "yes"'),
        "snap.json: subnets[0].assigns_public_ips: 'yes' is not of type 'boolean'",
    ),
    "unknown_field": (
        lambda: SAMPLE.read_text().replace('"kind": "internet",', '"kind": "internet", "colour": "red",'),
        "snap.json: gateways[0]: Additional properties are not allowed ('colour' was unexpected)",
    ),
    "unknown_enum": (
        lambda: SAMPLE.read_text().replace('"target_kind": "nat"', '"target_kind": "wormhole"'),
        "snap.json: route_tables[1].routes[1].target_kind: 'wormhole' is not one of",
    ),
    "not_utf8": (lambda: b"\xff\xfe{", "snap.json: not valid JSON (not UTF-8 text)"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_give_one_line(tmp_path, case):
    make, expected = BAD[case]
    data = make()
    path = tmp_path / "snap.json"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    with pytest.raises(InputError) as err:
        snapshot_file.read(path)
    message = str(err.value).replace(str(tmp_path) + "/", "")
    assert message.startswith(expected)
    assert "\n" not in message


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        snapshot_file.read(tmp_path / "nope.json")
