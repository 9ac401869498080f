"""Agents with external keys, and tickets assigned to them, for the agent API's tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient, Response

from supportdesk.auth.principal import Principal
from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, MessageType, Role, TicketStatus
from supportdesk.models import Message, Notification, Ticket, User
from supportdesk.services.attachments import AttachmentStorage
from supportdesk.services.tickets import TicketConversation, TicketTriage
from tests.factories import Factory

URL = "/api/v1/external"


@dataclass(frozen=True)
class Agent:
    """An agent and the external key their desktop app holds."""

    user: User
    raw_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-KEY": self.raw_key, "Accept": "application/json"}


class Desk:
    """Builds what the agent API reads: agents, their tickets, replies, notifications."""

    def __init__(self, make: Factory, database: Database) -> None:
        self.make = make
        self.database = database
        self._admin: User | None = None
        self._customer: User | None = None

    async def agent(self, name: str | None = None, **fields: Any) -> Agent:
        extra = {"name": name} if name else {}
        user = await self.make.user(Role.AGENT, projects=[1], **extra, **fields)
        issued = await self.make.api_key(ApiKeyType.EXTERNAL, agent_id=user.id)
        return Agent(user, issued.raw_key)

    async def admin(self) -> User:
        if self._admin is None:
            self._admin = await self.make.user(Role.ADMIN)
        return self._admin

    async def customer(self) -> User:
        if self._customer is None:
            self._customer = await self.make.user(Role.CUSTOMER, name="John Doe")
        return self._customer

    async def _triage(self, action: Any) -> Any:
        async with self.database.transaction() as session:
            return await action(TicketTriage(session))

    async def ticket(
        self,
        agent: Agent | None,
        *,
        status: TicketStatus | None = None,
        by: User | None = None,
        **fields: Any,
    ) -> Ticket:
        """A customer's ticket, assigned by an admin to ``agent`` (None: left unassigned)."""
        ticket = await self.make.ticket(by or await self.customer(), **fields)
        admin = Principal.for_user(await self.admin())
        if agent is not None:
            await self._triage(lambda s: s.assign(admin, ticket.id, agent.user.id))
        if status is not None:
            await self._triage(lambda s: s.change_status(admin, ticket.id, status))
        return ticket

    async def assign(self, ticket: Ticket, agent: Agent) -> None:
        admin = Principal.for_user(await self.admin())
        await self._triage(lambda s: s.assign(admin, ticket.id, agent.user.id))

    async def set_status(self, ticket: Ticket, status: TicketStatus) -> None:
        admin = Principal.for_user(await self.admin())
        await self._triage(lambda s: s.change_status(admin, ticket.id, status))

    async def delete(self, ticket: Ticket) -> None:
        admin = Principal.for_user(await self.admin())
        await self._triage(lambda s: s.delete(admin, ticket.id))

    async def reply(
        self, ticket: Ticket, by: User, body: str = "Any news?", *, note: bool = False
    ) -> Message:
        """A reply (or note) by ``by``, through the ticket rules."""
        kind = MessageType.NOTE if note else MessageType.REPLY
        async with self.database.transaction() as session:
            service = TicketConversation(
                session, AttachmentStorage(self.make.settings.attachments_dir, 1024 * 1024)
            )
            # The author as this session knows it: the ticket's relations load users too.
            author = await session.get(User, by.id)
            assert author is not None
            return await service.add_message(Principal.for_user(author), ticket.id, body, kind)

    async def notification(self, user: User, **fields: Any) -> Notification:
        values: dict[str, Any] = {
            "type": "ticket_reply",
            "title": "New reply on #1001",
            "message": "Customer replied to your ticket",
            **fields,
        }
        async with self.database.transaction() as session:
            notification = Notification(user_id=user.id, **values)
            session.add(notification)
        return notification


@pytest.fixture
def desk(make: Factory, database: Database) -> Desk:
    return Desk(make, database)


@pytest.fixture
async def agent(desk: Desk) -> Agent:
    return await desk.agent("Agent Smith")


def data_of(response: Response, status: int = 200) -> Any:
    """The ``data`` of a successful envelope, after checking its status."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] is True
    return body["data"]


async def get(client: AsyncClient, agent: Agent, path: str, **params: Any) -> Response:
    return await client.get(f"{URL}{path}", headers=agent.headers, params=params)
