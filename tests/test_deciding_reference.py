"""The deciding allows, found through rules ranked once per placement and causes (what
every check grouping by cause asks), against the plain ranking below (what the checks did
before) on random estates of every cloud and random ports to report."""
from __future__ import annotations

import random
from collections import defaultdict

from hypothesis import HealthCheck, given, settings, strategies as st

from checks.causes import RuleIndex
from scanner.context import AuditContext
from scanner.ports import PortSet
from test_engine_differential import Random

def _decide(rules, wl, causes, hit):
    """The reference: every cause's rule and level asked afresh, grouped by level; the most
    selective level with a user rule that admits part of `hit`, else the most selective
    with any; its distinct rules in the order of their folded ids."""
    ranked = defaultdict(list)
    for c in causes:
        _c, found, key = rules._get(c)
        if found is None or not c.ports & hit:
            continue
        ranked[rules.level(wl, c, found[0])].append((key, found))
    if not ranked:
        return (), ()
    levels = sorted(ranked)
    chosen = next((lv for lv in levels if any(not r.platform_default for _, (_p, r) in ranked[lv])), levels[0])
    unique = dict(ranked[chosen])
    keys = tuple(sorted(unique))
    return tuple(unique[k] for k in keys), keys


SPECS = ["tcp/22", "tcp/80", "tcp/443", "tcp/5432", "tcp/8000-8999", "udp/53", "tcp/3389", "icmp"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.sampled_from(["aws", "gcp", "azure"]))
def test_prepared_ranking_decides_as_the_plain_one(seed, provider):
    ctx = AuditContext(Random(seed, provider).build())
    rules = RuleIndex(ctx)
    rng = random.Random(seed)
    asked = 0
    for wl in ctx.snapshot.workloads:
        for flow in ctx.reach.flows_into(wl.id):
            wanted = PortSet.parse_many(rng.sample(SPECS, rng.randint(1, 4)))
            for hit in (flow.ports, flow.ports & wanted, wanted):
                assert rules.deciding(wl, flow.causes, hit) == _decide(rules, wl, flow.causes, hit)
                asked += 1
    assert asked or not any(ctx.reach.flows_into(w.id) for w in ctx.snapshot.workloads)
