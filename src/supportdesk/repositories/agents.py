"""Agents (users with the agent role) and their department memberships."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, select

from supportdesk.core.enums import Role
from supportdesk.models import Department, User, department_agents
from supportdesk.repositories.base import Repository, not_deleted


@dataclass(frozen=True, slots=True)
class AgentFilters:
    department_id: int | None = None
    is_active: bool | None = None


class AgentRepository(Repository):
    def listing(self, filters: AgentFilters) -> Select[Any]:
        """Agents by name, narrowed by department membership and activity."""
        query = select(User).where(User.role == Role.AGENT, not_deleted(User))
        if filters.is_active is not None:
            query = query.where(User.is_active == filters.is_active)
        if filters.department_id is not None:
            query = query.where(
                exists().where(
                    department_agents.c.user_id == User.id,
                    department_agents.c.department_id == filters.department_id,
                )
            )
        return query.order_by(User.name, User.id)

    async def get(self, agent_id: int) -> User | None:
        return await self.session.scalar(
            select(User).where(User.id == agent_id, User.role == Role.AGENT, not_deleted(User))
        )

    async def departments_of(self, agent_ids: Collection[int]) -> dict[int, list[Department]]:
        """Each agent's departments in display order, for any number of agents in one statement."""
        found: dict[int, list[Department]] = {agent_id: [] for agent_id in agent_ids}
        if not agent_ids:
            return found
        rows = await self.session.execute(
            select(department_agents.c.user_id, Department)
            .join(Department, Department.id == department_agents.c.department_id)
            .where(department_agents.c.user_id.in_(agent_ids))
            .order_by(Department.sort_order, Department.name, Department.id)
        )
        for user_id, department in rows:
            found[user_id].append(department)
        return found

    async def existing_departments(self, department_ids: Collection[int]) -> Sequence[int]:
        if not department_ids:
            return []
        return (
            await self.session.scalars(
                select(Department.id).where(Department.id.in_(department_ids))
            )
        ).all()
