"""Helpers of the worker tests: users acting through the portal, rows the worker wrote."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.models import Activity, Notification, OutboxEvent, User
from tests.factories import Factory


class Desk:
    """People using the portal, as the help desk's users would."""

    def __init__(self, client: AsyncClient, make: Factory) -> None:
        self.client = client
        self.make = make

    async def open(self, user: User, **fields: Any) -> dict[str, Any]:
        body = {"project_id": 1, "subject": "Cannot log in", "description": "Locked out."}
        response = await self.client.post(
            "/api/tickets", json={**body, **fields}, headers=self.make.auth(user)
        )
        assert response.status_code == 201, response.text
        ticket: dict[str, Any] = response.json()["ticket"]
        return ticket

    async def reply(self, user: User, ticket_id: int, body: str, kind: str = "reply") -> None:
        response = await self.client.post(
            f"/api/tickets/{ticket_id}/messages",
            json={"body": body, "type": kind},
            headers=self.make.auth(user),
        )
        assert response.status_code == 201, response.text

    async def set_status(self, user: User, ticket_id: int, status: str) -> None:
        response = await self.client.patch(
            f"/api/tickets/{ticket_id}/status",
            json={"status": status},
            headers=self.make.auth(user),
        )
        assert response.status_code == 200, response.text

    async def assign(self, user: User, ticket_id: int, assignee: User) -> None:
        response = await self.client.patch(
            f"/api/tickets/{ticket_id}/assign",
            json={"user_id": assignee.id},
            headers=self.make.auth(user),
        )
        assert response.status_code == 200, response.text

    async def watch(self, user: User, ticket_id: int) -> None:
        response = await self.client.post(
            f"/api/tickets/{ticket_id}/watch", headers=self.make.auth(user)
        )
        assert response.status_code == 200 and response.json()["watching"] is True

    async def update(self, user: User, ticket_id: int, **fields: Any) -> None:
        response = await self.client.put(
            f"/api/tickets/{ticket_id}", json=fields, headers=self.make.auth(user)
        )
        assert response.status_code == 200, response.text

    async def ticket(self, user: User, ticket_id: int) -> dict[str, Any]:
        response = await self.client.get(f"/api/tickets/{ticket_id}", headers=self.make.auth(user))
        assert response.status_code == 200, response.text
        ticket: dict[str, Any] = response.json()["ticket"]
        return ticket


async def notifications(database: Database, **where: Any) -> list[Notification]:
    async with database.transaction(read_only=True) as session:
        query = select(Notification).order_by(Notification.user_id, Notification.id)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        return list((await session.scalars(query)).all())


async def activities(database: Database, ticket_id: int, action: str) -> list[Activity]:
    async with database.transaction(read_only=True) as session:
        query = select(Activity).where(Activity.ticket_id == ticket_id, Activity.action == action)
        return list((await session.scalars(query.order_by(Activity.id))).all())


async def events(database: Database, event_type: str | None = None) -> list[OutboxEvent]:
    async with database.transaction(read_only=True) as session:
        query = select(OutboxEvent).order_by(OutboxEvent.id)
        if event_type is not None:
            query = query.where(OutboxEvent.event_type == event_type)
        return list((await session.scalars(query)).all())


async def eventually(condition: Callable[[], Awaitable[bool]], within: float = 20.0) -> None:
    """Wait until ``condition()`` holds: for work another task does in its own time."""
    async with asyncio.timeout(within):
        while True:
            if await condition():
                return
            await asyncio.sleep(0.02)
