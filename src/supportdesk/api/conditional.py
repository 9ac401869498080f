"""Conditional requests on tickets (RFC 9110 §8.8.3, §13): ETag, If-None-Match, If-Match.

Every surface's ticket reads and changes go through these two dependencies, so the rule
is the same everywhere:

- a ticket's entity tag is its id and version, ``"42.7"``: strong, and the same on
  every surface, since the version moves on with every change to the ticket, whichever
  surface made it;
- a read answers with the tag in ``ETag``; ``If-None-Match`` naming it (weak comparison,
  or ``*``) turns a GET into ``304 Not Modified`` with no body;
- a change honours ``If-Match`` (strong comparison: a weak tag never matches; ``*``
  matches any ticket that exists): naming another version, it is refused with 412 in
  the surface's error format and changes nothing; without it, it applies as always.

A header that does not parse as a list of entity tags is a condition nobody can meet:
an If-Match then refuses the change (it is never applied on a guess), an If-None-Match
then leaves the read a full 200.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Protocol, TypeVar

from fastapi import Depends, Header, Request, Response, status

from supportdesk.core.errors import PreconditionFailed
from supportdesk.services.tickets import Precondition

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text; a list
# separates its members by commas, and may hold empty ones.
_MEMBER = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*(?:,|$)')
_SEPARATOR = re.compile(r"[ \t]*,")
_TICKET_STATE = re.compile(r"([1-9][0-9]{0,17})\.([1-9][0-9]{0,17})")
# What a GET (or HEAD) answers when the client's copy is current; any other method is
# refused instead (RFC 9110 §13.1.2).
_SAFE_METHODS = frozenset({"GET", "HEAD"})

IF_MATCH_TEXT = (
    "Apply only if the ticket is still at this version: its `ETag`, or `*`. "
    "Another version is refused with 412 and nothing changes."
)
IF_NONE_MATCH_TEXT = (
    "The `ETag` of the copy the client holds: while the ticket is at that version, "
    "the answer is 304 with no body."
)
IfMatchHeader = Annotated[str | None, Header(alias="If-Match", description=IF_MATCH_TEXT)]
IfNoneMatchHeader = Annotated[
    str | None, Header(alias="If-None-Match", description=IF_NONE_MATCH_TEXT)
]


class Versioned(Protocol):
    """A ticket, or a view of one: what its entity tag is made of."""

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=Versioned)


@dataclass(frozen=True, slots=True)
class EntityTag:
    opaque: str
    weak: bool = False


def entity_tag(ticket: Versioned) -> str:
    return f'"{ticket.id}.{ticket.version}"'


def parse_entity_tags(value: str) -> list[EntityTag] | None:
    """The members of an entity-tag list; None if the value is not one."""
    tags: list[EntityTag] = []
    position = 0
    value = value.strip(" \t")
    while position < len(value):
        separator = _SEPARATOR.match(value, position)
        if separator is not None:
            position = separator.end()
            continue
        member = _MEMBER.match(value, position)
        if member is None:
            return None
        tags.append(EntityTag(member[2], weak=member[1] is not None))
        position = member.end()
    return tags


def precondition(if_match: str) -> Precondition:
    """What an If-Match header requires of a ticket: strong comparison, or ``*``."""
    if if_match.strip(" \t") == "*":
        return Precondition(any_version=True)
    versions = set()
    for tag in parse_entity_tags(if_match) or []:
        state = _TICKET_STATE.fullmatch(tag.opaque)
        if state is not None and not tag.weak:
            versions.add((int(state[1]), int(state[2])))
    return Precondition(frozenset(versions))


def none_match(if_none_match: str, ticket: Versioned) -> bool:
    """Whether If-None-Match holds, i.e. names no current tag (weak comparison)."""
    if if_none_match.strip(" \t") == "*":
        return False
    current = entity_tag(ticket)[1:-1]
    tags = parse_entity_tags(if_none_match)
    return tags is None or all(tag.opaque != current for tag in tags)


@dataclass(slots=True)
class ReadConditions:
    """A ticket read's conditions, and the answer they are given with."""

    method: str
    if_match: str | None
    if_none_match: str | None
    response: Response

    def answer(self, ticket: Versioned) -> Response | None:
        """Tag the answer with the ticket's version; the 304 to send instead when the
        client's copy is current. A stale If-Match is refused (412)."""
        tag = entity_tag(ticket)
        self.response.headers["ETag"] = tag
        if self.if_match is not None:
            precondition(self.if_match).require(ticket.id, ticket.version)
        if self.if_none_match is None or none_match(self.if_none_match, ticket):
            return None
        if self.method not in _SAFE_METHODS:
            raise PreconditionFailed("The ticket is still at the version named.")
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})


@dataclass(slots=True)
class WriteConditions:
    """A ticket change's condition (If-Match), and the answer it is given with."""

    if_match: Precondition | None
    response: Response

    def tagged(self, ticket: V) -> V:
        """``ticket``, its new version sent as the answer's ETag."""
        self.response.headers["ETag"] = entity_tag(ticket)
        return ticket


async def read_conditions(
    request: Request,
    response: Response,
    if_match: IfMatchHeader = None,
    if_none_match: IfNoneMatchHeader = None,
) -> ReadConditions:
    return ReadConditions(request.method, if_match, if_none_match, response)


async def write_conditions(response: Response, if_match: IfMatchHeader = None) -> WriteConditions:
    return WriteConditions(None if if_match is None else precondition(if_match), response)


ReadConditionsDep = Annotated[ReadConditions, Depends(read_conditions)]
WriteConditionsDep = Annotated[WriteConditions, Depends(write_conditions)]
