"""Opening tickets (DESIGN.md §6): where, about what, for whom, and how many a day."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core import clock
from supportdesk.core.enums import Role, TicketStatus
from supportdesk.core.errors import RateLimited, ValidationFailed
from supportdesk.core.events import EventType
from supportdesk.models import Project, Ticket, User
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.repositories.tickets import TicketRepository
from supportdesk.repositories.users import UserRepository, normalize_email
from supportdesk.services.activity import ActivityLog
from supportdesk.services.attachments import AttachmentStorage
from supportdesk.services.custom_fields import CustomFieldService
from supportdesk.services.customers import CustomerService
from supportdesk.services.settings import SettingsService
from supportdesk.services.sla import SlaService
from supportdesk.services.tickets.common import TicketFiles
from supportdesk.services.tickets.records import NewTicket
from supportdesk.services.tickets.references import TicketReferences

_PROJECT_INVALID = "The selected project id is invalid."


class TicketIntake:
    def __init__(self, session: AsyncSession, storage: AttachmentStorage) -> None:
        self.session = session
        self.tickets = TicketRepository(session)
        self.projects = ProjectRepository(session)
        self.references = TicketReferences(session)
        self.settings = SettingsService(session)
        self.custom_fields = CustomFieldService(session)
        self.sla = SlaService(session)
        self.activity = ActivityLog(session)
        self.files = TicketFiles(session, storage)

    async def create(self, principal: Principal, new: NewTicket) -> Ticket:
        """Open a ticket in a project, for its customer, with its clocks started."""
        principal.require(Scope.TICKETS_CREATE)
        project = await self._project(principal, new.project_id)
        references = await self._references(principal, new)
        custom_values: dict[str, Any] = {}
        if new.custom_fields is not None:
            custom_values = await self.custom_fields.validate(new.custom_fields)
        now = clock.now()
        priority = new.priority or await self.settings.default_priority()
        creator, customer = await self._parties(principal, new)
        if customer is not None and not policy.is_staff(principal):
            await self._check_daily_limit(customer, now)
        # Files first: a refused upload must not use up a ticket number.
        files = await self.files.store(new.attachments)
        number = await self.tickets.next_number(project.id, now.year)
        ticket = Ticket(
            # The id too, not only the relation: the SLA lookup below reads project_id
            # before any flush would copy it over.
            project_id=project.id,
            project=project,
            year=now.year,
            number=number,
            ticket_number=f"{project.ticket_prefix}-{now.year}-{number:05d}",
            subject=new.subject,
            description=new.description,
            status=TicketStatus.OPEN,
            priority=priority,
            source=new.source,
            customer=customer,
            creator=creator,
            assignee=None,
            external_customer_id=new.external_customer_id,
            custom_fields=custom_values,
            meta=new.metadata,
            created_at=now,
            updated_at=now,
            last_activity_at=now,
            **references,
            **_contact(principal, new, customer or creator),
        )
        await self.sla.start(ticket, now)
        self.tickets.add(ticket)
        await self.session.flush()
        await self.files.attach(principal, ticket, None, files, internal=False)
        self.activity.record_ticket_change(
            principal,
            ticket,
            EventType.TICKET_CREATED,
            "created",
            f"Ticket {ticket.ticket_number} created",
        )
        return ticket

    async def _project(self, principal: Principal, project_id: int) -> Project:
        if policy.speaks_for_customers(principal):
            # A key pair opens tickets in its own project only; its project was checked
            # active when the pair was authenticated.
            if principal.project is None or principal.project.id != project_id:
                raise ValidationFailed.field("project_id", _PROJECT_INVALID)
            return principal.project
        project = await self.projects.get(project_id)
        visible = project is not None and project.is_active
        user = principal.user
        if visible and user is not None and policy.works_in_assigned_projects(principal):
            visible = await self.projects.has_agent(project_id, user.id)
        if not visible or project is None:
            raise ValidationFailed.field("project_id", _PROJECT_INVALID)
        return project

    async def _references(self, principal: Principal, new: NewTicket) -> dict[str, Any]:
        """The category, tags, department and product the ticket names, each checked."""
        category = await self.references.category(new.category_id)
        tags = await self.references.tags(principal, new.tag_ids, new.tag_names)
        default_department = await self.settings.get("sd_default_department_id")
        department = await self.references.department(new.department_id, default_department)
        product = await self.references.product(new.product_id)
        return {"category": category, "tags": tags, "department": department, "product": product}

    async def _parties(
        self, principal: Principal, new: NewTicket
    ) -> tuple[User | None, User | None]:
        """(creator, customer): who opens the ticket, and whom it is for.

        A project's end user, named by e-mail, is both. A customer opening a ticket is its
        customer, and may name no other address (:func:`_require_own_address`). Staff open
        it for nobody, or for the customer account they name: by id, or by e-mail (found
        or created).
        """
        if policy.speaks_for_customers(principal):
            customer = await self._account_at_address(new, required=True)
            return customer, customer
        creator = principal.actor
        if not policy.is_staff(principal):
            _require_own_address(creator, new.customer_email)
            return creator, creator if creator is not None and not creator.is_staff else None
        if new.customer_id is not None:
            return creator, await self._customer_account(new.customer_id)
        if new.customer_email:
            # Every surface names a ticket's customer by id, so an address without an
            # account gets one (without a password) rather than leave the ticket's
            # customer nameless.
            account = await self._account_at_address(new)
            if account is not None and account.role is Role.CUSTOMER:
                return creator, account
            # Staff open tickets for customers, never for a colleague's address; where
            # the address is only a contact, it stays one.
            if new.customer_by_email:
                raise ValidationFailed.field(
                    "customer_email", "The customer email does not belong to a customer."
                )
        return creator, None

    async def _account_at_address(self, new: NewTicket, *, required: bool = False) -> User | None:
        """The account at the customer e-mail, created as a customer's if new.

        ``required``: the e-mail and the name must both be given (a project must say
        whom it speaks for); otherwise a missing name is the address's local part.
        """
        if required and not (new.customer_email and new.customer_name):
            raise ValidationFailed(
                details={
                    name: [f"The {name.replace('_', ' ')} field is required."]
                    for name in ("customer_name", "customer_email")
                    if not getattr(new, name)
                }
            )
        assert new.customer_email is not None
        name = new.customer_name or normalize_email(new.customer_email).split("@")[0]
        return await CustomerService(self.session).find_or_create(
            name, new.customer_email, new.customer_phone, new.customer_company
        )

    async def _customer_account(self, customer_id: int) -> User:
        customer = await UserRepository(self.session).get(customer_id)
        if customer is None or customer.role is not Role.CUSTOMER:
            raise ValidationFailed.field("customer_id", "The selected customer id is invalid.")
        return customer

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


def _require_own_address(account: User | None, customer_email: str | None) -> None:
    """A customer opens tickets as themselves: staff replies are e-mailed to the ticket's
    address, so naming another one would send them to a stranger's inbox.

    Refused rather than silently replaced, so a client never believes replies go where
    they do not.
    """
    if customer_email is None:
        return
    own = normalize_email(account.email) if account is not None else ""
    if normalize_email(customer_email) != own:
        raise ValidationFailed.field(
            "customer_email", "The customer email must be your own email address."
        )


def _contact(principal: Principal, new: NewTicket, contact: User | None) -> dict[str, Any]:
    """The customer details the ticket keeps.

    Staff and keys, who open tickets for others, keep the details as given, else those of
    ``contact`` (the snapshot describes the customer; staff opening a ticket for one are
    not it). A customer's own ticket keeps their account's name and address whatever the
    request says (a different address was refused already); only a phone number for this
    ticket may be given.
    """
    if not _may_name_customer(principal):
        return {
            "customer_name": contact.name if contact else None,
            "customer_email": contact.email if contact else None,
            "customer_phone": new.customer_phone or (contact.phone if contact else None),
        }
    return {
        "customer_name": new.customer_name or (contact.name if contact else None),
        "customer_email": new.customer_email or (contact.email if contact else None),
        "customer_phone": new.customer_phone or (contact.phone if contact else None),
    }


def _may_name_customer(principal: Principal) -> bool:
    return policy.is_staff(principal) or policy.speaks_for_customers(principal)
