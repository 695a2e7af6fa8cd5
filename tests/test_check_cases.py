"""The generic case runner, and the meta-test every check must pass."""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import casefiles
from scanner import engine
from scanner.context import AuditContext

CHECKS = {c.meta.id: c for c in engine.discover()}
MODULES = {
    m.CHECK: m
    for m in (importlib.import_module(f"casefiles.{info.name}") for info in pkgutil.iter_modules(casefiles.__path__))
}
CASES = [(cid, name, case) for cid, mod in sorted(MODULES.items()) for name, case in sorted(mod.CASES.items())]


@pytest.mark.parametrize("check_id,name,case", CASES, ids=[f"{c}-{n}" for c, n, _ in CASES])
def test_case(check_id, name, case):
    assert name.startswith(("pass_", "fail_")), name
    chk = CHECKS[check_id]
    if case.params:
        meta = chk.meta.__class__(**{**_fields(chk.meta), "params": {**chk.meta.params, **case.params}})
        chk = engine.Check(meta, chk.fn, chk.source)
    snapshot = case.build()
    ctx = AuditContext(snapshot, zone_policy_text=case.zones) if case.zones else AuditContext(snapshot)
    result = engine.run([chk], ctx)
    assert not result.errors, result.errors
    failing = {f.resource.id for f in result.findings}
    assert failing == set(case.fails), [f.message for f in result.findings]
    if case.affected is not None:
        assert {r.id for f in result.findings for r in f.affected} == set(case.affected)
    if name.startswith("pass_"):
        assert not case.fails


def _fields(meta):
    return {name: getattr(meta, name) for name in meta.__dataclass_fields__}


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_every_check_is_complete(check_id):
    meta = CHECKS[check_id].meta
    assert engine.meta_problems(meta) == []
    assert meta.remediation and meta.rationale and meta.references
    names = MODULES.get(check_id) and MODULES[check_id].CASES
    assert names, f"{check_id} has no case file in tests/casefiles/"
    assert any(n.startswith("pass_") for n in names), f"{check_id} has no pass case"
    assert any(n.startswith("fail_") for n in names), f"{check_id} has no fail case"


def test_every_case_file_names_a_registered_check():
    assert set(MODULES) <= set(CHECKS)
