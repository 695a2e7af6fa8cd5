"""The check engine: discovery, selection, isolation of a failing check, fingerprints."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from builder import Estate
from scanner import engine
from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.errors import InputError
from scanner.findings import Result

META = dict(title="t", severity="low", rationale="r", remediation="fix", references=("https://example.org",))


def make(check_id, body=None, **kw):
    @check(CheckMeta(id=check_id, name=check_id.lower(), **{**META, **kw}))
    def fn(ctx):
        if body:
            return body(ctx)
        return [Result(n, f"{n.id} flagged") for n in ctx.snapshot.networks]

    return fn


def fake_eps(monkeypatch, *entries):
    eps = [
        SimpleNamespace(name=name, value=f"x:{name}", dist=SimpleNamespace(name=dist), load=lambda fn=fn: fn)
        for name, dist, fn in entries
    ]
    monkeypatch.setattr(engine.metadata, "entry_points", lambda group: eps)


def ctx():
    e = Estate("aws")
    e.network("vpc-b", "10.1.0.0/16")
    e.network("vpc-a", "10.0.0.0/16")
    return AuditContext(e.snapshot())


def test_builtins_are_discovered_through_entry_points():
    ids = [c.meta.id for c in engine.discover()]
    assert "SEG501" in ids and ids == sorted(ids)


def test_third_party_check_with_its_own_prefix_is_loaded(monkeypatch):
    fake_eps(monkeypatch, ("ACME001", "acme-checks", make("ACME001")), ("SEG900", "segaudit", make("SEG900")))
    assert [c.source for c in engine.discover()] == ["acme-checks", "segaudit"]


def test_duplicate_id_is_a_hard_error(monkeypatch):
    fake_eps(monkeypatch, ("ACME001", "acme", make("ACME001")), ("ACME001", "other", make("ACME001")))
    with pytest.raises(InputError, match="duplicate check id ACME001"):
        engine.discover()


def test_third_party_may_not_use_the_builtin_prefix(monkeypatch):
    fake_eps(monkeypatch, ("SEG999", "acme", make("SEG999")))
    with pytest.raises(InputError, match="reserved"):
        engine.discover()


def test_incomplete_metadata_is_refused(monkeypatch):
    fake_eps(monkeypatch, ("ACME002", "acme", make("ACME002", rationale="")))
    with pytest.raises(InputError, match="rationale is empty"):
        engine.discover()


def test_select_by_id_and_glob():
    checks = [engine.Check(make(i).meta, make(i), "segaudit") for i in ("SEG101", "SEG102", "SEG201")]
    pick = lambda inc, exc=(): [c.meta.id for c in engine.select(checks, inc, exc)]  # noqa: E731
    assert pick(["SEG1*"]) == ["SEG101", "SEG102"]
    assert pick(["seg101,SEG201"]) == ["SEG101", "SEG201"]
    assert pick([], ["SEG1*"]) == ["SEG201"]
    with pytest.raises(InputError, match="unknown check 'SEG999'"):
        pick(["SEG999"])


def test_a_check_that_raises_becomes_an_error_and_the_rest_run():
    def boom(ctx):
        raise KeyError("missing")

    checks = [engine.Check(make("SEG001", boom).meta, make("SEG001", boom), "segaudit"),
              engine.Check(make("SEG002").meta, make("SEG002"), "segaudit")]
    result = engine.run(checks, ctx())
    assert [e.check_id for e in result.errors] == ["SEG001"]
    assert {f.resource.id for f in result.findings} == {"vpc-a", "vpc-b"}


def test_fingerprints_ignore_order_and_change_with_the_finding():
    chk = engine.Check(make("SEG002").meta, make("SEG002"), "segaudit")
    first = engine.run([chk], ctx()).findings
    e = Estate("aws")
    e.network("vpc-a", "10.0.0.0/16")
    e.network("vpc-b", "10.1.0.0/16")
    second = engine.run([chk], AuditContext(e.snapshot())).findings
    assert [f.fingerprint for f in first] == [f.fingerprint for f in second]
    assert len({f.fingerprint for f in first}) == 2
    other = engine.to_finding(chk.meta, Result(e.snapshot().networks[0], "x", key="tcp/22"))
    assert other.fingerprint != first[0].fingerprint


def test_resource_uri_is_relative_and_has_no_colon():
    e = Estate("azure", "sub-1", "westeurope")
    net = e.network("/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v:1")
    f = engine.to_finding(make("SEG003").meta, Result(net, "m"))
    assert f.resource.uri.startswith("cloud/azure/sub-1/westeurope/network/")
    assert ":" not in f.resource.uri and f.resource.uri.count("/") == 5
