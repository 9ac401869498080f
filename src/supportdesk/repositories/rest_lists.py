"""Keyset-paginated lists of the REST API: messages, customers, staff, tags, articles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import joinedload

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal
from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.enums import MessageType, Role
from supportdesk.models import KnowledgeArticle, Message, Tag, Ticket, User
from supportdesk.repositories.base import Repository, contains_text, not_deleted
from supportdesk.repositories.keyset import keyset_page, ordering_for, timestamp_orderings
from supportdesk.repositories.knowledge_search import article_matches, search_words
from supportdesk.repositories.users import normalize_email
from supportdesk.repositories.visibility import visibility

# ---------------------------------------------------------------- messages


@dataclass(frozen=True, slots=True)
class MessageFilters:
    ticket_id: int | None = None
    type: MessageType | None = None
    internal: bool | None = None


class ConversationRepository(Repository):
    """Messages of the tickets a principal can see; internal notes for staff only."""

    def _readable(self, principal: Principal) -> Select[Message]:
        statement = (
            select(Message)
            .join(Ticket, Ticket.id == Message.ticket_id)
            .where(not_deleted(Ticket), visibility(principal))
        )
        if not policy.is_staff(principal):
            statement = statement.where(Message.type != MessageType.NOTE)
        return statement

    async def list_page(
        self, principal: Principal, filters: MessageFilters, request: CursorRequest
    ) -> CursorPage[Message]:
        statement = self._readable(principal)
        if filters.ticket_id is not None:
            statement = statement.where(Message.ticket_id == filters.ticket_id)
        if filters.type is not None:
            statement = statement.where(Message.type == filters.type)
        if filters.internal is True:
            statement = statement.where(Message.type == MessageType.NOTE)
        elif filters.internal is False:
            statement = statement.where(Message.type != MessageType.NOTE)
        ordering = ordering_for(
            timestamp_orderings(Message.created_at, Message.updated_at), request.order_by
        )
        return await keyset_page(
            self.session, statement, ordering=ordering, row_id=Message.id, request=request
        )

    async def get(self, principal: Principal, message_id: int) -> Message | None:
        return await self.session.scalar(self._readable(principal).where(Message.id == message_id))


# ---------------------------------------------------------------- people


@dataclass(frozen=True, slots=True)
class CustomerFilters:
    email: str | None = None
    search: str | None = None  # part of the name or the e-mail address
    phone: str | None = None


def ticket_count() -> ColumnElement[int]:
    """How many (not deleted) tickets a customer has, for each row of a user query."""
    return (
        select(func.count(Ticket.id))
        .where(Ticket.customer_id == User.id, not_deleted(Ticket))
        .correlate(User)
        .scalar_subquery()
    )


_STAFF_ROLES = [role for role in Role if role.is_staff]


class PeopleRepository(Repository):
    """Customers and staff: views of the users table by role."""

    @staticmethod
    def _customers() -> Select[User, int]:
        return select(User, ticket_count().label("ticket_count")).where(
            User.role == Role.CUSTOMER, not_deleted(User)
        )

    async def customers_page(
        self, filters: CustomerFilters, request: CursorRequest
    ) -> CursorPage[tuple[User, int]]:
        statement = self._customers()
        if filters.email:
            statement = statement.where(User.email == normalize_email(filters.email))
        if filters.phone:
            statement = statement.where(User.phone == filters.phone.strip())
        if filters.search:
            statement = statement.where(contains_text(filters.search, User.name, User.email))
        ordering = ordering_for(
            timestamp_orderings(User.created_at, User.updated_at), request.order_by
        )
        return await keyset_page(
            self.session, statement, ordering=ordering, row_id=User.id, request=request
        )

    async def customer(self, customer_id: int) -> tuple[User, int] | None:
        row = (
            await self.session.execute(self._customers().where(User.id == customer_id))
        ).one_or_none()
        return (row[0], int(row[1])) if row is not None else None

    @staticmethod
    def _staff() -> Select[User]:
        return select(User).where(User.role.in_(_STAFF_ROLES), not_deleted(User))

    async def staff_page(self, role: Role | None, request: CursorRequest) -> CursorPage[User]:
        statement = self._staff()
        if role is not None:
            statement = statement.where(User.role == role)
        ordering = ordering_for(
            timestamp_orderings(User.created_at, User.updated_at), request.order_by
        )
        return await keyset_page(
            self.session, statement, ordering=ordering, row_id=User.id, request=request
        )

    async def staff_member(self, user_id: int) -> User | None:
        user: User | None = await self.session.scalar(self._staff().where(User.id == user_id))
        return user


# ---------------------------------------------------------------- tags


class TagListRepository(Repository):
    async def page(self, request: CursorRequest) -> CursorPage[Tag]:
        ordering = ordering_for(
            timestamp_orderings(Tag.created_at, Tag.updated_at), request.order_by
        )
        return await keyset_page(
            self.session, select(Tag), ordering=ordering, row_id=Tag.id, request=request
        )


# ---------------------------------------------------------------- articles


@dataclass(frozen=True, slots=True)
class ArticleFilters:
    category_id: int | None = None
    status: str | None = None
    search: str | None = None  # words of the title, excerpt or content


class ArticleListRepository(Repository):
    async def page(
        self, filters: ArticleFilters, request: CursorRequest
    ) -> CursorPage[KnowledgeArticle]:
        statement = select(KnowledgeArticle)
        if filters.category_id is not None:
            statement = statement.where(KnowledgeArticle.category_id == filters.category_id)
        if filters.status is not None:
            statement = statement.where(KnowledgeArticle.status == filters.status)
        if filters.search is not None:
            words = search_words(filters.search)
            if not words:
                return CursorPage(items=[], total=0, limit=request.limit, next_cursor=None)
            statement = statement.where(article_matches(words, postgresql=self.is_postgresql))
        ordering = ordering_for(
            timestamp_orderings(KnowledgeArticle.created_at, KnowledgeArticle.updated_at),
            request.order_by,
        )
        return await keyset_page(
            self.session,
            statement,
            ordering=ordering,
            row_id=KnowledgeArticle.id,
            request=request,
            options=(joinedload(KnowledgeArticle.category),),
        )
