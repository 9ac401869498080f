"""How a request finds its API surface: by path alone, before any route is tried."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from starlette.routing import Match

from supportdesk.api import internal, legacy
from supportdesk.api.routing import owns


@pytest.mark.parametrize(
    ("pattern", "path", "owned"),
    [
        ("/api/v1/internal", "/api/v1/internal", True),
        ("/api/v1/internal", "/api/v1/internal/tickets/1", True),
        ("/api/v1/internal", "/api/v1/internals", False),
        ("/api/v1/internal", "/api/v1", False),
        ("/api/*.php", "/api/tickets_list.php", True),
        ("/api/*.php", "/api/a/tickets_list.php", False),
        ("/api/*.php", "/api/tickets", False),
        ("/api/*.php", "/api/.php", True),
    ],
)
def test_a_surface_owns_the_paths_under_its_prefix_or_pattern(
    pattern: str, path: str, owned: bool
) -> None:
    assert owns(pattern, path) is owned


def _scope(path: str) -> dict[str, object]:
    return {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}


def test_a_surface_router_declines_a_path_outside_its_own() -> None:
    assert internal.router.matches(_scope("/api/tickets/1"))[0] is Match.NONE
    assert legacy.router.matches(_scope("/api/tickets/1"))[0] is Match.NONE


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/internal/tickets", {"status": False, "message": "Unauthenticated."}),
        ("/api/tickets_list.php", {"success": False, "error": "Unauthenticated."}),
        ("/api/tickets", {"error": "Unauthenticated."}),
        (
            "/api/v1/tickets",
            {"error": {"code": "UNAUTHORIZED", "message": "Unauthenticated.", "details": {}}},
        ),
    ],
)
async def test_a_request_is_answered_by_the_surface_its_path_names(
    client: AsyncClient, path: str, body: dict[str, object]
) -> None:
    answer = await client.get(path)

    assert answer.status_code == 401
    assert answer.json() == body
