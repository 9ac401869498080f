"""The one source of time. Tests move it; nothing else calls ``datetime.now``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """Current time, UTC and timezone-aware."""
    return _source()


def set_source(source: Callable[[], datetime] | None) -> None:
    """Replace the time source (``None`` restores the system clock)."""
    global _source
    _source = source if source is not None else (lambda: datetime.now(UTC))
