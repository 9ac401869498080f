"""Refusals that tell the client what to change, each in its surface's error format: the
kind of credential a surface takes, a JSON body sent without its Content-Type, and the
scope a key lacks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from httpx import AsyncClient, Response

from supportdesk.api.bodies import NOT_SENT_AS_JSON
from supportdesk.core.enums import ApiKeyType, Role
from tests.factories import Factory

INTERNAL_TAKES = "The internal API takes an internal API key in the X-API-KEY header"
AGENT_TAKES = "The agent API takes an agent's external API key in the X-API-KEY header"
REST_TAKES = "The REST API takes an internal API key or a portal user's token as a Bearer token"
LEGACY_TAKES = "The simple ticket API takes an internal API key as a Bearer token"
PORTAL_TAKES = (
    "The portal takes a portal user's token (from POST /api/auth/login) as a Bearer token"
)
PROJECT_TAKES = "The external-project API takes a project key pair: X-Api-Key with X-Api-Secret"


def _message(response: Response) -> str:
    """The error message, wherever the surface's error body keeps it."""
    body: dict[str, Any] = response.json()
    if "status" in body:  # internal, agent
        assert body["status"] is False
        return str(body["message"])
    if "success" in body:  # simple ticket API
        assert body["success"] is False
        return str(body["error"])
    error = body["error"]
    return str(error["message"] if isinstance(error, dict) else error)  # REST; portal, project


async def _portal_token(make: Factory) -> dict[str, str]:
    return make.auth(await make.user(Role.ADMIN))


async def _internal_key(make: Factory, *scopes: str) -> str:
    return (await make.api_key(ApiKeyType.INTERNAL, scopes=list(scopes) or None)).raw_key


async def _agent_key(make: Factory) -> str:
    agent = await make.user(Role.AGENT)
    return (await make.api_key(ApiKeyType.EXTERNAL, agent_id=agent.id)).raw_key


async def _project_pair(make: Factory) -> tuple[str, str]:
    project = await make.project()
    pair = await make.api_key(ApiKeyType.PROJECT, project_id=project.id)
    assert pair.raw_secret is not None
    return pair.raw_key, pair.raw_secret


# --- the wrong kind of credential -----------------------------------------------------


async def test_a_portal_token_on_the_internal_api_names_the_key_it_takes(
    client: AsyncClient, make: Factory
) -> None:
    response = await client.get("/api/v1/internal/tickets", headers=await _portal_token(make))

    assert response.status_code == 401
    assert _message(response) == f"{INTERNAL_TAKES}, not a portal user's token."


async def test_a_project_key_on_the_internal_api_names_the_key_it_takes(
    client: AsyncClient, make: Factory
) -> None:
    key, _ = await _project_pair(make)

    response = await client.get("/api/v1/internal/tickets", headers={"X-API-KEY": key})

    assert response.status_code == 401
    assert _message(response) == f"{INTERNAL_TAKES}, not a project key."


async def test_an_agent_key_on_the_internal_api_names_the_key_it_takes(
    client: AsyncClient, make: Factory
) -> None:
    key = await _agent_key(make)

    response = await client.get("/api/v1/internal/tickets", headers={"X-API-KEY": key})

    assert response.status_code == 401
    assert _message(response) == f"{INTERNAL_TAKES}, not an agent's external API key."


async def test_an_internal_key_on_the_agent_api_names_the_key_it_takes(
    client: AsyncClient, make: Factory
) -> None:
    key = await _internal_key(make)

    response = await client.get("/api/v1/external/tickets", headers={"X-API-KEY": key})

    assert response.status_code == 401
    assert _message(response) == f"{AGENT_TAKES}, not an internal API key."


async def test_a_project_key_pair_on_the_rest_api_names_what_it_takes(
    client: AsyncClient, make: Factory
) -> None:
    key, secret = await _project_pair(make)

    response = await client.get(
        "/api/v1/tickets", headers={"X-Api-Key": key, "X-Api-Secret": secret}
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
    assert _message(response) == f"{REST_TAKES}, not a project key pair."


async def test_a_portal_token_on_the_simple_ticket_api_names_the_key_it_takes(
    client: AsyncClient, make: Factory
) -> None:
    response = await client.get(
        "/api/tickets_list.php",
        params={"user_email": "ada@example.test"},
        headers=await _portal_token(make),
    )

    assert response.status_code == 401
    assert _message(response) == f"{LEGACY_TAKES}, not a portal user's token."


async def test_an_api_key_on_the_portal_names_the_token_it_takes(
    client: AsyncClient, make: Factory
) -> None:
    key = await _internal_key(make)

    response = await client.get("/api/tickets", headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 401
    assert _message(response) == f"{PORTAL_TAKES}, not an API key."


async def test_a_portal_token_on_the_project_api_names_the_pair_it_takes(
    client: AsyncClient, make: Factory
) -> None:
    response = await client.get("/api/external/tickets", headers=await _portal_token(make))

    assert response.status_code == 401
    assert _message(response) == f"{PROJECT_TAKES}, not a portal user's token."


async def test_a_project_key_without_its_secret_is_told_to_send_both(
    client: AsyncClient, make: Factory
) -> None:
    key, _ = await _project_pair(make)

    response = await client.get("/api/external/tickets", headers={"X-Api-Key": key})

    assert response.status_code == 401
    assert _message(response) == "Both X-Api-Key and X-Api-Secret are required."


async def test_a_request_without_credentials_is_still_plainly_unauthenticated(
    client: AsyncClient,
) -> None:
    response = await client.get("/api/v1/internal/tickets")

    assert response.status_code == 401
    assert _message(response) == "Unauthenticated."


# --- a JSON body without Content-Type: application/json ---------------------------------

# What `curl -d '{…}'` sends: JSON text labelled as a form.
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_the_internal_api_says_a_json_body_was_sent_as_a_form(
    client: AsyncClient, make: Factory
) -> None:
    body = json.dumps({"subject": "Help", "customer_email": "ada@example.test"})

    response = await client.post(
        "/api/v1/internal/tickets",
        content=body,
        headers={**FORM, "X-API-KEY": await _internal_key(make)},
    )

    assert response.status_code == 415
    assert response.json() == {"status": False, "message": NOT_SENT_AS_JSON}


async def test_the_rest_api_says_a_json_body_was_sent_as_a_form(
    client: AsyncClient, make: Factory
) -> None:
    key = await _internal_key(make)

    response = await client.post(
        "/api/v1/tickets",
        content=json.dumps({"subject": "Help", "description": "It broke"}),
        headers={**FORM, "Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 415
    assert response.json() == {
        "error": {"code": "UNSUPPORTED_MEDIA_TYPE", "message": NOT_SENT_AS_JSON, "details": {}}
    }


async def test_a_plain_text_body_on_a_json_operation_is_told_to_send_json(
    client: AsyncClient, make: Factory
) -> None:
    key = await _internal_key(make)

    response = await client.post(
        "/api/v1/tickets",
        content="subject=Help",
        headers={"Content-Type": "text/plain", "Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 415
    assert _message(response) == NOT_SENT_AS_JSON


async def test_the_portal_says_a_json_login_was_sent_as_a_form(client: AsyncClient) -> None:
    response = await client.post(
        "/api/auth/login",
        content=json.dumps({"email": "ada@example.test", "password": "secret-password"}),
        headers=FORM,
    )

    assert response.status_code == 415
    assert response.json() == {"error": NOT_SENT_AS_JSON}


async def test_the_portal_says_a_json_ticket_was_sent_as_a_form(
    client: AsyncClient, make: Factory
) -> None:
    body = json.dumps({"project_id": 1, "subject": "Help", "description": "It broke"})

    response = await client.post(
        "/api/tickets", content=body, headers={**FORM, **await _portal_token(make)}
    )

    assert response.status_code == 415
    assert response.json() == {"error": NOT_SENT_AS_JSON}


async def test_the_portal_still_takes_a_real_form(client: AsyncClient, make: Factory) -> None:
    response = await client.post(
        "/api/tickets",
        data={"project_id": "1", "subject": "Help", "description": "It broke"},
        headers=await _portal_token(make),
    )

    assert response.status_code == 201


async def test_the_simple_ticket_api_says_a_json_body_was_sent_as_a_form(
    client: AsyncClient, make: Factory
) -> None:
    key = await _internal_key(make)
    body = json.dumps({"user_email": "ada@example.test", "subject": "Help", "message": "Hi"})

    response = await client.post(
        "/api/tickets_create.php",
        content=body,
        headers={**FORM, "Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 415
    assert response.json() == {"success": False, "error": NOT_SENT_AS_JSON}


async def test_the_agent_api_reads_a_json_body_sent_as_a_form(
    client: AsyncClient, make: Factory
) -> None:
    response = await client.put(
        "/api/v1/external/profile",
        content=json.dumps({"name": "Ada Agent"}),
        headers={**FORM, "X-API-KEY": await _agent_key(make)},
    )

    assert response.status_code == 200
    assert response.json()["data"]["name"] == "Ada Agent"


async def test_the_project_api_reads_a_json_body_sent_as_a_form(
    client: AsyncClient, make: Factory
) -> None:
    key, secret = await _project_pair(make)
    body = {
        "customer_name": "Ada",
        "customer_email": "ada@example.test",
        "subject": "Help",
        "description": "It broke",
    }

    response = await client.post(
        "/api/external/tickets",
        content=json.dumps(body),
        headers={**FORM, "X-Api-Key": key, "X-Api-Secret": secret},
    )

    assert response.status_code == 201, response.text


# --- the scope a key lacks -------------------------------------------------------------


async def test_the_rest_api_names_the_scope_an_operation_needs(
    client: AsyncClient, make: Factory
) -> None:
    key = await _internal_key(make, "tickets:read")

    response = await client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "FORBIDDEN",
            "message": "This action needs the tickets:list scope.",
            "details": {},
        }
    }


async def test_the_rest_api_names_a_scope_its_ticket_rules_ask_for(
    client: AsyncClient, make: Factory
) -> None:
    key = await _internal_key(make, "tickets:list")

    response = await client.get("/api/v1/customers", headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 403
    assert _message(response) == "This action needs the customers:list scope."


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/api/tickets_list.php?user_email=ada@example.test", "tickets:list"),
        ("POST", "/api/tickets_create.php", "tickets:create"),
    ],
)
async def test_the_simple_ticket_api_names_the_scope_a_script_needs(
    client: AsyncClient, make: Factory, method: str, path: str, scope: str
) -> None:
    key = await _internal_key(make, "messages:create")

    response = await client.request(method, path, headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 403
    assert response.json() == {"success": False, "error": f"This action needs the {scope} scope."}
