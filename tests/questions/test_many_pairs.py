"""`query` between sets too large to explain pair by pair answers from the whole-estate
engine without listing the pairs (scanner.questions.query._from_engine). On random
estates of every cloud it must give what the simple algorithm gives: every destination's
every flow, its sources listed and matched against the source set; and each pair it
shows as talking must talk."""
from __future__ import annotations

import ipaddress

from hypothesis import HealthCheck, given, settings, strategies as st

from scanner.context import AuditContext
from scanner.index import fold
from scanner.ports import PortSet
from scanner.questions import query as q
from scanner.questions.resolve import resolve
from scanner.zones import ZoneMap
from test_engine_differential import Random

ZONES = ["internet", "dmz", "internal", "data", "management"]
ASKED = [None, "tcp/22", "tcp/443", "tcp/5432", "udp/53", "icmp"]


def simple_from_engine(ctx, source, destination):
    """The reference: (ports, talking pairs) from every source of every flow."""
    wanted = None if source.internet else {fold(w.id) for w in source.workloads}
    found, talking = [], set()
    for dst in destination.workloads:
        for flow in ctx.reach.flows_into(dst.id):
            if flow.zone == "internet" and flow.sources == ("internet",):
                hits = ["internet"] if wanted is None else []
            else:
                hits = [] if wanted is None else [f for s in flow.sources if (f := fold(s)) in wanted]
            if hits:
                found.append(flow.ports)
                talking.update((h, fold(dst.id)) for h in hits)
    return PortSet.union_of(found), talking


def simple_selector(ctx, spec):
    """The reference selector: every workload tested, every address parsed each time."""
    rest = {k: v for k, v in spec.items() if k not in ("zone", "subnet")}
    out = []
    for w in ctx.snapshot.workloads:
        if "zone" in spec and ctx.zones.workload_zone(w.id) != spec["zone"]:
            continue
        network, sub = ctx.index.network(w.network_id), ctx.index.subnet(w.subnet_id)
        if rest and not (ZoneMap._matches(rest, w, [ipaddress.ip_network(ip) for ip in w.private_ips], network)
                         or (sub is not None and ZoneMap._matches(
                             rest, sub, [ipaddress.ip_network(c, strict=False) for c in sub.cidrs], network))):
            continue
        out.append(w.id)
    return sorted(out)


def ends(ctx, pick):
    """A source and a destination spec: a zone, the internet, or a selector."""
    nets = sorted(n.id for n in ctx.snapshot.networks)
    choices = [*ZONES, {"tags": {"Zone": "internal"}}, {"cidr": "10.1.0.0/16"}, {"cidr": "10.2.0.0/17"},
               *({"zone": z, "network": n} for z in ZONES[1:] for n in nets)]
    return pick(choices), pick(choices[1:])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.sampled_from(["aws", "gcp", "azure"]), st.data())
def test_engine_answer_matches_the_simple_one(seed, provider, data):
    ctx = AuditContext(Random(seed, provider).build())
    src, dst = ends(ctx, lambda c: data.draw(st.sampled_from(c)))
    for spec in (src, dst):
        if isinstance(spec, dict):
            assert sorted(w.id for w in resolve(ctx, spec).workloads) == simple_selector(ctx, spec)
    source, destination = resolve(ctx, src), resolve(ctx, dst)
    asked_text = data.draw(st.sampled_from(ASKED))
    asked = PortSet.all() if asked_text is None else PortSet.parse(asked_text)
    ports, talking = q._from_engine(ctx, source, destination, asked)
    want_ports, want_talking = simple_from_engine(ctx, source, destination)
    assert ports == want_ports & asked
    assert set(talking) <= want_talking
    # as many sample pairs as there are (up to the half of the sample), and they do talk on an asked port
    assert len(talking) == len(set(talking)) <= q.SAMPLE_PAIRS // 2
    assert len(talking) == min(len(want_talking), q.SAMPLE_PAIRS // 2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.sampled_from(["aws", "gcp", "azure"]), st.data())
def test_the_sample_of_many_pairs_shows_each_pair_once(seed, provider, data):
    ctx = AuditContext(Random(seed, provider).build())
    src, dst = ends(ctx, lambda c: data.draw(st.sampled_from(c)))
    asked_text = data.draw(st.sampled_from(ASKED))
    limit, q.MAX_PAIRS = q.MAX_PAIRS, 0  # every query answers from the engine
    try:
        answer = q.query(ctx, src, dst, None if asked_text is None else PortSet.parse(asked_text))
    finally:
        q.MAX_PAIRS = limit
    shown = [(p.source, p.destination) for p in answer.pairs]
    assert len(shown) == len(set(shown)) <= q.SAMPLE_PAIRS
    flowing = [p for p in answer.pairs if p.ports]
    assert not (PortSet.union_of(p.ports for p in flowing) - answer.ports)
