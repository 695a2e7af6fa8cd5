"""`query` answers pair by pair from routes and enforcement points; the whole-estate
engine answers by classes. On every scenario estate the tests hold (the reachability
scenarios and every check's case file), both must give the same ports for every pair."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import casefiles
from builder import Estate, cidr, deny_in, group
from scanner.context import AuditContext
from scanner.evaluate import INTERNET, Evaluator, subject
from scanner.index import Index, fold
from scanner.model import PortRange, Rule
from scanner.ports import PortSet
from scanner.questions.explain import Explainer
from test_engine_differential import Random


def _reach_estates():
    for module in ("reach.test_aws", "reach.test_gcp", "reach.test_azure"):
        for name, (build, _target, _expected) in importlib.import_module(module).SCENARIOS.items():
            yield f"{module}:{name}", (lambda b=build: _snapshot(b())), None
    fw = importlib.import_module("reach.test_azure_firewall")
    for name, rules in (("443", [fw.A_TO_B_443()]), ("pass-through", None), ("deny-first", [
            deny_in("tcp", 443, cidr(fw.SPOKE_A), priority=100), fw.A_TO_B_443(priority=200)])):
        yield f"azure-firewall:{name}", (lambda r=rules: fw.hub_and_spokes(r)), None
    yield "azure-firewall:unknown-next-hop", (lambda: fw.hub_and_spokes([fw.A_TO_B_443()], target="10.1.9.99")), None


def _case_estates():
    for info in pkgutil.iter_modules(casefiles.__path__):
        mod = importlib.import_module(f"casefiles.{info.name}")
        for name, case in mod.CASES.items():
            yield f"{mod.CHECK}:{name}", case.build, case.zones


def _snapshot(built):
    return built.snapshot() if isinstance(built, Estate) else built


ESTATES = [*_reach_estates(), *_case_estates()]


def engine_pairs(ctx):
    """(source id or "internet", destination id) -> ports, from flows_into."""
    out = {}
    for wl in ctx.snapshot.workloads:
        for flow in ctx.reach.flows_into(wl.id):
            for src in flow.sources:
                key = (fold(src), fold(wl.id))
                out[key] = out.get(key, PortSet()) | flow.ports
    return out


@pytest.mark.parametrize("name,build,zones", ESTATES, ids=[e[0] for e in ESTATES])
def test_query_agrees_with_the_engine_on_every_pair(name, build, zones):
    snap = build()
    ctx = AuditContext(snap, zone_policy_text=zones) if zones else AuditContext(snap)
    expected = engine_pairs(ctx)
    explainer = Explainer(ctx)
    workloads = list(snap.workloads)
    for dst in workloads:
        got = explainer.pair(None, dst, PortSet.all())
        assert got.ports == expected.get(("internet", fold(dst.id)), PortSet()), ("internet", dst.id, got)
        for src in workloads:
            if src is dst:
                continue
            got = explainer.pair(src, dst, PortSet.all())
            assert got.ports == expected.get((fold(src.id), fold(dst.id)), PortSet()), (src.id, dst.id, got)
            assert (got.blocked_at is None) == bool(got.ports)


# -- Evaluator.explain says what Evaluator.point computes -------------------------------
PEERS = [cidr("10.0.0.0/16"), cidr("10.0.1.0/24"), cidr("0.0.0.0/0"), cidr("10.9.0.0/16"), group("sg-a")]
rules = st.builds(
    lambda direction, action, proto, lo, width, peer, prio: Rule(
        id=f"r{prio}-{lo}", direction=direction, action=action, priority=prio, protocol=proto,
        ports=() if proto in ("all", "icmp") else (PortRange(first=lo, last=min(65535, lo + width)),),
        peers=(peer,)),
    st.sampled_from(["ingress", "egress"]), st.sampled_from(["allow", "deny", "next"]),
    st.sampled_from(["tcp", "udp", "icmp", "all"]), st.integers(0, 2000), st.integers(0, 3000),
    st.sampled_from(PEERS), st.integers(0, 5))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["security-group", "network-acl", "vpc-firewall", "nsg",
                                           "hierarchical-firewall-policy"]), st.lists(rules, max_size=6)),
                min_size=1, max_size=3),
       st.sampled_from(["ingress", "egress"]), st.booleans())
def test_explain_lets_through_what_point_does(policies, direction, from_internet):
    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16")
    made = []
    for i, (kind, rs) in enumerate(policies):
        if kind == "security-group":
            rs = [r.__class__(**{**{f: getattr(r, f) for f in r.__dataclass_fields__}, "action": "allow"}) for r in rs]
        made.append(e.policy(f"p{i}", vpc, rules=rs, kind=kind))
    sub = e.subnet("sn", vpc, "10.0.1.0/24")
    local = e.workload("eni-l", sub, "10.0.1.10", policies=["p0"])
    other = e.workload("eni-r", sub, "10.0.1.20", policies=["sg-a"])
    ev = Evaluator(Index(e.snapshot()))
    remote = INTERNET if from_internet else subject(other)
    want = PortSet.parse("tcp/0-3000") | PortSet.parse("udp/53") | PortSet.parse("icmp")
    allowed, _ = ev.point(made, direction, subject(local), remote, want)
    explained, decisions = ev.explain(made, direction, subject(local), remote, want)
    assert explained == allowed
    admitted = PortSet.union_of(d.ports for d in decisions if d.action == "allow")
    assert not (allowed - admitted)  # every port let through has the allow that admitted it


# -- and on random estates of all three clouds ------------------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.sampled_from(["aws", "gcp", "azure"]))
def test_query_agrees_with_the_engine_on_random_estates(seed, provider):
    """The differential test's estates: hubs with several tables, appliances on the way
    back inside one network, first-match chains. `query` decides a pair as the engine does."""
    snap = Random(seed, provider).build()
    ctx = AuditContext(snap)
    expected = engine_pairs(ctx)
    explainer = Explainer(ctx)
    for dst in snap.workloads:
        got = explainer.pair(None, dst, PortSet.all())
        assert got.ports == expected.get(("internet", fold(dst.id)), PortSet()), ("internet", dst.id, got)
        for src in snap.workloads:
            if src is not dst:
                got = explainer.pair(src, dst, PortSet.all())
                assert got.ports == expected.get((fold(src.id), fold(dst.id)), PortSet()), (src.id, dst.id, got)
