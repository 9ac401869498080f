"""A one-line progress bar, redrawn in place on a terminal stream (stderr)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_WIDTH = 30
_REDRAW_SECONDS = 0.25


class Progress:
    """Tickets written out of ``total``, with rows per second and the time left."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self._drawn = 0.0

    def update(self, done: int, rows: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._drawn < _REDRAW_SECONDS:
            return
        self._drawn = now
        elapsed = max(now - self.started, 1e-9)
        share = done / self.total if self.total else 1.0
        filled = int(_WIDTH * share)
        bar = "#" * filled + "-" * (_WIDTH - filled)
        eta = elapsed * (1 - share) / share if share > 0 else 0.0
        self.stream.write(
            f"\r[{bar}] {done:,}/{self.total:,} tickets {share:6.1%}"
            f"  {rows / elapsed:,.0f} rows/s  ETA {_clock(eta)} "
        )
        self.stream.flush()

    def finish(self, done: int, rows: int) -> None:
        self.update(done, rows, force=True)
        self.stream.write("\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes:d}:{seconds:02d}"
