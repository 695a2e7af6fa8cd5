"""The snapshot file: round trip, schema in step with the model, one-line errors."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Literal, Mapping

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from jsonschema import Draft202012Validator

from builder import Estate, allow_in, cidr, group, local, route
from scanner import codec, snapshot as snapshot_file
from scanner.errors import InputError
from scanner.model import Address, Cidr, Peering, PortRange, Rule, Snapshot, frozen, merge

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


def _plain_reference(snap: Snapshot, collected_at: str = "", tool: str = "") -> bytes:
    """The file as json writes the plain document: what msgspec's bytes must equal."""
    doc = snapshot_file.to_document(snap, collected_at, tool)
    return (json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(estates(), st.sampled_from(["", "2026-11-01T00:00:00+00:00"]), st.sampled_from(["", "segaudit 9"]))
def test_written_bytes_are_the_plain_document_sorted(snap, collected_at, tool):
    written = snapshot_file.encode(snap, collected_at, tool)
    assert written == _plain_reference(snap, collected_at, tool)
    assert snapshot_file.encode(snapshot_file.loads(written)) == snapshot_file.encode(snap)


def test_same_snapshot_same_bytes_whatever_the_tag_order():
    def build(tags):
        e = Estate("aws", "111")
        e.network("vpc-1", "10.0.0.0/16", tags=tags)
        return e.snapshot()

    one, other = build({"b": "2", "a": "1", "Ü": "3"}), build({"Ü": "3", "a": "1", "b": "2"})
    assert snapshot_file.encode(one) == snapshot_file.encode(other)
    assert b'"tags":{"a":"1","b":"2","\xc3\x9c":"3"}' in snapshot_file.encode(one)


def test_fields_at_their_default_are_left_out():
    # a value equal to the default but not the same object (as a decoder makes it) too
    peering = Peering(provider="aws", account="1", region="r", id="pcx-1", network_id="vpc-1",
                      peer_network_id="vpc-2", route_exchange="".join(["expl", "icit"]))
    written = snapshot_file.encode(Snapshot(peerings=(peering,)))
    assert b"route_exchange" not in written and b"state" not in written and b"tags" not in written
    assert written == _plain_reference(Snapshot(peerings=(peering,)))


def test_a_model_object_off_its_types_is_written_and_named_on_reading(tmp_path):
    odd = Rule(id="r1", direction="ingress", ports=(PortRange(first="22", last=22),), peers=())  # type: ignore[arg-type]
    e = Estate("aws", "111")
    e.policy("sg-1", e.network("vpc-1", "10.0.0.0/16"), rules=[odd])
    snapshot_file.write(e.snapshot(), tmp_path / "snap.json")
    with pytest.raises(InputError, match=r"policies\[0\]\.rules\[0\]\.ports\[0\]\.first: '22' is not of type 'integer'"):
        snapshot_file.read(tmp_path / "snap.json")


def test_what_the_schema_allows_loads_where_msgspec_alone_would_refuse():
    doc = _sample_doc()
    doc["policies"][0]["rules"][0]["priority"] = 7.0  # an integer to JSON Schema, a float to msgspec
    snap = snapshot_file.loads(json.dumps(doc))
    assert snap.policies[0].rules[0].priority == 7


@frozen
class _Part:
    first: int
    note: str = ""


@frozen
class _Probe:
    """A model type that is not in the model: the decoder must follow it unchanged."""

    id: str
    where: Cidr
    at: Address | None = None
    kind: Literal["a", "b"] = "a"
    parts: tuple[_Part, ...] = ()
    labels: Mapping[str, str] = dataclasses.field(default_factory=dict)


_PROBE_OK = {"id": "p", "where": "10.0.0.0/8", "at": "10.0.0.1", "kind": "b", "parts": [{"first": 1}],
             "labels": {"k": "v"}}
_PROBE_BAD = [
    ({"id": "p", "where": "10.0.0.0/33"}, "$.where"),
    ({"id": "p", "where": "10.0.0.0/8", "at": "10.0.0.0/8"}, "$.at"),
    ({"id": "p", "where": "10.0.0.0/8", "parts": [{"first": 1}, {"first": 2, "last": 3}]}, "$.parts[1]"),
    ({"id": "p", "where": "10.0.0.0/8", "parts": [{"note": "x"}]}, "$.parts[0]"),
    ({"id": "p", "where": "10.0.0.0/8", "kind": "c"}, "$.kind"),
    ({"id": "p", "where": "10.0.0.0/8", "labels": {"k": 1}}, "$.labels"),  # msgspec: "$.labels[...]"
    ({"where": "10.0.0.0/8"}, "$"),
]


def _probe_refusal(doc: dict) -> str | None:
    """Where msgspec and the format walk refuse a _Probe document, or None."""
    try:
        mirror = msgspec.json.decode(json.dumps(doc), type=codec.mirror_type(_Probe))
    except msgspec.ValidationError as exc:
        return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in codec.error_path(exc))
    bad = codec.first_bad_format(_Probe, mirror)
    return None if bad is None else "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in bad)


def test_new_model_types_are_checked_built_and_written_without_new_code():
    schema = Draft202012Validator({"$defs": (defs := {}), **codec.schema_for(_Probe, defs)}, format_checker=codec.FORMATS)
    assert _probe_refusal(_PROBE_OK) is None and schema.is_valid(_PROBE_OK)
    mirror = msgspec.json.decode(json.dumps(_PROBE_OK), type=codec.mirror_type(_Probe))
    built = msgspec.convert(mirror, _Probe, from_attributes=True)
    assert built == _Probe(id="p", where="10.0.0.0/8", at="10.0.0.1", kind="b", parts=(_Part(first=1),), labels={"k": "v"})
    for bad, where in _PROBE_BAD:
        assert _probe_refusal(bad) == where, bad
        assert not schema.is_valid(bad), bad
    written = msgspec.json.encode(msgspec.convert(built, codec.mirror_type(_Probe), from_attributes=True))
    assert json.loads(written) == codec.to_plain(built)
    assert msgspec.json.encode(msgspec.convert(_Probe(id="p", where="::/0"), codec.mirror_type(_Probe),
                                               from_attributes=True)) == b'{"id":"p","where":"::/0"}'


@pytest.mark.parametrize("text", ["10.0.0.1", "10.0.0.0/8", "0.0.0.0/0", "255.255.255.255/32", "010.0.0.1",
                                  "10.0.0.1/08", "10.0.0.1/33", "256.0.0.1", "10.0.0", "10.0.0.1\n", "١٠.0.0.1",
                                  "10.0.0.1/255.255.0.0", "::1", "fe80::1%eth0", "2001:db8::/129", " 10.0.0.1", ""])
def test_quick_format_tests_answer_as_ipaddress(text):
    for name, test in codec.FORMAT_TESTS.items():
        assert test(text) == codec.FORMAT_FUNCTIONS[name](text), (name, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789./:abcdef%", max_size=20))
def test_quick_format_tests_answer_as_ipaddress_on_anything(text):
    for name, test in codec.FORMAT_TESTS.items():
        assert test(text) == codec.FORMAT_FUNCTIONS[name](text), (name, text)


def test_msgspec_error_paths_are_read_back():
    doc = _sample_doc()
    doc["policies"][1]["rules"][0]["ports"][0]["last"] = "22"
    with pytest.raises(msgspec.ValidationError) as err:
        msgspec.convert(doc, codec.mirror_struct(Snapshot, snapshot_file.HEADER))
    assert codec.error_path(err.value) == ("policies", 1, "rules", 0, "ports", 0, "last")
    assert codec.error_path(msgspec.ValidationError("Object missing required field `id`")) == ()


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
