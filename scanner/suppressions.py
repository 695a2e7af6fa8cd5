"""Suppressions: accepted findings, kept in the report as suppressed, never dropped.

A YAML file (safe_load only, validated against schemas/suppressions.schema.json):

    version: 1
    suppressions:
      - check: SEG501              # id or glob
        resource: vpc-0a1          # glob on the resource id or its uri
        reason: logs go to the SIEM through the transit account
        expires: 2027-03-31        # optional: the last day it applies

Suppressed findings do not count for --fail-on. An expired suppression stops applying and
is named in the report's notes, so nothing stays silenced by accident.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import yaml
from jsonschema import Draft202012Validator

from scanner import codec
from scanner.errors import InputError, read_user_text
from scanner.findings import Finding
from scanner.report import Report


@dataclass(frozen=True, slots=True)
class Suppression:
    check: str
    resource: str
    reason: str
    expires: str = ""  # YYYY-MM-DD, the last day it applies; "" for never

    def matches(self, f: Finding) -> bool:
        if not fnmatchcase(f.check_id.upper(), self.check.upper()):
            return False
        pattern = self.resource.casefold()
        return fnmatchcase(f.resource.id.casefold(), pattern) or fnmatchcase(f.resource.uri.casefold(), pattern)

    def expired(self, today: dt.date) -> bool:
        return bool(self.expires) and dt.date.fromisoformat(self.expires) < today


def today() -> dt.date:
    """The date suppressions are judged on (UTC); tests replace it."""
    return dt.datetime.now(dt.timezone.utc).date()


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    text = resources.files("scanner").joinpath("schemas", "suppressions.schema.json").read_text(encoding="utf-8")
    return Draft202012Validator(json.loads(text))


def _plain_dates(value: Any) -> Any:
    """YAML reads 2027-03-31 as a date; the schema speaks strings."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_dates(v) for v in value]
    return value


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def loads(text: str, source: str = "suppressions") -> tuple[Suppression, ...]:
    try:
        doc = _plain_dates(yaml.safe_load(text))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise InputError(f"{source}: not valid YAML ({_one_line(exc.problem or exc.context or 'syntax error')}{where})") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: not valid YAML ({_one_line(exc)})") from None
    except RecursionError:
        raise InputError(f"{source}: not valid YAML (nested too deeply or self-referencing)") from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date like 2027-02-30
        raise InputError(f"{source}: not valid YAML ({_one_line(exc)})") from None
    try:
        error = codec.first_error(_validator(), doc)
    except RecursionError:
        raise InputError(f"{source}: nested too deeply") from None
    if error is not None:
        raise InputError(f"{source}: {_one_line(error)}")
    out = []
    for i, entry in enumerate(doc["suppressions"]):
        if "expires" in entry:
            try:
                dt.date.fromisoformat(entry["expires"])
            except ValueError:
                raise InputError(f"{source}: suppressions[{i}].expires: {entry['expires']!r} is not a valid date") from None
        out.append(Suppression(**entry))
    return tuple(out)


def load(path: str | Path) -> tuple[Suppression, ...]:
    return loads(read_user_text(path, "YAML"), str(path))


def apply(report: Report, suppressions: Iterable[Suppression], on: dt.date, source: str = "suppressions") -> Report:
    """Mark the findings the live suppressions cover; name the expired ones in the notes."""
    rules = list(suppressions)
    live = [s for s in rules if not s.expired(on)]
    findings = []
    for f in report.findings:
        hit = next((s for s in live if s.matches(f)), None)
        findings.append(f if hit is None else dataclasses.replace(f, suppression=hit))
    notes = list(report.notes)
    for s in rules:
        if s in live:
            continue
        count = sum(1 for f in report.findings if s.matches(f))
        notes.append(
            f"{source}: suppression of {s.check} on {s.resource} expired on {s.expires}; "
            f"{count} finding{'s' if count != 1 else ''} it covered count{'s' if count == 1 else ''} again"
        )
    return dataclasses.replace(report, findings=tuple(findings), notes=tuple(notes))


def _exact(text: str) -> str:
    """A glob that matches only this text."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def baseline(report: Report, on: dt.date) -> str:
    """A suppressions file accepting every finding of this report, one entry per check and resource."""
    seen: dict[tuple[str, str], None] = {}
    for f in report.findings:
        seen.setdefault((f.check_id, f.resource.id), None)
    entries = [{"check": c, "resource": _exact(r), "reason": f"baseline {on.isoformat()}"} for c, r in seen]
    header = (
        f"# segaudit baseline written on {on.isoformat()}: these findings are accepted as they stand.\n"
        "# Replace each reason with the real one, add 'expires: YYYY-MM-DD' where it should lapse.\n"
    )
    return header + yaml.safe_dump({"version": 1, "suppressions": entries}, sort_keys=False,
                                   allow_unicode=True, width=1000)
