"""/openapi.json and /docs: every portal operation listed, tagged, and "Authorize" usable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from httpx import AsyncClient

from supportdesk.auth.scopes import Scope

PORTAL_OPERATIONS = {
    ("post", "/api/auth/login"),
    ("post", "/api/auth/register"),
    ("post", "/api/auth/refresh"),
    ("post", "/api/auth/logout"),
    ("get", "/api/auth/me"),
    ("put", "/api/auth/profile"),
    ("get", "/api/tickets"),
    ("post", "/api/tickets"),
    ("get", "/api/tickets/{ticket_id}"),
    ("put", "/api/tickets/{ticket_id}"),
    ("delete", "/api/tickets/{ticket_id}"),
    ("patch", "/api/tickets/{ticket_id}/status"),
    ("patch", "/api/tickets/{ticket_id}/assign"),
    ("post", "/api/tickets/{ticket_id}/messages"),
    ("post", "/api/tickets/{ticket_id}/rating"),
    ("post", "/api/tickets/{ticket_id}/watch"),
    ("get", "/api/attachments/{attachment_id}"),
}
PUBLIC_OPERATIONS = {("post", "/api/auth/login"), ("post", "/api/auth/register")}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture
async def schema(client: AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method, path, operation


# Prefixes of the other surfaces that share /api with the portal.
OTHER_SURFACES = ("/api/external", "/api/v1/")


def is_portal_path(path: str) -> bool:
    return (
        path.startswith("/api/")
        and not path.startswith(OTHER_SURFACES)
        and not path.endswith(".php")
    )


def portal_operations(schema: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for method, path, operation in operations(schema)
        if is_portal_path(path)
    }


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


async def test_openapi_lists_every_portal_operation(schema: dict[str, Any]) -> None:
    assert set(portal_operations(schema)) >= PORTAL_OPERATIONS


async def test_every_operation_is_tagged_with_a_declared_tag(schema: dict[str, Any]) -> None:
    declared = {tag["name"] for tag in schema["tags"]}

    for method, path, operation in operations(schema):
        assert operation.get("tags"), f"{method.upper()} {path} has no tag"
        assert set(operation["tags"]) <= declared, f"{method.upper()} {path}"


async def test_portal_operations_are_tagged_as_portal(schema: dict[str, Any]) -> None:
    for (method, path), operation in portal_operations(schema).items():
        assert all(tag.startswith("portal") for tag in operation["tags"]), f"{method} {path}"


async def test_portal_jwt_scheme_is_declared_as_bearer(schema: dict[str, Any]) -> None:
    scheme = schema["components"]["securitySchemes"]["PortalJWT"]

    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert scheme["bearerFormat"] == "JWT"


async def test_api_key_and_key_pair_schemes_are_declared(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    headers = {scheme["name"] for scheme in schemes.values() if scheme["type"] == "apiKey"}

    assert {"X-API-KEY", "X-Api-Key", "X-Api-Secret"} <= headers


async def test_protected_portal_operations_require_the_portal_jwt(schema: dict[str, Any]) -> None:
    for key, operation in portal_operations(schema).items():
        if key in PUBLIC_OPERATIONS:
            continue
        assert {"PortalJWT": []} in operation.get("security", []), f"{key} is not secured"


async def test_login_and_register_need_no_credentials(schema: dict[str, Any]) -> None:
    found = portal_operations(schema)

    for key in PUBLIC_OPERATIONS:
        assert not found[key].get("security"), f"{key} asks for credentials"


async def test_every_security_requirement_names_a_declared_scheme(
    schema: dict[str, Any],
) -> None:
    declared = set(schema["components"]["securitySchemes"])

    for method, path, operation in operations(schema):
        for requirement in operation.get("security", []):
            assert set(requirement) <= declared, f"{method.upper()} {path}"


async def test_every_schema_reference_resolves(schema: dict[str, Any]) -> None:
    components = schema["components"]

    for reference in set(references(schema)):
        section, name = reference.removeprefix("#/components/").split("/", 1)
        assert name in components[section], reference


async def test_docs_serve_html_pointing_at_the_schema(client: AsyncClient) -> None:
    response = await client.get("/docs")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in response.text


# Each surface's operations: its path test, its tag, and the scheme "Authorize" fills in.
SURFACES = {
    "internal": (lambda path: path.startswith("/api/v1/internal/"), "ApiKey"),
    "agent": (lambda path: path.startswith("/api/v1/external/"), "ApiKey"),
    "rest": (
        lambda path: (
            path.startswith("/api/v1/")
            and not path.startswith(("/api/v1/internal/", "/api/v1/external/"))
        ),
        "BearerApiKey",
    ),
    "legacy": (lambda path: path.startswith("/api/") and path.endswith(".php"), "BearerApiKey"),
}
# Refused for everyone before any credential is looked at.
UNSECURED_OPERATIONS = {("delete", "/api/v1/internal/customers/{customer_id}")}


@pytest.mark.parametrize("surface", SURFACES)
async def test_each_api_surface_is_tagged_and_secured_by_its_own_scheme(
    schema: dict[str, Any], surface: str
) -> None:
    belongs, scheme = SURFACES[surface]
    found = [(m, p, op) for m, p, op in operations(schema) if belongs(p)]

    assert found, f"no {surface} operations listed"
    for method, path, operation in found:
        assert operation["tags"] == [surface], f"{method} {path}"
        if (method, path) not in UNSECURED_OPERATIONS:
            security = operation.get("security")
            assert [list(requirement) for requirement in security] == [[scheme]], f"{method} {path}"
            named = security[0][scheme]
            assert set(named) <= set(Scope), f"{method} {path}"
            if surface in ("internal", "legacy"):
                # Every operation of a scoped-key surface names the one scope it needs.
                assert len(named) == 1, f"{method} {path}"
