"""Ctrl-C during collection: queued work is dropped, not waited for."""
from __future__ import annotations

import threading

import pytest

from scanner.pool import bounded_pool


def test_interrupt_cancels_what_has_not_started():
    started, release = [], threading.Event()

    def job(i):
        started.append(i)
        release.wait(5)
        return i

    with pytest.raises(KeyboardInterrupt):
        with bounded_pool(2, "test") as pool:
            futures = [pool.submit(job, i) for i in range(50)]
            while len(started) < 2:
                threading.Event().wait(0.01)
            raise KeyboardInterrupt
    release.set()
    cancelled = sum(f.cancelled() for f in futures)
    assert cancelled == 48 and len(started) == 2


def test_normal_exit_waits_for_everything():
    with bounded_pool(3, "test") as pool:
        futures = [pool.submit(lambda i=i: i * i) for i in range(20)]
    assert [f.result() for f in futures] == [i * i for i in range(20)]
