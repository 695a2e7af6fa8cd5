"""Checks read model data only: no cloud SDK, no branching on which cloud it is."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import checks

MODULES = sorted(Path(checks.__file__).parent.glob("*.py"))
SDKS = ("boto3", "botocore", "google", "azure")


def _provider_compare(node: ast.AST) -> bool:
    if not isinstance(node, ast.Compare):
        return False
    sides = [node.left, *node.comparators]
    return any((isinstance(s, ast.Attribute) and s.attr == "provider")
               or (isinstance(s, ast.Name) and s.id == "provider") for s in sides)


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_check_module_uses_model_data_not_clouds(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not imported & set(SDKS), f"{path.name} imports a cloud SDK"
    assert not [n.lineno for n in ast.walk(tree) if _provider_compare(n)], f"{path.name} branches on the provider"
