"""Dataclasses to plain JSON values and back, and the JSON Schema that describes them.

Driven by the type hints of scanner.model, so the snapshot file, its schema and the
model cannot drift apart.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import ipaddress
import types
import typing
from functools import lru_cache
from typing import Annotated, Any, Literal, Mapping, Union, get_args, get_origin

from jsonschema import FormatChecker

FORMATS = FormatChecker()


@FORMATS.checks("cidr", raises=ValueError)
def _is_cidr(value: object) -> bool:
    if isinstance(value, str):
        ipaddress.ip_network(value, strict=False)
    return True


@FORMATS.checks("ip-address", raises=ValueError)
def _is_address(value: object) -> bool:
    if isinstance(value, str):
        ipaddress.ip_address(value)
    return True


FORMAT_WORDS = {"cidr": "a valid network", "ip-address": "a valid IP address"}


def _valid(check: Any) -> Any:
    def test(value: object) -> bool:
        try:
            return check(value)
        except ValueError:
            return False
    return test


FORMAT_FUNCTIONS = {"cidr": _valid(_is_cidr), "ip-address": _valid(_is_address)}


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _defaults(cls: type) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


@lru_cache(maxsize=None)
def _plan(cls: type) -> tuple[tuple[str, Any, Any, bool], ...]:
    defaults = _defaults(cls)
    return tuple(
        (f.name, _hints(cls)[f.name], defaults.get(f.name), f.name in defaults)
        for f in dataclasses.fields(cls)
    )


def to_plain(obj: Any) -> Any:
    """A dataclass as JSON values; fields at their default are left out."""
    if dataclasses.is_dataclass(obj):
        out = {}
        for name, _hint, default, has_default in _plan(type(obj)):
            value = getattr(obj, name)
            if has_default and value == default:
                continue
            out[name] = to_plain(value)
        return out
    if isinstance(obj, (tuple, list)):
        return [to_plain(v) for v in obj]
    if isinstance(obj, Mapping):
        return {str(k): to_plain(obj[k]) for k in sorted(obj)}
    return obj


def _strip(hint: Any) -> Any:
    while get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    return hint


def from_plain(hint: Any, value: Any) -> Any:
    """Build the typed value from JSON values already validated by the schema."""
    hint = _strip(hint)
    if dataclasses.is_dataclass(hint):
        kwargs = {}
        for name, field_hint, _default, _has in _plan(hint):
            if name in value:
                kwargs[name] = from_plain(field_hint, value[name])
        return hint(**kwargs)
    origin = get_origin(hint)
    if origin is tuple:
        item = get_args(hint)[0]
        return tuple(from_plain(item, v) for v in value)
    if origin in (collections.abc.Mapping, dict):
        return dict(value)
    return value


def _optional(hint: Any) -> Any | None:
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return None


def schema_for(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    inner = _optional(hint)
    if inner is not None:
        return {"oneOf": [{"type": "null"}, schema_for(inner, defs)]}
    if get_origin(hint) is Annotated:
        base, *meta = get_args(hint)
        out = schema_for(base, defs)
        out["format"] = meta[0]
        return out
    if dataclasses.is_dataclass(hint):
        name = hint.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            props, required = {}, []
            for fname, fhint, _d, has_default in _plan(hint):
                props[fname] = schema_for(fhint, defs)
                if not has_default:
                    required.append(fname)
            defs[name] = {
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{name}"}
    origin = get_origin(hint)
    if origin is Literal:
        return {"enum": list(get_args(hint))}
    if origin is tuple:
        return {"type": "array", "items": schema_for(get_args(hint)[0], defs)}
    if origin in (collections.abc.Mapping, dict):
        return {"type": "object", "additionalProperties": {"type": "string"}}
    simple = {str: "string", int: "integer", bool: "boolean", float: "number"}
    if hint in simple:
        return {"type": simple[hint]}
    raise TypeError(f"no schema for {hint!r}")


def json_path(path: typing.Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def first_error(validator: Any, doc: Any) -> str | None:
    """The first schema error in document order, as one line, or None."""
    errors = sorted(validator.iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), str(e.validator)))
    return describe(errors[0]) if errors else None


def describe(error: Any) -> str:
    """One line for a jsonschema ValidationError: path and what is wrong."""
    where = json_path(error.absolute_path)
    if error.validator == "format":
        word = FORMAT_WORDS.get(error.validator_value, error.validator_value)
        return f"{where}: {error.instance!r} is not {word}"
    return f"{where}: {_short(error.message)}"


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
