"""Zone policy files, zone inference and `segaudit zones`."""
from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from builder import Estate, local, route
from scanner.cli import main
from scanner.context import AuditContext
from scanner.errors import InputError
from scanner.zonepolicy import default_policy, loads

SAMPLE = "examples/sample-snapshot.json"


def estate():
    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16")
    e.gateway("igw-1", "internet", vpc, requires_public_address=True)
    pub = e.route_table("rtb-pub", vpc, routes=[local("10.0.0.0/16"), route("0.0.0.0/0", "internet", "igw-1")])
    priv = e.route_table("rtb-priv", vpc, routes=[local("10.0.0.0/16")])
    e.subnet("sn-tagged", vpc, "10.0.1.0/24", route_tables=[priv], tags={"TIER": "Database"})
    e.subnet("sn-named", vpc, "10.0.2.0/24", route_tables=[priv], name="prod-mgmt-a")
    routed = e.subnet("sn-routed", vpc, "10.0.3.0/24", route_tables=[pub], name="subnet-x")
    lost = e.subnet("sn-lost", vpc, "10.0.4.0/24", route_tables=[priv], name="misc")
    e.workload("eni-bastion", routed, "10.0.3.5", tags={"segaudit:zone": "management"})
    e.workload("eni-web", routed, "10.0.3.6")
    e.workload("eni-lost", lost, "10.0.4.6")
    return e.snapshot()


def test_inference_keeps_its_reasons():
    z = AuditContext(estate()).zones
    assert (z.subnet_zone("sn-tagged"), z.reason("sn-tagged")) == ("data", "tag TIER=Database")
    assert z.subnet_zone("sn-named") == "management" and "'mgmt'" in z.reason("sn-named")
    assert z.subnet_zone("sn-routed") == "dmz" and "igw-1" in z.reason("sn-routed")
    assert z.workload_zone("eni-bastion") == "management"
    assert z.workload_zone("eni-web") == "dmz" and "sn-routed" in z.reason("eni-web")
    assert [s.id for s in z.unzoned_subnets()] == ["sn-lost"]
    assert [w.id for w in z.unzoned_workloads()] == ["eni-lost"]


POLICY = """
version: 1
zones:  # the first zone in file order whose selector matches wins
  - name: ops
    match: [{name: "*mgmt*"}, {tags: {"segaudit:zone": management}}]
  - name: web
    trust: 1
    match: [{cidr: 10.0.3.0/24}]
  - name: db
    match: [{tags: {tier: data*}}, {id: "sn-lost"}]
flows:
  - {from: internet, to: web, ports: [tcp/443]}
  - {from: web, to: db, ports: ["tcp/5432", "udp/53"], note: via proxy}
"""


def test_policy_file_selectors():
    ctx = AuditContext(estate(), zone_policy_text=POLICY)
    z = ctx.zones
    assert [z.subnet_zone(s) for s in ("sn-tagged", "sn-named", "sn-routed", "sn-lost")] == ["db", "ops", "web", "db"]
    assert z.workload_zone("eni-bastion") == "ops"
    assert z.workload_zone("eni-web") == "web"
    assert ctx.policy.permitted("web", "db").describe() == ["tcp/5432", "udp/53"]
    assert not ctx.policy.permitted("db", "web")


def test_default_policy_is_the_seeds_five_zones():
    p = default_policy()
    assert p.names == ("internet", "dmz", "internal", "data", "management")
    assert p.permitted("internet", "dmz").describe() == ["tcp/80", "tcp/443"]
    assert not p.permitted("internet", "internal") and not p.permitted("dmz", "data")
    assert not p.permitted("internal", "management") and not p.permitted("data", "internal")
    assert p.permitted("management", "data").covers("tcp", 22)


@pytest.mark.parametrize("text,expected", [
    ("version: 1\nzones: [{name: a}", "z.yaml: not valid YAML at line 2"),
    ("version: 2\nzones: [{name: a}]", "z.yaml: version: 1 was expected"),
    ("version: 1\nzones: []", "z.yaml: zones: [] should be non-empty"),
    ("version: 1\nzones: [{name: a}, {name: a}]", "z.yaml: zones[1].name: zone 'a' is defined twice"),
    ("version: 1\nzones: [{name: a}]\nflows: [{from: a, to: b, ports: [tcp/1]}]", "z.yaml: flows[0].to: unknown zone 'b'"),
    ("version: 1\nzones: [{name: a}]\nflows: [{from: internet, to: a, ports: [tcp/99999]}]",
     "z.yaml: flows[0].ports: 'tcp/99999' has a port outside 0-65535"),
    ("version: 1\nzones: [{name: a, match: [{cidr: 10.0.0.0/40}]}]",
     "z.yaml: zones[0].match[0].cidr: '10.0.0.0/40' is not a valid network"),
    ("version: 1\nzones: [{name: a, match: [{colour: red}]}]", "z.yaml: zones[0].match[0]: Additional properties"),
    ("!!python/object/apply:os.system ['echo hi']", "z.yaml: not valid YAML"),
    ("- just\n- a list", "z.yaml: (top level): ['just', 'a list'] is not of type 'object'"),
])
def test_bad_policy_files_give_one_line(text, expected):
    with pytest.raises(InputError) as err:
        loads(text, "z.yaml")
    assert str(err.value).startswith(expected), str(err.value)
    assert "\n" not in str(err.value)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12))
_docs = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(
        ["version", "zones", "flows", "name", "match", "from", "to", "ports", "tags", "cidr", "trust", "x"]),
        inner, max_size=5)), max_leaves=20)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_docs)
def test_arbitrary_documents_load_or_fail_in_one_line(doc):
    try:
        loads(yaml.safe_dump(doc), "z.yaml")
    except InputError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_loads_or_fails_in_one_line(text):
    try:
        loads(text, "z.yaml")
    except InputError as exc:
        assert "\n" not in str(exc)


def test_ten_thousand_zones_load(tmp_path):
    zones = [{"name": f"z{i}", "match": [{"id": f"subnet-{i}"}]} for i in range(10_000)]
    policy = loads(yaml.safe_dump({"version": 1, "zones": zones}, width=200), "big.yaml")
    assert len(policy.zones) == 10_001


def test_zones_command_and_init_round_trip(tmp_path):
    runner = CliRunner()
    shown = runner.invoke(main, ["zones", SAMPLE])
    assert shown.exit_code == 0 and "subnet-0data" in shown.output and "tag Zone=data" in shown.output
    init = runner.invoke(main, ["zones", "--init", SAMPLE])
    path = tmp_path / "zones.yaml"
    path.write_text(init.output)
    again = runner.invoke(main, ["zones", SAMPLE, "--zones", str(path)])
    assert again.exit_code == 0 and "6 placed, 0 unzoned" in again.output


def test_audit_with_a_bad_zone_file_is_one_line(tmp_path):
    bad = tmp_path / "zones.yaml"
    bad.write_text("version: 1\nzones: [{name: Bad Name}]\n")
    res = CliRunner().invoke(main, ["audit", SAMPLE, "--zones", str(bad)])
    assert res.exit_code == 2
    assert res.output.startswith(f"segaudit: error: {bad}: zones[0].name: 'Bad Name' does not match")
