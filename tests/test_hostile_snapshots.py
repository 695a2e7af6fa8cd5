"""Hostile and broken snapshot files: a clean load or a one-line error, never a traceback."""
from __future__ import annotations

import copy
import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from scanner import snapshot as snapshot_file
from scanner.audit import audit
from scanner.cli import main
from scanner.errors import InputError

SAMPLE = Path(__file__).parent.parent / "examples" / "sample-snapshot.json"
DOC = json.loads(SAMPLE.read_text())

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                     st.text(max_size=20), st.sampled_from(["10.0.0.0/33", "::/129", "tcp", "all", "-1", "", "*"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                          st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                       max_leaves=8)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, prefix + (i,))


PATHS = [p for p in _paths(DOC) if p]


def _load_or_one_line(text: str) -> None:
    try:
        snap = snapshot_file.loads(text, "snap.json")
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("snap.json: ")
        return
    audit(snap)  # whatever loads must also audit without an exception


@settings(max_examples=250, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(PATHS), _values, st.booleans())
def test_mutated_documents(path, value, delete):
    doc = copy.deepcopy(DOC)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    _load_or_one_line(json.dumps(doc))


@settings(max_examples=150, deadline=None)
@given(_values)
def test_arbitrary_documents(value):
    _load_or_one_line(json.dumps(value))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text(text):
    _load_or_one_line(text)


def test_deeply_nested_json_is_one_line(tmp_path):
    bad = tmp_path / "deep.json"
    bad.write_text("[" * 100_000 + "]" * 100_000)
    res = CliRunner().invoke(main, ["audit", str(bad)])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1


def test_a_directory_is_not_a_snapshot(tmp_path):
    res = CliRunner().invoke(main, ["audit", str(tmp_path)])
    assert res.exit_code == 2 and res.output.startswith("segaudit: error: ")
