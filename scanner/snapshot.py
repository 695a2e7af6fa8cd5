"""The snapshot file: a versioned JSON document carrying one Snapshot.

Collection and audit can run on different machines and days; the schema shipped in
scanner/schemas/ is enforced on every read, so a bad file fails with one line naming the
file and the JSON path at fault. Big files are read and written by msgspec with types
derived from the model (codec.mirror_type), held to the same rules; the
schema itself (jsonschema) words the error when a file fails.
"""
from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import msgspec
from jsonschema import Draft202012Validator

from scanner import codec
from scanner.errors import InputError, read_user_bytes
from scanner.gcpause import paused_cyclic_gc
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


# The file's own fields around the Snapshot's collections, as build_schema states them.
HEADER: tuple[tuple[str, Any, Any], ...] = (
    ("format", Literal[FORMAT], msgspec.NODEFAULT),
    ("version", Literal[VERSION], msgspec.NODEFAULT),
    ("collected_at", str, ""),
    ("tool", str, ""),
)


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(_schema(), format_checker=codec.FORMATS)


@lru_cache(maxsize=None)
def _item_validator(collection: str) -> Draft202012Validator:
    """The schema of one item of a collection: a bad item is explained without
    validating the other hundred thousand."""
    schema = _schema()
    return Draft202012Validator({"$defs": schema["$defs"], **schema["properties"][collection]["items"]},
                                format_checker=codec.FORMATS)


@lru_cache(maxsize=1)
def _decoder() -> msgspec.json.Decoder:
    return msgspec.json.Decoder(codec.mirror_struct(Snapshot, HEADER))


_ENCODER = msgspec.json.Encoder(order="deterministic")


def to_document(snapshot: Snapshot, collected_at: str = "", tool: str = "") -> dict[str, Any]:
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if collected_at:
        doc["collected_at"] = collected_at
    if tool:
        doc["tool"] = tool
    doc.update(codec.to_plain(snapshot))
    return doc


def _check_header(doc: Any, source: str) -> None:
    if not isinstance(doc, dict):
        raise InputError(f"{source}: not a segaudit snapshot (the top level is not an object)")
    if doc.get("format") != FORMAT:
        raise InputError(f"{source}: not a segaudit snapshot (format is {doc.get('format')!r}, expected {FORMAT!r})")
    if doc.get("version") != VERSION:
        raise InputError(
            f"{source}: snapshot version {doc.get('version')!r} is not supported "
            f"(this segaudit reads version {VERSION})"
        )


def from_document(doc: Any, source: str = "snapshot") -> Snapshot:
    """The Snapshot in a parsed document, held to the shipped schema."""
    _check_header(doc, source)
    try:
        with paused_cyclic_gc():
            return _checked(msgspec.convert(doc, codec.mirror_struct(Snapshot, HEADER)))
    except msgspec.ValidationError as exc:
        near = codec.error_path(exc)
    except _BadFormat as exc:
        near = exc.near
    error = _first_error(doc, near)
    if error is not None:
        raise InputError(f"{source}: {error}")
    # msgspec is stricter than the schema in corners (7.0 for an integer): the schema decides.
    return codec.from_plain(Snapshot, {k: doc[k] for k in COLLECTIONS if k in doc})


class _BadFormat(Exception):
    def __init__(self, near: tuple[Any, ...]) -> None:
        super().__init__(near)
        self.near = near


def _checked(mirror: Any) -> Snapshot:
    """The Snapshot of a decoded file, once its formatted strings are found good."""
    near = codec.first_bad_format(Snapshot, mirror)
    if near is not None:
        raise _BadFormat(near)
    # A dataclass takes the fields it has from the Struct: the file's header stays behind.
    return msgspec.convert(mirror, Snapshot, from_attributes=True)


def _first_error(doc: dict[str, Any], near: tuple[Any, ...]) -> str | None:
    """The schema's word on the document, looking first at the collection item msgspec
    stopped at (`near`), then at the whole document."""
    if len(near) >= 2 and near[0] in COLLECTIONS and isinstance(near[1], int):
        items = doc.get(near[0])
        if isinstance(items, list) and near[1] < len(items):
            error = codec.first_error(_item_validator(near[0]), items[near[1]], at=near[:2])
            if error is not None:
                return error
    return codec.first_error(_validator(), doc)


def encode(snapshot: Snapshot, collected_at: str = "", tool: str = "") -> bytes:
    """The file's bytes: keys sorted, fields at their default left out, UTF-8. Equal
    snapshots give equal bytes."""
    fields = {"format": FORMAT, "version": VERSION, "collected_at": collected_at, "tool": tool}
    fields.update((name, getattr(snapshot, name)) for name in COLLECTIONS)
    try:
        with paused_cyclic_gc():
            return _ENCODER.encode(msgspec.convert(fields, codec.mirror_struct(Snapshot, HEADER),
                                                   from_attributes=True)) + b"\n"
    except msgspec.ValidationError:
        # A model object off its declared types (a collector's bug): written as it is,
        # for the reader to name what is wrong, as to_plain always did.
        doc = to_document(snapshot, collected_at, tool)
        return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def dumps(snapshot: Snapshot, collected_at: str = "", tool: str = "") -> str:
    return encode(snapshot, collected_at, tool).decode()


def loads(data: str | bytes, source: str = "snapshot") -> Snapshot:
    """Decoded by msgspec into the model's mirror (every schema rule but the formats
    checked as it goes), formats checked, then converted into the dataclasses; a file
    that fails is parsed again and explained by the schema itself."""
    try:
        with paused_cyclic_gc():
            return _checked(_decoder().decode(data))
    except (msgspec.DecodeError, _BadFormat):  # DecodeError: and its ValidationError
        pass
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{source}: not valid JSON (not UTF-8 text)") from None
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{source}: not valid JSON (nested too deeply)") from None
    return from_document(doc, source)


def read(path: str | os.PathLike) -> Snapshot:
    return loads(read_user_bytes(path), str(path))


def write(snapshot: Snapshot, path: str | os.PathLike, collected_at: str = "", tool: str = "") -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(encode(snapshot, collected_at, tool))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
