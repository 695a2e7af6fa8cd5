"""Label selectors as the API server evaluates them."""
from __future__ import annotations

import pytest

from providers.kubernetes.selectors import SelectorError, describe, matches

LABELS = {"app": "web", "tier": "front"}


@pytest.mark.parametrize("selector,expected", [
    (None, True),
    ({}, True),
    ({"matchLabels": {"app": "web"}}, True),
    ({"matchLabels": {"app": "db"}}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "back"]}]}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}, False),
    ({"matchExpressions": [{"key": "team", "operator": "NotIn", "values": ["x"]}]}, True),  # absent key
    ({"matchExpressions": [{"key": "team", "operator": "In", "values": ["x"]}]}, False),
    ({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, True),
    ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, False),
    ({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, False),
])
def test_matches(selector, expected):
    assert matches(selector, LABELS) is expected


def test_unknown_operator_is_refused():
    with pytest.raises(SelectorError):
        matches({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}, LABELS)


def test_equal_selectors_read_the_same():
    a = {"matchLabels": {"b": "2", "a": "1"}, "matchExpressions": [{"key": "t", "operator": "In", "values": ["y", "x"]}]}
    b = {"matchExpressions": [{"key": "t", "operator": "In", "values": ["x", "y"]}], "matchLabels": {"a": "1", "b": "2"}}
    assert describe(a) == describe(b) == "a=1,b=2,t in (x,y)"
    assert describe({}) == describe(None) == "all"
