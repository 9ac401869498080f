"""Generated requests against every operation in /openapi.json: none is a server error.

Each operation is one test: schemathesis draws requests from its schema (valid and
invalid ones alike) and each surface is called with credentials it accepts, holding
every scope, so the requests reach the handlers rather than stopping at a 401.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from httpx import AsyncClient, Response
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from supportdesk.api import agent, internal, project, rest
from supportdesk.app import create_app
from supportdesk.config import Settings
from supportdesk.core.enums import ApiKeyType, Role
from tests.factories import Factory

# The document every client generator reads; no database is needed to build it.
# Read as an ASGI app's: requests are then built as httpx builds them, the client below.
schema = schemathesis.openapi.from_asgi(
    "/openapi.json",
    create_app(
        Settings(
            database_url="sqlite+aiosqlite://",
            secret_key="a-secret-only-for-reading-the-openapi-document",  # type: ignore[arg-type]
            in_process_jobs=False,
            _env_file=None,  # type: ignore[call-arg]
        )
    ),
).exclude(
    # Not ready is /ready's answer while no worker has reported: a 503 by design.
    path="/ready"
)
# Credentials are the test's (below): requests without them, or with others, are what
# the tests of each surface's authentication are for.
schema.config.generation.update(with_security_parameters=False)
# A generated body past the size limit is refused before it is read: 413 is a refusal.
schema.config.checks.negative_data_rejection.expected_statuses.append("413")

EXAMPLES_PER_OPERATION = 6
# The same examples on every run: a failure in CI is one a developer can replay.
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    # The database is emptied before each operation's test, not between its examples:
    # what one example creates, the next may meet, as on a live server.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Beyond no 5xx: every answer is one the document declares, in the declared shape, and
# a request the document calls invalid is refused.
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    negative_data_rejection,
]
REQUEST_ARGUMENTS = (
    "method",
    "url",
    "headers",
    "params",
    "cookies",
    "json",
    "data",
    "files",
    "content",
)


@dataclass(frozen=True, slots=True)
class Credentials:
    """What each surface accepts, with every scope it knows."""

    portal: dict[str, str]
    internal_key: str
    agent_key: str
    project_key: str
    project_secret: str

    def for_path(self, path: str) -> dict[str, str]:
        if path.startswith(internal.PREFIX + "/"):
            return {"X-API-Key": self.internal_key, "Authorization": f"Bearer {self.internal_key}"}
        if path.startswith(agent.PREFIX + "/"):
            return {"X-API-KEY": self.agent_key}
        if path.startswith(rest.PREFIX + "/") or path.endswith(".php"):
            return {"Authorization": f"Bearer {self.internal_key}"}
        if path.startswith(project.PREFIX + "/"):
            return {"X-Api-Key": self.project_key, "X-Api-Secret": self.project_secret}
        return self.portal


@pytest.fixture
async def credentials(make: Factory) -> Credentials:
    admin = await make.user(role=Role.ADMIN)
    connected = await make.project()
    agent_user = await make.user(role=Role.AGENT, projects=[connected.id])
    await make.ticket(admin, project_id=connected.id)
    internal_key = await make.api_key(ApiKeyType.INTERNAL, scopes=("*",))
    agent_key = await make.api_key(ApiKeyType.EXTERNAL, agent_id=agent_user.id)
    pair = await make.api_key(ApiKeyType.PROJECT, project_id=connected.id)
    assert pair.raw_secret is not None
    return Credentials(
        portal=make.auth(admin),
        internal_key=internal_key.raw_key,
        agent_key=agent_key.raw_key,
        project_key=pair.raw_key,
        project_secret=pair.raw_secret,
    )


@pytest.fixture
async def event_loop_of_the_app() -> asyncio.AbstractEventLoop:
    """The loop the app's connections live on: generated examples run on it one by one."""
    return asyncio.get_running_loop()


def _part(value: Any) -> Any:
    """A multipart part httpx can send: generated "files" may be numbers or null."""
    if isinstance(value, tuple):
        return (value[0], _part(value[1]), *value[2:])
    if isinstance(value, str | bytes) or hasattr(value, "read"):
        return value
    return str(value)


async def _send(client: AsyncClient, request: dict[str, Any]) -> Response:
    arguments = {name: request[name] for name in REQUEST_ARGUMENTS if name in request}
    files = arguments.get("files")
    if isinstance(files, dict):
        arguments["files"] = {name: _part(value) for name, value in files.items()}
    elif files is not None:
        arguments["files"] = [(name, _part(value)) for name, value in files]
    built = client.build_request(**arguments)
    # Read now, so the request's body can be shown with a failure.
    await built.aread()
    return await client.send(built)


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_generated_request_is_answered_with_a_server_error(
    case: schemathesis.Case,
    client: AsyncClient,
    credentials: Credentials,
    event_loop_of_the_app: asyncio.AbstractEventLoop,
) -> None:
    request = case.as_transport_kwargs(
        base_url="http://testserver", headers=credentials.for_path(case.path)
    )
    response = event_loop_of_the_app.run_until_complete(_send(client, request))

    case.validate_response(response, checks=CHECKS)
