from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, select

from supportdesk.core.enums import Role
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Project, ProjectAgent, RevokedToken, User
from supportdesk.repositories.base import Repository, contains_text, not_deleted
from supportdesk.repositories.dialect import insert_for
from supportdesk.repositories.paging import fetch_page


def normalize_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True, slots=True)
class UserFilters:
    role: Role | None = None
    search: str | None = None  # part of the name or the e-mail address
    is_active: bool | None = None


class UserRepository(Repository):
    async def get(self, user_id: int) -> User | None:
        return await self.session.scalar(select(User).where(User.id == user_id, not_deleted(User)))

    async def get_by_email(self, email: str) -> User | None:
        return await self.session.scalar(
            select(User).where(User.email == normalize_email(email), not_deleted(User))
        )

    async def email_taken(self, email: str, *, except_user_id: int | None = None) -> bool:
        # Soft-deleted users keep their address: the unique index still holds it.
        taken = exists().where(User.email == normalize_email(email))
        if except_user_id is not None:
            taken = taken.where(User.id != except_user_id)
        return bool(await self.session.scalar(select(taken)))

    async def list_page(self, filters: UserFilters, page: PageRequest) -> Page[User]:
        """A page of (not deleted) users by name; the total counted alongside."""
        statement = (
            select(User)
            .where(not_deleted(User), *self._where(filters))
            .order_by(User.name, User.id)
        )
        return await fetch_page(self.session, statement, page)

    @staticmethod
    def _where(filters: UserFilters) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if filters.role is not None:
            where.append(User.role == filters.role)
        if filters.is_active is not None:
            where.append(User.is_active == filters.is_active)
        if filters.search:
            where.append(contains_text(filters.search, User.name, User.email))
        return where

    async def get_with_token_state(self, user_id: int, jti: str) -> tuple[User, bool] | None:
        """The user behind a token and whether that token was revoked, in one statement."""
        revoked = exists().where(RevokedToken.jti == jti)
        row = (
            await self.session.execute(
                select(User, revoked.label("revoked")).where(User.id == user_id, not_deleted(User))
            )
        ).one_or_none()
        return (row[0], bool(row[1])) if row is not None else None

    async def first_super_admin(self) -> User | None:
        """The active super_admin made first: who a key made without a user acts as."""
        return await self.session.scalar(
            select(User)
            .where(User.role == Role.SUPER_ADMIN, User.is_active.is_(True), not_deleted(User))
            .order_by(User.id)
            .limit(1)
        )

    async def any_exists(self) -> bool:
        return bool(await self.session.scalar(select(exists().where(User.id.is_not(None)))))

    def add(self, user: User) -> None:
        self.session.add(user)

    async def projects_of(self, user_id: int) -> Sequence[tuple[Project, bool]]:
        rows = await self.session.execute(
            select(Project, ProjectAgent.is_lead)
            .join(ProjectAgent, ProjectAgent.project_id == Project.id)
            .where(ProjectAgent.user_id == user_id)
            .order_by(Project.name)
        )
        return [(project, is_lead) for project, is_lead in rows]


class RevokedTokenRepository(Repository):
    async def revoke(self, jti: str, until: object) -> None:
        await self.session.execute(
            insert_for(self.session, RevokedToken)
            .values(jti=jti, expires_at=until)
            .on_conflict_do_nothing()
        )
