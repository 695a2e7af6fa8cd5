"""Stage-by-stage progress of an audit: on a terminal after a couple of seconds, never on a
pipe, never under -q."""
from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from scanner import progress
from scanner.audit import STAGES
from scanner.cli import main

SAMPLE = str(Path(__file__).parent.parent / "examples" / "sample-snapshot.json")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _stages(stream, clock, **kw):
    return progress.Stages(plan=STAGES, stream=stream, clock=clock, interval=None, **kw)


def test_a_quick_audit_says_nothing():
    term, clock = Terminal(), Clock()
    with _stages(term, clock) as stages:
        for name in STAGES:
            with stages.stage(name):
                clock.now += 0.3
    assert term.getvalue() == ""


def test_a_long_audit_names_each_stage_then_the_time_each_took():
    term, clock = Terminal(), Clock()
    with _stages(term, clock) as stages:
        with stages.stage("reading snapshots"):
            clock.now += 1.5
            stages.tick()  # not yet two seconds: nothing
            assert term.getvalue() == ""
            clock.now += 1.0
            stages.tick()
        first = "segaudit: reading snapshots (1/5), 2 s"
        assert term.getvalue().endswith("\r" + first)
        with stages.stage("zoning"):  # a new stage shows at once, over the longer line
            second = "segaudit: zoning (2/5), 2 s"
            assert term.getvalue().endswith("\r" + second + " " * (len(first) - len(second)))
            clock.now += 10
        with stages.stage("reachability"):
            clock.now += 20
            stages.tick()
            assert term.getvalue().endswith("\rsegaudit: reachability (3/5), 32 s")
    last = term.getvalue().rsplit("\r", 1)[1]
    assert last == "segaudit: audit took 32.5 s (reading snapshots 2.5 s, zoning 10.0 s, reachability 20.0 s)\n"


def test_a_failed_audit_leaves_no_line_behind():
    term, clock = Terminal(), Clock()
    try:
        with _stages(term, clock) as stages:
            with stages.stage("reading snapshots"):
                clock.now += 5
                stages.tick()
                raise ValueError("bad file")
    except ValueError:
        pass
    drawn = "segaudit: reading snapshots (1/5), 5 s"
    assert term.getvalue() == "\r" + drawn + "\r" + " " * len(drawn) + "\r"


def test_not_a_terminal_or_quiet_writes_nothing_and_starts_no_thread():
    for stages in (progress.Stages(plan=STAGES, stream=io.StringIO(), delay=0),
                   progress.Stages(enabled=False, plan=STAGES, stream=Terminal(), delay=0)):
        with stages:
            with stages.stage("zoning"):
                stages.tick()
        assert stages.stream.getvalue() == "" and stages._ticker is None


def test_the_line_is_redrawn_while_a_stage_runs():
    term, clock = Terminal(), Clock()
    with progress.Stages(plan=STAGES, stream=term, clock=clock, interval=0.01) as stages:
        with stages.stage("reachability"):
            clock.now += 5  # the ticker thread, not the stage, must notice
            deadline = time.monotonic() + 10
            while not term.getvalue().endswith("reachability (3/5), 5 s") and time.monotonic() < deadline:
                time.sleep(0.01)
            assert term.getvalue().endswith("\rsegaudit: reachability (3/5), 5 s")
    assert not stages._ticker.is_alive()


def test_the_audit_command_reports_its_stages_on_a_terminal(monkeypatch):
    monkeypatch.setattr(progress, "_is_terminal", lambda stream: True)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    res = CliRunner().invoke(main, ["audit", SAMPLE, "--fail-on", "none"])
    assert res.exit_code == 0, res.output
    shown = [line for line in res.stderr.split("\r") if line.strip()]
    assert [line.split(" (")[0] for line in shown[:-1]] == [f"segaudit: {name}" for name in STAGES]
    assert shown[-1].startswith("segaudit: audit took ") and shown[-1].endswith("\n")
    assert "findings" in res.stdout  # the report itself is untouched


def test_quiet_audit_on_a_terminal_says_nothing(monkeypatch):
    monkeypatch.setattr(progress, "_is_terminal", lambda stream: True)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    res = CliRunner().invoke(main, ["audit", "-q", SAMPLE, "--fail-on", "none"])
    assert res.exit_code == 0 and res.stderr == ""


def test_a_bad_file_on_a_terminal_is_still_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(progress, "_is_terminal", lambda stream: True)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    bad = tmp_path / "snap.json"
    bad.write_text("{")
    res = CliRunner().invoke(main, ["audit", str(bad)])
    assert res.exit_code == 2
    assert res.stderr.rsplit("\r", 1)[-1].startswith("segaudit: error: ")


def test_an_audit_on_a_pipe_writes_nothing_on_stderr():
    code = ("import sys; from scanner import progress; progress.DELAY = 0.0; from scanner.cli import main; "
            "main(['audit', sys.argv[1], '--fail-on', 'none'])")
    res = subprocess.run([sys.executable, "-c", code, SAMPLE], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stderr == "" and "findings" in res.stdout


def test_scan_shows_the_audit_stages_and_quiet_silences_them(monkeypatch):
    """`scan PROVIDER` has no snapshot to read: its audit starts at zoning."""
    import types

    from scanner import snapshot as snapshot_file
    from scanner.cli import audit_options, run_audit
    from scanner.collect import provider_commands

    monkeypatch.setattr(progress, "_is_terminal", lambda stream: True)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    module = types.SimpleNamespace(NAME="fake", HELP="a fake cloud", OPTIONS=[],
                                   collect=lambda progress, max_workers: snapshot_file.read(SAMPLE))
    _, scan_cmd = provider_commands("fake", module, audit_options, run_audit)
    loud = CliRunner().invoke(scan_cmd, ["--fail-on", "none"])
    assert loud.exit_code == 0, loud.output
    assert "segaudit: zoning (1/4)" in loud.stderr and "reading snapshots" not in loud.stderr
    quiet = CliRunner().invoke(scan_cmd, ["-q", "--fail-on", "none"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
