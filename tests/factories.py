"""Factories: build data through SupportDesk's own services, each in its own transaction."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from passlib.context import CryptContext

from supportdesk.auth.principal import Principal
from supportdesk.auth.tokens import issue_token
from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, CustomFieldType, Priority, Role
from supportdesk.models import (
    Category,
    CustomField,
    Department,
    KnowledgeArticle,
    KnowledgeCategory,
    Product,
    Project,
    ProjectAgent,
    Tag,
    Ticket,
    User,
    department_agents,
)
from supportdesk.services.api_keys import ApiKeyService, IssuedKey
from supportdesk.services.attachments import AttachmentStorage
from supportdesk.services.tickets import NewTicket, TicketIntake

PASSWORD = "correct-horse-battery"
# Hashed once per run: argon2 is deliberately slow, factories need not pay it each time.
PASSWORD_HASH = CryptContext(schemes=["argon2"]).hash(PASSWORD)

_sequence = itertools.count(1)


class Factory:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    def token(self, user: User, *, ttl: timedelta | None = None) -> str:
        issued = issue_token(
            user.id,
            user.role,
            secret=self.settings.jwt_secret(),
            ttl=ttl or timedelta(minutes=self.settings.jwt_ttl),
        )
        return issued.token

    def auth(self, user: User) -> dict[str, str]:
        """Headers authenticating as ``user`` in the portal."""
        return {"Authorization": f"Bearer {self.token(user)}"}

    async def user(
        self,
        role: Role | str = Role.CUSTOMER,
        *,
        projects: Sequence[int] = (),
        lead: bool = False,
        **fields: Any,
    ) -> User:
        n = next(_sequence)
        role = Role(role)
        values: dict[str, Any] = {
            "name": f"{role.value.title()} {n}",
            "email": f"{role.value}{n}@example.test",
            "password_hash": PASSWORD_HASH,
            "role": role,
            **fields,
        }
        async with self.database.transaction() as session:
            user = User(**values)
            session.add(user)
            await session.flush()
            for project_id in projects:
                session.add(ProjectAgent(project_id=project_id, user_id=user.id, is_lead=lead))
        return user

    async def project(self, name: str | None = None, **fields: Any) -> Project:
        n = next(_sequence)
        name = name or f"Project {n}"
        async with self.database.transaction() as session:
            project = Project(
                name=name,
                slug=fields.pop("slug", f"project-{n}"),
                ticket_prefix=fields.pop("ticket_prefix", f"P{n}"),
                **fields,
            )
            session.add(project)
        return project

    async def category(self, name: str = "Technical Issue", **fields: Any) -> Category:
        async with self.database.transaction() as session:
            category = Category(name=name, **fields)
            session.add(category)
        return category

    async def tag(self, name: str | None = None, **fields: Any) -> Tag:
        async with self.database.transaction() as session:
            tag = Tag(name=name or f"tag-{next(_sequence)}", **fields)
            session.add(tag)
        return tag

    async def department(
        self, name: str | None = None, *, agents: Sequence[User] = (), **fields: Any
    ) -> Department:
        async with self.database.transaction() as session:
            department = Department(name=name or f"Department {next(_sequence)}", **fields)
            session.add(department)
            await session.flush()
            if agents:
                await session.execute(
                    department_agents.insert(),
                    [{"department_id": department.id, "user_id": agent.id} for agent in agents],
                )
        return department

    async def product(self, name: str | None = None, **fields: Any) -> Product:
        async with self.database.transaction() as session:
            product = Product(name=name or f"Product {next(_sequence)}", **fields)
            session.add(product)
        return product

    async def knowledge_category(self, name: str | None = None, **fields: Any) -> KnowledgeCategory:
        async with self.database.transaction() as session:
            category = KnowledgeCategory(name=name or f"Section {next(_sequence)}", **fields)
            session.add(category)
        return category

    async def article(
        self, title: str | None = None, *, status: str = "published", **fields: Any
    ) -> KnowledgeArticle:
        n = next(_sequence)
        async with self.database.transaction() as session:
            article = KnowledgeArticle(
                title=title or f"Article {n}",
                slug=fields.pop("slug", f"article-{n}"),
                status=status,
                **fields,
            )
            session.add(article)
        return article

    async def custom_field(
        self,
        label: str | None = None,
        field_type: CustomFieldType | str = CustomFieldType.TEXT,
        **fields: Any,
    ) -> CustomField:
        async with self.database.transaction() as session:
            field = CustomField(
                label=label or f"Field {next(_sequence)}",
                type=CustomFieldType(field_type),
                **fields,
            )
            session.add(field)
        return field

    async def ticket(
        self,
        by: User,
        *,
        project_id: int = 1,
        subject: str = "Cannot upload photos",
        description: str = "The upload button does nothing.",
        priority: Priority | None = None,
        **fields: Any,
    ) -> Ticket:
        """A ticket created as ``by`` would create it, through the ticket service."""
        async with self.database.transaction() as session:
            service = TicketIntake(
                session, AttachmentStorage(self.settings.attachments_dir, 1024 * 1024)
            )
            principal = Principal.for_user(by)
            new = NewTicket(
                project_id=project_id,
                subject=subject,
                description=description,
                priority=priority,
                **fields,
            )
            ticket = await service.create(principal, new)
        return ticket

    async def api_key(
        self,
        key_type: ApiKeyType | str = ApiKeyType.INTERNAL,
        *,
        name: str = "Test key",
        scopes: Sequence[str] | None = None,
        agent_id: int | None = None,
        project_id: int | None = None,
        allowed_ips: Sequence[str] = (),
        expires_at: datetime | None = None,
        user_id: int | None = None,
    ) -> IssuedKey:
        async with self.database.transaction() as session:
            return await ApiKeyService(session).issue(
                name,
                ApiKeyType(key_type),
                scopes=scopes,
                agent_id=agent_id,
                project_id=project_id,
                allowed_ips=allowed_ips,
                expires_at=expires_at,
                user_id=user_id,
            )
