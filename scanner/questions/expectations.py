"""`segaudit test`: the seeds' segmentation validation (test_allowed / test_blocked pairs)
as static assertions in a YAML file, each answered by `query`.

An `allowed` expectation passes when every listed port flows for some pair of its ends
(no ports: when anything flows); a `blocked` one when nothing listed flows for any pair.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from scanner import codec
from scanner.context import AuditContext
from scanner.errors import InputError, read_user_text
from scanner.ports import PortSet
from scanner.questions.explain import Explainer
from scanner.questions.query import Answer, parse_ports, query
from scanner.questions.resolve import describe
from scanner.zonepolicy import INTERNET

# The seeds' blocked flows (Network Security Architecture, "Blocked flows").
SEEDS_BLOCKED = (("internet", "internal"), ("internet", "data"), ("dmz", "data"), ("data", "internal"),
                 ("dmz", "management"), ("internal", "management"), ("data", "management"))


@dataclass(frozen=True, slots=True)
class Expectation:
    name: str
    source: Any  # str or selector dict
    destination: Any
    ports: PortSet | None
    expect: str  # allowed | blocked
    line: int = 0  # where it starts in the file (1-based; 0 unknown)


@dataclass(frozen=True, slots=True)
class Outcome:
    expectation: Expectation
    answer: Answer
    passed: bool
    reason: str


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    text = resources.files("scanner").joinpath("schemas", "expectations.schema.json").read_text()
    return Draft202012Validator(json.loads(text), format_checker=codec.FORMATS)


def loads(text: str, source: str) -> tuple[Expectation, ...]:
    try:
        doc = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise InputError(f"{source}: not valid YAML{where}") from None
    error = codec.first_error(_validator(), doc)
    if error is not None:
        raise InputError(f"{source}: {error}")
    lines = _lines(node)
    out = []
    for i, e in enumerate(doc["expectations"]):
        ports = parse_ports(e.get("ports", ()), f"{source}: expectations[{i}].ports")
        out.append(Expectation(e["name"], e["from"], e["to"], ports, e["expect"], lines[i] if i < len(lines) else 0))
    names = [e.name for e in out]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice is not None:
        raise InputError(f"{source}: expectation {twice!r} is named twice")
    return tuple(out)


def _lines(node: Any) -> list[int]:
    for key, value in getattr(node, "value", ()):
        if getattr(key, "value", None) == "expectations" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def load(path: str) -> tuple[Expectation, ...]:
    return loads(read_user_text(path, "YAML"), path)


def run(ctx: AuditContext, expectations: tuple[Expectation, ...]) -> tuple[Outcome, ...]:
    explainer = Explainer(ctx)
    out = []
    for e in expectations:
        try:
            answer = query(ctx, e.source, e.destination, e.ports, explainer)
        except InputError as exc:
            raise InputError(f"expectation {e.name!r}: {exc}") from None
        out.append(_judge(e, answer))
    return tuple(out)


def _judge(e: Expectation, answer: Answer) -> Outcome:
    got = " ".join(answer.ports.describe())
    if not answer.pairs_total:
        # a selector that matches nothing proves nothing: a typo must not pass as "blocked"
        return Outcome(e, answer, False, "no workload matches one end, so nothing is tested")
    if e.expect == "blocked":
        if answer.verdict == "blocked":
            return Outcome(e, answer, True, "nothing asked flows")
        pair = next(p for p in answer.pairs if p.ports) if any(p.ports for p in answer.pairs) else None
        via = f" ({pair.source} -> {pair.destination})" if pair else ""
        return Outcome(e, answer, False, f"expected blocked, but {got} flows{via}")
    if answer.verdict == "allowed":
        return Outcome(e, answer, True, f"{got} flows")
    missing = " ".join((answer.asked - answer.ports).describe())
    first = next((p.blocked_at for p in answer.pairs if p.blocked_at), None)
    why = f"; first stop: {first.detail}" if first else ""
    return Outcome(e, answer, False, f"expected allowed, but {missing} does not flow{why}")


def initial(ctx: AuditContext) -> str:
    """A starting file: the zone policy's permitted flows between zones that have workloads
    as `allowed` (narrowed to the ports that flow today when some do), the seeds' blocked
    flows as `blocked`."""
    populated = {z for w in ctx.snapshot.workloads if (z := ctx.zones.workload_zone(w.id))} | {INTERNET}
    explainer = Explainer(ctx)
    items: list[dict[str, Any]] = []
    for f in ctx.policy.flows:
        if f.source not in populated or f.destination not in populated or f.source == f.destination:
            continue
        flowing = query(ctx, f.source, f.destination, f.ports, explainer).ports
        ports = flowing if flowing else f.ports
        items.append({"name": f"{f.source} reaches {f.destination}", "from": f.source, "to": f.destination,
                      "ports": ports.describe(), "expect": "allowed"}
                     | ({"description": f.note} if f.note else {}))
    for src, dst in SEEDS_BLOCKED:
        if src in populated and dst in populated:
            items.append({"name": f"{src} cannot reach {dst}", "from": src, "to": dst, "expect": "blocked"})
    header = ("# segaudit expectations, written by 'segaudit test --init'. Run: segaudit test SNAPSHOT FILE\n"
              "# from/to: a workload, instance, address, subnet, zone, 'internet', or {zone|tags|cidr: ...}\n"
              "# Permitted flows carry the ports that flow today; one that nothing uses yet keeps the\n"
              "# policy's ports and fails until it exists (or delete it).\n")
    return header + yaml.safe_dump({"version": 1, "expectations": items}, sort_keys=False, width=100)


def label(e: Expectation) -> str:
    ports = " ".join(e.ports.describe()) if e.ports is not None else "any port"
    return f"{describe(e.source)} -> {describe(e.destination)} on {ports} is {e.expect}"
