"""Ticket rules (DESIGN.md §6). Every surface creates and changes tickets through here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core import clock
from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.enums import (
    MessageType,
    Priority,
    Role,
    SenderType,
    TicketSource,
    TicketStatus,
)
from supportdesk.core.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationFailed
from supportdesk.core.events import EventType, record_event
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import (
    Attachment,
    CustomField,
    Department,
    Message,
    Product,
    Project,
    Rating,
    Tag,
    Ticket,
    User,
    Watcher,
)
from supportdesk.repositories.catalogue import CatalogueRepository
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.repositories.taxonomy import TaxonomyRepository
from supportdesk.repositories.tickets import NOTE_ACTION, TicketFilters, TicketRepository
from supportdesk.repositories.users import UserRepository, normalize_email
from supportdesk.services.activity import ActivityLog
from supportdesk.services.attachments import AttachmentStorage, Upload
from supportdesk.services.custom_fields import CustomFieldService
from supportdesk.services.customers import CustomerService
from supportdesk.services.settings import SettingsService
from supportdesk.services.sla import SlaService
from supportdesk.services.tags import TagService

_STAFF_ONLY_FIELDS = "Only staff can change a ticket's category, priority or tags."

# The length of Ticket.ticket_number: PREFIX-YYYY-NNNNN with room to spare.
TICKET_NUMBER_MAX_LENGTH = 32


@dataclass(frozen=True, slots=True)
class NewTicket:
    project_id: int
    subject: str
    description: str
    priority: Priority | None = None
    category_id: int | None = None
    tag_ids: Sequence[int] = ()
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    external_customer_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    source: TicketSource = TicketSource.PORTAL
    attachments: Sequence[Upload] = ()
    # Staff opening a ticket for someone name the customer's account.
    customer_id: int | None = None
    # None: the surface defaults to sd_default_department_id.
    department_id: int | None = None
    product_id: int | None = None
    # None when the surface collects no custom fields; a mapping (even empty) is checked
    # against the published definitions, required ones included.
    custom_fields: Mapping[Any, Any] | None = None
    # Kept on the customer's account when opening the ticket creates it.
    customer_company: str | None = None


@dataclass(frozen=True, slots=True)
class TicketChanges:
    """A partial update: only the fields named in ``fields_set`` are applied."""

    fields_set: frozenset[str]
    subject: str | None = None
    description: str | None = None
    category_id: int | None = None
    priority: Priority | None = None
    tag_ids: Sequence[int] | None = None
    department_id: int | None = None
    product_id: int | None = None
    # Merged into the stored values field by field; an empty value removes one.
    custom_fields: Mapping[Any, Any] | None = None
    is_locked: bool | None = None
    # Applied with the status rules of change_status and assign (None unassigns).
    status: TicketStatus | None = None
    is_resolved: bool | None = None
    assignee_id: int | None = None


def _could_be_number(ticket_number: str) -> bool:
    # Anything else names no ticket; refused here, before a database that cannot store
    # it (a NUL, an over-long string) turns it into an error of its own.
    return 0 < len(ticket_number) <= TICKET_NUMBER_MAX_LENGTH and "\x00" not in ticket_number


def _belongs_to(ticket: Ticket, customer_email: str) -> bool:
    """Whether the ticket was opened by, or for, the customer at this address."""
    expected = normalize_email(ticket.customer_email or "")
    return bool(expected) and normalize_email(customer_email) == expected


def _summary(ticket: Ticket, principal: Principal | None = None) -> dict[str, Any]:
    return {
        "ticket_id": ticket.id,
        "ticket_number": ticket.ticket_number,
        "project_id": ticket.project_id,
        # Whoever acted (None: a key or the system); nobody is notified of their own action.
        "actor_id": _actor_id(ticket, principal),
    }


def _actor_id(ticket: Ticket, principal: Principal | None) -> int | None:
    if principal is None:
        return None
    if policy.speaks_for_customers(principal):
        # A connected project acts for the ticket's customer.
        return ticket.customer_id
    return principal.user_id


class TicketService:
    def __init__(self, session: AsyncSession, storage: AttachmentStorage) -> None:
        self.session = session
        self.storage = storage
        self.tickets = TicketRepository(session)
        self.projects = ProjectRepository(session)
        self.taxonomy = TaxonomyRepository(session)
        self.users = UserRepository(session)
        self.sla = SlaService(session)
        self.settings = SettingsService(session)
        self.activity = ActivityLog(session)
        self.customers = CustomerService(session)
        self.catalogue = CatalogueRepository(session)
        self.custom_fields = CustomFieldService(session)

    # ---------------------------------------------------------------- reading

    async def list_page(
        self, principal: Principal, filters: TicketFilters, page: PageRequest
    ) -> Page[tuple[Ticket, int]]:
        if filters.project_id is not None and not policy.oversees_hub(principal):
            # Everyone else's list is already limited to the tickets they may see; the
            # project filter is the admins', as in the reports.
            filters = replace(filters, project_id=None)
        return await self.tickets.list_page(principal, filters, page)

    async def get(self, principal: Principal, ticket_id: int) -> Ticket:
        ticket = await self.tickets.get_full(
            principal, ticket_id, include_internal=policy.is_staff(principal)
        )
        if ticket is None:
            raise NotFound("Ticket not found.")
        return ticket

    async def list_resources(
        self, principal: Principal, filters: TicketFilters, page: PageRequest
    ) -> Page[Ticket]:
        """A page of tickets with every relation the ticket resource (seeds 000/001) shows.

        A page request without a size (per_page 0) takes ``sd_tickets_per_page``.
        """
        if page.per_page < 1:
            page = PageRequest(page.page, int(await self.settings.get("sd_tickets_per_page")))
        return await self.tickets.list_resources(principal, filters, page)

    async def custom_field_definitions(self, tickets: Sequence[Ticket]) -> dict[int, CustomField]:
        """The definitions behind the tickets' custom field values (one statement at most)."""
        return await self.custom_fields.definitions_for(tickets)

    async def get_resource(self, principal: Principal, ticket_id: int) -> Ticket:
        ticket = await self.tickets.get_resource(principal, ticket_id)
        if ticket is None:
            raise NotFound("Ticket not found.")
        return ticket

    async def messages_page(
        self, principal: Principal, ticket_id: int, page: PageRequest
    ) -> Page[Message]:
        """A ticket's messages, oldest first, with their authors; notes for staff only."""
        if await self.tickets.get(principal, ticket_id) is None:
            raise NotFound("Ticket not found.")
        return await self.tickets.messages_page(
            ticket_id, page, include_internal=policy.is_staff(principal)
        )

    async def get_conversation(self, principal: Principal, ticket_number: str) -> Ticket:
        """A ticket by its number with its public conversation, as a customer may see it."""
        ticket = None
        if _could_be_number(ticket_number):
            ticket = await self.tickets.get_conversation_by_number(principal, ticket_number)
        if ticket is None:
            raise NotFound("Ticket not found.")
        return ticket

    async def attachment(self, principal: Principal, attachment_id: int) -> tuple[Attachment, Path]:
        attachment = await self.tickets.attachment(principal, attachment_id)
        if attachment is None:
            raise NotFound("Attachment not found.")
        path = self.storage.path(attachment.storage_key)
        if not path.is_file():
            raise NotFound("Attachment not found.")
        return attachment, path

    async def _editable(self, principal: Principal, ticket_id: int) -> Ticket:
        ticket = await self.tickets.get_for_update(principal, ticket_id)
        if ticket is None:
            raise NotFound("Ticket not found.")
        return ticket

    # ---------------------------------------------------------------- creating

    async def create(self, principal: Principal, new: NewTicket) -> Ticket:
        principal.require(Scope.TICKETS_CREATE)
        project = await self._project_for_new_ticket(principal, new.project_id)
        category = await self._category(new.category_id)
        tags = await self._tags(new.tag_ids)
        department = await self._department(
            new.department_id, default=await self.settings.get("sd_default_department_id")
        )
        product = await self._product(new.product_id)
        custom_values: dict[str, Any] = {}
        if new.custom_fields is not None:
            custom_values = await self.custom_fields.validate(new.custom_fields)
        now = clock.now()
        priority = new.priority or await self.settings.default_priority()

        creator = principal.user
        if policy.speaks_for_customers(principal):
            # The project's end user is the customer and, as the one who asked, the creator.
            creator = await self._project_customer(new)
            customer = creator
        else:
            customer = creator if creator is not None and not creator.is_staff else None
        if new.customer_id is not None and policy.is_staff(principal):
            customer = await self._customer(new.customer_id)
        # The snapshot describes the customer; staff opening a ticket for one are not it.
        contact = customer or creator
        if customer is not None and not policy.is_staff(principal):
            await self._check_daily_limit(customer, now)
        year = now.year
        number = await self.tickets.next_number(project.id, year)
        ticket = Ticket(
            # The id too, not only the relation: the SLA lookup below reads project_id
            # before any flush would copy it over.
            project_id=project.id,
            project=project,
            year=year,
            number=number,
            ticket_number=f"{project.ticket_prefix}-{year}-{number:05d}",
            subject=new.subject,
            description=new.description,
            status=TicketStatus.OPEN,
            priority=priority,
            source=new.source,
            customer=customer,
            customer_name=new.customer_name or (contact.name if contact else None),
            customer_email=(new.customer_email or (contact.email if contact else None)),
            customer_phone=new.customer_phone or (contact.phone if contact else None),
            external_customer_id=new.external_customer_id,
            creator=creator,
            assignee=None,
            category=category,
            department=department,
            product=product,
            custom_fields=custom_values,
            tags=list(tags),
            meta=new.metadata,
            created_at=now,
            updated_at=now,
            last_activity_at=now,
        )
        await self.sla.start(ticket, now)
        self.tickets.add(ticket)
        await self.session.flush()
        await self._attach(principal, ticket, None, new.attachments, internal=False)
        self.activity.record(principal, ticket, "created", f"Ticket {ticket.ticket_number} created")
        record_event(self.session, EventType.TICKET_CREATED, _summary(ticket, principal))
        return ticket

    async def _check_daily_limit(self, customer: User, now: datetime) -> None:
        """``sd_customer_max_tickets_per_day`` (0: no limit), counted per UTC day.

        Customers (and projects speaking for them) are held to it; staff opening
        tickets for a customer are not.
        """
        limit = await self.settings.get("sd_customer_max_tickets_per_day")
        if not limit:
            return
        midnight = datetime.combine(now.date(), time.min, UTC)
        if await self.tickets.count_customer_tickets_since(customer.id, midnight) >= limit:
            retry_after = int((midnight + timedelta(days=1) - now).total_seconds()) + 1
            raise RateLimited(
                retry_after, "You have reached the maximum number of tickets for today."
            )

    async def _project_customer(self, new: NewTicket) -> User | None:
        if not new.customer_email or not new.customer_name:
            raise ValidationFailed(
                details={
                    name: [f"The {name.replace('_', ' ')} field is required."]
                    for name in ("customer_name", "customer_email")
                    if not getattr(new, name)
                }
            )
        return await self.customers.find_or_create(
            new.customer_name, new.customer_email, new.customer_phone
        )

    async def _project_for_new_ticket(self, principal: Principal, project_id: int) -> Project:
        if policy.speaks_for_customers(principal):
            # A key pair opens tickets in its own project only; its project was checked
            # active when the pair was authenticated.
            if principal.project is None or principal.project.id != project_id:
                raise ValidationFailed.field("project_id", "The selected project id is invalid.")
            return principal.project
        project = await self.projects.get(project_id)
        visible = project is not None and project.is_active
        user = principal.user
        if visible and user is not None and policy.works_in_assigned_projects(principal):
            visible = await self.projects.has_agent(project_id, user.id)
        if not visible or project is None:
            raise ValidationFailed.field("project_id", "The selected project id is invalid.")
        return project

    async def _category(self, category_id: int | None) -> Any:
        if category_id is None:
            return None
        category = await self.taxonomy.category(category_id)
        if category is None:
            raise ValidationFailed.field("category_id", "The selected category id is invalid.")
        return category

    async def _department(
        self, department_id: int | None, default: Any = None
    ) -> Department | None:
        if department_id is None:
            # A default that was deleted since it was chosen routes nowhere, silently.
            if isinstance(default, int) and not isinstance(default, bool):
                return await self.catalogue.department(default)
            return None
        department = await self.catalogue.department(department_id)
        if department is None:
            raise ValidationFailed.field("department_id", "The selected department id is invalid.")
        return department

    async def _product(self, product_id: int | None) -> Product | None:
        if product_id is None:
            return None
        product = await self.catalogue.product(product_id)
        if product is None:
            raise ValidationFailed.field("product_id", "The selected product id is invalid.")
        return product

    async def _customer(self, customer_id: int) -> User:
        customer = await self.users.get(customer_id)
        if customer is None or customer.role is not Role.CUSTOMER:
            raise ValidationFailed.field("customer_id", "The selected customer id is invalid.")
        return customer

    async def _tags(self, tag_ids: Sequence[int]) -> Sequence[Tag]:
        wanted = set(tag_ids)
        tags = await self.taxonomy.tags(wanted)
        if len(tags) != len(wanted):
            raise ValidationFailed.field("tags", "The selected tags are invalid.")
        return sorted(tags, key=lambda tag: tag.id)

    async def _attach(
        self,
        principal: Principal,
        ticket: Ticket,
        message: Message | None,
        uploads: Sequence[Upload],
        *,
        internal: bool,
    ) -> list[Attachment]:
        attachments = []
        for upload in uploads:
            stored = await self.storage.save(upload)
            attachment = Attachment(
                ticket_id=ticket.id,
                message_id=message.id if message is not None else None,
                uploaded_by_id=principal.user_id,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                storage_key=stored.storage_key,
                is_internal=internal,
                created_at=clock.now(),
            )
            self.session.add(attachment)
            attachments.append(attachment)
        if attachments:
            # Callers render them (with their download URLs): they need their ids.
            await self.session.flush()
        return attachments

    # ---------------------------------------------------------------- changing

    async def update(self, principal: Principal, ticket_id: int, changes: TicketChanges) -> Ticket:
        ticket = await self._editable(principal, ticket_id)
        fields = changes.fields_set
        triage = {
            "category_id",
            "priority",
            "tag_ids",
            "department_id",
            "product_id",
            "is_locked",
            "status",
            "is_resolved",
            "assignee_id",
        } & fields
        if triage:
            principal.require(Scope.TICKETS_UPDATE, _STAFF_ONLY_FIELDS)
        elif not (principal.can(Scope.TICKETS_UPDATE) or policy.owns_ticket(principal, ticket)):
            raise Forbidden()
        if "priority" in fields and changes.priority is not None:
            principal.require(Scope.TICKETS_PRIORITY)
        status = self._wanted_status(ticket, changes)
        if status is not None:
            principal.require(Scope.TICKETS_STATUS)
        if "assignee_id" in fields:
            principal.require(Scope.TICKETS_ASSIGN)

        diff: dict[str, list[Any]] = {}
        for name in ("subject", "description"):
            value = getattr(changes, name)
            if name in changes.fields_set and value is not None and value != getattr(ticket, name):
                diff[name] = [getattr(ticket, name), value]
                setattr(ticket, name, value)
        if "category_id" in changes.fields_set and changes.category_id != ticket.category_id:
            diff["category_id"] = [ticket.category_id, changes.category_id]
            ticket.category = await self._category(changes.category_id)
        if "tag_ids" in changes.fields_set and changes.tag_ids is not None:
            tags = await self._tags(changes.tag_ids)
            before = [tag.id for tag in ticket.tags]
            if before != [tag.id for tag in tags]:
                diff["tags"] = [before, [tag.id for tag in tags]]
                ticket.tags = list(tags)
        if "department_id" in fields and changes.department_id != ticket.department_id:
            department = await self._department(changes.department_id)
            diff["department_id"] = [ticket.department_id, changes.department_id]
            ticket.department = department
            ticket.department_id = changes.department_id
        if "product_id" in fields and changes.product_id != ticket.product_id:
            product = await self._product(changes.product_id)
            diff["product_id"] = [ticket.product_id, changes.product_id]
            ticket.product = product
            ticket.product_id = changes.product_id
        if "custom_fields" in fields and changes.custom_fields is not None:
            values = await self.custom_fields.validate(
                changes.custom_fields, current=ticket.custom_fields or {}
            )
            if values != (ticket.custom_fields or {}):
                diff["custom_fields"] = [ticket.custom_fields or {}, values]
                ticket.custom_fields = values
        if (
            "is_locked" in fields
            and changes.is_locked is not None
            and changes.is_locked != ticket.is_locked
        ):
            diff["is_locked"] = [ticket.is_locked, changes.is_locked]
            ticket.is_locked = changes.is_locked
        assignee: User | None = None
        if "assignee_id" in fields and changes.assignee_id not in (None, ticket.assignee_id):
            assert changes.assignee_id is not None
            # Checked before anything is written: a refused assignee changes nothing.
            assignee = await self._assignable(ticket, changes.assignee_id)
        priority_changed = (
            "priority" in changes.fields_set
            and changes.priority is not None
            and changes.priority != ticket.priority
        )
        if priority_changed:
            assert changes.priority is not None
            diff["priority"] = [str(ticket.priority), str(changes.priority)]
            ticket.priority = changes.priority
            await self.sla.priority_changed(ticket)
        if status is not None:
            await self._set_status(principal, ticket, status)
        if "assignee_id" in fields and changes.assignee_id != ticket.assignee_id:
            await self._assign(principal, ticket, assignee)
        if not diff:
            return ticket

        self._touch(ticket)
        self.activity.record(principal, ticket, "updated", "Ticket updated", diff)
        record_event(
            self.session,
            EventType.TICKET_UPDATED,
            {**_summary(ticket, principal), "changes": diff},
        )
        if priority_changed:
            self.activity.record(
                principal,
                ticket,
                "priority_changed",
                f"Priority changed from {diff['priority'][0]} to {diff['priority'][1]}",
                {"priority": diff["priority"]},
            )
            record_event(
                self.session,
                EventType.TICKET_PRIORITY_CHANGED,
                {
                    **_summary(ticket, principal),
                    "from": diff["priority"][0],
                    "to": diff["priority"][1],
                },
            )
        return ticket

    @staticmethod
    def _wanted_status(ticket: Ticket, changes: TicketChanges) -> TicketStatus | None:
        """The status an update asks for, ``is_resolved`` included; None if unchanged.

        ``is_resolved`` true resolves the ticket; false reopens a resolved one (or takes
        the status given beside it).
        """
        fields = changes.fields_set
        status = changes.status if "status" in fields else None
        if "is_resolved" in fields and changes.is_resolved is not None:
            if changes.is_resolved:
                status = TicketStatus.RESOLVED
            elif (status or ticket.status) is TicketStatus.RESOLVED:
                status = TicketStatus.OPEN
        return status if status is not None and status != ticket.status else None

    async def change_status(
        self, principal: Principal, ticket_id: int, status: TicketStatus
    ) -> Ticket:
        principal.require(Scope.TICKETS_STATUS)
        ticket = await self._editable(principal, ticket_id)
        await self._set_status(principal, ticket, status)
        return ticket

    async def _set_status(self, principal: Principal, ticket: Ticket, status: TicketStatus) -> None:
        old = ticket.status
        if old == status:
            return
        now = clock.now()
        ticket.status = status
        if status is TicketStatus.RESOLVED:
            ticket.resolved_at = now
            ticket.closed_at = None
        elif status is TicketStatus.CLOSED:
            ticket.resolved_at = ticket.resolved_at or now
            ticket.closed_at = now
        else:
            ticket.resolved_at = None
            ticket.closed_at = None
        await self.sla.status_changed(ticket, old, status, now)
        self._touch(ticket)
        self.activity.record(
            principal,
            ticket,
            "status_changed",
            f"Status changed from {old} to {status}",
            {"status": [str(old), str(status)]},
        )
        record_event(
            self.session,
            EventType.TICKET_STATUS_CHANGED,
            {**_summary(ticket, principal), "from": str(old), "to": str(status)},
        )

    async def assign(self, principal: Principal, ticket_id: int, user_id: int | None) -> Ticket:
        principal.require(Scope.TICKETS_ASSIGN)
        ticket = await self._editable(principal, ticket_id)
        if user_id == ticket.assignee_id:
            return ticket
        assignee = None if user_id is None else await self._assignable(ticket, user_id)
        await self._assign(principal, ticket, assignee)
        return ticket

    async def _assign(self, principal: Principal, ticket: Ticket, assignee: User | None) -> None:
        user_id = assignee.id if assignee is not None else None
        before = ticket.assignee_id
        ticket.assignee = assignee
        # The column too: the relationship only sets it at flush, after the reply is rendered.
        ticket.assignee_id = user_id
        self._touch(ticket)
        description = f"Assigned to {assignee.name}" if assignee else "Unassigned"
        self.activity.record(
            principal, ticket, "assigned", description, {"assignee_id": [before, user_id]}
        )
        record_event(
            self.session,
            EventType.TICKET_ASSIGNED,
            {**_summary(ticket, principal), "from": before, "to": user_id},
        )
        if assignee is not None and ticket.status is TicketStatus.OPEN:
            await self._set_status(principal, ticket, TicketStatus.IN_PROGRESS)

    async def _assignable(self, ticket: Ticket, user_id: int) -> User:
        user = await self.users.get(user_id)
        eligible = user is not None and user.is_active and user.is_staff
        if eligible and user is not None and not user.role.is_admin:
            eligible = await self.projects.has_agent(ticket.project_id, user.id)
        if not eligible or user is None:
            raise ValidationFailed.field(
                "user_id",
                "The assignee must be an active agent of the ticket's project or an admin.",
            )
        return user

    async def add_message(
        self,
        principal: Principal,
        ticket_id: int,
        body: str,
        message_type: MessageType = MessageType.REPLY,
        attachments: Sequence[Upload] = (),
    ) -> Message:
        if message_type is MessageType.NOTE:
            principal.require(Scope.NOTES_CREATE)
        elif message_type is MessageType.REPLY:
            principal.require(Scope.REPLIES_CREATE)
        else:
            raise ValidationFailed.field("type", "The selected type is invalid.")
        ticket = await self._editable(principal, ticket_id)
        return await self._post(
            principal, ticket, body, message_type, attachments, author=principal.user
        )

    async def reply_as_customer(
        self, principal: Principal, ticket_number: str, customer_email: str, body: str
    ) -> tuple[Ticket, Message]:
        """A connected project posts its end user's reply; the reply is the customer's own."""
        principal.require(Scope.REPLIES_CREATE)
        ticket = await self._for_customer(principal, ticket_number, customer_email)
        author = ticket.customer
        if author is None and ticket.customer_email and ticket.customer_name:
            # Opened without an account behind it (by staff, for someone): the address
            # just proven is the customer's, so the account it names writes the reply.
            author = await self.customers.find_or_create(
                ticket.customer_name, ticket.customer_email, ticket.customer_phone
            )
        message = await self._post(principal, ticket, body, MessageType.REPLY, (), author=author)
        return ticket, message

    async def close_as_customer(
        self, principal: Principal, ticket_number: str, customer_email: str
    ) -> Ticket:
        """A connected project closes a ticket for its end user.

        Changing a ticket's status is a staff capability. Closing is the one change the
        reference's external API gives the customer: it ends their own request, and the
        ticket's e-mail address proves whose request it is.
        """
        ticket = await self._for_customer(principal, ticket_number, customer_email)
        await self._set_status(principal, ticket, TicketStatus.CLOSED)
        return ticket

    async def get_for_customer_email(
        self, principal: Principal, ticket_id: int, customer_email: str
    ) -> Ticket:
        """A ticket of the customer an address names, with its public conversation only.

        For a key speaking for a customer (seed 004): a ticket of anyone else does not
        exist for the request, whoever may otherwise see it.
        """
        principal.require(Scope.TICKETS_READ)
        ticket = await self.tickets.get_full(principal, ticket_id, include_internal=False)
        if ticket is None or not _belongs_to(ticket, customer_email):
            raise NotFound("Ticket not found.")
        return ticket

    async def reply_for_customer_email(
        self, principal: Principal, ticket_id: int, customer_email: str, body: str
    ) -> Message:
        """The reply of the customer an address names, to one of their tickets.

        The reply is the customer's own, whoever carries it: it never counts as the staff's
        first response, and it reopens a ticket waiting on the customer.
        """
        principal.require(Scope.REPLIES_CREATE)
        ticket = await self._editable(principal, ticket_id)
        if not _belongs_to(ticket, customer_email):
            raise NotFound("Ticket not found.")
        author = await self.users.get(ticket.customer_id) if ticket.customer_id else None
        return await self._post(
            principal,
            ticket,
            body,
            MessageType.REPLY,
            (),
            author=author,
            sender=SenderType.CUSTOMER,
        )

    async def _for_customer(
        self, principal: Principal, ticket_number: str, customer_email: str
    ) -> Ticket:
        # Only a project speaks for a customer by naming an address; everyone else is
        # who their credentials say.
        if not policy.speaks_for_customers(principal):
            raise Forbidden()
        ticket = None
        if _could_be_number(ticket_number):
            ticket = await self.tickets.get_for_update_by_number(principal, ticket_number)
        if ticket is None:
            raise NotFound("Ticket not found.")
        expected = normalize_email(ticket.customer_email or "")
        if not expected or normalize_email(customer_email) != expected:
            raise Forbidden("The customer email does not match this ticket.")
        return ticket

    async def _post(
        self,
        principal: Principal,
        ticket: Ticket,
        body: str,
        message_type: MessageType,
        attachments: Sequence[Upload],
        *,
        author: User | None,
        sender: SenderType | None = None,
    ) -> Message:
        if ticket.is_locked:
            raise Forbidden("This ticket is locked and takes no replies.")

        now = clock.now()
        if sender is None:
            sender = SenderType.STAFF if policy.is_staff(principal) else SenderType.CUSTOMER
        message = Message(
            ticket_id=ticket.id,
            body=body,
            type=message_type,
            author=author,
            sender_type=sender,
            created_at=now,
            updated_at=now,
        )
        is_reply = message_type is MessageType.REPLY
        if is_reply and sender is SenderType.STAFF:
            message.is_first_response = self.sla.first_response(ticket, now)
        if is_reply:
            ticket.last_reply_at = now
            ticket.last_reply_by = sender
        self._touch(ticket)
        self.session.add(message)
        await self.session.flush()
        uploaded = await self._attach(
            principal, ticket, message, attachments, internal=not is_reply
        )
        # The attachments are this request's own: no need to load them back.
        set_committed_value(message, "attachments", uploaded)

        # Notes get their own action: the customer's view of the trail leaves them out.
        self.activity.record(
            principal,
            ticket,
            "message_added" if is_reply else NOTE_ACTION,
            "Added a reply" if is_reply else "Added an internal note",
            {"message_id": [None, message.id]},
        )
        record_event(
            self.session,
            EventType.TICKET_REPLIED if is_reply else EventType.TICKET_NOTE_ADDED,
            {
                **_summary(ticket, principal),
                "message_id": message.id,
                "sender_type": str(sender),
                "author_id": author.id if author is not None else None,
            },
        )
        if (
            is_reply
            and sender is SenderType.CUSTOMER
            and ticket.status in (TicketStatus.PENDING_CUSTOMER, TicketStatus.RESOLVED)
        ):
            await self._set_status(principal, ticket, TicketStatus.OPEN)
        return message

    async def rate(
        self, principal: Principal, ticket_id: int, score: int, comment: str | None
    ) -> Rating:
        principal.require(Scope.TICKETS_RATE)
        ticket = await self._editable(principal, ticket_id)
        if not ticket.status.is_finished:
            raise ValidationFailed.field("score", "Only resolved or closed tickets can be rated.")
        existing = await self.session.scalar(select(Rating.id).where(Rating.ticket_id == ticket.id))
        if existing is not None:
            raise Conflict("This ticket has already been rated.")
        rating = Rating(
            ticket_id=ticket.id,
            user_id=principal.user_id,
            score=score,
            comment=comment,
            created_at=clock.now(),
        )
        self.session.add(rating)
        self._touch(ticket)
        self.activity.record(
            principal, ticket, "rated", f"Rated {score}/5", {"score": [None, score]}
        )
        record_event(
            self.session, EventType.TICKET_RATED, {**_summary(ticket, principal), "score": score}
        )
        return rating

    async def toggle_watch(self, principal: Principal, ticket_id: int) -> bool:
        if principal.user_id is None:
            raise Forbidden()
        ticket = await self.tickets.get(principal, ticket_id)
        if ticket is None:
            raise NotFound("Ticket not found.")
        if await self.tickets.is_watching(ticket.id, principal.user_id) is not None:
            await self.tickets.unwatch(ticket.id, principal.user_id)
            return False
        self.session.add(
            Watcher(ticket_id=ticket.id, user_id=principal.user_id, created_at=clock.now())
        )
        return True

    async def delete(self, principal: Principal, ticket_id: int) -> None:
        principal.require(Scope.TICKETS_DELETE)
        ticket = await self._editable(principal, ticket_id)
        ticket.deleted_at = clock.now()
        self.activity.record(principal, ticket, "deleted", f"Ticket {ticket.ticket_number} deleted")
        record_event(self.session, EventType.TICKET_DELETED, _summary(ticket, principal))

    @staticmethod
    def _touch(ticket: Ticket) -> None:
        # updated_at too, not left to the column's onupdate: the change is rendered
        # before the flush that would set it.
        ticket.last_activity_at = ticket.updated_at = clock.now()

    # ---------------------------------------------------------------- by name

    async def list_keyset(
        self, principal: Principal, filters: TicketFilters, request: CursorRequest
    ) -> CursorPage[Ticket]:
        """A cursor page of tickets with their customer, assignee and tags."""
        return await self.tickets.list_keyset(principal, filters, request)

    async def create_by_names(
        self, principal: Principal, new: NewTicket, tag_names: Sequence[str] = ()
    ) -> Ticket:
        """Create a ticket naming its tags (missing ones created) and its customer by e-mail.

        Staff and keys opening a ticket for an address open it for that customer's
        account, created if new; a customer opening one is the customer.
        """
        principal.require(Scope.TICKETS_CREATE)
        if tag_names:
            tags = await TagService(self.session).find_or_create_by_names(principal, tag_names)
            new = replace(new, tag_ids=[*new.tag_ids, *(tag.id for tag in tags)])
        if new.customer_email and new.customer_id is None and policy.is_staff(principal):
            email = new.customer_email
            name = new.customer_name or normalize_email(email).split("@")[0]
            customer = await self.customers.find_or_create(
                name, email, new.customer_phone, new.customer_company
            )
            if customer is None or customer.role is not Role.CUSTOMER:
                raise ValidationFailed.field(
                    "customer_email", "The customer email does not belong to a customer."
                )
            new = replace(
                new, customer_id=customer.id, customer_name=new.customer_name or customer.name
            )
        elif not policy.is_staff(principal):
            new = replace(new, customer_email=None)
        return await self.create(principal, new)

    async def update_by_names(
        self,
        principal: Principal,
        ticket_id: int,
        changes: TicketChanges,
        tag_names: Sequence[str] | None,
    ) -> Ticket:
        """Update a ticket; ``tag_names`` (when given) replace its tags, missing ones created."""
        if tag_names is not None:
            principal.require(Scope.TICKETS_UPDATE, _STAFF_ONLY_FIELDS)
            tags = await TagService(self.session).find_or_create_by_names(principal, tag_names)
            changes = replace(
                changes,
                fields_set=changes.fields_set | {"tag_ids"},
                tag_ids=[tag.id for tag in tags],
            )
        ticket = await self.update(principal, ticket_id, changes)
        # Written now, so the ticket shows its new updated_at (set on flush).
        await self.session.flush()
        return ticket
