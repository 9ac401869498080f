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

from supportdesk.api.openapi import finish

Operation = tuple[str, str, dict[str, Any]]

OPERATION_ID = re.compile(r"^(portal|project|internal|agent|rest|legacy|service)(_[a-z0-9]+){2,}$")
# The agent and external-project APIs read any body as JSON, whatever its Content-Type.
READ_AS_JSON_WHATEVER_ITS_TYPE = ("/api/v1/external/", "/api/external/")
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
    # The REST API answers invalid data 400: its one 422 is a reused Idempotency-Key.
    assert [
        (method, path)
        for path, method, operation in operations(document)
        if "422" in operation["responses"]
        and path.startswith("/api/v1/")
        and "/internal/" not in path
        and "/external/" not in path
        and not _takes_idempotency_key(operation)
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
    assert responses["422"]["description"] == (
        "The `Idempotency-Key` was sent before with another request."
    )


def _takes_idempotency_key(operation: dict[str, Any]) -> bool:
    return any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))


def test_every_create_taking_a_credential_takes_an_idempotency_key(
    document: dict[str, Any],
) -> None:
    creates = [
        (path, operation)
        for path, method, operation in operations(document)
        if method == "post" and "201" in operation["responses"] and operation.get("security")
    ]
    assert creates
    assert [path for path, operation in creates if not _takes_idempotency_key(operation)] == []


def test_a_create_declares_its_replays_and_the_answers_a_key_may_get(
    document: dict[str, Any],
) -> None:
    responses = document["paths"]["/api/tickets"]["post"]["responses"]

    assert "Idempotent-Replayed" in responses["201"]["headers"]
    assert "Retry-After" in responses["409"]["headers"]
    assert "Idempotency-Key" in responses["422"]["description"]


def test_every_operation_taking_a_body_declares_415(document: dict[str, Any]) -> None:
    missing = [
        (method, path)
        for path, method, operation in operations(document)
        if "requestBody" in operation
        and not path.startswith(READ_AS_JSON_WHATEVER_ITS_TYPE)
        and "415" not in operation["responses"]
    ]
    assert missing == []


def test_operations_taking_no_body_do_not_declare_415(document: dict[str, Any]) -> None:
    declared = [
        (method, path)
        for path, method, operation in operations(document)
        if "requestBody" not in operation and "415" in operation["responses"]
    ]
    assert declared == []


def test_surfaces_reading_any_body_as_json_do_not_declare_415(document: dict[str, Any]) -> None:
    declared = [
        (method, path)
        for path, method, operation in operations(document)
        if path.startswith(READ_AS_JSON_WHATEVER_ITS_TYPE) and "415" in operation["responses"]
    ]
    assert declared == []


def test_415_says_to_send_json(document: dict[str, Any]) -> None:
    responses = document["paths"]["/api/v1/tickets"]["post"]["responses"]
    assert responses["415"]["description"] == (
        "The body is sent with a Content-Type other than `application/json`."
    )
    assert responses["415"]["content"]["application/json"]["schema"]["$ref"].endswith("/RestError")


def test_an_operation_taking_forms_declares_415_for_json_sent_as_a_form(
    document: dict[str, Any],
) -> None:
    responses = document["paths"]["/api/tickets_create.php"]["post"]["responses"]
    assert responses["415"]["description"] == (
        "A form-encoded body holds JSON: send JSON as `Content-Type: application/json`."
    )


def test_every_summary_is_one_line_of_at_most_80_characters(document: dict[str, Any]) -> None:
    long = [
        operation["summary"]
        for _, _, operation in operations(document)
        if len(operation["summary"]) > 80 or "\n" in operation["summary"]
    ]
    assert long == []


def test_no_summary_ends_with_a_full_stop(document: dict[str, Any]) -> None:
    stops = [s for _, _, op in operations(document) if (s := op["summary"]).endswith(".")]
    assert stops == []


def test_a_summary_is_the_docstrings_first_sentence_when_it_is_short(
    document: dict[str, Any],
) -> None:
    operation = document["paths"]["/api/external/tickets/{ticket_number}"]["get"]
    assert (
        operation["summary"]
        == "A ticket by its number (e.g. NAIJ-2024-00043), with its conversation"
    )
    assert operation["description"].startswith(operation["summary"] + "; no internal notes.")


def test_a_long_first_sentence_leaves_the_summary_to_the_operation_id() -> None:
    app = FastAPI()

    @app.patch("/api/v1/tickets/{ticket_id}")
    async def update_ticket(ticket_id: int) -> None:
        """Change any field of the ticket the caller may change, its status, priority,
        assignee, tags and custom fields included. Fields not sent keep their value."""

    operation = finish(app.openapi())["paths"]["/api/v1/tickets/{ticket_id}"]["patch"]

    assert operation["summary"] == "Update ticket"
    assert operation["description"].startswith("Change any field of the ticket")


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


# What these need is decided by the request, so no single scope is theirs: a ticket's
# owner may reword it without tickets:update; a reply needs replies:create, a note
# notes:create.
REST_OPERATIONS_WITHOUT_ONE_SCOPE = frozenset({"rest_tickets_update", "rest_conversations_create"})


def test_rest_operations_name_the_one_scope_they_need(document: dict[str, Any]) -> None:
    scopes = {
        operation["operationId"]: [
            scope for requirement in operation["security"] for scope in requirement["BearerApiKey"]
        ]
        for _, _, operation in operations(document)
        if operation["operationId"].startswith("rest_")
    }
    unscoped = {operation_id for operation_id, named in scopes.items() if not named}
    assert unscoped == REST_OPERATIONS_WITHOUT_ONE_SCOPE
    assert [oid for oid, named in scopes.items() if oid not in unscoped and len(named) != 1] == []


async def test_a_refused_method_lists_every_method_of_the_path(client: AsyncClient) -> None:
    response = await client.post("/api/v1/tickets/1")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, PATCH, DELETE"
