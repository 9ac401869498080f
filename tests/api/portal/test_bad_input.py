"""Bad input is a clear 4xx in the portal's format, on every database, never a 500."""

from __future__ import annotations

import logging

import pytest
from httpx import AsyncClient

from tests.factories import Factory


async def test_an_id_beyond_the_database_range_is_a_validation_error(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")

    response = await client.get("/api/tickets/99999999999999", headers=make.auth(admin))

    assert response.status_code == 422
    assert response.json()["error"] == "Validation failed."
    assert "ticket_id" in response.json()["details"]


async def test_a_filter_id_beyond_the_database_range_is_a_validation_error(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")

    response = await client.get(
        "/api/tickets", params={"assigned_to": 2**40}, headers=make.auth(admin)
    )

    assert response.status_code == 422
    assert "assigned_to" in response.json()["details"]


async def test_a_body_id_beyond_the_database_range_is_a_validation_error(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    body = {"project_id": 2**40, "subject": "Range", "description": "Too big"}

    response = await client.post("/api/tickets", json=body, headers=make.auth(admin))

    assert response.status_code == 422
    assert "project_id" in response.json()["details"]


async def test_text_with_a_nul_character_is_refused(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    body = {"project_id": 1, "subject": "a\x00b", "description": "NUL inside"}

    response = await client.post("/api/tickets", json=body, headers=make.auth(customer))

    assert response.status_code == 422
    assert response.json()["error"] == "Validation failed."


async def test_a_body_that_is_not_an_object_is_a_validation_error(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.post("/api/tickets", json=[1, 2], headers=make.auth(customer))

    assert response.status_code == 422
    assert response.json()["error"] == "Validation failed."


async def test_an_unknown_path_under_the_portal_is_a_404_in_its_format(
    client: AsyncClient,
) -> None:
    response = await client.get("/api/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"error": "Not found."}


async def test_a_wrong_method_is_a_405_in_the_portal_format(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")

    response = await client.patch("/api/tickets", headers=make.auth(admin))

    assert response.status_code == 405
    assert "error" in response.json()


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


async def test_deeply_nested_json_on_login_is_a_validation_error(client: AsyncClient) -> None:
    body = '{"email": ' + _nested(400) + ', "password": "secret"}'

    response = await client.post(
        "/api/auth/login", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["error"] == "Validation failed."


async def test_a_login_nested_past_what_the_decoder_can_follow_is_refused(
    client: AsyncClient,
) -> None:
    body = '{"email": ' + _nested(100_000) + ', "password": "secret"}'

    response = await client.post(
        "/api/auth/login", content=body, headers={"Content-Type": "application/json"}
    )

    assert 400 <= response.status_code < 500
    assert "error" in response.json()


async def test_deeply_nested_json_on_register_is_a_validation_error(client: AsyncClient) -> None:
    body = '{"name": "Deep", "email": "deep@example.test", "password": ' + _nested(400) + "}"

    response = await client.post(
        "/api/auth/register", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["error"] == "Validation failed."


async def test_json_nested_past_what_the_decoder_can_follow_is_a_validation_error(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    body = '{"project_id": 1, "subject": "Deep", "metadata": ' + _nested(100_000) + "}"

    response = await client.post(
        "/api/tickets",
        content=body,
        headers={"Content-Type": "application/json", **make.auth(customer)},
    )

    assert response.status_code == 422
    assert "nest" in response.json()["details"]["body"][0]


async def test_forty_thousand_tags_are_refused_without_logging_the_input(
    client: AsyncClient, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await make.user("admin")
    body = {"project_id": 1, "subject": "Tags", "description": "Many", "tags": [1] * 40_000}

    with caplog.at_level(logging.INFO):
        response = await client.post("/api/tickets", json=body, headers=make.auth(admin))

    assert response.status_code == 422
    assert response.json()["details"]["tags"] == [
        "The tags field must not have more than 50 items."
    ]
    assert all(len(record.getMessage()) < 10_000 for record in caplog.records)


async def test_a_message_longer_than_a_text_field_holds_is_refused(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.post(
        f"/api/tickets/{ticket.id}/messages",
        json={"body": "x" * 65_536},
        headers=make.auth(customer),
    )

    assert response.status_code == 422
    assert "body" in response.json()["details"]
