"""The OpenAPI document: valid, named for client generators, honest about its answers."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from openapi_spec_validator import validate

Operation = tuple[str, str, dict[str, Any]]

OPERATION_ID = re.compile(r"^(portal|project|internal|agent|rest|legacy|service)(_[a-z0-9]+){2,}$")
ERROR_BODIES = {
    "/api/v1/internal/": "InternalError",
    "/api/v1/external/": "AgentError",
    "/api/v1/": "RestError",
    "/api/external/": "ProjectError",
}


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def error_body_of(path: str) -> str:
    if path.endswith(".php"):
        return "LegacyError"
    return next(
        (body for prefix, body in ERROR_BODIES.items() if path.startswith(prefix)), "PortalError"
    )


def test_the_document_is_a_valid_openapi_document(document: dict[str, Any]) -> None:
    validate(document)


def test_operation_ids_name_surface_resource_and_action(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert [oid for oid in ids if not OPERATION_ID.match(oid)] == []


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = Counter(operation["operationId"] for _, _, operation in operations(document))
    assert [oid for oid, count in ids.items() if count > 1] == []


def test_operation_ids_read_as_documented(document: dict[str, Any]) -> None:
    ids = {(method, path): op["operationId"] for path, method, op in operations(document)}
    assert ids["get", "/api/v1/internal/tickets"] == "internal_tickets_list"
    assert ids["patch", "/api/v1/tickets/{ticket_id}"] == "rest_tickets_update"
    assert ids["get", "/api/ticket_view.php"] == "legacy_ticket_view"
    assert ids["get", "/api/tickets/{ticket_id}"] == "portal_tickets_get"
    assert ids["post", "/api/v1/external/tickets/{ticket_id}/close"] == "agent_tickets_close"


def test_every_operation_has_a_summary_and_a_description(document: dict[str, Any]) -> None:
    bare = [
        (method, path)
        for path, method, operation in operations(document)
        if not operation.get("summary") or not operation.get("description")
    ]
    assert bare == []


def test_schema_titles_are_unique(document: dict[str, Any]) -> None:
    titles = Counter(
        schema.get("title", name) for name, schema in document["components"]["schemas"].items()
    )
    assert [title for title, count in titles.items() if count > 1] == []


def test_schema_names_say_their_surface(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name in ("RestTicket", "InternalTicket", "AgentTicket", "PortalTicketDetail"):
        assert schemas[name]["title"] == name


def test_no_operation_declares_fastapis_validation_error(document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert [
        (method, path)
        for path, method, operation in operations(document)
        if "422" in operation["responses"]
        and path.startswith("/api/v1/")
        and "/internal/" not in path
        and "/external/" not in path
    ] == []


def test_every_operation_needing_a_credential_declares_401_and_403(
    document: dict[str, Any],
) -> None:
    missing = [
        (method, path)
        for path, method, operation in operations(document)
        if operation.get("security") and not {"401", "403"} <= operation["responses"].keys()
    ]
    assert missing == []


def test_errors_are_declared_in_the_surfaces_own_body(document: dict[str, Any]) -> None:
    wrong = []
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                if ref.rsplit("/", 1)[-1] != error_body_of(path):
                    wrong.append((method, path, status))
    assert wrong == []


def test_the_rest_api_declares_bad_input_as_400(document: dict[str, Any]) -> None:
    responses = document["paths"]["/api/v1/tickets"]["post"]["responses"]
    assert "400" in responses
    assert "422" not in responses


def test_too_many_requests_declares_the_rate_limit_headers(document: dict[str, Any]) -> None:
    headers = document["paths"]["/api/v1/tickets"]["get"]["responses"]["429"]["headers"]
    assert {
        "Retry-After",
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
    } <= headers.keys()


def test_health_ready_login_and_register_need_no_credential(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for method, path in (
        ("get", "/health"),
        ("get", "/ready"),
        ("post", "/api/auth/login"),
        ("post", "/api/auth/register"),
    ):
        assert not paths[path][method].get("security"), path
    assert "401" not in paths["/health"]["get"]["responses"]


def test_internal_operations_name_their_scope(document: dict[str, Any]) -> None:
    operation = document["paths"]["/api/v1/internal/tickets"]["get"]
    assert operation["security"] == [{"ApiKey": ["tickets:list"]}]
    assert "`tickets:list`" in operation["description"]


async def test_a_refused_method_lists_every_method_of_the_path(client: AsyncClient) -> None:
    response = await client.post("/api/v1/tickets/1")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, PATCH, DELETE"
