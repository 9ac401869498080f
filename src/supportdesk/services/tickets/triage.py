"""Staff work on a ticket (DESIGN.md §6): its fields, status, assignee, and its end."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core import clock
from supportdesk.core.enums import TicketStatus
from supportdesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from supportdesk.core.events import EventType
from supportdesk.models import ProjectAgent, Rating, Ticket, User, Watcher
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.repositories.tickets import TicketRepository
from supportdesk.repositories.users import UserRepository
from supportdesk.services.activity import ActivityLog
from supportdesk.services.custom_fields import CustomFieldService
from supportdesk.services.sla import SlaService
from supportdesk.services.tickets.common import StatusRules, editable, require_version, touch
from supportdesk.services.tickets.records import Precondition, TicketChanges
from supportdesk.services.tickets.references import TicketReferences

_STAFF_ONLY_FIELDS = "Only staff can change a ticket's category, priority or tags."

# Changing any of these is triage, which needs tickets:update; a ticket's own customer
# may only reword it.
_TRIAGE_FIELDS = frozenset(
    {
        "category_id",
        "priority",
        "tag_ids",
        "tag_names",
        "department_id",
        "product_id",
        "is_locked",
        "status",
        "is_resolved",
        "assignee_id",
    }
)

# Before → after of each changed field, as the activity row and the event show it.
Diff = dict[str, list[Any]]


class TicketTriage:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.tickets = TicketRepository(session)
        self.references = TicketReferences(session)
        self.sla = SlaService(session)
        self.activity = ActivityLog(session)
        self.status = StatusRules(self.sla, self.activity)

    # ---------------------------------------------------------------- update

    async def update(
        self,
        principal: Principal,
        ticket_id: int,
        changes: TicketChanges,
        *,
        if_match: Precondition | None = None,
    ) -> Ticket:
        """Apply a partial change; each changed field is one entry of one activity row."""
        if changes.given("tag_names"):
            # Naming tags may create them: refused before the ticket is even looked up.
            principal.require(Scope.TICKETS_UPDATE, _STAFF_ONLY_FIELDS)
        ticket = await editable(self.tickets, principal, ticket_id)
        status = _wanted_status(ticket, changes)
        _require_rights(principal, ticket, changes, status)
        require_version(ticket, if_match)

        diff = _copy_fields(ticket, changes, "subject", "description")
        diff |= await self._repoint(ticket, changes, "category_id", self.references.category)
        diff |= await self._retag(principal, ticket, changes)
        diff |= await self._repoint(ticket, changes, "department_id", self.references.department)
        diff |= await self._repoint(ticket, changes, "product_id", self.references.product)
        diff |= await self._merge_custom_fields(ticket, changes)
        diff |= _copy_fields(ticket, changes, "is_locked")
        # Checked before anything is recorded: a refused assignee changes nothing.
        assignee = await self._new_assignee(principal, ticket, changes)
        diff |= await self._reprioritise(ticket, changes)

        if status is not None:
            await self.status.set(principal, ticket, status)
        if "assignee_id" in changes.fields_set and changes.assignee_id != ticket.assignee_id:
            await self._assign(principal, ticket, assignee)
        if diff:
            self._record_update(principal, ticket, diff)
        # Written now, so the ticket renders as stored (updated_at and version included).
        await self.session.flush()
        return ticket

    async def _repoint(
        self,
        ticket: Ticket,
        changes: TicketChanges,
        field: str,
        find: Callable[[int | None], Awaitable[Any]],
    ) -> Diff:
        """Point the ticket at another category, department or product (None: at none)."""
        before, after = getattr(ticket, field), getattr(changes, field)
        if field not in changes.fields_set or after == before:
            return {}
        row = await find(after)
        setattr(ticket, field.removesuffix("_id"), row)
        # The column too: the relationship only sets it at flush, after the reply is rendered.
        setattr(ticket, field, after)
        return {field: [before, after]}

    async def _retag(self, principal: Principal, ticket: Ticket, changes: TicketChanges) -> Diff:
        if not (changes.given("tag_ids") or changes.given("tag_names")):
            return {}
        tags = await self.references.tags(principal, changes.tag_ids or (), changes.tag_names or ())
        before, after = [tag.id for tag in ticket.tags], [tag.id for tag in tags]
        if before == after:
            return {}
        ticket.tags = tags
        return {"tags": [before, after]}

    async def _merge_custom_fields(self, ticket: Ticket, changes: TicketChanges) -> Diff:
        if changes.custom_fields is None or "custom_fields" not in changes.fields_set:
            return {}
        current = ticket.custom_fields or {}
        values = await CustomFieldService(self.session).validate(
            changes.custom_fields, current=current
        )
        if values == current:
            return {}
        ticket.custom_fields = values
        return {"custom_fields": [current, values]}

    async def _new_assignee(
        self, principal: Principal, ticket: Ticket, changes: TicketChanges
    ) -> User | None:
        """The assignee the change names, if it names someone new and eligible."""
        if "assignee_id" not in changes.fields_set:
            return None
        if changes.assignee_id is None or changes.assignee_id == ticket.assignee_id:
            return None
        return await self._assignable(principal, ticket, changes.assignee_id)

    async def _reprioritise(self, ticket: Ticket, changes: TicketChanges) -> Diff:
        if not changes.given("priority") or changes.priority in (None, ticket.priority):
            return {}
        assert changes.priority is not None
        before = str(ticket.priority)
        ticket.priority = changes.priority
        await self.sla.priority_changed(ticket)
        return {"priority": [before, str(changes.priority)]}

    def _record_update(self, principal: Principal, ticket: Ticket, diff: Diff) -> None:
        touch(ticket)
        self.activity.record_ticket_change(
            principal,
            ticket,
            EventType.TICKET_UPDATED,
            "updated",
            "Ticket updated",
            diff,
            {"changes": diff},
        )
        if "priority" in diff:
            before, after = diff["priority"]
            self.activity.record_ticket_change(
                principal,
                ticket,
                EventType.TICKET_PRIORITY_CHANGED,
                "priority_changed",
                f"Priority changed from {before} to {after}",
                {"priority": diff["priority"]},
                {"from": before, "to": after},
            )

    # ---------------------------------------------------------------- status and assignee

    async def change_status(
        self,
        principal: Principal,
        ticket_id: int,
        status: TicketStatus,
        *,
        if_match: Precondition | None = None,
    ) -> Ticket:
        principal.require(Scope.TICKETS_STATUS)
        ticket = await editable(self.tickets, principal, ticket_id)
        require_version(ticket, if_match)
        await self.status.set(principal, ticket, status)
        # Written now, so the ticket renders as stored (updated_at and version included).
        await self.session.flush()
        return ticket

    async def assign(
        self,
        principal: Principal,
        ticket_id: int,
        user_id: int | None,
        *,
        if_match: Precondition | None = None,
    ) -> Ticket:
        principal.require(Scope.TICKETS_ASSIGN)
        ticket = await editable(self.tickets, principal, ticket_id)
        require_version(ticket, if_match)
        if user_id == ticket.assignee_id:
            return ticket
        assignee = None if user_id is None else await self._assignable(principal, ticket, user_id)
        await self._assign(principal, ticket, assignee)
        await self.session.flush()
        return ticket

    async def _assignable(self, principal: Principal, ticket: Ticket, user_id: int) -> User:
        """An active admin, or an active agent of the ticket's project.

        One who assigns across projects (auth/policy.py) may name any active agent: the
        agent joins the ticket's project when assigned (``_join_project``).
        """
        user = await UserRepository(self.session).get(user_id)
        eligible = user is not None and user.is_active and user.is_staff
        if eligible and user is not None and not user.role.is_admin:
            eligible = policy.assigns_across_projects(principal) or await ProjectRepository(
                self.session
            ).has_agent(ticket.project_id, user.id)
        if not eligible or user is None:
            raise ValidationFailed.field(
                "user_id",
                "The assignee must be an active agent of the ticket's project or an admin.",
            )
        return user

    async def _join_project(self, principal: Principal, ticket: Ticket, assignee: User) -> None:
        """Make an agent assigned from outside the ticket's project one of its agents."""
        projects = ProjectRepository(self.session)
        if assignee.role.is_admin or await projects.has_agent(ticket.project_id, assignee.id):
            return
        project = await projects.get(ticket.project_id)
        assert project is not None
        projects.add_membership(ProjectAgent(project_id=project.id, user_id=assignee.id))
        self.activity.record(
            principal,
            ticket,
            "project.agent_assigned",
            f"{assignee.name} joined project {project.name} to be assigned this ticket",
            {"project_id": project.id, "user_id": assignee.id, "is_lead": False},
        )

    async def _assign(self, principal: Principal, ticket: Ticket, assignee: User | None) -> None:
        if assignee is not None:
            await self._join_project(principal, ticket, assignee)
        user_id = assignee.id if assignee is not None else None
        before = ticket.assignee_id
        ticket.assignee = assignee
        # The column too: the relationship only sets it at flush, after the reply is rendered.
        ticket.assignee_id = user_id
        touch(ticket)
        self.activity.record_ticket_change(
            principal,
            ticket,
            EventType.TICKET_ASSIGNED,
            "assigned",
            f"Assigned to {assignee.name}" if assignee else "Unassigned",
            {"assignee_id": [before, user_id]},
            {"from": before, "to": user_id},
        )
        if assignee is not None and ticket.status is TicketStatus.OPEN:
            await self.status.set(principal, ticket, TicketStatus.IN_PROGRESS)

    # ---------------------------------------------------------------- the rest

    async def rate(
        self, principal: Principal, ticket_id: int, score: int, comment: str | None
    ) -> Rating:
        principal.require(Scope.TICKETS_RATE)
        ticket = await editable(self.tickets, principal, ticket_id)
        if not ticket.status.is_finished:
            raise ValidationFailed.field("score", "Only resolved or closed tickets can be rated.")
        if await self.tickets.is_rated(ticket.id):
            raise Conflict("This ticket has already been rated.")
        rating = Rating(
            ticket_id=ticket.id,
            user_id=principal.user_id,
            score=score,
            comment=comment,
            created_at=clock.now(),
        )
        self.session.add(rating)
        touch(ticket)
        self.activity.record_ticket_change(
            principal,
            ticket,
            EventType.TICKET_RATED,
            "rated",
            f"Rated {score}/5",
            {"score": [None, score]},
            {"score": score},
        )
        return rating

    async def toggle_watch(self, principal: Principal, ticket_id: int) -> bool:
        if principal.user_id is None:
            raise Forbidden()
        ticket = await self.tickets.get(principal, ticket_id)
        if ticket is None:
            raise NotFound("Ticket not found.")
        # The ticket's detail lists its watchers: its version moves on with them.
        await self.tickets.revise(ticket.id)
        if await self.tickets.is_watching(ticket.id, principal.user_id) is not None:
            await self.tickets.unwatch(ticket.id, principal.user_id)
            return False
        self.session.add(
            Watcher(ticket_id=ticket.id, user_id=principal.user_id, created_at=clock.now())
        )
        return True

    async def delete(
        self, principal: Principal, ticket_id: int, *, if_match: Precondition | None = None
    ) -> None:
        principal.require(Scope.TICKETS_DELETE)
        ticket = await editable(self.tickets, principal, ticket_id)
        require_version(ticket, if_match)
        ticket.deleted_at = clock.now()
        self.activity.record_ticket_change(
            principal,
            ticket,
            EventType.TICKET_DELETED,
            "deleted",
            f"Ticket {ticket.ticket_number} deleted",
        )


def _wanted_status(ticket: Ticket, changes: TicketChanges) -> TicketStatus | None:
    """The status an update asks for, ``is_resolved`` included; None if unchanged.

    ``is_resolved`` true resolves the ticket, unless it is (or is being) closed: a
    closed ticket is resolved too. False reopens a finished ticket, unless a status
    comes beside it, which wins.
    """
    status = changes.status if "status" in changes.fields_set else None
    if changes.given("is_resolved"):
        if changes.is_resolved:
            if (status or ticket.status) is not TicketStatus.CLOSED:
                status = TicketStatus.RESOLVED
        elif status is None and ticket.status.is_finished:
            status = TicketStatus.OPEN
    return status if status is not None and status != ticket.status else None


def _require_rights(
    principal: Principal, ticket: Ticket, changes: TicketChanges, status: TicketStatus | None
) -> None:
    """Triage is staff work, each part under its own scope; rewording is also the owner's."""
    fields = changes.fields_set
    if _TRIAGE_FIELDS & fields:
        principal.require(Scope.TICKETS_UPDATE, _STAFF_ONLY_FIELDS)
    elif not (principal.can(Scope.TICKETS_UPDATE) or policy.owns_ticket(principal, ticket)):
        raise Forbidden()
    if changes.given("priority"):
        principal.require(Scope.TICKETS_PRIORITY)
    if status is not None:
        principal.require(Scope.TICKETS_STATUS)
    if "assignee_id" in fields:
        principal.require(Scope.TICKETS_ASSIGN)


def _copy_fields(ticket: Ticket, changes: TicketChanges, *names: str) -> Diff:
    """Set the plain fields the change gives a new value (None leaves one as it is)."""
    diff: Diff = {}
    for name in names:
        before, after = getattr(ticket, name), getattr(changes, name)
        if changes.given(name) and after != before:
            diff[name] = [before, after]
            setattr(ticket, name, after)
    return diff
