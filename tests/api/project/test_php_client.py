"""The seed's PHP SupportClient, driven against the hub end to end.

``SupportClient`` below does what the PHP class does, request for request: the same
base URL and paths, the same four headers on every call, GET queries built like
``http_build_query`` and POST bodies ``json_encode``d, and a failure for any status of
400 or more carrying the body's ``error``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from httpx import AsyncClient

from tests.api.project.conftest import Connected
from tests.factories import Factory
from tests.support import FrozenClock


class ApiError(RuntimeError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class SupportClient:
    base_url = "http://api-support.test/api/external"

    def __init__(self, http: AsyncClient, api_key: str, api_secret: str) -> None:
        self.http = http
        self.api_key = api_key
        self.api_secret = api_secret

    async def create_ticket(self, data: dict[str, Any]) -> dict[str, Any]:
        return await self._post("/tickets", data)

    async def get_ticket(self, ticket_number: str) -> dict[str, Any]:
        return await self._get(f"/tickets/{ticket_number}")

    async def add_reply(self, ticket_number: str, body: str, email: str) -> dict[str, Any]:
        return await self._post(
            f"/tickets/{ticket_number}/reply", {"body": body, "customer_email": email}
        )

    async def list_by_customer(self, email: str) -> dict[str, Any]:
        return await self._get("/tickets", {"customer_email": email})

    async def ping(self) -> dict[str, Any]:
        return await self._get("/ping")

    async def _get(self, path: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self._request("GET", path, query=query or {})

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._request("POST", path, body=body)

    async def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        url = self.base_url + path
        if query:
            url += "?" + urlencode(query)
        response = await self.http.request(
            method,
            url,
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-Api-Key": self.api_key,
                "X-Api-Secret": self.api_secret,
            },
            content=json.dumps(body or {}) if method != "GET" else None,
        )
        try:
            decoded: dict[str, Any] = response.json()
        except ValueError:
            decoded = {}
        if response.status_code >= 400:
            raise ApiError(decoded.get("error", "API error"), response.status_code)
        return decoded


async def test_the_php_client_works_end_to_end(
    client: AsyncClient, naija: Connected, make: Factory, frozen_clock: FrozenClock
) -> None:
    assert naija.key.raw_secret is not None
    support = SupportClient(client, naija.key.raw_key, naija.key.raw_secret)
    # The usage example's $user and $listing, as a PHP project would have them.
    user = {"id": 98231, "name": "Tunde Adeyemi", "email": "tunde@gmail.test"}
    listing_id = 421

    pong = await support.ping()
    assert pong["status"] == "ok"
    assert pong["project"] == {"id": naija.project.id, "name": "NaijaHomes", "slug": "naijahomes"}
    assert pong["timestamp"] == "2026-03-02T09:00:00Z"

    ticket = await support.create_ticket(
        {
            "customer_name": user["name"],
            "customer_email": user["email"],
            "customer_id": user["id"],
            "subject": "Cannot upload property photos",
            "description": "I pick a photo and nothing happens.",
            "priority": "high",
            "metadata": {
                "listing_id": listing_id,
                "url": "https://naijahomes.test/listings/421/edit",
            },
        }
    )
    number = ticket["ticket_number"]
    assert number == "NAIJ-2026-00001"
    assert (ticket["status"], ticket["priority"]) == ("open", "high")

    # An agent of the project answers in the portal.
    agent = await make.user("agent", name="Alice Okafor", projects=[naija.project.id])
    frozen_clock.advance(minutes=20)
    answered = await client.post(
        f"/api/tickets/{ticket['ticket_id']}/messages",
        json={"body": "Hi, which browser are you using?"},
        headers=make.auth(agent),
    )
    assert answered.status_code == 201, answered.text

    shown = (await support.get_ticket(number))["ticket"]
    assert shown["ticket_number"] == number
    assert shown["subject"] == "Cannot upload property photos"
    assert shown["messages"] == [
        {
            "body": "Hi, which browser are you using?",
            "from": "Alice Okafor",
            "is_agent": True,
            "created_at": "2026-03-02T09:20:00Z",
        }
    ]

    frozen_clock.advance(minutes=5)
    replied = await support.add_reply(number, "Chrome 124 on Windows.", str(user["email"]))
    assert replied["ticket"] == number
    assert replied["status"] == "open"
    assert isinstance(replied["message_id"], int)
    shown = (await support.get_ticket(number))["ticket"]
    assert [(m["from"], m["is_agent"]) for m in shown["messages"]] == [
        ("Alice Okafor", True),
        ("Tunde Adeyemi", False),
    ]

    listed = await support.list_by_customer(str(user["email"]))
    assert [row["ticket_number"] for row in listed["data"]] == [number]
    assert listed["total"] == 1


async def test_the_php_client_gets_the_error_message_of_a_refusal(
    client: AsyncClient, naija: Connected
) -> None:
    assert naija.key.raw_secret is not None
    support = SupportClient(client, naija.key.raw_key, naija.key.raw_secret)

    try:
        await support.get_ticket("NAIJ-2026-00404")
    except ApiError as error:
        assert (error.status, str(error)) == (404, "Ticket not found.")
    else:
        raise AssertionError("a missing ticket must fail")


async def test_a_project_ticket_reaches_the_portal_with_its_sla_due_dates(
    client: AsyncClient, naija: Connected, make: Factory, frozen_clock: FrozenClock
) -> None:
    assert naija.key.raw_secret is not None
    support = SupportClient(client, naija.key.raw_key, naija.key.raw_secret)
    created = await support.create_ticket(
        {
            "customer_name": "Tunde Adeyemi",
            "customer_email": "tunde@gmail.test",
            "customer_id": 98231,
            "subject": "Cannot upload property photos",
            "description": "I pick a photo and nothing happens.",
            "priority": "high",
            "metadata": {"listing_id": 421, "url": "https://naijahomes.test/listings/421"},
        }
    )
    admin = await make.user("admin")
    agent = await make.user("agent", projects=[naija.project.id])
    outsider = await make.user("agent")

    def numbers(page: dict[str, Any]) -> list[str]:
        return [row["ticket_number"] for row in page["data"]]

    for viewer in (admin, agent):
        listed = await client.get("/api/tickets", headers=make.auth(viewer))
        assert numbers(listed.json()) == [created["ticket_number"]], viewer.role
        detail = await client.get(f"/api/tickets/{created['ticket_id']}", headers=make.auth(viewer))
        ticket = detail.json()["ticket"]
        assert ticket["project"]["id"] == naija.project.id
        assert ticket["source"] == "api"
        assert ticket["customer_email"] == "tunde@gmail.test"
        assert ticket["metadata"] == {
            "listing_id": 421,
            "url": "https://naijahomes.test/listings/421",
        }
        assert ticket["first_response_due_at"] == "2026-03-02T10:00:00Z"
        assert ticket["resolution_due_at"] == "2026-03-02T17:00:00Z"
    hidden = await client.get("/api/tickets", headers=make.auth(outsider))
    assert numbers(hidden.json()) == []


async def test_the_customer_created_for_a_project_has_no_password_to_log_in_with(
    client: AsyncClient, naija: Connected
) -> None:
    assert naija.key.raw_secret is not None
    support = SupportClient(client, naija.key.raw_key, naija.key.raw_secret)
    await support.create_ticket(
        {
            "customer_name": "Tunde Adeyemi",
            "customer_email": "tunde@gmail.test",
            "subject": "Cannot upload property photos",
            "description": "I pick a photo and nothing happens.",
        }
    )

    response = await client.post(
        "/api/auth/login", json={"email": "tunde@gmail.test", "password": "correct-horse"}
    )

    assert response.status_code == 401
    assert response.json() == {"error": "Invalid credentials"}
