"""A bounded thread pool for collectors that gives up promptly on Ctrl-C.

`with ThreadPoolExecutor()` waits for every queued job on the way out, so an
interrupted scan would go on reading for minutes; this one cancels what has not
started and does not wait for what has (each job is one bounded SDK call or sweep).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def bounded_pool(max_workers: int, name: str) -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix=f"segaudit-{name}")
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
