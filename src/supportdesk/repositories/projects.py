from __future__ import annotations

from sqlalchemy import exists, select

from supportdesk.models import Project, ProjectAgent
from supportdesk.repositories.base import Repository


class ProjectRepository(Repository):
    async def get(self, project_id: int) -> Project | None:
        return await self.session.get(Project, project_id)

    async def has_agent(self, project_id: int, user_id: int) -> bool:
        found = await self.session.scalar(
            select(
                exists().where(
                    ProjectAgent.project_id == project_id, ProjectAgent.user_id == user_id
                )
            )
        )
        return bool(found)
