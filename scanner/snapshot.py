"""The snapshot file: a versioned JSON document carrying one Snapshot.

Collection and audit can run on different machines and days; the schema shipped in
scanner/schemas/ is enforced on every read, so a bad file fails with one line naming the
file and the JSON path at fault.
"""
from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from scanner import codec
from scanner.errors import InputError, read_user_text
from scanner.model import COLLECTIONS, Snapshot

FORMAT = "segaudit.snapshot"
VERSION = 1
SCHEMA_FILE = "snapshot.schema.json"


def build_schema() -> dict[str, Any]:
    """The JSON Schema of the file, derived from the model's type hints."""
    defs: dict[str, Any] = {}
    top = codec.schema_for(Snapshot, defs)
    snapshot_def = defs["Snapshot"]
    properties = {
        "format": {"const": FORMAT},
        "version": {"const": VERSION},
        "collected_at": {"type": "string"},
        "tool": {"type": "string"},
        **snapshot_def["properties"],
    }
    del defs["Snapshot"]
    assert top == {"$ref": "#/$defs/Snapshot"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://segaudit.dev/schemas/snapshot-v1.json",
        "title": "segaudit snapshot",
        "type": "object",
        "properties": properties,
        "required": ["format", "version"],
        "additionalProperties": False,
        "$defs": defs,
    }


def _schema() -> dict[str, Any]:
    return json.loads(resources.files("scanner").joinpath("schemas", SCHEMA_FILE).read_text())


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(_schema(), format_checker=codec.FORMATS)


@lru_cache(maxsize=1)
def _fast_validator() -> Any:
    """The same schema compiled to Python: about twenty times quicker on a good file. The
    schema uses only keywords draft-07 shares with 2020-12, so it compiles as draft-07."""
    import fastjsonschema

    schema = dict(_schema(), **{"$schema": "http://json-schema.org/draft-07/schema#"})
    return fastjsonschema.compile(schema, formats=codec.FORMAT_FUNCTIONS)


def to_document(snapshot: Snapshot, collected_at: str = "", tool: str = "") -> dict[str, Any]:
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if collected_at:
        doc["collected_at"] = collected_at
    if tool:
        doc["tool"] = tool
    doc.update(codec.to_plain(snapshot))
    return doc


def from_document(doc: Any, source: str = "snapshot") -> Snapshot:
    if not isinstance(doc, dict):
        raise InputError(f"{source}: not a segaudit snapshot (the top level is not an object)")
    if doc.get("format") != FORMAT:
        raise InputError(f"{source}: not a segaudit snapshot (format is {doc.get('format')!r}, expected {FORMAT!r})")
    if doc.get("version") != VERSION:
        raise InputError(
            f"{source}: snapshot version {doc.get('version')!r} is not supported "
            f"(this segaudit reads version {VERSION})"
        )
    try:
        _fast_validator()(doc)
    except Exception:  # noqa: BLE001 - any doubt goes to the full validator for its message
        error = codec.first_error(_validator(), doc)
        if error is not None:
            raise InputError(f"{source}: {error}") from None
    return codec.from_plain(Snapshot, {k: doc[k] for k in COLLECTIONS if k in doc})


def dumps(snapshot: Snapshot, collected_at: str = "", tool: str = "") -> str:
    return json.dumps(to_document(snapshot, collected_at, tool), sort_keys=True, separators=(",", ":")) + "\n"


def loads(text: str, source: str = "snapshot") -> Snapshot:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{source}: not valid JSON (nested too deeply)") from None
    return from_document(doc, source)


def read(path: str | os.PathLike) -> Snapshot:
    return loads(read_user_text(path, "JSON"), str(path))


def write(snapshot: Snapshot, path: str | os.PathLike, collected_at: str = "", tool: str = "") -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dumps(snapshot, collected_at, tool))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
