"""Dataclasses to plain JSON values and back, and the JSON Schema that describes them.

Driven by the type hints of scanner.model, so the snapshot file, its schema and the
model cannot drift apart. The same hints give msgspec the types it decodes and encodes
with (checking_type, writing_type): the fast path for big files, held to the schema.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import ipaddress
import re
import types
import typing
from functools import lru_cache
from typing import Annotated, Any, Literal, Mapping, Union, get_args, get_origin

import msgspec
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


def _msgspec_type(hint: Any, for_dataclass: Any, for_format: Any) -> Any:
    """The msgspec type standing for `hint`, case by case as schema_for states it."""
    inner = _optional(hint)
    if inner is not None:
        return typing.Optional[_msgspec_type(inner, for_dataclass, for_format)]
    if get_origin(hint) is Annotated:
        base, *meta = get_args(hint)
        return for_format(base, meta[0])
    if dataclasses.is_dataclass(hint):
        return for_dataclass(hint)
    origin = get_origin(hint)
    if origin is tuple:
        return tuple[_msgspec_type(get_args(hint)[0], for_dataclass, for_format), ...]
    if origin in (collections.abc.Mapping, dict):
        return dict[str, str]
    if origin is Literal or hint in (str, int, bool, float):
        return hint
    raise TypeError(f"no msgspec type for {hint!r}")


# A string the schema gives a format: its own str type, so msgspec hands it to the hook.
TEXT_TYPES: dict[str, type] = {
    name: type(name.title().replace("-", "") + "Text", (str,), {"__slots__": ()}) for name in FORMAT_FUNCTIONS
}
_TEXT_CHECKS = {text: FORMAT_FUNCTIONS[name] for name, text in TEXT_TYPES.items()}


def format_hook() -> Any:
    """The dec_hook of a checking decode: each formatted string checked once per file
    (a big estate names the same subnet ranges thousands of times)."""
    valid: dict[type, set[str]] = {text: set() for text in _TEXT_CHECKS}

    def hook(text: type, value: Any) -> Any:
        seen = valid.get(text)
        if seen is None:
            raise NotImplementedError(text)
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {type(value).__name__}")
        if value not in seen:
            if not _TEXT_CHECKS[text](value):
                raise ValueError(f"{value!r} is not in the format")
            seen.add(value)
        return text(value)

    return hook


@lru_cache(maxsize=None)
def checking_type(hint: Any) -> Any:
    """What msgspec decodes `hint` into to hold a file to the schema: unknown fields
    refused, required fields required, enums and formats checked (with format_hook).
    The result is thrown away; defaults only need to be there."""
    return _msgspec_type(hint, checking_struct, lambda base, name: TEXT_TYPES[name])


@lru_cache(maxsize=None)
def checking_struct(cls: type, extra: tuple[tuple[str, Any, Any], ...] = ()) -> type:
    """checking_type of a dataclass, plus `extra` (name, hint, default) fields of its own."""
    fields = [(n, checking_type(h), None) if has_default else (n, checking_type(h)) for n, h, _d, has_default in _plan(cls)]
    fields += [(n, checking_type(h), d) for n, h, d in extra]
    return msgspec.defstruct(cls.__name__, fields, kw_only=True, forbid_unknown_fields=True)


@lru_cache(maxsize=None)
def writing_type(hint: Any) -> Any:
    """What a model value is converted into to be written as to_plain would: formats are
    plain strings, fields at their default are left out."""
    return _msgspec_type(hint, writing_struct, lambda base, name: writing_type(base))


def _default(f: dataclasses.Field) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return msgspec.field(default_factory=f.default_factory)
    return msgspec.NODEFAULT if f.default is dataclasses.MISSING else f.default


@lru_cache(maxsize=None)
def writing_struct(cls: type, extra: tuple[tuple[str, Any, Any], ...] = ()) -> type:
    """writing_type of a dataclass, plus `extra` fields; fields in sorted order, so that an
    encoder sorting only mappings (order="deterministic") writes every key sorted."""
    fields = [(f.name, writing_type(_hints(cls)[f.name]), _default(f)) for f in dataclasses.fields(cls)]
    fields = sorted(fields + [(n, writing_type(h), d) for n, h, d in extra], key=lambda f: f[0])
    return msgspec.defstruct(cls.__name__, fields, kw_only=True, omit_defaults=True)


_AT = re.compile(r" - at `\$(.*)`$")
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")


def error_path(error: msgspec.ValidationError) -> tuple[Any, ...]:
    """The leading JSON path of a msgspec error, as keys and indexes ("$.a[2].b" -> a, 2, b)."""
    found = _AT.search(str(error))
    path: list[Any] = []
    at = 0
    while found and (step := _STEP.match(found.group(1), at)):
        path.append(step.group(1) if step.group(1) is not None else int(step.group(2)))
        at = step.end()
    return tuple(path)


def json_path(path: typing.Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def first_error(validator: Any, doc: Any, at: tuple[Any, ...] = ()) -> str | None:
    """The first schema error in document order, as one line, or None; `at` is where
    `doc` sits in the file, when it is a part of it."""
    errors = sorted(validator.iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), str(e.validator)))
    return describe(errors[0], at) if errors else None


def describe(error: Any, at: tuple[Any, ...] = ()) -> str:
    """One line for a jsonschema ValidationError: path and what is wrong."""
    where = json_path(at + tuple(error.absolute_path))
    if error.validator == "format":
        word = FORMAT_WORDS.get(error.validator_value, error.validator_value)
        return f"{where}: {error.instance!r} is not {word}"
    return f"{where}: {_short(error.message)}"


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
