"""Progress on stderr for collectors: a bar on a terminal, silence otherwise."""
from __future__ import annotations

import sys
import threading

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
