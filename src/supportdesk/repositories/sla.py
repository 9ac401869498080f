from __future__ import annotations

from sqlalchemy import select

from supportdesk.core.enums import Priority
from supportdesk.models import SlaPolicy
from supportdesk.repositories.base import Repository


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
