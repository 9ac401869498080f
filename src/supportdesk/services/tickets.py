"""Ticket rules (DESIGN.md §6). Every surface creates and changes tickets through here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from supportdesk.auth.permissions import ROLE_CAPABILITIES, Capability
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.core import clock
from supportdesk.core.enums import (
    MessageType,
    Priority,
    Role,
    SenderType,
    TicketSource,
    TicketStatus,
)
from supportdesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from supportdesk.core.events import EventType, record_event
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Attachment, Message, Project, Rating, Tag, Ticket, User, Watcher
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.repositories.taxonomy import TaxonomyRepository
from supportdesk.repositories.tickets import NOTE_ACTION, TicketFilters, TicketRepository
from supportdesk.repositories.users import UserRepository, normalize_email
from supportdesk.services.activity import ActivityLog
from supportdesk.services.attachments import AttachmentStorage, Upload
from supportdesk.services.customers import CustomerService
from supportdesk.services.settings import SettingsService
from supportdesk.services.sla import SlaService

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


@dataclass(frozen=True, slots=True)
class TicketChanges:
    """A partial update: only the fields named in ``fields_set`` are applied."""

    fields_set: frozenset[str]
    subject: str | None = None
    description: str | None = None
    category_id: int | None = None
    priority: Priority | None = None
    tag_ids: Sequence[int] | None = None


# A connected project acts for its end users, never as staff: it may do what the
# reference lets a customer do (create, read, reply), and ticket visibility narrows
# that to its own project. Its key carries no scopes of its own, so granting it the
# customer role's capabilities here adds nothing to any portal role.
_PROJECT_CAPABILITIES = ROLE_CAPABILITIES[Role.CUSTOMER]


def _authorise(principal: Principal, capability: Capability) -> None:
    if principal.kind is PrincipalKind.PROJECT:
        if capability not in _PROJECT_CAPABILITIES:
            raise Forbidden()
        return
    principal.require(capability)


def _could_be_number(ticket_number: str) -> bool:
    # Anything else names no ticket; refused here, before a database that cannot store
    # it (a NUL, an over-long string) turns it into an error of its own.
    return 0 < len(ticket_number) <= TICKET_NUMBER_MAX_LENGTH and "\x00" not in ticket_number


def _summary(ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket_id": ticket.id,
        "ticket_number": ticket.ticket_number,
        "project_id": ticket.project_id,
    }


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

    # ---------------------------------------------------------------- reading

    async def list_page(
        self, principal: Principal, filters: TicketFilters, page: PageRequest
    ) -> Page[tuple[Ticket, int]]:
        return await self.tickets.list_page(principal, filters, page)

    async def get(self, principal: Principal, ticket_id: int) -> Ticket:
        ticket = await self.tickets.get_full(
            principal, ticket_id, include_internal=principal.is_staff
        )
        if ticket is None:
            raise NotFound("Ticket not found.")
        return ticket

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
        _authorise(principal, Capability.CREATE_TICKETS)
        project = await self._project_for_new_ticket(principal, new.project_id)
        category = await self._category(new.category_id)
        tags = await self._tags(new.tag_ids)
        now = clock.now()
        priority = new.priority or Priority(await self.settings.get("sd_default_priority"))

        creator = principal.user
        if principal.kind is PrincipalKind.PROJECT:
            # The project's end user is the customer and, as the one who asked, the creator.
            creator = await self._project_customer(new)
            customer = creator
        else:
            customer = creator if creator is not None and not creator.is_staff else None
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
            customer_name=new.customer_name or (creator.name if creator else None),
            customer_email=(new.customer_email or (creator.email if creator else None)),
            customer_phone=new.customer_phone or (creator.phone if creator else None),
            external_customer_id=new.external_customer_id,
            creator=creator,
            assignee=None,
            category=category,
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
        record_event(self.session, EventType.TICKET_CREATED, _summary(ticket))
        return ticket

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
        if principal.kind is PrincipalKind.PROJECT:
            # A key pair opens tickets in its own project only; its project was checked
            # active when the pair was authenticated.
            if principal.project is None or principal.project.id != project_id:
                raise ValidationFailed.field("project_id", "The selected project id is invalid.")
            return principal.project
        project = await self.projects.get(project_id)
        visible = project is not None and project.is_active
        # Agents work inside their projects; admins and customers may use any.
        user = principal.user
        if visible and principal.kind is PrincipalKind.USER and user and user.role is Role.AGENT:
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
        triage = {"category_id", "priority", "tag_ids"} & changes.fields_set
        if triage and not principal.is_staff:
            raise Forbidden("Only staff can change a ticket's category, priority or tags.")
        if "priority" in changes.fields_set and changes.priority is not None:
            _authorise(principal, Capability.CHANGE_PRIORITY)

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
        if not diff:
            return ticket

        self._touch(ticket)
        self.activity.record(principal, ticket, "updated", "Ticket updated", diff)
        record_event(self.session, EventType.TICKET_UPDATED, {**_summary(ticket), "changes": diff})
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
                {**_summary(ticket), "from": diff["priority"][0], "to": diff["priority"][1]},
            )
        return ticket

    async def change_status(
        self, principal: Principal, ticket_id: int, status: TicketStatus
    ) -> Ticket:
        _authorise(principal, Capability.CHANGE_STATUS)
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
            {**_summary(ticket), "from": str(old), "to": str(status)},
        )

    async def assign(self, principal: Principal, ticket_id: int, user_id: int | None) -> Ticket:
        _authorise(principal, Capability.ASSIGN_TICKETS)
        ticket = await self._editable(principal, ticket_id)
        if user_id == ticket.assignee_id:
            return ticket
        assignee = None if user_id is None else await self._assignable(ticket, user_id)
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
            {**_summary(ticket), "from": before, "to": user_id},
        )
        if assignee is not None and ticket.status is TicketStatus.OPEN:
            await self._set_status(principal, ticket, TicketStatus.IN_PROGRESS)
        return ticket

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
            _authorise(principal, Capability.ADD_INTERNAL_NOTES)
        elif message_type is MessageType.REPLY:
            _authorise(principal, Capability.REPLY_TO_TICKETS)
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
        _authorise(principal, Capability.REPLY_TO_TICKETS)
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

    async def _for_customer(
        self, principal: Principal, ticket_number: str, customer_email: str
    ) -> Ticket:
        # Only a project speaks for a customer by naming an address; everyone else is
        # who their credentials say.
        if principal.kind is not PrincipalKind.PROJECT:
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
    ) -> Message:
        if ticket.is_locked:
            raise Forbidden("This ticket is locked and takes no replies.")

        now = clock.now()
        sender = SenderType.STAFF if principal.is_staff else SenderType.CUSTOMER
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
            {**_summary(ticket), "message_id": message.id, "sender_type": str(sender)},
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
        _authorise(principal, Capability.RATE_TICKETS)
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
        record_event(self.session, EventType.TICKET_RATED, {**_summary(ticket), "score": score})
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
        _authorise(principal, Capability.DELETE_TICKETS)
        ticket = await self._editable(principal, ticket_id)
        ticket.deleted_at = clock.now()
        self.activity.record(principal, ticket, "deleted", f"Ticket {ticket.ticket_number} deleted")
        record_event(self.session, EventType.TICKET_DELETED, _summary(ticket))

    @staticmethod
    def _touch(ticket: Ticket) -> None:
        ticket.last_activity_at = clock.now()
