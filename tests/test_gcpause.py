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
    code = ("import gc, os; from scanner import cli, gcpause\n"
            "def body(prog_name):\n"  # the command's body: what it builds while the collector is paused
            "    assert gcpause.ENDS_THE_PROCESS\n"
            "    with gcpause.paused_cyclic_gc():\n"
            "        kept = [[i] for i in range(1000)]\n"
            "    assert gc.isenabled() and gc.get_freeze_count() >= 1000\n"
            "    print('frozen', end='')\n"  # left in the buffer: entry() flushes it before it ends
            "cli.main = body\n"
            "cli.entry()\n"
            "print('not reached')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "frozen"


def test_the_command_ends_with_its_exit_code_and_its_output_whole():
    code = ("import sys; from scanner import cli\n"
            "def body(prog_name):\n"
            "    print('x' * 100000)\n"
            "    sys.exit(int(sys.argv[1]) if sys.argv[1].isdigit() else sys.argv[1])\n"
            "cli.main = body\n"
            "cli.entry()\n")
    for arg, rc in (("0", 0), ("1", 1), ("3", 3), ("went wrong", 1)):
        done = subprocess.run([sys.executable, "-c", code, arg], capture_output=True, text=True)
        assert done.returncode == rc and done.stdout == "x" * 100000 + "\n", done.stderr
        assert done.stderr == ("went wrong\n" if rc == 1 and arg != "1" else "")
