from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, exists, func, or_, select

from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Project, ProjectAgent, SlaPolicy, Ticket, User
from supportdesk.repositories.base import Repository, contains_text, escape_like, not_deleted
from supportdesk.repositories.paging import fetch_page


@dataclass(frozen=True, slots=True)
class ProjectFilters:
    search: str | None = None  # part of the name or the slug
    is_active: bool | None = None


@dataclass(frozen=True, slots=True)
class ProjectRow:
    """A project with the counts its lists show, computed by the database."""

    project: Project
    tickets_count: int
    agents_count: int


def _tickets_count() -> ColumnElement[int]:
    return (
        select(func.count(Ticket.id))
        .where(Ticket.project_id == Project.id, not_deleted(Ticket))
        .correlate(Project)
        .scalar_subquery()
    )


def _agents_count() -> ColumnElement[int]:
    # Soft-deleted users keep their membership rows (a delete can be undone) but no longer
    # work in the project.
    return (
        select(func.count())
        .select_from(ProjectAgent)
        .join(User, User.id == ProjectAgent.user_id)
        .where(ProjectAgent.project_id == Project.id, not_deleted(User))
        .correlate(Project)
        .scalar_subquery()
    )


def _project_row(project: Project, tickets: int, agents: int) -> ProjectRow:
    return ProjectRow(project, int(tickets), int(agents))


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

    async def list_page(self, filters: ProjectFilters, page: PageRequest) -> Page[ProjectRow]:
        """A page of projects with their counts: one statement whatever the page size.

        The total rides along as a window function; only a page past the end needs a
        second statement to count what it did not return.
        """
        statement = (
            select(Project, _tickets_count(), _agents_count())
            .where(*self._where(filters))
            .order_by(Project.name, Project.id)
        )
        return await fetch_page(self.session, statement, page, into=_project_row)

    @staticmethod
    def _where(filters: ProjectFilters) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if filters.is_active is not None:
            where.append(Project.is_active == filters.is_active)
        if filters.search:
            where.append(contains_text(filters.search, Project.name, Project.slug))
        return where

    async def get_with_counts(self, project_id: int) -> ProjectRow | None:
        row = (
            await self.session.execute(
                select(Project, _tickets_count(), _agents_count()).where(Project.id == project_id)
            )
        ).one_or_none()
        return None if row is None else _project_row(*row)

    async def agents_of(self, project_id: int) -> Sequence[tuple[User, bool]]:
        """The project's (not deleted) members and whether each leads it, by name."""
        rows = await self.session.execute(
            select(User, ProjectAgent.is_lead)
            .join(ProjectAgent, ProjectAgent.user_id == User.id)
            .where(ProjectAgent.project_id == project_id, not_deleted(User))
            .order_by(User.name, User.id)
        )
        return [(user, bool(is_lead)) for user, is_lead in rows]

    async def sla_policies_of(self, project_id: int) -> Sequence[SlaPolicy]:
        rows = await self.session.scalars(
            select(SlaPolicy)
            .where(SlaPolicy.project_id == project_id)
            .order_by(SlaPolicy.first_response_minutes, SlaPolicy.id)
        )
        return rows.all()

    async def membership(self, project_id: int, user_id: int) -> ProjectAgent | None:
        return await self.session.get(ProjectAgent, (project_id, user_id))

    def add_membership(self, membership: ProjectAgent) -> None:
        self.session.add(membership)

    async def remove_membership(self, project_id: int, user_id: int) -> bool:
        """Remove a membership; False if there was none."""
        result = await self.session.execute(
            delete(ProjectAgent)
            .where(ProjectAgent.project_id == project_id, ProjectAgent.user_id == user_id)
            .returning(ProjectAgent.user_id)
        )
        return result.first() is not None

    async def slugs_like(self, base: str) -> set[str]:
        """``base`` and its numbered variants (``base-2``, …) that are already taken."""
        rows = await self.session.scalars(
            select(Project.slug).where(
                or_(
                    Project.slug == base,
                    Project.slug.like(f"{escape_like(base)}-%", escape="\\"),
                )
            )
        )
        return set(rows)

    async def prefixes_starting_with(self, letter: str) -> set[str]:
        rows = await self.session.scalars(
            select(Project.ticket_prefix).where(Project.ticket_prefix.like(f"{letter}%"))
        )
        return set(rows)

    def add(self, project: Project) -> None:
        self.session.add(project)
