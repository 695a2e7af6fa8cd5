"""Progress on stderr: a bar for collectors, the current stage for a long audit; on a
terminal only, silence otherwise."""
from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

import click


class Progress:
    def __init__(self, enabled: bool | None = None, label: str = "collecting") -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.label = label
        self._bar = None
        self._lock = threading.Lock()

    def start(self, total: int) -> None:
        if self.enabled and total > 0:
            self._bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_pos=True)
            self._bar.__enter__()

    def advance(self, item: str = "") -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.update(1, item or None)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


QUIET = Progress(enabled=False)

DELAY = 2.0  # seconds an audit runs before it says what it is doing


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Stages:
    """Which stage an audit is in, once it has run for `delay` seconds: one line on a
    terminal's stderr, redrawn in place every `interval` seconds by a daemon thread (so a
    stage that runs for minutes still shows its time), and at the end the time each stage
    took. The stages are timed from outside, as context managers: the work being timed
    knows nothing of this. Disabled (-q, or stderr not a terminal), it writes nothing and
    starts no thread."""

    def __init__(self, enabled: bool | None = None, plan: Sequence[str] = (), stream: Any = None,
                 delay: float | None = None, interval: float | None = 0.5,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.plan = tuple(plan)
        self.delay = DELAY if delay is None else delay
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.took: dict[str, float] = {}
        self._current: str | None = None
        self._since = self.started
        self._line = ""  # on the terminal now
        self._shown = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> Stages:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.close(finished=exc_type is None)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        if self._ticker is None and self.interval is not None:
            self._ticker = threading.Thread(target=self._tick_until_stopped, name="segaudit-stages", daemon=True)
            self._ticker.start()
        with self._lock:
            self._current, self._since = name, self.clock()
        self.tick()
        try:
            yield
        finally:
            with self._lock:
                self.took[name] = self.took.get(name, 0.0) + self.clock() - self._since
                self._current = None

    def tick(self) -> None:
        """Draw the current stage, if the audit has run long enough to say so."""
        with self._lock:
            if not self.enabled or self._current is None:
                return
            elapsed = self.clock() - self.started
            if elapsed < self.delay:
                return
            where = f" ({self.plan.index(self._current) + 1}/{len(self.plan)})" if self._current in self.plan else ""
            line = f"segaudit: {self._current}{where}, {int(elapsed)} s"
            if line != self._line:
                self._draw(line)
            self._shown = True

    def close(self, finished: bool = True) -> None:
        """End the line: the time per stage when the audit got far enough to show
        itself and finished, nothing left on the terminal otherwise."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            if not self.enabled:
                return
            self.enabled = False
            if self._shown and finished:
                total = self.clock() - self.started
                parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.took.items())
                self._draw(f"segaudit: audit took {total:.1f} s ({parts})")
                self.stream.write("\n")
            elif self._line:
                self._draw("")
                self.stream.write("\r")
            self.stream.flush()

    def _draw(self, line: str) -> None:
        self.stream.write("\r" + line + " " * max(0, len(self._line) - len(line)))
        self.stream.flush()
        self._line = line

    def _tick_until_stopped(self) -> None:
        assert self.interval is not None
        while not self._stop.wait(self.interval):
            self.tick()


SILENT = Stages(enabled=False)
