"""Dataclasses to plain JSON values and back, and the JSON Schema that describes them.

Driven by the type hints of scanner.model, so the snapshot file, its schema and the
model cannot drift apart. The same hints give msgspec the types it decodes and encodes
with (mirror_type, first_bad_format): the fast path for big files, held to the schema.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import functools
import ipaddress
import itertools
import operator
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


# Dotted-quad IPv4, exactly as ipaddress accepts it (no leading zeros, ASCII digits): a
# string it matches needs no ipaddress call (microseconds each; an estate has 100,000s).
# Any other string is ipaddress's to judge, so the answer is always ipaddress's.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_IPV4_NET = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}(?:/(?:3[0-2]|[12]?[0-9]))?")


def _quick(pattern: re.Pattern[str], check: Any) -> Any:
    slow = lru_cache(maxsize=1 << 16)(check)
    return lambda value: isinstance(value, str) and (pattern.fullmatch(value) is not None or slow(value))


FORMAT_TESTS = {"cidr": _quick(_IPV4_NET, FORMAT_FUNCTIONS["cidr"]),
                "ip-address": _quick(_IPV4, FORMAT_FUNCTIONS["ip-address"])}


@lru_cache(maxsize=None)
def mirror_type(hint: Any) -> Any:
    """`hint` with msgspec Structs for dataclasses: the same fields, defaults and required
    fields, unknown fields refused, formats as plain strings (see first_bad_format).
    A file is decoded into it, then converted into the dataclasses (msgspec builds Structs
    from JSON, and dataclasses from Structs, three times faster than dataclasses from
    JSON); model values are converted into it to be written as to_plain would."""
    return _msgspec_type(hint, mirror_struct, lambda base, name: mirror_type(base))


def _default(f: dataclasses.Field) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return msgspec.field(default_factory=f.default_factory)
    return msgspec.NODEFAULT if f.default is dataclasses.MISSING else f.default


@lru_cache(maxsize=None)
def mirror_struct(cls: type, extra: tuple[tuple[str, Any, Any], ...] = ()) -> type:
    """mirror_type of a dataclass, plus `extra` (name, hint, default) fields of its own.
    Fields in sorted order, so that an encoder sorting only mappings
    (order="deterministic") writes every key sorted; fields at their default are not
    written; no reference cycles, so the cyclic GC need not track them."""
    fields = [(f.name, mirror_type(_hints(cls)[f.name]), _default(f)) for f in dataclasses.fields(cls)]
    fields = sorted(fields + [(n, mirror_type(h), d) for n, h, d in extra], key=lambda f: f[0])
    return msgspec.defstruct(cls.__name__, fields, kw_only=True, forbid_unknown_fields=True, omit_defaults=True,
                             gc=False)


Walk = typing.Callable[[Any], "list[Any] | None"]


@lru_cache(maxsize=None)
def _format_walk(hint: Any) -> Walk | None:
    """A function finding the first string of a `hint` value not in its format, as the
    reversed path to it; None when `hint` holds no formatted string. Slow: for a value
    _all_in_format has found fault with."""
    inner = _optional(hint)
    if inner is not None:
        walk = _format_walk(inner)
        return None if walk is None else (lambda value: None if value is None else walk(value))
    if get_origin(hint) is Annotated:
        test = FORMAT_TESTS.get(get_args(hint)[1])  # a format jsonschema would not know is not checked
        return None if test is None else (lambda value: None if test(value) else [])
    if dataclasses.is_dataclass(hint):
        steps = tuple((name, walk) for name, h, _d, _has in _plan(hint) if (walk := _format_walk(h)) is not None)
        return _in_object(steps) if steps else None
    if get_origin(hint) is tuple:
        walk = _format_walk(get_args(hint)[0])
        return None if walk is None else _in_array(walk)
    return None


def _in_object(steps: tuple[tuple[str, Walk], ...]) -> Walk:
    def walk(obj: Any) -> list[Any] | None:
        for name, inner in steps:
            bad = inner(getattr(obj, name))
            if bad is not None:
                bad.append(name)
                return bad
        return None
    return walk


def _in_array(inner: Walk) -> Walk:
    def walk(items: Any) -> list[Any] | None:
        for i, item in enumerate(items):
            bad = inner(item)
            if bad is not None:
                bad.append(i)
                return bad
        return None
    return walk


@lru_cache(maxsize=None)
def _format_leaves(hint: Any) -> tuple[tuple[tuple[str, ...], Any], ...]:
    """Every way down from a `hint` value to a formatted string: the steps (a field's
    name; "[*]" into a tuple; "?" past None) and the string's test."""
    inner = _optional(hint)
    if inner is not None:
        return tuple((("?",) + steps, test) for steps, test in _format_leaves(inner))
    if get_origin(hint) is Annotated:
        test = FORMAT_TESTS.get(get_args(hint)[1])
        return () if test is None else (((), test),)
    if dataclasses.is_dataclass(hint):
        return tuple(((name,) + steps, test) for name, h, _d, _has in _plan(hint) for steps, test in _format_leaves(h))
    if get_origin(hint) is tuple:
        return tuple((("[*]",) + steps, test) for steps, test in _format_leaves(get_args(hint)[0]))
    return ()


_NOT_NONE = functools.partial(operator.is_not, None)


def _all_in_format(hint: Any, value: Any) -> bool:
    """The quick answer: map, attrgetter and chain go down in C, only the tests run in
    Python (a tenth of walking every rule and peer)."""
    for steps, test in _format_leaves(hint):
        values: Any = (value,)
        for step in steps:
            if step == "[*]":
                values = itertools.chain.from_iterable(values)
            elif step == "?":
                values = filter(_NOT_NONE, values)
            else:
                values = map(operator.attrgetter(step), values)
        if not all(map(test, values)):
            return False
    return True


def first_bad_format(hint: Any, value: Any) -> tuple[Any, ...] | None:
    """The path to the first cidr / ip-address string of `value` (a dataclass, or its
    mirror Struct) that is not one, or None."""
    if _all_in_format(hint, value):
        return None
    bad = _format_walk(hint)(value)  # type: ignore[misc]
    return None if bad is None else tuple(reversed(bad))


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
