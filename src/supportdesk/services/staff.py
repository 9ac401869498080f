"""Staff: the accounts of agents and admins, behind the agents:* scopes (seed 000's agents).

The account rules are services/accounts.py's. This view adds what only staff have:
department membership, and membership of the default project, where tickets without a
project live. The internal API manages agents here; the REST API reads every staff role
as its users directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.enums import Role
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import DEFAULT_PROJECT_ID, Department, ProjectAgent, User
from supportdesk.repositories.agents import AgentFilters, AgentRepository
from supportdesk.repositories.catalogue import CatalogueRepository
from supportdesk.repositories.paging import fetch_page
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.repositories.rest_lists import PeopleRepository
from supportdesk.services.accounts import AccountChanges, AccountService, NewAccount


@dataclass(frozen=True, slots=True)
class AgentDetails:
    agent: User
    departments: Sequence[Department]


class StaffService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.accounts = AccountService(session)
        self.agents = AgentRepository(session)
        self.people = PeopleRepository(session)
        self.catalogue = CatalogueRepository(session)
        self.projects = ProjectRepository(session)

    # ---------------------------------------------------------------- the directory

    async def page(
        self, principal: Principal, role: Role | None, request: CursorRequest
    ) -> CursorPage[User]:
        """Agents and admins alike, ``role`` narrowing them."""
        principal.require(Scope.AGENTS_LIST)
        return await self.people.staff_page(role, request)

    async def get(self, principal: Principal, user_id: int) -> User:
        principal.require(Scope.AGENTS_READ)
        user = await self.people.staff_member(user_id)
        if user is None:
            raise NotFound("User not found.")
        return user

    # ---------------------------------------------------------------- agents

    async def agents_page(
        self, principal: Principal, filters: AgentFilters, page: PageRequest
    ) -> Page[AgentDetails]:
        """Agents by name with their departments: two statements whatever the page size."""
        principal.require(Scope.AGENTS_LIST)
        found = await fetch_page(self.session, self.agents.listing(filters), page)
        departments = await self.agents.departments_of([agent.id for agent in found.items])
        items = [AgentDetails(agent, departments[agent.id]) for agent in found.items]
        return Page(items=items, total=found.total, page=found.page, per_page=found.per_page)

    async def agent(self, principal: Principal, agent_id: int) -> AgentDetails:
        principal.require(Scope.AGENTS_READ)
        return await self._details(await self._agent(agent_id))

    async def create_agent(
        self, principal: Principal, new: NewAccount, department_ids: Sequence[int]
    ) -> AgentDetails:
        principal.require(Scope.AGENTS_CREATE)
        wanted = await self._departments(department_ids)
        agent = await self.accounts.create(principal, Role.AGENT, new)
        # Tickets without a project of their own live in the default project: its
        # agents may be assigned them and see them in the portal.
        if not await self.projects.has_agent(DEFAULT_PROJECT_ID, agent.id):
            self.session.add(ProjectAgent(project_id=DEFAULT_PROJECT_ID, user_id=agent.id))
        await self.catalogue.set_department_members(agent.id, wanted)
        await self.session.flush()
        return await self._details(agent)

    async def update_agent(
        self,
        principal: Principal,
        agent_id: int,
        changes: AccountChanges,
        department_ids: Sequence[int] | None = None,
    ) -> AgentDetails:
        """``department_ids`` None leaves the agent's departments as they are."""
        principal.require(Scope.AGENTS_UPDATE)
        agent = await self._agent(agent_id)
        related: dict[str, list[Any]] = {}
        if department_ids is not None:
            wanted = await self._departments(department_ids)
            before = sorted(d.id for d in (await self.agents.departments_of([agent.id]))[agent.id])
            if before != wanted:
                related["departments"] = [before, wanted]
                await self.catalogue.set_department_members(agent.id, wanted)
        await self.accounts.change(principal, agent, changes, related=related)
        return await self._details(agent)

    async def delete_agent(self, principal: Principal, agent_id: int) -> None:
        """Soft delete: the agent stops working at once (keys revoked), history kept."""
        principal.require(Scope.AGENTS_DELETE)
        await self.accounts.remove(principal, await self._agent(agent_id))

    async def _agent(self, agent_id: int) -> User:
        agent = await self.agents.get(agent_id)
        if agent is None:
            raise NotFound("Agent not found.")
        return agent

    async def _details(self, agent: User) -> AgentDetails:
        return AgentDetails(agent, (await self.agents.departments_of([agent.id]))[agent.id])

    async def _departments(self, department_ids: Sequence[int]) -> list[int]:
        wanted = sorted(set(department_ids))
        existing = set(await self.agents.existing_departments(wanted))
        if existing != set(wanted):
            raise ValidationFailed.field("departments", "The selected departments are invalid.")
        return wanted
