"""Agents as the admin API manages them: accounts with the agent role, in departments.

Account rules (unique e-mail, hashed password, deactivation revoking the agent's keys,
soft delete) are the user administration's; this adds departments, the locale, and
membership of the default project, where tickets without a project live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.passwords import hash_password
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.enums import Role
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import DEFAULT_PROJECT_ID, Department, ProjectAgent, User
from supportdesk.repositories.agents import AgentFilters, AgentRepository
from supportdesk.repositories.catalogue import CatalogueRepository
from supportdesk.repositories.paging import fetch_page
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.services.activity import ActivityLog
from supportdesk.services.users import NewUser, UserChanges, UserService


@dataclass(frozen=True, slots=True)
class AgentFields:
    """A new agent, or a partial update: only ``fields_set`` is applied on update."""

    fields_set: frozenset[str]
    name: str | None = None
    email: str | None = None
    password: str | None = None
    phone: str | None = None
    locale: str | None = None
    is_active: bool | None = None
    department_ids: Sequence[int] | None = None


@dataclass(frozen=True, slots=True)
class AgentDetails:
    agent: User
    departments: Sequence[Department]


class AgentService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.agents = AgentRepository(session)
        self.catalogue = CatalogueRepository(session)
        self.projects = ProjectRepository(session)
        self.users = UserService(session)
        self.activity = ActivityLog(session)

    async def list_page(
        self, principal: Principal, filters: AgentFilters, page: PageRequest
    ) -> Page[AgentDetails]:
        """Agents by name with their departments: two statements whatever the page size."""
        principal.require(Scope.AGENTS_LIST)
        found = await fetch_page(self.session, self.agents.listing(filters), page)
        departments = await self.agents.departments_of([agent.id for agent in found.items])
        items = [AgentDetails(agent, departments[agent.id]) for agent in found.items]
        return Page(items=items, total=found.total, page=found.page, per_page=found.per_page)

    async def get(self, principal: Principal, agent_id: int) -> AgentDetails:
        principal.require(Scope.AGENTS_READ)
        return await self._details(await self._agent(agent_id))

    async def _details(self, agent: User) -> AgentDetails:
        return AgentDetails(agent, (await self.agents.departments_of([agent.id]))[agent.id])

    async def create(self, principal: Principal, fields: AgentFields) -> AgentDetails:
        principal.require(Scope.AGENTS_CREATE)
        missing = [name for name in ("name", "email", "password") if not getattr(fields, name)]
        if missing:
            raise ValidationFailed(
                details={name: [f"The {name} field is required."] for name in missing}
            )
        assert fields.name and fields.email and fields.password
        department_ids = await self._departments(fields.department_ids or ())
        agent = await self.users.create(
            principal,
            NewUser(
                name=fields.name,
                email=fields.email,
                password=fields.password,
                role=Role.AGENT,
                phone=fields.phone,
            ),
        )
        agent.locale = fields.locale
        if fields.is_active is False:
            agent.is_active = False
        # Tickets without a project of their own live in the default project: its
        # agents may be assigned them and see them in the portal.
        if not await self.projects.has_agent(DEFAULT_PROJECT_ID, agent.id):
            self.session.add(ProjectAgent(project_id=DEFAULT_PROJECT_ID, user_id=agent.id))
        await self.catalogue.set_department_members(agent.id, department_ids)
        await self.session.flush()
        return await self._details(agent)

    async def update(
        self, principal: Principal, agent_id: int, fields: AgentFields
    ) -> AgentDetails:
        principal.require(Scope.AGENTS_UPDATE)
        agent = await self._agent(agent_id)
        given = fields.fields_set
        for name in ("name", "email", "is_active"):
            if name in given and getattr(fields, name) is None:
                raise ValidationFailed.field(
                    name, f"The {name.replace('_', ' ')} field is required."
                )
        department_ids = None
        if "department_ids" in given:
            department_ids = await self._departments(fields.department_ids or ())
        account = given & {"name", "email", "phone", "is_active"}
        if account:
            await self.users.update(
                principal,
                agent.id,
                UserChanges(
                    fields_set=frozenset(account),
                    name=fields.name,
                    email=fields.email,
                    phone=fields.phone,
                    is_active=fields.is_active,
                ),
            )
        diff: dict[str, list[Any]] = {}
        if "locale" in given and fields.locale != agent.locale:
            diff["locale"] = [agent.locale, fields.locale]
            agent.locale = fields.locale
        if "password" in given and fields.password:
            agent.password_hash = await hash_password(fields.password)
            diff["password"] = ["(hidden)", "(changed)"]
        if department_ids is not None:
            before = [d.id for d in (await self.agents.departments_of([agent.id]))[agent.id]]
            if sorted(before) != sorted(department_ids):
                diff["departments"] = [sorted(before), sorted(department_ids)]
                await self.catalogue.set_department_members(agent.id, department_ids)
        if diff:
            await self.session.flush()
            self.activity.record(
                principal,
                None,
                "agent.updated",
                f"Agent {agent.email} updated",
                {"user_id": agent.id, **diff},
            )
        return await self._details(agent)

    async def delete(self, principal: Principal, agent_id: int) -> None:
        """Soft delete: the agent stops working at once (keys revoked), history kept."""
        principal.require(Scope.AGENTS_DELETE)
        agent = await self._agent(agent_id)
        await self.users.delete(principal, agent.id)

    async def _agent(self, agent_id: int) -> User:
        agent = await self.agents.get(agent_id)
        if agent is None:
            raise NotFound("Agent not found.")
        return agent

    async def _departments(self, department_ids: Sequence[int]) -> list[int]:
        wanted = sorted(set(department_ids))
        existing = set(await self.agents.existing_departments(wanted))
        if existing != set(wanted):
            raise ValidationFailed.field("departments", "The selected departments are invalid.")
        return wanted
