"""The segaudit command line.

Cloud SDKs are never imported here: provider commands load their collector lazily, so
`segaudit --help` and `segaudit audit` stay quick and work without cloud libraries.
"""
from __future__ import annotations

import functools
import importlib
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable

import click

import output
from scanner import audit as auditing, suppressions as suppressing
from scanner.engine import discover
from scanner.errors import InputError, write_user_text
from scanner.findings import SEVERITIES
from scanner import gcpause
from scanner.gcpause import paused_cyclic_gc
from scanner.progress import SILENT, Stages
from scanner.report import Report, tool_version

EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 1, 2, 3


class UserError(click.ClickException):
    exit_code = EXIT_USAGE

    def show(self, file: Any = None) -> None:
        click.echo(f"segaudit: error: {self.format_message()}", err=True)


class Group(click.Group):
    """Turns errors a user can cause into one line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            raise UserError(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("segaudit: interrupted; nothing was written", err=True)
            sys.exit(130)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(tool_version(), prog_name="segaudit")
@click.option("--debug", is_flag=True, help="Log SDK calls to stderr (secrets are redacted).")
def main(debug: bool) -> None:
    """Audit cloud network segmentation against a zone policy."""
    from scanner.logsetup import configure

    configure(debug)


def audit_options_for(fail_on: str = "high") -> Callable[[Callable], Callable]:
    return functools.partial(_audit_options, fail_on=fail_on)


def audit_options(fn: Callable) -> Callable:
    """Options shared by `audit` and every `scan PROVIDER`."""
    return _audit_options(fn, "high")


def _audit_options(fn: Callable, fail_on: str) -> Callable:
    options = [
        click.option("--format", "formats", multiple=True, type=click.Choice(sorted(output.FORMATS)),
                     help="Output format; repeat with --output to write several in one run."),
        click.option("--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
                     help="File for the --format at the same position (default: stdout)."),
        click.option("--fail-on", type=click.Choice([*SEVERITIES[:-1], "none"]), default=fail_on, show_default=True,
                     help="Exit 1 when a finding at or above this severity remains."),
        click.option("--zones", "zones_file", type=click.Path(dir_okay=False),
                     help="Zone policy file (YAML); default: the seeds' five-zone model."),
        click.option("--checks", "include", multiple=True, help="Only these check ids or globs (SEG1*)."),
        click.option("--skip-checks", "exclude", multiple=True, help="Skip these check ids or globs."),
        click.option("--strict", is_flag=True, help="Exit 3 when the snapshot has collection gaps."),
        click.option("--suppressions", "suppressions_file", type=click.Path(dir_okay=False),
                     help="Suppressions file (YAML): accepted findings stay in the report as suppressed."),
        click.option("--sarif-category", default="",
                     help="SARIF automationDetails.id: one code scanning category per provider and account."),
    ]
    return functools.reduce(lambda f, opt: opt(f), reversed(options), fn)


def pair_outputs(formats: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    if len(outputs) > max(len(formats), 1):
        raise InputError("more --output files than --format options")
    formats = formats or ("text",)
    pairs = [(fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(formats)]
    if sum(1 for _, path in pairs if path is None) > 1:
        raise InputError("only one --format can go to stdout; give the others an --output file")
    return pairs


def emit(report: Report, pairs: list[tuple[str, str | None]], sarif_category: str = "",
         stages: Stages = SILENT) -> None:
    to_stdout = []
    with stages.stage("writing output"):
        for fmt, path in pairs:
            if path is None:
                colour = sys.stdout.isatty()
                options = output.RenderOptions(colour=colour, sarif_category=sarif_category)
                to_stdout.append((output.render(fmt, report, options), colour))
                continue
            try:
                with open(path, "w", encoding="utf-8") as fh:
                    output.write(fmt, report, fh, output.RenderOptions(sarif_category=sarif_category))
            except OSError as exc:
                raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    stages.close()  # the progress line ends before the report starts on the same terminal
    for text, colour in to_stdout:
        click.echo(text, nl=False, color=colour)


def exit_code(report: Report, fail_on: str, strict: bool) -> int:
    if strict and not report.complete:
        return EXIT_INCOMPLETE
    return EXIT_FINDINGS if report.fails(fail_on) else 0


def run_audit(snapshot: Any, formats, outputs, fail_on, zones_file, include, exclude, strict,
              suppressions_file: str | None = None, sarif_category: str = "", on: date | None = None,
              stages: Stages | None = None) -> int:
    """`on` is the date suppressions are judged on (today, unless a test says otherwise);
    `stages` tells a terminal how the audit goes (default: on stderr if it is one)."""
    pairs = pair_outputs(formats, outputs)
    accepted = suppressing.load(suppressions_file) if suppressions_file else ()
    # The collector stays off while the report is written too: the audit's heap is still
    # alive then, and every full collection over it cost seconds on big estates.
    with paused_cyclic_gc(), stages or Stages(plan=auditing.STAGES[1:]) as stages:
        report = auditing.audit(snapshot, include, exclude, zones_file=zones_file, stages=stages)
        if suppressions_file:
            # the file's name, not its path: reports carry nothing machine-specific
            report = suppressing.apply(report, accepted, on or suppressing.today(), Path(suppressions_file).name)
        emit(report, pairs, sarif_category, stages)
    return exit_code(report, fail_on, strict)


@main.command()
@click.argument("snapshots", nargs=-1, required=True)
@audit_options
@click.option("--quiet", "-q", is_flag=True, help="No progress on the terminal.")
def audit(snapshots: tuple[str, ...], quiet: bool, **opts: Any) -> None:
    """Audit one or more snapshot files (several accounts merge into one audit)."""
    with Stages(enabled=False if quiet else None, plan=auditing.STAGES) as stages:
        with stages.stage("reading snapshots"):
            snapshot = auditing.load(snapshots)
        code = run_audit(snapshot, stages=stages, **opts)
    sys.exit(code)


@main.command()
@click.argument("snapshots", nargs=-1, required=True)
@click.option("--output", "-o", "path", type=click.Path(dir_okay=False), default="-", show_default=True,
              help="Suppressions file to write ('-' for stdout).")
@click.option("--zones", "zones_file", type=click.Path(dir_okay=False), help="Zone policy file (YAML).")
@click.option("--checks", "include", multiple=True, help="Only these check ids or globs.")
@click.option("--skip-checks", "exclude", multiple=True, help="Skip these check ids or globs.")
def baseline(snapshots: tuple[str, ...], path: str, zones_file: str | None, include, exclude) -> None:
    """Write a suppressions file accepting today's findings, to pass with --suppressions."""
    report = auditing.audit(auditing.load(snapshots), include, exclude, zones_file=zones_file)
    text = suppressing.baseline(report, suppressing.today())
    if path == "-":
        click.echo(text, nl=False)
        return
    write_user_text(path, text)
    click.echo(f"segaudit: {len(report.findings)} findings accepted in {path}", err=True)


@main.command("checks")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_checks(fmt: str) -> None:
    """List the check catalogue."""
    from output.json import check_doc

    checks = [c.meta for c in discover()]
    if fmt == "json":
        click.echo(json.dumps([check_doc(m) for m in checks], indent=2, sort_keys=True))
        return
    width = max((len(m.title) for m in checks), default=5)
    click.echo(f"{'ID':<8} {'SEVERITY':<9} {'TITLE':<{width}} PROVIDERS")
    for m in checks:
        click.echo(f"{m.id:<8} {m.severity:<9} {m.title:<{width}} {','.join(m.providers)}")


@main.group()
def snapshot() -> None:
    """Collect a snapshot of a cloud and write it to a file."""


@main.group()
def scan() -> None:
    """Collect and audit in one go."""


@main.command()
@click.option("--save-snapshot", type=click.Path(dir_okay=False),
              help="Also write the demo estate's snapshot to this file.")
@audit_options_for(fail_on="none")  # the demo estate is meant to have findings
def demo(save_snapshot: str | None, **opts: Any) -> None:
    """Audit a demo AWS estate built in-process with moto (no cloud account needed)."""
    from datetime import datetime, timezone

    from providers.aws.demo import demo_snapshot
    from scanner import snapshot as snapshot_file
    from scanner.progress import Progress

    progress = Progress(label="demo")
    try:
        snap = demo_snapshot(progress)
    finally:
        progress.close()
    if save_snapshot:
        stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        snapshot_file.write(snap, save_snapshot, stamp, f"segaudit {tool_version()}")
    sys.exit(run_audit(snap, **opts))


def _register_subcommands() -> None:
    from scanner import questions_cli, zones_cli

    zones_cli.register(main, auditing.load)
    questions_cli.register(main)


def _register_providers() -> None:
    from providers import PROVIDERS
    from scanner.collect import provider_commands

    for name, module_name in PROVIDERS.items():
        module = importlib.import_module(module_name)
        snap_cmd, scan_cmd = provider_commands(name, module, audit_options, run_audit)
        snapshot.add_command(snap_cmd)
        scan.add_command(scan_cmd)


_register_subcommands()
_register_providers()


def entry() -> None:
    """The `segaudit` command: `main` as a process of its own (see gcpause.ENDS_THE_PROCESS).
    It ends without tearing its heap down: at 100,000 workloads, freeing the audit's
    objects one by one at interpreter exit took seconds and changed nothing."""
    gcpause.ENDS_THE_PROCESS = True
    try:
        main(prog_name="segaudit")
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):  # sys.exit("message")
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a reader that went away, or a stream already closed
        code = code or 1
    logging.shutdown()
    os._exit(code or 0)
