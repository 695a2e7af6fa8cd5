"""Checks in two processes. Once reachability is computed, the checks are independent
reads of one audit context: a forked child (copy-on-write, so nothing is copied up
front) takes checks from a shared counter alongside the parent and sends back what they
found. Answers come back by index, so the report is the one a single process makes.

Only where it pays: a second CPU, fork (POSIX), and an estate big enough that a fork
and sending the findings back cost less than the checks (`SEGAUDIT_JOBS=1` turns it off).
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
from typing import Any, Callable

MIN_WORKLOADS = 2000  # below this the checks take well under a second in one process
# Past this resident size the child's copy-on-write faults cost what it saves: every page
# either process reads is written (reference counts) and so copied. Measured on 2-CPU
# cloud VMs (docs/scale.md): 350 MB resident, checks 11.7 s in one process, 8.5 s in two;
# 690 MB, 13.6 s and 13.0 s; 1.8 GB, no faster in two and up to 50 % slower, with 30 to
# 70 s of system time spent copying pages.
MAX_RESIDENT_MB = 1024


def cpus() -> int:
    """CPUs this process may use, as SEGAUDIT_JOBS caps them (1: one process)."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    wanted = os.environ.get("SEGAUDIT_JOBS", "").strip()
    return min(usable, int(wanted)) if wanted.isdigit() and int(wanted) > 0 else usable


def worth_it(workloads: int) -> bool:
    return hasattr(os, "fork") and cpus() >= 2 and workloads >= MIN_WORKLOADS


def shareable(limit_mb: int = MAX_RESIDENT_MB) -> bool:
    """Whether this process is small enough that a forked child pays (see MAX_RESIDENT_MB);
    where the resident size cannot be read, it is taken to be."""
    resident = resident_mb()
    return resident is None or resident <= limit_mb


def resident_mb() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") // (1 << 20)


def run_indexed(n: int, work: Callable[[int], Any], parallel: bool,
                dumps: Callable[[list], bytes] | None = None, loads: Callable[[bytes], list] | None = None) -> list[Any]:
    """[work(i) for i in range(n)], in two processes when `parallel`. Whatever the child
    does not deliver (it died, or its answer did not arrive whole) is done here. The
    child's [(i, work(i)), ...] comes back through `dumps` and `loads` (pickle unless
    given: a typed codec can be several times faster for many small objects)."""
    dumps = dumps or (lambda done: pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL))
    loads = loads or pickle.loads
    if not parallel or n < 2:
        return [work(i) for i in range(n)]
    counter = multiprocessing.get_context("fork").Value("i", 0)

    def take() -> int:
        with counter.get_lock():
            i = counter.value
            counter.value += 1
        return i

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller
        os.close(read_end)
        status = 1
        try:
            done = []
            while (i := take()) < n:
                done.append((i, work(i)))
            with os.fdopen(write_end, "wb") as out:
                out.write(dumps(done))
            status = 0
        finally:
            os._exit(status)  # no atexit handlers, no flushing the parent's buffers twice
    os.close(write_end)
    mine = {}
    while (i := take()) < n:
        mine[i] = work(i)
    with os.fdopen(read_end, "rb") as incoming:
        data = incoming.read()
    _pid, status = os.waitpid(pid, 0)
    theirs: dict[int, Any] = {}
    if status == 0 and data:
        try:
            theirs = dict(loads(data))
        except Exception:  # noqa: BLE001 - a truncated answer: redo its part here
            theirs = {}
    return [mine[i] if i in mine else theirs[i] if i in theirs else work(i) for i in range(n)]
