"""The words each API surface uses for a ticket's status, in one table.

A surface shows every canonical status as one of its own words, and only words its
reference documents. A word written to a surface means the canonical status of the
same name, else the only one that reads as it; a status filter with a word matches every
canonical status that reads as it, so a listing filtered by a word returns exactly the
tickets shown with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Literal, get_args

from supportdesk.core.enums import TicketStatus

# The vocabularies of the references, as documented.
InternalStatus = Literal["open", "in_progress", "on_hold", "closed"]  # 000 and 001
RestStatus = Literal["open", "pending", "in_progress", "on_hold", "resolved", "closed"]  # 002
PortalStatus = Literal["open", "in_progress", "pending_customer", "resolved", "closed"]  # 003
LegacyStatus = Literal[  # 004 documents no list: it shows the status as stored
    "open", "in_progress", "on_hold", "pending_customer", "resolved", "closed"
]


class Surface(StrEnum):
    INTERNAL = "internal"  # seed 000, and seed 001 (the agent API) which shares its words
    REST = "rest"  # seed 002
    PORTAL = "portal"  # seed 003, the portal and its external-project API
    LEGACY = "legacy"  # seed 004


_S = TicketStatus

# canonical status → how it reads on each surface. 000/001 say "resolved" with the
# separate ``is_resolved`` flag: a resolved ticket is finished, so it reads closed there
# (``closed_at`` stays empty until it is closed for good); waiting for the customer is
# a hold. The portal has no hold: a ticket on hold is still being worked on (only its
# SLA clock is paused), so it reads in progress.
_TABLE: dict[Surface, dict[TicketStatus, str]] = {
    Surface.INTERNAL: {
        _S.OPEN: "open",
        _S.IN_PROGRESS: "in_progress",
        _S.ON_HOLD: "on_hold",
        _S.PENDING_CUSTOMER: "on_hold",
        _S.RESOLVED: "closed",
        _S.CLOSED: "closed",
    },
    Surface.REST: {
        _S.OPEN: "open",
        _S.IN_PROGRESS: "in_progress",
        _S.ON_HOLD: "on_hold",
        _S.PENDING_CUSTOMER: "pending",
        _S.RESOLVED: "resolved",
        _S.CLOSED: "closed",
    },
    Surface.PORTAL: {
        _S.OPEN: "open",
        _S.IN_PROGRESS: "in_progress",
        _S.ON_HOLD: "in_progress",
        _S.PENDING_CUSTOMER: "pending_customer",
        _S.RESOLVED: "resolved",
        _S.CLOSED: "closed",
    },
    Surface.LEGACY: {status: status.value for status in TicketStatus},
}

_VOCABULARY: dict[Surface, object] = {
    Surface.INTERNAL: InternalStatus,
    Surface.REST: RestStatus,
    Surface.PORTAL: PortalStatus,
    Surface.LEGACY: LegacyStatus,
}


@dataclass(frozen=True, slots=True)
class StatusWords:
    """One surface's words for the canonical statuses."""

    surface: Surface
    shown: Mapping[TicketStatus, str]
    words: tuple[str, ...]

    def word(self, status: TicketStatus) -> str:
        """How ``status`` reads on this surface."""
        return self.shown[status]

    def matching(self, word: str) -> tuple[TicketStatus, ...]:
        """The canonical statuses a filter by ``word`` matches: all that read as it."""
        return tuple(status for status in TicketStatus if self.shown[status] == word)

    def status(self, word: str) -> TicketStatus:
        """The canonical status ``word`` sets: the one of that name, else the only match."""
        matches = self.matching(word)
        named = [status for status in matches if status.value == word]
        return named[0] if named else matches[0]


def _words(surface: Surface) -> StatusWords:
    shown = _TABLE[surface]
    words: tuple[str, ...] = get_args(_VOCABULARY[surface])
    # Each surface shows every canonical status with one of its documented words, and
    # every word it documents names exactly one status to write.
    if set(shown) != set(TicketStatus) or not set(shown.values()) <= set(words):
        raise ValueError(f"{surface}: every status needs one of the surface's words")
    for word in words:
        matches = {status for status in TicketStatus if shown[status] == word}
        if not matches or (len(matches) > 1 and word not in {s.value for s in matches}):
            raise ValueError(f"{surface}: {word!r} does not name one status")
    return StatusWords(surface, MappingProxyType(shown), words)


INTERNAL = _words(Surface.INTERNAL)
REST = _words(Surface.REST)
PORTAL = _words(Surface.PORTAL)
LEGACY = _words(Surface.LEGACY)
