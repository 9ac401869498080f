"""Ticket queries. Every one of them starts from what the principal may see."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    case,
    delete,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.core.cursor import CursorPage, CursorRequest, SortKind
from supportdesk.core.db import autonomous_engine
from supportdesk.core.enums import MessageType, Priority, Role, TicketStatus
from supportdesk.core.errors import ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import (
    Activity,
    Attachment,
    Message,
    ProjectAgent,
    Rating,
    Tag,
    Ticket,
    TicketCounter,
    TicketTally,
    Watcher,
)
from supportdesk.models.ticket import (
    FIRST_RESPONSE_CLOCK_RUNS,
    RESOLUTION_CLOCK_RUNS,
    ticket_tags,
)
from supportdesk.repositories.base import Repository, contains_text, count_rows, not_deleted
from supportdesk.repositories.dialect import insert_for, prefix_query, text_matches
from supportdesk.repositories.keyset import Ordering, keyset_page
from supportdesk.repositories.paging import fetch_page, ids_on_page, page_total
from supportdesk.repositories.tallies import TallyRepository
from supportdesk.repositories.ticket_rows import TicketSummaryView, summaries
from supportdesk.repositories.visibility import NOTE_ACTION, visibility


@dataclass(frozen=True, slots=True)
class TicketFilters:
    status: TicketStatus | None = None
    priority: Priority | None = None
    project_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    overdue_at: datetime | None = None  # only tickets past an SLA due date at this time
    search: str | None = None
    customer_email: str | None = None  # matched case-insensitively
    statuses: tuple[TicketStatus, ...] = ()  # any of these (a surface's status spans several)
    department_id: int | None = None
    customer_id: int | None = None
    tag_names: tuple[str, ...] = ()  # carrying every one of these tags (any letter case)
    text: str | None = None  # words of the subject or the description (full text)


# A ticket number, whole or its start: PREFIX-YYYY-NNNNN, "SUPP-2026-000", "supp-20".
_TICKET_NUMBER = re.compile(r"[A-Za-z0-9]+-\d[\d-]*")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def breached() -> ColumnElement[bool]:
    """Either SLA recorded as breached by the minute's check (tallied)."""
    return or_(
        Ticket.first_response_breached_at.is_not(None), Ticket.resolution_breached_at.is_not(None)
    )


def past_due(at: datetime) -> ColumnElement[bool]:
    """A running clock past its due date that the check has not flagged yet.

    In the words of the partial clock indexes, which serve it: few tickets at any time.
    """
    return or_(
        and_(FIRST_RESPONSE_CLOCK_RUNS, Ticket.first_response_due_at < at),
        and_(RESOLUTION_CLOCK_RUNS, Ticket.resolution_due_at < at),
    )


def overdue(at: datetime) -> ColumnElement[bool]:
    """Already recorded as breached, or past a due date while that clock runs."""
    return or_(breached(), past_due(at))


# What a ticket's summary shows: many-to-one relations joined in, tags in one more query.
_SUMMARY_LOADS = (
    joinedload(Ticket.project),
    joinedload(Ticket.category),
    joinedload(Ticket.assignee),
    joinedload(Ticket.creator),
    selectinload(Ticket.tags),
)
# What the ticket rules read and a changed ticket's rendering shows (the ticket
# resource of seeds 000/001 included): many-to-one joins cost no extra statement.
_EDIT_LOADS = (
    *_SUMMARY_LOADS,
    joinedload(Ticket.sla_policy),
    joinedload(Ticket.business_calendar),
    joinedload(Ticket.department),
    joinedload(Ticket.product),
    joinedload(Ticket.customer),
)
# Every relation the ticket resource of seeds 000/001 renders (department, category,
# product, customer, assignee, tags): joined in, tags in one more statement.
RESOURCE_LOADS = (
    joinedload(Ticket.department),
    joinedload(Ticket.category),
    joinedload(Ticket.product),
    joinedload(Ticket.customer),
    joinedload(Ticket.assignee),
    selectinload(Ticket.tags),
)


# Priorities by urgency: a stable integer rank to sort and page by (the stored text
# would sort alphabetically).
PRIORITY_RANK = case(
    {priority: rank for rank, priority in enumerate(Priority, start=1)}, value=Ticket.priority
)
_KEYSET_ORDERINGS = {
    "created_at": Ordering(Ticket.created_at, SortKind.TIMESTAMP),
    "updated_at": Ordering(Ticket.updated_at, SortKind.TIMESTAMP),
    "priority": Ordering(PRIORITY_RANK, SortKind.RANK),
}


class TicketRepository(Repository):
    def readable(self, principal: Principal) -> Select[Ticket]:
        return select(Ticket).where(not_deleted(Ticket), visibility(principal))

    async def list_page(
        self, principal: Principal, filters: TicketFilters, page: PageRequest
    ) -> Page[TicketSummaryView]:
        """A page of tickets as lists show them (ticket_rows.summaries).

        Three statements whatever the page size: the rows (their keys chosen first,
        many-to-one relations joined in), the tags, and the total (tallies.py) unless
        the page shows where the list ends.
        """
        items = await summaries(
            self.session, self._ids_on_page(principal, filters, page), _NEWEST_FIRST
        )
        total = await page_total(page, len(items), lambda: self.total(principal, filters))
        return Page(items=items, total=total, page=page.page, per_page=page.per_page)

    def _page_of(
        self, principal: Principal, filters: TicketFilters, page: PageRequest
    ) -> Select[Ticket]:
        """The tickets on ``page`` of a list, newest first."""
        on_page = self._ids_on_page(principal, filters, page)
        return select(Ticket).where(Ticket.id.in_(on_page)).order_by(*_NEWEST_FIRST)

    def _ids_on_page(
        self, principal: Principal, filters: TicketFilters, page: PageRequest
    ) -> ScalarSelect[int]:
        """The ids of the tickets on ``page`` of a list."""
        listing = self._listing(principal, filters)
        if _searches(filters):
            # The matches first, sorted apart (OFFSET 0 keeps PostgreSQL from merging the
            # two): the planner cannot tell how many tickets a word matches, and guessing
            # many it walks the whole table newest first testing each one (19 s at a
            # million tickets for a word nothing matches). Apart, a search costs what
            # its matches cost.
            matches = (
                listing.with_only_columns(Ticket.id, Ticket.created_at)
                .order_by(None)
                .offset(0)
                .subquery("matches")
            )
            ordered = select(matches.c.id).order_by(
                matches.c.created_at.desc(), matches.c.id.desc()
            )
            return ordered.limit(page.per_page).offset(page.offset).scalar_subquery()
        return ids_on_page(listing, Ticket.id, page)

    def _listing(self, principal: Principal, filters: TicketFilters) -> Select[Ticket]:
        """The tickets of a list, newest first."""
        return self.readable(principal).where(*self._where(filters)).order_by(*_NEWEST_FIRST)

    def _where(self, filters: TicketFilters) -> list[ColumnElement[bool]]:
        where = _group_filters(filters, Ticket)
        if filters.overdue_at is not None:
            where.append(overdue(filters.overdue_at))
        if filters.search:
            where.append(self._search(filters.search))
        if filters.department_id is not None:
            where.append(Ticket.department_id == filters.department_id)
        if filters.customer_id is not None:
            where.append(Ticket.customer_id == filters.customer_id)
        for name in filters.tag_names:
            where.append(Ticket.tags.any(func.lower(Tag.name) == name.lower()))
        if filters.text:
            where.append(self._text_search(filters.text))
        if filters.customer_email:
            # Snapshots keep the address as it was typed; every list is already narrowed
            # to a project or a user, so lower() scans few rows.
            where.append(func.lower(Ticket.customer_email) == filters.customer_email.lower())
        return where

    async def list_resources(
        self, principal: Principal, filters: TicketFilters, page: PageRequest
    ) -> Page[Ticket]:
        """A page of tickets, newest first, with every relation of the ticket resource.

        Three statements whatever the page size: the rows, the tags, the total.
        """
        tickets = (
            await self.session.scalars(
                self._page_of(principal, filters, page).options(*RESOURCE_LOADS)
            )
        ).all()
        total = await page_total(page, len(tickets), lambda: self.total(principal, filters))
        return Page(items=list(tickets), total=total, page=page.page, per_page=page.per_page)

    async def total(self, principal: Principal, filters: TicketFilters) -> int:
        """How many tickets a list holds, without counting them where it can.

        Filters on a ticket's project, status, priority and assignee are tallied
        (tallies.py): the sum reads a bounded number of rows at any size. A customer's
        own tickets, and any other filter, are counted on the indexes that serve them.
        """
        tallied = _tallied_visibility(principal)
        if tallied is None or not _only_tallied_filters(filters):
            return await self.counted(principal, filters)
        in_groups = tallied.groups(TicketTally.project_id, TicketTally.assignee_id)
        if filters.overdue_at is not None:
            in_groups.append(TicketTally.breached.is_(True))
        total = await TallyRepository(self.session).total(
            *in_groups, *_group_filters(filters, TicketTally)
        )
        if filters.overdue_at is not None:
            # Past due in those groups but not flagged yet: the minute's check has yet to
            # see them (served by the partial clock indexes).
            others = replace(filters, overdue_at=None)
            total += await count_rows(
                self.session,
                select(Ticket.id).where(
                    not_deleted(Ticket),
                    *tallied.groups(Ticket.project_id, Ticket.assignee_id),
                    not_(breached()),
                    past_due(filters.overdue_at),
                    *self._where(others),
                ),
            )
        if tallied.elsewhere is not None:
            # An agent also sees what they created outside their projects and queue.
            total += await count_rows(
                self.session,
                select(Ticket.id).where(
                    not_deleted(Ticket), tallied.elsewhere, *self._where(filters)
                ),
            )
        return total

    async def get_resource(self, principal: Principal, ticket_id: int) -> Ticket | None:
        """A ticket the principal can see, with every relation of the ticket resource."""
        return await self.session.scalar(
            self.readable(principal).where(Ticket.id == ticket_id).options(*RESOURCE_LOADS)
        )

    async def counted(self, principal: Principal, filters: TicketFilters) -> int:
        """How many tickets a list holds, counted one by one (what a tally must equal).

        A search counts its first SEARCH_TOTAL_LIMIT matches only: a common word can
        match a good part of a million tickets, and counting them all would cost a
        second; its envelope then says that many, and its pages end there.
        """
        listed = select(Ticket.id).where(
            not_deleted(Ticket), visibility(principal), *self._where(filters)
        )
        if _searches(filters):
            listed = listed.limit(SEARCH_TOTAL_LIMIT)
        return await count_rows(self.session, listed)

    async def count_customer_tickets_since(self, customer_id: int, since: datetime) -> int:
        """Tickets of a customer created since ``since``, deleted ones included."""
        counted = (
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.customer_id == customer_id, Ticket.created_at >= since)
        )
        return int(await self.session.scalar(counted) or 0)

    async def messages_page(
        self, ticket_id: int, page: PageRequest, *, include_internal: bool
    ) -> Page[Message]:
        """A ticket's messages, oldest first, with their authors, in one statement."""
        conditions = [Message.ticket_id == ticket_id]
        if not include_internal:
            conditions.append(Message.type != MessageType.NOTE)
        statement = (
            select(Message)
            .where(*conditions)
            .options(joinedload(Message.author))
            .order_by(Message.created_at, Message.id)
        )
        return await fetch_page(self.session, statement, page)

    def _text_search(self, text: str) -> ColumnElement[bool]:
        """Subject or description containing the words (ix_tickets_*_fts on PostgreSQL)."""
        words = re.findall(r"\w+", text)
        if self.is_postgresql and words:
            query = prefix_query(words)
            return or_(
                *(text_matches(column, query) for column in (Ticket.subject, Ticket.description))
            )
        return contains_text(text, Ticket.subject, Ticket.description)

    def _search(self, text: str) -> ColumnElement[bool]:
        """Tickets by what the text is: a ticket number (or its start), a customer's
        e-mail address (or its start), or words of the subject.

        Each is served by its own index (ix_tickets_ticket_number_prefix,
        ix_tickets_customer_email_lower, ix_tickets_subject_fts) and asked alone: an OR
        of them would let the planner walk the whole table testing every row.
        """
        typed = text.strip()
        if _TICKET_NUMBER.fullmatch(typed):
            return Ticket.ticket_number.startswith(typed.upper(), autoescape=True)
        if _EMAIL.fullmatch(typed):
            # Equal, not a prefix: the planner knows how few tickets one address has.
            return func.lower(Ticket.customer_email) == typed.lower()
        if "@" in typed:
            return func.lower(Ticket.customer_email).startswith(typed.lower(), autoescape=True)
        words = re.findall(r"\w+", typed)
        if self.is_postgresql and words:
            # Every word matches as a prefix, so a search typed halfway ("upl") finds
            # what it would once finished ("upload").
            return text_matches(Ticket.subject, prefix_query(words))
        return contains_text(typed, Ticket.subject)

    async def get(self, principal: Principal, ticket_id: int) -> Ticket | None:
        """A ticket the principal can see, with no relations loaded."""
        return await self.session.scalar(self.readable(principal).where(Ticket.id == ticket_id))

    async def get_for_update(self, principal: Principal, ticket_id: int) -> Ticket | None:
        """A ticket the principal can see, with the relations its rules and rendering use,
        locked until the transaction ends (``locking``)."""
        return await self.session.scalar(
            self.locking(
                self.readable(principal).where(Ticket.id == ticket_id).options(*_EDIT_LOADS)
            )
        )

    async def get_for_update_by_number(
        self, principal: Principal, ticket_number: str
    ) -> Ticket | None:
        """A ticket by number (PREFIX-YYYY-NNNNN), for a change made for its customer.

        With what the ticket rules read (the SLA policy and calendar) and the customer's
        account; none of the staff-side relations, which a connected project is never shown.
        """
        return await self.session.scalar(
            self.locking(
                self.readable(principal)
                .where(Ticket.ticket_number == ticket_number)
                .options(
                    joinedload(Ticket.sla_policy),
                    joinedload(Ticket.business_calendar),
                    joinedload(Ticket.customer),
                )
            )
        )

    async def get_conversation_by_number(
        self, principal: Principal, ticket_number: str
    ) -> Ticket | None:
        """A ticket with its assignee and its public messages with their authors.

        What a connected project shows its customer: no internal notes, and none of the
        staff-side relations the portal's detail view loads.
        """
        public = Ticket.messages.and_(Message.type != MessageType.NOTE)
        return await self.session.scalar(
            self.readable(principal)
            .where(Ticket.ticket_number == ticket_number)
            .options(
                joinedload(Ticket.assignee),
                selectinload(public).joinedload(Message.author),
            )
        )

    async def get_full(
        self, principal: Principal, ticket_id: int, *, include_internal: bool
    ) -> Ticket | None:
        """A ticket with everything its detail view shows, internal notes only if asked."""
        messages = Ticket.messages
        attachments = Ticket.attachments
        activities = Ticket.activities
        if not include_internal:
            messages = messages.and_(Message.type != MessageType.NOTE)  # type: ignore[assignment]
            attachments = attachments.and_(Attachment.is_internal.is_(False))  # type: ignore[assignment]
            activities = activities.and_(Activity.action != NOTE_ACTION)  # type: ignore[assignment]
        ticket = await self.session.scalar(
            self.readable(principal)
            .where(Ticket.id == ticket_id)
            .options(
                *_EDIT_LOADS,
                joinedload(Ticket.rating),
                selectinload(messages).joinedload(Message.author),
                selectinload(attachments),
                selectinload(activities).joinedload(Activity.user),
                selectinload(Ticket.watchers).joinedload(Watcher.user),
            )
        )
        if ticket is not None:
            _hand_out_message_attachments(ticket)
        return ticket

    async def next_number(self, project_id: int, year: int) -> int:
        """Hand out the next number of a project's year: unique and increasing.

        One upsert, whose row lock makes concurrent creators take turns. On PostgreSQL
        it commits at once, in a transaction of its own: creators wait on the counter
        for one statement, not for one another's whole request — so a create that fails
        after taking its number leaves a gap. SQLite has one writer at a time anyway:
        there the number is taken in the request's transaction and never skipped.
        """
        statement = (
            insert_for(self.session, TicketCounter)
            .values(project_id=project_id, year=year, last_number=1)
            .on_conflict_do_update(
                index_elements=[TicketCounter.project_id, TicketCounter.year],
                set_={"last_number": TicketCounter.last_number + 1},
            )
            .returning(TicketCounter.last_number)
        )
        autonomous = autonomous_engine(self.session)
        if autonomous is None:
            number = await self.session.scalar(statement)
        else:
            async with autonomous.begin() as connection:
                number = await connection.scalar(statement)
        assert number is not None
        return int(number)

    def add(self, ticket: Ticket) -> None:
        self.session.add(ticket)

    async def is_rated(self, ticket_id: int) -> bool:
        return (
            await self.session.scalar(select(Rating.id).where(Rating.ticket_id == ticket_id))
            is not None
        )

    async def is_watching(self, ticket_id: int, user_id: int) -> Watcher | None:
        return await self.session.get(Watcher, (ticket_id, user_id))

    async def revise(self, ticket_id: int) -> None:
        """A new version for a ticket changed beside its row (its watchers).

        The mapper moves a ticket's version on with every UPDATE of its row; this is
        for a change that writes no column of it.
        """
        await self._revise(Ticket.id == ticket_id)

    async def revise_tagged(self, tag_id: int) -> None:
        """A new version for every ticket bearing the tag: it is renamed or deleted."""
        await self._revise(
            Ticket.id.in_(select(ticket_tags.c.ticket_id).where(ticket_tags.c.tag_id == tag_id))
        )

    async def _revise(self, which: ColumnElement[bool]) -> None:
        # One statement, so it never races a concurrent change of the ticket; a ticket
        # loaded in this session takes its new version too ("fetch").
        await self.session.execute(
            update(Ticket)
            .where(which)
            .values(version=Ticket.version + 1)
            .execution_options(synchronize_session="fetch")
        )

    async def unwatch(self, ticket_id: int, user_id: int) -> None:
        await self.session.execute(
            delete(Watcher).where(Watcher.ticket_id == ticket_id, Watcher.user_id == user_id)
        )

    async def attachment(self, principal: Principal, attachment_id: int) -> Attachment | None:
        """An attachment of a ticket the principal can see; internal ones for staff only."""
        statement = (
            select(Attachment)
            .join(Ticket, Ticket.id == Attachment.ticket_id)
            .where(Attachment.id == attachment_id, not_deleted(Ticket), visibility(principal))
        )
        if not policy.is_staff(principal):
            statement = statement.where(Attachment.is_internal.is_(False))
        return await self.session.scalar(statement)

    async def list_keyset(
        self, principal: Principal, filters: TicketFilters, request: CursorRequest
    ) -> CursorPage[Ticket]:
        """A keyset page of tickets with customer, assignee and tags (three statements)."""
        ordering = _KEYSET_ORDERINGS.get(request.order_by)
        if ordering is None:
            raise ValidationFailed.field("order_by", "The selected order by is invalid.")
        statement = select(Ticket).where(
            not_deleted(Ticket), visibility(principal), *self._where(filters)
        )
        if _searches(filters):
            # The matches found apart first, as on offset pages (_page_of).
            matches = statement.with_only_columns(Ticket.id).offset(0).subquery("matches")
            statement = select(Ticket).where(Ticket.id.in_(select(matches.c.id)))
        return await keyset_page(
            self.session,
            statement,
            ordering=ordering,
            row_id=Ticket.id,
            request=request,
            options=(
                joinedload(Ticket.customer),
                joinedload(Ticket.assignee),
                selectinload(Ticket.tags),
            ),
            count=lambda: self.total(principal, filters),
        )

    @staticmethod
    def locking(statement: Select[Ticket]) -> Select[Ticket]:
        """``statement`` holding the tickets it reads until the transaction ends.

        Concurrent writes to one ticket then queue instead of failing the version check:
        each reads what the one before it committed. PostgreSQL locks the row (``FOR
        UPDATE OF tickets``: not the joined rows, which may be on the null side of an
        outer join); SQLite has no row locks and needs none here, as a writing
        transaction holds the database's write lock from its start (core/db.py, ``BEGIN
        IMMEDIATE``). ``populate_existing``: a ticket already in the session is
        refreshed from the row just locked, not taken from before the wait.
        """
        return statement.with_for_update(of=Ticket).execution_options(populate_existing=True)


_NEWEST_FIRST = (Ticket.created_at.desc(), Ticket.id.desc())


def _hand_out_message_attachments(ticket: Ticket) -> None:
    """Give each loaded message its attachments from the ticket's, without a statement.

    Every attachment names its ticket, and a message's are internal exactly when the
    message is a note: the ticket's attachments, as loaded for this reader, hold every
    attachment of every message this reader is shown.
    """
    by_message: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in ticket.attachments:
        if attachment.message_id is not None:
            by_message[attachment.message_id].append(attachment)
    for message in ticket.messages:
        set_committed_value(message, "attachments", by_message.get(message.id, []))


# How many matches a search counts at most (its total, and so its last page).
SEARCH_TOTAL_LIMIT = 10_000


def _searches(filters: TicketFilters) -> bool:
    return bool(filters.search or filters.text)


# The filters a tally answers; any other makes a list count its tickets.
_TALLIED_FILTERS = frozenset(
    {"status", "statuses", "priority", "project_id", "assignee_id", "unassigned", "overdue_at"}
)


def _only_tallied_filters(filters: TicketFilters) -> bool:
    return all(
        getattr(filters, name) == getattr(_NO_FILTERS, name)
        for name in TicketFilters.__dataclass_fields__
        if name not in _TALLIED_FILTERS
    )


_NO_FILTERS = TicketFilters()


def _group_filters(
    filters: TicketFilters, rows: type[Ticket] | type[TicketTally]
) -> list[ColumnElement[bool]]:
    """The filters on a ticket's tallied columns, as conditions on tickets or on tally
    rows (both name them alike): one statement of them for lists and for totals."""
    where: list[ColumnElement[bool]] = []
    if filters.status is not None:
        where.append(rows.status == filters.status)
    if filters.statuses:
        where.append(rows.status.in_(filters.statuses))
    if filters.priority is not None:
        where.append(rows.priority == filters.priority)
    if filters.project_id is not None:
        where.append(rows.project_id == filters.project_id)
    if filters.assignee_id is not None:
        where.append(rows.assignee_id == filters.assignee_id)
    if filters.unassigned:
        where.append(rows.assignee_id.is_(None))
    return where


@dataclass(frozen=True, slots=True)
class _Tallied:
    """:func:`visibility` split for tallies: the groups a principal sees, as conditions
    on a project and an assignee column (of tally rows or of tickets), and for an agent
    the tickets seen outside those groups, which are counted."""

    groups: Callable[[Any, Any], list[ColumnElement[bool]]]
    elsewhere: ColumnElement[bool] | None = None


def _tallied_visibility(principal: Principal) -> _Tallied | None:
    """None: the principal's tickets are not tallied (a customer's: counted instead)."""
    user = principal.user
    match principal.kind:
        case PrincipalKind.INTERNAL_KEY | PrincipalKind.SYSTEM:
            return _Tallied(lambda project_id, assignee_id: [])
        case PrincipalKind.PROJECT if principal.project is not None:
            project = principal.project.id
            return _Tallied(lambda project_id, assignee_id: [project_id == project])
        case PrincipalKind.AGENT_KEY if user is not None:
            agent = user.id
            return _Tallied(lambda project_id, assignee_id: [assignee_id == agent])
        case PrincipalKind.USER if user is not None and user.role.is_admin:
            return _Tallied(lambda project_id, assignee_id: [])
        case PrincipalKind.USER if user is not None and user.role is Role.AGENT:
            agent = user.id
            agent_projects = select(ProjectAgent.project_id).where(ProjectAgent.user_id == agent)
            return _Tallied(
                lambda project_id, assignee_id: [
                    or_(project_id.in_(agent_projects), assignee_id == agent)
                ],
                elsewhere=and_(
                    Ticket.creator_id == agent,
                    Ticket.project_id.not_in(agent_projects),
                    or_(Ticket.assignee_id.is_(None), Ticket.assignee_id != agent),
                ),
            )
    return None
