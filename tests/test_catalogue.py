"""docs/checks.md is generated from the metadata, and every cloud a check claims is tested."""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import casefiles
from scanner import catalogue

METAS = catalogue.builtin_checks()
CASES = {
    m.CHECK: m.CASES
    for m in (importlib.import_module(f"casefiles.{i.name}") for i in pkgutil.iter_modules(casefiles.__path__))
}


def test_committed_catalogue_is_current():
    committed = catalogue.DEFAULT_PATH.read_text(encoding="utf-8")
    assert committed == catalogue.render(METAS), "docs/checks.md is stale: run python -m scanner.catalogue"


def test_catalogue_shows_what_a_reader_needs():
    text = catalogue.render(METAS)
    for meta in METAS:
        section = text.split(f"## {meta.id} ", 1)[1].split("\n## ", 1)[0]
        assert meta.title in section and f"**Severity:** {meta.severity}" in section
        assert meta.rationale in section and meta.remediation in section
        assert all(catalogue.PROVIDER_NAMES[p] in section for p in meta.providers)
        if meta.fix_example:
            assert meta.fix_example in section


def test_check_mode_reports_a_stale_file(tmp_path, capsys):
    path = tmp_path / "checks.md"
    assert catalogue.main(["--output", str(path), "--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert catalogue.main(["--output", str(path)]) == 0
    assert catalogue.main(["--output", str(path), "--check"]) == 0


@pytest.mark.parametrize("meta", METAS, ids=[m.id for m in METAS])
def test_every_claimed_cloud_has_a_pass_and_a_fail_case(meta):
    names = CASES.get(meta.id, {})
    for provider in meta.providers:
        for outcome in ("pass", "fail"):
            assert any(n.startswith(f"{outcome}_{provider}_") for n in names), \
                f"{meta.id} claims {provider} but has no {outcome}_{provider}_* case"
