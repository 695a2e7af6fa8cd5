"""`segaudit query`, `test`, `flows`, `paths` and `diff`: options in, a question answered
by scanner.questions, an emitter from output/ out. The answers build the estate's
reachability as an audit does, so they pause the cyclic collector as it does
(scanner.gcpause)."""
from __future__ import annotations

import sys
from typing import Any

import click

from scanner.errors import InputError, write_user_text
from scanner.findings import SEVERITIES
from scanner.gcpause import paused_cyclic_gc
from scanner.options import Options, shared_options

EXITS = "Exit codes: 0 {ok}; 1 {bad}; 2 input error (bad file, unknown id, bad port)."


def _write(text: str, path: str | None) -> None:
    if path is None:
        click.echo(text, nl=False)
    else:
        write_user_text(path, text)


_output = click.option("--output", "-o", "path", type=click.Path(dir_okay=False),
                       help="Write to this file instead of stdout.")


def register(main: click.Group) -> None:
    @main.command(epilog=EXITS.format(ok="when some asked port flows", bad="when none does"))
    @click.argument("snapshots", nargs=-1, required=True)
    @click.option("--from", "src", required=True,
                  help="Workload (ENI/NIC) id, instance/VM id or name, IP address, subnet id, zone, or 'internet'.")
    @click.option("--to", "dst", required=True, help="As --from.")
    @click.option("--port", "port_specs", multiple=True,
                  help="tcp/22, tcp/8000-8999, udp/53, icmp or all, as in the zone policy; repeat. Default: every port.")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @shared_options()
    @_output
    def query(snapshots: tuple[str, ...], src: str, dst: str, port_specs: tuple[str, ...], fmt: str,
              path: str | None, **opts: Any) -> None:
        """Which ports flow from --from to --to, and why: every pair hop by hop, and where a blocked flow stops."""
        from output import query as emit
        from scanner.questions.query import parse_ports, query as ask

        ports = parse_ports(port_specs)
        with paused_cyclic_gc():
            answer = ask(Options.take(snapshots, opts).context(), src, dst, ports)
        _write(emit.render_json(answer) if fmt == "json" else emit.render_text(answer), path)
        sys.exit(0 if answer.ports else 1)

    @main.command("test", epilog=EXITS.format(ok="when every expectation holds (or --init wrote a file)",
                                               bad="when any fails"))
    @click.argument("args", nargs=-1, required=True, metavar="SNAPSHOT... EXPECTATIONS.yml")
    @click.option("--init", is_flag=True,
                  help="Write a starting expectations file from the zone policy for the SNAPSHOT(s) instead.")
    @click.option("--format", "fmt", type=click.Choice(["text", "json", "junit", "sarif"]), default="text",
                  show_default=True)
    @shared_options()
    @_output
    def test(args: tuple[str, ...], init: bool, fmt: str, path: str | None, **opts: Any) -> None:
        """Check segmentation expectations (named flows that must be allowed or blocked) against snapshots."""
        from output import expectations as emit
        from scanner.questions import expectations

        if init:
            with paused_cyclic_gc():
                text = expectations.initial(Options.take(args, opts).context())
            _write(text, path)
            return
        if len(args) < 2:
            raise InputError("give one or more snapshot files and then the expectations file")
        *snapshots, file = args
        wanted = expectations.load(file)
        with paused_cyclic_gc():
            outcomes = expectations.run(Options.take(tuple(snapshots), opts).context(), wanted)
        _write(emit.RENDER[fmt](outcomes, file), path)
        sys.exit(0 if all(o.passed for o in outcomes) else 1)

    @main.command(epilog="Exit codes: 0 map written; 2 input error.")
    @click.argument("snapshots", nargs=-1, required=True)
    @click.option("--by", type=click.Choice(["workload", "zone"]), default="workload", show_default=True)
    @click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
    @shared_options()
    @_output
    def flows(snapshots: tuple[str, ...], by: str, fmt: str, path: str | None, **opts: Any) -> None:
        """The connectivity map: every source and destination that can really talk, with the ports."""
        from output import flowmap as emit
        from scanner.questions import flows as mapping

        ctx = Options.take(snapshots, opts).context()
        with paused_cyclic_gc():
            rows = mapping.by_workload(ctx) if by == "workload" else mapping.by_zone(ctx)
        _write(emit.RENDER[fmt](rows, by), path)

    @main.command(epilog=EXITS.format(ok="when no target is reachable within --max-hops",
                                      bad="when some target is"))
    @click.argument("snapshots", nargs=-1, required=True)
    @click.option("--from", "src", required=True, help="'internet', a zone, or a workload/instance id (the foothold).")
    @click.option("--to", "dst", required=True, help="A zone or a workload/instance id (the targets).")
    @click.option("--max-hops", type=click.IntRange(1, 10), default=3, show_default=True)
    @click.option("--limit", type=click.IntRange(1), default=10, show_default=True,
                  help="Paths (and footholds' blast radius) shown.")
    @click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
                  show_default=True)
    @shared_options()
    @_output
    def paths(snapshots: tuple[str, ...], src: str, dst: str, max_hops: int, limit: int, fmt: str,
              path: str | None, **opts: Any) -> None:
        """Lateral movement: shortest attack paths to the targets and each foothold's blast radius."""
        from output import paths as emit
        from scanner.questions.paths import paths as find

        with paused_cyclic_gc():
            result = find(Options.take(snapshots, opts).context(), src, dst, max_hops, limit)
        _write(emit.RENDER[fmt](result), path)
        sys.exit(1 if result.reachable else 0)

    @main.command(epilog=EXITS.format(ok="when NEW opens nothing the zone policy forbids and adds no finding at "
                                         "or above --fail-on", bad="otherwise"))
    @click.argument("old")
    @click.argument("new")
    @click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
                  show_default=True)
    @click.option("--fail-on", type=click.Choice([*SEVERITIES[:-1], "none"]), default="high", show_default=True,
                  help="Exit 1 when NEW adds a finding at or above this severity.")
    @shared_options(checks=True)
    @_output
    def diff(old: str, new: str, fmt: str, fail_on: str, path: str | None, **opts: Any) -> None:
        """What changes between two snapshots: flows opened and closed, findings new and fixed, gaps."""
        from output import diff as emit
        from scanner.questions.diff import diff as compare

        options = Options.take((old,), opts)
        with paused_cyclic_gc():
            before, after = options.context(), options.with_snapshots((new,)).context()
            result = compare(before, after, options.report(before), options.report(after))
        _write(emit.RENDER[fmt](result), path)
        sys.exit(1 if result.fails(fail_on) else 0)
