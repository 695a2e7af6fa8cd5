"""Checks in two processes give the report one process gives."""
from __future__ import annotations

import os
import time

import pytest

from scanner import engine, parallel
from scanner.context import AuditContext

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")


def test_both_processes_work_and_answers_come_back_in_order():
    def work(i):
        time.sleep(0.005)
        return (i * i, os.getpid())

    got = parallel.run_indexed(60, work, parallel=True)
    assert [v for v, _ in got] == [i * i for i in range(60)]
    assert len({pid for _, pid in got}) == 2  # the child took some


def test_what_a_dying_child_took_is_done_by_the_parent():
    parent = os.getpid()

    def work(i):
        if os.getpid() != parent:
            os._exit(3)
        return i + 1

    assert parallel.run_indexed(20, work, parallel=True) == list(range(1, 21))


def test_sequential_when_not_asked_or_capped(monkeypatch):
    assert parallel.run_indexed(5, lambda i: os.getpid(), parallel=False) == [os.getpid()] * 5
    monkeypatch.setenv("SEGAUDIT_JOBS", "1")
    assert parallel.cpus() == 1 and not parallel.worth_it(10 ** 6)


def test_the_checks_find_the_same_in_two_processes():
    from providers.aws.demo import demo_snapshot

    snap = demo_snapshot()
    checks = engine.discover()
    one = engine.run(checks, AuditContext(snap), parallel=False)
    two = engine.run(checks, AuditContext(snap), parallel=True)
    assert two.findings == one.findings and two.errors == one.errors and one.findings


def test_a_failing_check_is_an_error_in_either_process():
    from providers.aws.demo import demo_snapshot

    def broken(ctx, **params):
        raise RuntimeError("boom")
        yield  # pragma: no cover

    real = engine.discover()
    bad = engine.Check(real[0].meta, broken, "test")
    ctx = AuditContext(demo_snapshot())
    got = engine.run([bad, *real[1:]], ctx, parallel=True)
    assert [e.check_id for e in got.errors] == [real[0].meta.id] and "boom" in got.errors[0].message


def test_findings_cross_between_processes_whole_and_share_their_references():
    from dataclasses import replace

    from providers.aws.demo import demo_snapshot
    from scanner import wire
    from scanner.findings import AlsoReported

    found = engine.run(engine.discover(), AuditContext(demo_snapshot()), parallel=False).findings
    assert any(f.affected for f in found) and any(f.flows for f in found)
    sent = [replace(f, also=(AlsoReported("SEG999", "t", "low", "m"),)) if i == 0 else f for i, f in enumerate(found)]
    dumps, loads = wire.codec(engine.CheckError)
    back = loads(dumps([(0, (sent, None)), (1, ([], engine.CheckError("SEG101", "boom")))]))
    assert back == [(0, (sent, None)), (1, ([], engine.CheckError("SEG101", "boom")))]
    refs = [r for f in back[0][1][0] for r in (f.resource, *f.affected)]
    assert len({id(r) for r in refs}) == len(set(refs))  # one object per reference, as sent


def test_a_large_resident_heap_runs_the_checks_in_one_process():
    resident = parallel.resident_mb()
    if resident is None:  # no /proc: the size cannot be read and does not hold a fork back
        assert parallel.shareable(0)
        return
    assert resident > 0
    assert parallel.shareable(resident + 1024) and not parallel.shareable(resident - 1)
