"""Idempotency-Key: a create repeated with the same key gets the first answer, once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Request, Response
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from starlette.types import Message as AsgiMessage
from starlette.types import Receive, Scope, Send

from supportdesk.core.db import Database
from supportdesk.models import IdempotencyRecord, Message, Tag, Ticket, User
from supportdesk.services import idempotency
from supportdesk.services.tickets import TicketIntake
from tests.factories import Factory
from tests.support import FrozenClock

KEY = "9c1f6d1e-8f0b-4d8e-a0c4-5f3b7f1f2a10"
CONCURRENT_REPEATS = 20


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "project_id": 1,
        "subject": "Cannot upload photos",
        "description": "The upload button does nothing on Chrome.",
        **overrides,
    }


async def _count(database: Database, model: type) -> int:
    async with database.transaction(read_only=True) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _create(
    client: AsyncClient, headers: dict[str, str], key: str = KEY, **overrides: Any
) -> Response:
    return await client.post(
        "/api/tickets", json=_body(**overrides), headers={**headers, "Idempotency-Key": key}
    )


# ================================================================ repeats and replays


async def test_a_repeated_create_gets_the_first_answer_and_creates_nothing(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")

    first = await _create(client, make.auth(customer))
    repeat = await _create(client, make.auth(customer))

    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    assert repeat.status_code == 201
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert repeat.content == first.content
    assert repeat.headers["content-type"] == first.headers["content-type"]
    assert await _count(database, Ticket) == 1


async def test_a_create_without_a_key_runs_every_time(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")

    for _ in range(2):
        response = await client.post("/api/tickets", json=_body(), headers=make.auth(customer))
        assert response.status_code == 201

    assert await _count(database, Ticket) == 2
    assert await _count(database, IdempotencyRecord) == 0


async def test_the_same_json_with_its_keys_in_another_order_is_the_same_request(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    headers = {**make.auth(customer), "Idempotency-Key": KEY, "Content-Type": "application/json"}

    await client.post(
        "/api/tickets",
        content=b'{"project_id": 1, "subject": "Printer", "description": "Jammed"}',
        headers=headers,
    )
    repeat = await client.post(
        "/api/tickets",
        content=b'{"description":"Jammed","subject":"Printer","project_id":1}',
        headers=headers,
    )

    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert await _count(database, Ticket) == 1


async def test_a_multipart_create_sent_again_with_a_new_boundary_is_the_same_request(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    headers = {**make.auth(customer), "Idempotency-Key": KEY}
    form = {"project_id": "1", "subject": "Screenshot", "description": "See the file."}

    def upload() -> dict[str, Any]:
        return {"attachments": ("screen.txt", b"what the screen shows", "text/plain")}

    first = await client.post("/api/tickets", data=form, files=upload(), headers=headers)
    repeat = await client.post("/api/tickets", data=form, files=upload(), headers=headers)

    assert first.status_code == 201, first.text
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert repeat.content == first.content
    assert await _count(database, Ticket) == 1


async def test_the_same_key_with_another_body_is_422_and_creates_nothing(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    await _create(client, make.auth(customer))

    response = await _create(client, make.auth(customer), subject="Another problem")

    assert response.status_code == 422
    assert response.json() == {
        "error": "This Idempotency-Key was used with a different request; use a new key "
        "for a new request."
    }
    assert "Idempotent-Replayed" not in response.headers
    assert await _count(database, Ticket) == 1


async def test_the_same_key_on_another_create_is_422(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    await _create(client, make.auth(admin))

    response = await client.post(
        "/api/tags", json={"name": "billing"}, headers={**make.auth(admin), "Idempotency-Key": KEY}
    )

    assert response.status_code == 422
    assert await _count(database, Tag) == 0


async def test_keys_are_not_shared_between_credentials(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    tunde = await make.user("customer")
    ada = await make.user("customer")

    first = await _create(client, make.auth(tunde))
    other = await _create(client, make.auth(ada))

    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other.headers
    assert other.json()["ticket"]["id"] != first.json()["ticket"]["id"]
    assert await _count(database, Ticket) == 2


async def test_a_users_keys_outlive_the_token_they_were_sent_with(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    await _create(client, {"Authorization": f"Bearer {make.token(customer)}"})

    # A new token for the same account, as a refresh or a new login gives.
    later = {"Authorization": f"Bearer {make.token(customer, ttl=timedelta(minutes=5))}"}
    repeat = await _create(client, later)

    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert await _count(database, Ticket) == 1


async def test_a_key_is_forgotten_after_24_hours(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    await _create(client, make.auth(customer))
    frozen_clock.advance(hours=24, seconds=1)

    response = await _create(client, make.auth(customer))

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert await _count(database, Ticket) == 2


# ================================================================ failures


async def test_a_failed_create_is_not_kept_so_its_repeat_runs_again(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")

    first = await _create(client, make.auth(customer), project_id=999)
    repeat = await _create(client, make.auth(customer), project_id=999)

    assert first.status_code == 422
    assert repeat.status_code == 422
    assert repeat.json() == first.json()
    assert "Idempotent-Replayed" not in repeat.headers
    assert await _count(database, IdempotencyRecord) == 0


async def test_a_key_whose_create_failed_can_be_used_for_the_corrected_request(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    await _create(client, make.auth(customer), project_id=999)

    corrected = await _create(client, make.auth(customer))

    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected.headers
    assert await _count(database, Ticket) == 1


async def test_a_create_whose_answer_cannot_be_kept_keeps_nothing(
    client: AsyncClient, make: Factory, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = await make.user("customer")

    async def store_fails(*_args: Any) -> None:
        raise OperationalError("UPDATE idempotency_records", {}, Exception("database is locked"))

    monkeypatch.setattr(idempotency.IdempotencyService, "store", store_fails)
    response = await _create(client, make.auth(customer))

    assert response.status_code == 503
    # The ticket and the key were one transaction: neither was kept.
    assert await _count(database, Ticket) == 0
    assert await _count(database, IdempotencyRecord) == 0


@pytest.mark.parametrize(
    ("key", "problem"),
    [("", "empty"), ("k" * 256, "too long"), ("caf\u00e9", "not ASCII"), ("a\tb", "a tab")],
)
async def test_a_key_that_is_not_1_to_255_printable_characters_is_422(
    client: AsyncClient, make: Factory, database: Database, key: str, problem: str
) -> None:
    customer = await make.user("customer")
    headers = [*make.auth(customer).items(), ("Idempotency-Key", key.encode("latin-1"))]

    response = await client.post("/api/tickets", json=_body(), headers=headers)

    assert response.status_code == 422, problem
    assert response.json()["details"] == {
        "Idempotency-Key": ["The Idempotency-Key must be 1 to 255 printable ASCII characters."]
    }
    assert await _count(database, Ticket) == 0


async def test_a_key_of_255_printable_characters_is_taken(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await _create(client, make.auth(customer), key="~ !" + "k" * 252)

    assert response.status_code == 201


# ================================================================ concurrency and crashes


async def test_concurrent_repeats_of_one_create_make_one_ticket(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")

    responses = await asyncio.gather(
        *(_create(client, make.auth(customer)) for _ in range(CONCURRENT_REPEATS))
    )

    assert [r.status_code for r in responses] == [201] * CONCURRENT_REPEATS, [
        r.text for r in responses if r.status_code != 201
    ]
    replayed = [r for r in responses if r.headers.get("Idempotent-Replayed") == "true"]
    assert len(replayed) == CONCURRENT_REPEATS - 1
    assert {r.content for r in responses} == {responses[0].content}
    assert await _count(database, Ticket) == 1


def _hold_creates(monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """Make ticket creates wait for ``release`` once ``started``: a first request that
    is still running (its key claimed, its transaction open)."""
    started, release = asyncio.Event(), asyncio.Event()
    create = TicketIntake.create

    async def held(self: TicketIntake, *args: Any, **kwargs: Any) -> Any:
        started.set()
        await release.wait()
        return await create(self, *args, **kwargs)

    monkeypatch.setattr(TicketIntake, "create", held)
    return started, release


async def test_a_repeat_arriving_while_the_first_runs_waits_and_gets_its_answer(
    client: AsyncClient, make: Factory, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = await make.user("customer")
    started, release = _hold_creates(monkeypatch)
    first = asyncio.create_task(_create(client, make.auth(customer)))
    await started.wait()

    repeat = asyncio.create_task(_create(client, make.auth(customer)))
    await asyncio.sleep(0.2)  # the repeat is now waiting for the first
    release.set()

    assert (await first).status_code == 201
    assert (await repeat).headers["Idempotent-Replayed"] == "true"
    assert (await repeat).content == (await first).content
    assert await _count(database, Ticket) == 1


@pytest.mark.redis  # PostgreSQL's row locks: runs in CI's PostgreSQL + Redis leg
async def test_a_repeat_the_first_keeps_waiting_too_long_is_409_with_retry_after(
    client: AsyncClient, make: Factory, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.is_sqlite:
        pytest.skip(
            "SQLite runs one write at a time: a repeat waits for the first like any write "
            "does, and past the busy timeout gets the general 503"
        )
    customer = await make.user("customer")
    monkeypatch.setattr(idempotency, "WAIT_FOR_FIRST", timedelta(milliseconds=200))
    started, release = _hold_creates(monkeypatch)
    first = asyncio.create_task(_create(client, make.auth(customer)))
    await started.wait()

    repeat = await _create(client, make.auth(customer))
    release.set()

    assert repeat.status_code == 409
    assert repeat.headers["Retry-After"] == "1"
    assert repeat.json() == {
        "error": "A request with this Idempotency-Key is still being processed; retry after "
        "Retry-After."
    }
    assert (await first).status_code == 201
    assert await _count(database, Ticket) == 1


@pytest.mark.redis  # PostgreSQL's row locks: runs in CI's PostgreSQL + Redis leg
async def test_a_keyed_create_kept_waiting_for_another_lock_is_409_with_retry_after(
    client: AsyncClient, make: Factory, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite has no row locks: a write waits for the database's one lock")
    customer = await make.user("customer")
    monkeypatch.setattr(idempotency, "WAIT_FOR_FIRST", timedelta(milliseconds=200))
    async with database.transaction() as session:
        # Someone holds the customer's row: the new ticket's reference to it must wait.
        await session.execute(select(User).where(User.id == customer.id).with_for_update())

        response = await _create(client, make.auth(customer))

    assert response.status_code == 409
    assert response.headers["Retry-After"] == "1"
    assert await _count(database, Ticket) == 0
    assert await _count(database, IdempotencyRecord) == 0


class AnswerLost:
    """The server seen from a client whose connection died once the request had
    committed: the request runs to the end, the answer never arrives."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def lost(_message: AsgiMessage) -> None:
            return None

        await self.app(scope, receive, lost)
        raise ConnectionResetError("the connection dropped before the answer was sent")


async def test_a_retry_after_the_answer_was_lost_gets_the_stored_answer(
    app: FastAPI, client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    transport = ASGITransport(app=AnswerLost(app))
    async with AsyncClient(transport=transport, base_url="http://testserver") as doomed:
        with pytest.raises(ConnectionResetError):
            await _create(doomed, make.auth(customer))

    retry = await _create(client, make.auth(customer))

    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["ticket"]["ticket_number"] == "SUPP-2026-00001"
    assert await _count(database, Ticket) == 1


# ================================================================ every surface


Create = Callable[[AsyncClient, Factory, dict[str, str]], Awaitable[Response]]


async def _portal(client: AsyncClient, make: Factory, key: dict[str, str]) -> Response:
    customer = await make.user("customer")
    return await client.post("/api/tickets", json=_body(), headers={**make.auth(customer), **key})


async def _project(client: AsyncClient, make: Factory, key: dict[str, str]) -> Response:
    project = await make.project("NaijaHomes", slug="naija", ticket_prefix="NAIJ")
    pair = await make.api_key("project", project_id=project.id)
    assert pair.raw_secret is not None
    headers = {"X-Api-Key": pair.raw_key, "X-Api-Secret": pair.raw_secret, **key}
    body = {
        "customer_name": "Tunde Adeyemi",
        "customer_email": "tunde@gmail.test",
        "subject": "Cannot upload property photos",
        "description": "Upload button does nothing on Chrome...",
    }
    return await client.post("/api/external/tickets", json=body, headers=headers)


async def _internal(client: AsyncClient, make: Factory, key: dict[str, str]) -> Response:
    issued = await make.api_key("internal", scopes=["*"])
    return await client.post(
        "/api/v1/internal/labels",
        json={"name": "Bug", "color": "#e74c3c"},
        headers={"X-API-KEY": issued.raw_key, **key},
    )


async def _agent(client: AsyncClient, make: Factory, key: dict[str, str]) -> Response:
    agent = await make.user("agent", projects=[1])
    issued = await make.api_key("external", agent_id=agent.id)
    admin = await make.user("admin")
    ticket = await make.ticket(by=await make.user("customer"))
    assigned = await client.patch(
        f"/api/tickets/{ticket.id}/assign", json={"user_id": agent.id}, headers=make.auth(admin)
    )
    assert assigned.status_code == 200, assigned.text
    return await client.post(
        f"/api/v1/external/tickets/{ticket.id}/messages",
        json={"content": "Looking into it."},
        headers={"X-API-KEY": issued.raw_key, **key},
    )


async def _rest(client: AsyncClient, make: Factory, key: dict[str, str]) -> Response:
    issued = await make.api_key("internal", scopes=["*"])
    return await client.post(
        "/api/v1/tickets",
        json={"subject": "Help needed", "description": "Details", "customer_email": "a@b.test"},
        headers={"Authorization": f"Bearer {issued.raw_key}", **key},
    )


async def _legacy(client: AsyncClient, make: Factory, key: dict[str, str]) -> Response:
    issued = await make.api_key("internal", scopes=["tickets:create"])
    form = {"subject": "Test Ticket", "message": "This is a test.", "user_email": "u@x.test"}
    return await client.post(
        "/api/tickets_create.php",
        data=form,
        headers={"Authorization": f"Bearer {issued.raw_key}", **key},
    )


SURFACES: dict[str, Create] = {
    "portal": _portal,
    "project": _project,
    "internal": _internal,
    "agent": _agent,
    "rest": _rest,
    "legacy": _legacy,
}


@pytest.mark.parametrize("surface", SURFACES)
async def test_every_surface_replays_a_repeated_create(
    client: AsyncClient, make: Factory, database: Database, surface: str
) -> None:
    first = await SURFACES[surface](client, make, {"Idempotency-Key": KEY})
    assert 200 <= first.status_code < 300, first.text
    record = await _only_record(database)

    repeat = await client.send(_again(first))

    assert repeat.status_code == first.status_code
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert repeat.content == first.content
    assert await _count(database, IdempotencyRecord) == 1
    assert (await _only_record(database)).id == record.id


@pytest.mark.parametrize("surface", SURFACES)
async def test_every_surface_refuses_a_reused_key_with_422_in_its_own_format(
    client: AsyncClient, make: Factory, surface: str
) -> None:
    first = await SURFACES[surface](client, make, {"Idempotency-Key": KEY})
    changed = _again(first, content=first.request.content.replace(b"e", b"E", 1))

    response = await client.send(changed)

    assert response.status_code == 422
    assert _error_text(surface, response.json()).startswith(
        "This Idempotency-Key was used with a different request"
    )


def _again(first: Response, content: bytes | None = None) -> Request:
    """The request that got ``first``, as a client retrying it would send it again."""
    sent = first.request
    return Request(sent.method, sent.url, headers=sent.headers, content=content or sent.content)


def _error_text(surface: str, body: dict[str, Any]) -> str:
    if surface in ("portal", "project"):
        return str(body["error"])
    if surface in ("internal", "agent"):
        assert body["status"] is False
        return str(body["message"])
    if surface == "rest":
        assert body["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
        return str(body["error"]["message"])
    assert body["success"] is False
    return str(body["error"])


async def _only_record(database: Database) -> IdempotencyRecord:
    async with database.transaction(read_only=True) as session:
        [record] = (await session.scalars(select(IdempotencyRecord))).all()
        return record


async def test_a_reply_sent_again_adds_one_message(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    before = await _count(database, Message)
    headers = {**make.auth(customer), "Idempotency-Key": KEY}

    for _ in range(2):
        response = await client.post(
            f"/api/tickets/{ticket.id}/messages", json={"body": "Any news?"}, headers=headers
        )
        assert response.status_code == 201

    assert await _count(database, Message) == before + 1


async def test_registering_an_account_takes_no_key(client: AsyncClient, app: FastAPI) -> None:
    operation = app.openapi()["paths"]["/api/auth/register"]["post"]

    names = [parameter["name"] for parameter in operation.get("parameters", [])]

    assert "Idempotency-Key" not in names
