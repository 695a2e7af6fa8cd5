"""`segaudit snapshot PROVIDER` and `segaudit scan PROVIDER`, built from a provider module.

A provider's cli module offers OPTIONS (click options of its own), HELP and
collect(progress, max_workers, **options) -> Snapshot; it imports its SDK only inside
collect, so building these commands costs nothing.
"""
from __future__ import annotations

import functools
import sys
from datetime import datetime, timezone
from types import ModuleType
from typing import Any, Callable

import click

from scanner import snapshot as snapshot_file
from scanner.model import Snapshot
from scanner.progress import SILENT, Progress
from scanner.report import tool_version


def _common(fn: Callable) -> Callable:
    options = [
        click.option("--max-workers", type=click.IntRange(1, 64), default=8, show_default=True,
                     help="Scopes (regions, projects, subscriptions) collected at once."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
    ]
    return functools.reduce(lambda f, opt: opt(f), reversed(options), fn)


def _collect(module: ModuleType, quiet: bool, max_workers: int, options: dict[str, Any]) -> Snapshot:
    progress = Progress(enabled=False if quiet else None, label=f"{module.NAME}")
    try:
        snap = module.collect(progress=progress, max_workers=max_workers, **options)
    finally:
        progress.close()
    for gap in snap.errors:
        scope = "/".join(p for p in (gap.provider, gap.account, gap.region, gap.service) if p)
        click.echo(f"segaudit: gap: {scope} {gap.operation}: {gap.code} {gap.message}".rstrip(), err=True)
    return snap


def provider_commands(name: str, module: ModuleType, audit_options: Callable, run_audit: Callable):
    def with_provider_options(fn: Callable) -> Callable:
        return functools.reduce(lambda f, opt: opt(f), reversed(module.OPTIONS), fn)

    @click.command(name, help=f"Write a snapshot of {module.HELP}")
    @click.option("--output", "-o", "path", type=click.Path(dir_okay=False), default="-", show_default=True,
                  help="Snapshot file ('-' for stdout).")
    @click.option("--strict", is_flag=True, help="Exit 3 when something could not be read.")
    @_common
    @with_provider_options
    def snapshot_cmd(path: str, strict: bool, quiet: bool, max_workers: int, **options: Any) -> None:
        snap = _collect(module, quiet, max_workers, options)
        stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        tool = f"segaudit {tool_version()}"
        if path == "-":
            click.echo(snapshot_file.dumps(snap, stamp, tool), nl=False)
        else:
            snapshot_file.write(snap, path, stamp, tool)
        sys.exit(3 if strict and snap.errors else 0)

    @click.command(name, help=f"Collect and audit {module.HELP}")
    @_common
    @audit_options
    @with_provider_options
    def scan_cmd(quiet: bool, max_workers: int, formats, outputs, fail_on, zones_file, include, exclude,
                 strict, suppressions_file, sarif_category, **options: Any) -> None:
        if suppressions_file:  # a bad file should fail before a long collection, not after
            from scanner import suppressions

            suppressions.load(suppressions_file)
        snap = _collect(module, quiet, max_workers, options)
        sys.exit(run_audit(snap, formats, outputs, fail_on, zones_file, include, exclude, strict,
                           suppressions_file=suppressions_file, sarif_category=sarif_category,
                           stages=SILENT if quiet else None))

    return snapshot_cmd, scan_cmd
