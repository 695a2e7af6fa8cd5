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


def _at(doc, path):
    for key in path:
        doc = doc[key]
    return doc


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


def _by_the_schema(text: str):
    """What the file says by json and the shipped schema alone: the reading every release
    before msgspec did, kept here as the reference the fast decoder is held to."""
    from scanner import codec
    from scanner.model import COLLECTIONS, Snapshot

    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return "not JSON"
    try:
        snapshot_file._check_header(doc, "snap.json")
    except InputError as exc:
        return str(exc)
    error = codec.first_error(snapshot_file._validator(), doc)
    if error is not None:
        return f"snap.json: {error}"
    return codec.from_plain(Snapshot, {k: doc[k] for k in COLLECTIONS if k in doc})


def _decoded(data: str | bytes):
    try:
        return snapshot_file.loads(data, "snap.json")
    except InputError as exc:
        return "not JSON" if str(exc).startswith("snap.json: not valid JSON") else str(exc)


def _words_of_the_model() -> list[str]:
    """Every enum word and field name of the model, to put where it does not belong."""
    import dataclasses
    import typing

    from scanner import model

    words = set()
    for cls in vars(model).values():
        if isinstance(cls, type) and dataclasses.is_dataclass(cls):
            for name, hint in typing.get_type_hints(cls).items():
                words.add(name)
                words.update(a for a in typing.get_args(hint) if isinstance(a, str))
    return sorted(words)


WORDS = _words_of_the_model()
# What a careless collector or editor writes: near-miss addresses, the model's other
# words, integers spelled as floats, and the types the schema keeps apart.
_near = st.one_of(
    st.sampled_from(["10.0.0.300", "10.0.0.0/33", "::/129", "10.0.0.1/24", "fe80::1%eth0", " 10.0.0.1",
                     "2001:db8::/64", "10.0.0.1", "0.0.0.0/0", "", 1.0, 2.5, 2**70, -1, True, None, [], {}]),
    st.sampled_from(WORDS),
    _values,
)
OBJECTS = [p for p in _paths(DOC) if isinstance(_at(DOC, p), dict)]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_the_fast_decoder_agrees_with_the_schema(data):
    """Whatever the schema refuses msgspec refuses, in the schema's own words; whatever
    it accepts loads to the same Snapshot."""
    doc = copy.deepcopy(DOC)
    edit = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if edit == "add":
        _at(doc, data.draw(st.sampled_from(OBJECTS)))[data.draw(st.sampled_from(WORDS + ["colour"]))] = data.draw(_near)
    else:
        path = data.draw(st.sampled_from(PATHS))
        parent = _at(doc, path[:-1])
        if edit == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(_near)
    text = json.dumps(doc)
    expected = _by_the_schema(text)
    assert _decoded(text) == expected
    assert _decoded(text.encode()) == expected


def test_a_cidr_peer_without_its_range_audits():
    """Found by test_mutated_documents: the engine raises on such a peer; computed in its
    own stage, that must still end as the checks' errors, not as a traceback."""
    doc = copy.deepcopy(DOC)
    del doc["policies"][0]["rules"][3]["peers"][0]["value"]
    _load_or_one_line(json.dumps(doc))
