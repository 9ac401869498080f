"""An outage of something SupportDesk depends on, logged once when it starts and once
when it ends, however many requests or attempts fail in between."""

from __future__ import annotations

import logging
import time


class Outage:
    def __init__(self, what: str, logger: logging.Logger) -> None:
        self.what = what
        self.log = logger
        self._since: float | None = None
        self._failures = 0

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    def failed(self, exc: BaseException) -> None:
        """Note a failure; only the first one of an outage is logged."""
        self._failures += 1
        if self._since is None:
            self._since = time.monotonic()
            self.log.error("%s unreachable: %s: %s", self.what, type(exc).__name__, exc)

    def recovered(self) -> None:
        if self._since is None:
            return
        lasted = time.monotonic() - self._since
        self.log.warning(
            "%s reachable again after %.1f s (%s failed attempt(s) in between)",
            self.what,
            lasted,
            self._failures,
        )
        self._since = None
        self._failures = 0
