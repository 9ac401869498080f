"""Reading tickets: lists, one ticket, its messages and files, each as the principal may see it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.errors import NotFound
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Attachment, CustomField, Message, Ticket
from supportdesk.repositories.ticket_rows import (
    TicketDetailRepository,
    TicketDetailView,
    TicketSummaryView,
)
from supportdesk.repositories.tickets import TicketFilters, TicketRepository
from supportdesk.services.attachments import AttachmentStorage
from supportdesk.services.custom_fields import CustomFieldService
from supportdesk.services.settings import SettingsService
from supportdesk.services.tickets.common import find_ticket
from supportdesk.services.tickets.records import could_be_number


class TicketReads:
    def __init__(self, session: AsyncSession, storage: AttachmentStorage) -> None:
        self.session = session
        self.storage = storage
        self.tickets = TicketRepository(session)

    async def list_page(
        self, principal: Principal, filters: TicketFilters, page: PageRequest
    ) -> Page[TicketSummaryView]:
        if filters.project_id is not None and not policy.oversees_hub(principal):
            # Everyone else's list is already limited to the tickets they may see; the
            # project filter is the admins', as in the reports.
            filters = replace(filters, project_id=None)
        return await self.tickets.list_page(principal, filters, page)

    async def list_keyset(
        self, principal: Principal, filters: TicketFilters, request: CursorRequest
    ) -> CursorPage[Ticket]:
        """A cursor page of tickets with their customer, assignee and tags."""
        return await self.tickets.list_keyset(principal, filters, request)

    async def list_resources(
        self, principal: Principal, filters: TicketFilters, page: PageRequest
    ) -> Page[Ticket]:
        """A page of tickets with every relation the ticket resource (seeds 000/001) shows.

        A page request without a size (per_page 0) takes ``sd_tickets_per_page``.
        """
        if page.per_page < 1:
            per_page = await SettingsService(self.session).get("sd_tickets_per_page")
            page = PageRequest(page.page, int(per_page))
        return await self.tickets.list_resources(principal, filters, page)

    async def get(
        self, principal: Principal, ticket_id: int, *, on_behalf_of: str | None = None
    ) -> Ticket:
        """A ticket with everything its detail view shows; internal notes for staff only.

        Read on behalf of the customer at an address, it is one of theirs and shows only
        what they see.
        """
        principal.require(Scope.TICKETS_READ)
        include_internal = policy.is_staff(principal) and on_behalf_of is None
        return await find_ticket(
            principal,
            lambda: self.tickets.get_full(principal, ticket_id, include_internal=include_internal),
            on_behalf_of,
        )

    async def detail(self, principal: Principal, ticket_id: int) -> TicketDetailView:
        """What the detail view shows of a ticket, as rows: internal notes for staff only."""
        principal.require(Scope.TICKETS_READ)
        view = await TicketDetailRepository(self.session).detail(
            principal, ticket_id, include_internal=policy.is_staff(principal)
        )
        if view is None:
            raise NotFound("Ticket not found.")
        return view

    async def get_resource(self, principal: Principal, ticket_id: int) -> Ticket:
        ticket = await self.tickets.get_resource(principal, ticket_id)
        if ticket is None:
            raise NotFound("Ticket not found.")
        return ticket

    async def get_conversation(self, principal: Principal, ticket_number: str) -> Ticket:
        """A ticket by its number with its public conversation, as a customer may see it."""
        ticket = None
        if could_be_number(ticket_number):
            ticket = await self.tickets.get_conversation_by_number(principal, ticket_number)
        if ticket is None:
            raise NotFound("Ticket not found.")
        return ticket

    async def custom_field_definitions(self, tickets: Sequence[Ticket]) -> dict[int, CustomField]:
        """The definitions behind the tickets' custom field values (one statement at most)."""
        return await CustomFieldService(self.session).definitions_for(tickets)

    async def messages_page(
        self, principal: Principal, ticket_id: int, page: PageRequest
    ) -> Page[Message]:
        """A ticket's messages, oldest first, with their authors; notes for staff only."""
        if await self.tickets.get(principal, ticket_id) is None:
            raise NotFound("Ticket not found.")
        return await self.tickets.messages_page(
            ticket_id, page, include_internal=policy.is_staff(principal)
        )

    async def attachment(self, principal: Principal, attachment_id: int) -> tuple[Attachment, Path]:
        attachment = await self.tickets.attachment(principal, attachment_id)
        if attachment is None:
            raise NotFound("Attachment not found.")
        path = self.storage.path(attachment.storage_key)
        if not path.is_file():
            raise NotFound("Attachment not found.")
        return attachment, path
