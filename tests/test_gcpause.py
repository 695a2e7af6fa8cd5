"""The collector is paused around big work; the `segaudit` process freezes what it built."""
from __future__ import annotations

import gc
import subprocess
import sys

from scanner import gcpause


def test_paused_then_back_and_nothing_frozen_in_a_library_caller():
    assert gc.isenabled()
    before = gc.get_freeze_count()
    with gcpause.paused_cyclic_gc():
        assert not gc.isenabled()
        kept = [[i] for i in range(1000)]
    assert gc.isenabled() and gc.get_freeze_count() == before
    assert len(kept) == 1000


def test_the_command_freezes_its_heap_when_the_collector_comes_back():
    code = ("import gc; from scanner import cli, gcpause\n"
            "import scanner.cli as c\n"
            "c.main = lambda prog_name: None\n"  # the command's body: only the flag matters here
            "cli.entry()\n"
            "assert gcpause.ENDS_THE_PROCESS\n"
            "with gcpause.paused_cyclic_gc():\n"
            "    kept = [[i] for i in range(1000)]\n"
            "assert gc.isenabled() and gc.get_freeze_count() >= 1000\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
