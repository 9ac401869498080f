"""The documentation a person reads: Swagger UI at /docs and ReDoc at /redoc.

Both pages load their scripts and styles from this server, out of the ``fastapi-offline``
package (a runtime dependency that ships the Swagger UI and ReDoc bundles), so they work
on a machine without internet access. Operations are grouped by surface: one tag (the
portal: five) per surface, in the order of ``OPENAPI_TAGS``, each surface's first tag
saying who uses it, how to authenticate, its error format, its ids and its pagination.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
ASSETS_PATH = "/docs/assets"

SWAGGER_JS = f"{ASSETS_PATH}/swagger-ui-bundle.js"
SWAGGER_CSS = f"{ASSETS_PATH}/swagger-ui.css"
REDOC_JS = f"{ASSETS_PATH}/redoc.standalone.js"
FAVICON = f"{ASSETS_PATH}/favicon.png"

# Some 180 operations: listed collapsed, so the page opens as a table of contents.
SWAGGER_UI_PARAMETERS: dict[str, Any] = {
    "docExpansion": "none",
    "filter": True,
    "displayOperationId": True,
    "persistAuthorization": True,
    "defaultModelsExpandDepth": -1,
    # Swagger UI would otherwise send the schema to an online validator for its badge.
    "validatorUrl": None,
}

_PORTAL = """\
**Who**: people in the SupportDesk web portal: customers following their own tickets,
agents working the projects they are assigned to, admins and the super admin running the
hub.

**Authentication**: `POST /api/auth/login` with `{"email", "password"}` answers an
`access_token` (a JWT, valid for an hour by default); send it as
`Authorization: Bearer <token>`. `POST /api/auth/refresh` swaps it for a new one,
`POST /api/auth/logout` ends it. Only portal tokens are taken here.

**Errors**: `{"error": "<message>"}`; invalid input is `422` with
`{"error": "Validation failed.", "details": {"<field>": ["<message>"]}}`.

**Ids**: numbers (`42`); each ticket also has a number, `PREFIX-YYYY-NNNNN`, which
a list's `search` finds.

**Pagination**: `page` and `per_page` (default 20, at most 100); a list answers
`data`, `current_page`, `last_page`, `per_page` and `total`."""

_PROJECT = """\
**Who**: the servers of connected projects (the sites and apps whose customers open
tickets), through the SupportDesk client library.

**Authentication**: the project's key pair, both headers on every request:
`X-Api-Key: sk_…` and `X-Api-Secret: ss_…`. An admin creates the pair with
`POST /api/admin/projects/{id}/api-keys`; it is shown once. A pair may be limited to
some client addresses (`allowed_ips`).

**Errors**: as the portal's: `{"error": "<message>"}`, and `422` with `details` per field.

**Ids**: a ticket is named by its number, `PREFIX-YYYY-NNNNN`; every ticket belongs to
the pair's project.

**Pagination**: `page` and `per_page` (default 20, at most 100); a list answers `data`,
`current_page`, `last_page`, `per_page` and `total`."""

_INTERNAL = """\
**Who**: back-office tools and integrations administering the whole help desk: tickets,
people, catalogue, knowledge base, settings, reports and keys.

**Authentication**: an internal API key, `X-API-KEY: sdk_…`
(`supportdesk create-api-key --type internal`, or `POST /api/v1/internal/api-keys`).
A key holds scopes; each operation needs the one named in its description, and a key
without it gets `403` naming the scope. A key holding `*` may do everything.

**Errors**: `{"status": false, "message": "<message>", "errors": {"<field>":
["<message>"]}}`; invalid input is `422`.

**Ids**: numbers (`42`); each ticket also shows its `reference_id`, `#1042`.

**Pagination**: `page` and `per_page` (default 15, at most 200); a list answers
`{"status": true, "data": [...], "meta": {"current_page", "last_page", "per_page",
"total"}}`."""

_AGENT = """\
**Who**: agents' own tools (desktop and mobile apps) acting as one agent: the tickets
assigned to them, their replies and notes, likes and notifications.

**Authentication**: an external API key linked to an active agent,
`X-API-KEY: sdk_…` (`supportdesk create-api-key --type external --agent-id ID`). The
key does what its agent's role allows.

**Errors**: `{"status": false, "message": "<message>", "errors": {"<field>":
["<message>"]}}`; invalid input is `422`.

**Ids**: numbers (`42`); each ticket also shows its `reference_id`, `#1042`.

**Pagination**: `page` and `per_page` (at most 100; 15 by default, 30 for messages, 20
for notifications); a list answers `data` and `meta` (`current_page`, `last_page`,
`per_page`, `total`)."""

_REST = """\
**Who**: integrations that want a plain resource API: tickets, conversations, customers,
users, tags and knowledge base articles.

**Authentication**: `Authorization: Bearer <credential>`, where the credential is an
internal API key (`sdk_…`, with scopes; `403` names a missing one) or a portal user's
token from `POST /api/auth/login` (what the user's role allows).

**Errors**: `{"error": {"code": "NOT_FOUND", "message": "<message>", "details": {}}}`;
invalid input is `400` with code `BAD_REQUEST` and the fields in `details`.

**Ids**: prefixed strings: `tkt_42`, `conv_…`, `cust_…`, `user_…`, `tag_…`, `art_…`,
`col_…`.

**Pagination**: cursors: `limit` (at most 100; 25 by default, 50 for conversations) and `cursor`; a list answers `data` and
`meta` (`limit`, `total`, `next_cursor`); pass `next_cursor` back as `cursor` until it is
`null`. No item is skipped or repeated while tickets change."""

_LEGACY = """\
**Who**: the mobile SDK and other simple clients that call PHP-style scripts: open a
ticket, list a customer's tickets, read one, reply.

**Authentication**: an internal API key as `Authorization: Bearer sdk_…`, holding the
scope of the script (`tickets:create`, `tickets:list`, `tickets:read`,
`messages:create`); `403` names a missing one. Parameters come in the query string, a
form or a JSON body.

**Errors**: `{"success": false, "error": "<message>"}`; custom field problems add
`custom_field_errors`, one message per field id.

**Ids**: numbers (`42`).

**Pagination**: none; a list answers every ticket of the customer it names."""

OPENAPI_TAGS: list[dict[str, str]] = [
    {"name": "portal: auth", "description": "Portal sign-in, tokens and profile.\n\n" + _PORTAL},
    {"name": "portal: tickets", "description": "Tickets in the portal, as each role sees them."},
    {"name": "portal: admin", "description": "Projects, users and project key pairs (admins)."},
    {
        "name": "portal: configuration",
        "description": "Categories, SLA policies, canned responses and tags.",
    },
    {"name": "portal: reports", "description": "Ticket figures, over what each role sees."},
    {"name": "project: tickets", "description": "The external-project API.\n\n" + _PROJECT},
    {"name": "internal", "description": "The internal admin API.\n\n" + _INTERNAL},
    {"name": "agent", "description": "The agent API.\n\n" + _AGENT},
    {"name": "rest", "description": "The REST API.\n\n" + _REST},
    {"name": "legacy", "description": "The simple ticket API.\n\n" + _LEGACY},
    {
        "name": "health",
        "description": (
            "Liveness (`/health`) and readiness (`/ready`) for load balancers and "
            "orchestrators: no credential, not rate limited."
        ),
    },
]

# ReDoc's side menu groups tags under these headings, one per surface.
TAG_GROUPS: list[dict[str, Any]] = [
    {
        "name": "Portal",
        "tags": [tag["name"] for tag in OPENAPI_TAGS if tag["name"].startswith("portal: ")],
    },
    {"name": "External-project API", "tags": ["project: tickets"]},
    {"name": "Internal API", "tags": ["internal"]},
    {"name": "Agent API", "tags": ["agent"]},
    {"name": "REST API", "tags": ["rest"]},
    {"name": "Simple ticket API", "tags": ["legacy"]},
    {"name": "Operations", "tags": ["health"]},
]


def assets_directory() -> Path:
    """Where the installed fastapi-offline package keeps the Swagger UI and ReDoc files."""
    return Path(str(files("fastapi_offline") / "static"))


def install_docs(app: FastAPI) -> None:
    """Serve /docs, /redoc and their assets; the app is built with docs_url=None."""
    app.mount(ASSETS_PATH, StaticFiles(directory=assets_directory()), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_PATH, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} API",
            swagger_js_url=root + SWAGGER_JS,
            swagger_css_url=root + SWAGGER_CSS,
            swagger_favicon_url=root + FAVICON,
            oauth2_redirect_url=None,
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    @app.get(REDOC_PATH, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} API",
            redoc_js_url=root + REDOC_JS,
            redoc_favicon_url=root + FAVICON,
            with_google_fonts=False,
        )

    _add_tag_groups(app)


def _root(request: Request) -> str:
    """The path the server is mounted under behind a proxy (uvicorn's --root-path), if any."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _add_tag_groups(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        schema.setdefault("x-tagGroups", TAG_GROUPS)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
