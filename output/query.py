"""`segaudit query` answers as text or JSON (the issue's shape: verdict, ports, pairs with
hops and blocked_at)."""
from __future__ import annotations

import json
from typing import Any

from scanner.questions.explain import PairAnswer
from scanner.questions.query import Answer


def ports(p: Any) -> list[str]:
    return p.describe()


def pair_doc(pair: PairAnswer) -> dict[str, Any]:
    blocked = pair.blocked_at
    return {
        "source": pair.source,
        "destination": pair.destination,
        "ports": ports(pair.ports),
        "hops": [{"at": h.at, "kind": h.kind, "detail": h.detail, "decision": h.decision,
                  "ports": ports(h.ports), "dropped": ports(h.dropped)} for h in pair.hops],
        "blocked_at": None if blocked is None else
        {"at": blocked.at, "kind": blocked.kind, "rule": blocked.rule, "detail": blocked.detail},
    }


def answer_doc(answer: Answer) -> dict[str, Any]:
    return {
        "from": {"spec": answer.source.text, "resolved": answer.source.how,
                 "workloads": [w.id for w in answer.source.workloads]},
        "to": {"spec": answer.destination.text, "resolved": answer.destination.how,
               "workloads": [w.id for w in answer.destination.workloads]},
        "asked": ports(answer.asked),
        "verdict": answer.verdict,
        "ports": ports(answer.ports),
        "pairs_total": answer.pairs_total,
        "pairs": [pair_doc(p) for p in answer.pairs],
    }


def render_json(answer: Answer) -> str:
    return json.dumps(answer_doc(answer), indent=2) + "\n"


def pair_lines(pair: PairAnswer, indent: str = "  ") -> list[str]:
    state = " ".join(ports(pair.ports)) if pair.ports else "blocked"
    lines = [f"{indent}{pair.source} -> {pair.destination}: {state}"]
    for i, h in enumerate(pair.hops, 1):
        lines.append(f"{indent}  {i}. {h.kind} {h.at}: {h.detail}")
        lines.append(f"{indent}     {h.decision}")
    if pair.blocked_at is not None:
        b = pair.blocked_at
        lines.append(f"{indent}  stops at {b.at} ({b.kind}): {b.detail}")
    return lines


def render_text(answer: Answer) -> str:
    asked = "every port" if answer.any_port else " ".join(ports(answer.asked))
    head = (f"{answer.source.text} -> {answer.destination.text} ({asked}): {answer.verdict.upper()}"
            + (f" on {' '.join(ports(answer.ports))}" if answer.ports else ""))
    lines = [head]
    if not answer.pairs_total:
        lines.append("  no workload pairs: one side resolves to no workload")
    for pair in answer.pairs:
        lines += pair_lines(pair)
    if answer.pairs_total > len(answer.pairs):
        lines.append(f"  ... {answer.pairs_total - len(answer.pairs)} more pairs not explained "
                     "(the verdict covers them all)")
    return "\n".join(lines) + "\n"
