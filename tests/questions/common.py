"""Helpers for the question tests: a snapshot file on disk, the CLI, a query as JSON."""
from __future__ import annotations

import json

from click.testing import CliRunner

from builder import Estate
from scanner import snapshot as snapshot_file
from scanner.cli import main


def save(tmp_path, built, name="snap.json") -> str:
    snap = built.snapshot() if isinstance(built, Estate) else built
    path = tmp_path / name
    snapshot_file.write(snap, path, "2026-12-01T00:00:00+00:00", "segaudit test")
    return str(path)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def ask(path, src, dst, *ports):
    res = run("query", path, "--from", src, "--to", dst, *(a for p in ports for a in ("--port", p)),
              "--format", "json")
    assert res.exit_code in (0, 1), res.output + res.stderr
    return res.exit_code, json.loads(res.stdout)
