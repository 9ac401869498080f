from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, exists, select

from supportdesk.core.enums import Priority
from supportdesk.models import SlaPolicy
from supportdesk.repositories.base import Repository

# Most urgent first, as people read a policy table.
_PRIORITY_RANK = case(
    {
        Priority.CRITICAL.value: 0,
        Priority.HIGH.value: 1,
        Priority.MEDIUM.value: 2,
        Priority.LOW.value: 3,
    },
    value=SlaPolicy.priority,
)


class SlaPolicyRepository(Repository):
    async def effective(self, project_id: int, priority: Priority) -> SlaPolicy | None:
        """The project's policy for a priority, else the global one: one statement."""
        return await self.session.scalar(
            select(SlaPolicy)
            .where(
                SlaPolicy.priority == priority,
                (SlaPolicy.project_id == project_id) | SlaPolicy.project_id.is_(None),
            )
            .order_by(SlaPolicy.project_id.is_(None))
            .limit(1)
        )

    async def get(self, policy_id: int) -> SlaPolicy | None:
        return await self.session.get(SlaPolicy, policy_id)

    async def policies(self, project_id: int | None = None) -> Sequence[SlaPolicy]:
        """Global policies first, then each project's; with ``project_id``, that project's
        policies and the global ones only."""
        query = select(SlaPolicy)
        if project_id is not None:
            query = query.where(
                (SlaPolicy.project_id == project_id) | SlaPolicy.project_id.is_(None)
            )
        query = query.order_by(
            SlaPolicy.project_id.is_not(None), SlaPolicy.project_id, _PRIORITY_RANK, SlaPolicy.id
        )
        return (await self.session.scalars(query)).all()

    async def exists_for(
        self, project_id: int | None, priority: Priority, *, excluding: int | None = None
    ) -> bool:
        """True if (project, priority) already has a policy, other than ``excluding``."""
        same_project = (
            SlaPolicy.project_id.is_(None)
            if project_id is None
            else SlaPolicy.project_id == project_id
        )
        condition = exists().where(same_project, SlaPolicy.priority == priority)
        if excluding is not None:
            condition = condition.where(SlaPolicy.id != excluding)
        return bool(await self.session.scalar(select(condition)))

    def add(self, policy: SlaPolicy) -> None:
        self.session.add(policy)

    async def delete(self, policy: SlaPolicy) -> None:
        # Tickets keep their due dates; their link to the policy is cleared (SET NULL).
        await self.session.delete(policy)
        await self.session.flush()
