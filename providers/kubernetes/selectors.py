"""Kubernetes label selectors (matchLabels and matchExpressions), evaluated statically.

A selector is the API's own dict; None means "no selector given", which callers treat
differently from {} ("select everything"), as NetworkPolicy peers do.
"""
from __future__ import annotations

from typing import Any, Mapping


class SelectorError(ValueError):
    """A selector the API server would have refused (unknown operator, values missing)."""


def matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether `labels` satisfy `selector`; an empty selector selects everything."""
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != str(value):
            return False
    for expr in selector.get("matchExpressions") or ():
        if not _expression(expr, labels):
            return False
    return True


def _expression(expr: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key, op = expr.get("key", ""), expr.get("operator", "")
    values = [str(v) for v in expr.get("values") or ()]
    if op == "In":
        return key in labels and labels[key] in values
    if op == "NotIn":
        return key not in labels or labels[key] not in values  # absent keys satisfy NotIn
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    raise SelectorError(f"unknown selector operator {op!r}")


def describe(selector: Mapping[str, Any] | None) -> str:
    """kubectl's spelling, sorted: app=web,tier in (a,b); {} is "all". Selector peers are
    named by it, so equal selectors share one id and the id reads well in evidence."""
    if not selector:
        return "all"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for e in sorted(selector.get("matchExpressions") or (), key=lambda e: (e.get("key", ""), e.get("operator", ""))):
        op, key = e.get("operator", ""), e.get("key", "")
        if op in ("In", "NotIn"):
            parts.append(f"{key} {op.lower()} ({','.join(sorted(str(v) for v in e.get('values') or ()))})")
        elif op in ("Exists", "DoesNotExist"):
            parts.append(key if op == "Exists" else f"!{key}")
        else:
            raise SelectorError(f"unknown selector operator {op!r}")
    return ",".join(parts)
