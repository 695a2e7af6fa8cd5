"""What every command shares (snapshot paths, zone policy, suppressions, check selection),
built once from the click options and passed as one frozen object."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

import click

from scanner.context import AuditContext
from scanner.model import Snapshot
from scanner.report import Report

NAMES = ("zones_file", "suppressions_file", "include", "exclude")


@dataclass(frozen=True, slots=True)
class Options:
    snapshots: tuple[str, ...]
    zones_file: str | None = None
    suppressions_file: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def take(cls, snapshots: tuple[str, ...], opts: dict[str, Any]) -> "Options":
        """The shared options out of a command's keyword arguments (removed from `opts`)."""
        return cls(tuple(snapshots), **{name: opts.pop(name) for name in NAMES if name in opts})

    def with_snapshots(self, snapshots: tuple[str, ...]) -> "Options":
        return Options(tuple(snapshots), self.zones_file, self.suppressions_file, self.include, self.exclude)

    def load(self) -> Snapshot:
        from scanner.audit import load

        return load(self.snapshots)

    def context(self, snapshot: Snapshot | None = None) -> AuditContext:
        return AuditContext(self.load() if snapshot is None else snapshot, zone_policy_path=self.zones_file)

    def report(self, ctx: AuditContext, on: date | None = None) -> Report:
        """The audit of `ctx` with the selected checks, suppressions applied."""
        from scanner import audit, suppressions

        report = audit.report_for(ctx, self.include, self.exclude)
        if self.suppressions_file:
            accepted = suppressions.load(self.suppressions_file)
            report = suppressions.apply(report, accepted, on or suppressions.today(), Path(self.suppressions_file).name)
        return report


def shared_options(checks: bool = False) -> Callable[[Callable], Callable]:
    """--zones (every question), and with `checks` also --checks, --skip-checks, --suppressions."""
    options = [click.option("--zones", "zones_file", type=click.Path(dir_okay=False),
                            help="Zone policy file (YAML); default: the seeds' five-zone model.")]
    if checks:
        options += [
            click.option("--checks", "include", multiple=True, help="Only these check ids or globs (SEG1*)."),
            click.option("--skip-checks", "exclude", multiple=True, help="Skip these check ids or globs."),
            click.option("--suppressions", "suppressions_file", type=click.Path(dir_okay=False),
                         help="Suppressions file (YAML): accepted findings count as suppressed."),
        ]
    return lambda fn: functools.reduce(lambda f, opt: opt(f), reversed(options), fn)
