"""Bad input is a clear 4xx in the portal's format, on every database, never a 500."""

from __future__ import annotations

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
