"""Pausing Python's cyclic garbage collector around work that builds a big heap."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


# Set by the `segaudit` command (not by a library caller or a test runner): the process
# ends right after its report is written, so what an audit built is frozen when the
# collector comes back (gc.freeze: never scanned again) instead of collected. Collecting
# the 1.6 GB heap of a 10,000-group audit cost 8 s of its 42.
ENDS_THE_PROCESS = False


@contextmanager
def paused_cyclic_gc() -> Iterator[None]:
    """An audit, like decoding a big snapshot, builds millions of small acyclic objects
    (reference counting frees them); the cyclic collector rescanning that growing heap
    made big audits superlinear (38 s instead of 24 s at 20,000 interfaces) and tripled
    the decoding of a 100 MB snapshot. The collector runs again once the work is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if ENDS_THE_PROCESS:
                gc.freeze()
            gc.enable()
