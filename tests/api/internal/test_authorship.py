"""What an internal key writes has an author: the user the key acts as."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, Role
from supportdesk.models import ApiKey
from tests.api.internal.conftest import Admin
from tests.factories import Factory


async def _keyed(client: AsyncClient, make: Factory, user_id: int | None, name: str) -> Admin:
    issued = await make.api_key(ApiKeyType.INTERNAL, scopes=["*"], name=name, user_id=user_id)
    return Admin(client, {"X-API-KEY": issued.raw_key})


async def _ticket(api: Admin, make: Factory) -> dict[str, Any]:
    customer = await make.user(Role.CUSTOMER)
    body = {"customer_id": customer.id, "title": "Cannot log in", "content": "Help"}
    created: dict[str, Any] = await api.created("/tickets", body)
    return created


async def test_a_reply_made_with_a_key_is_sent_by_the_keys_user(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN, name="Grace Admin")
    api = await _keyed(client, make, admin.id, "Helpdesk bot")
    ticket = await _ticket(api, make)

    await api.created(f"/tickets/{ticket['id']}/messages", {"content": "On it."})

    messages = await api.data(f"/tickets/{ticket['id']}/messages")
    reply = next(m for m in messages if m["content"] == "On it.")
    assert reply["sender"] == {"id": admin.id, "name": "Grace Admin"}
    assert reply["sender_type"] == "staff"


async def test_a_second_request_with_the_cached_key_still_has_the_author(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN, name="Grace Admin")
    api = await _keyed(client, make, admin.id, "Helpdesk bot")
    ticket = await _ticket(api, make)
    await api.created(f"/tickets/{ticket['id']}/messages", {"content": "One"})

    await api.created(f"/tickets/{ticket['id']}/messages", {"content": "Two"})

    messages = await api.data(f"/tickets/{ticket['id']}/messages")
    assert {m["content"]: m["sender"] for m in messages if m["content"] in ("One", "Two")} == {
        "One": {"id": admin.id, "name": "Grace Admin"},
        "Two": {"id": admin.id, "name": "Grace Admin"},
    }


async def test_the_activity_log_names_the_keys_user_and_the_key(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN, name="Grace Admin")
    api = await _keyed(client, make, admin.id, "Helpdesk bot")
    ticket = await _ticket(api, make)

    await api.put(f"/tickets/{ticket['id']}", {"status": "closed"})

    latest = (await api.data("/activity-logs"))[0]
    assert latest["user"] == {"id": admin.id, "name": "Grace Admin"}
    assert latest["description"].endswith('(via API key "Helpdesk bot")')


async def test_a_key_without_a_user_still_writes_without_an_author(
    client: AsyncClient, make: Factory
) -> None:
    api = await _keyed(client, make, None, "Legacy key")
    ticket = await _ticket(api, make)

    created = await api.post(f"/tickets/{ticket['id']}/messages", {"content": "On it."})

    assert created.status_code == 201
    messages = await api.data(f"/tickets/{ticket['id']}/messages")
    assert next(m for m in messages if m["content"] == "On it.")["sender"] is None


async def test_a_key_made_with_a_key_acts_as_that_keys_user(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user(Role.ADMIN)
    api = await _keyed(client, make, admin.id, "Provisioner")

    created = await api.created("/api-keys", {"name": "Child", "type": "internal"})

    async with database.transaction() as session:
        child = await session.scalar(select(ApiKey).where(ApiKey.id == created["id"]))
        assert child is not None
        assert child.user_id == admin.id
