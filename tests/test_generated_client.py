"""A Python client generated from /openapi.json builds without a warning and works.

openapi-python-client writes the client from the app's own document; the client then
opens, changes, lists and reads tickets through the REST and internal APIs, and every
answer comes back parsed into the generated models.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from supportdesk.core.enums import ApiKeyType, Role
from tests.factories import Factory

PACKAGE = "supportdesk_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def generation(app: FastAPI, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Where the client was written, and what the generator printed."""
    workdir = tmp_path_factory.mktemp("generated")
    document = workdir / "openapi.json"
    document.write_text(json.dumps(app.openapi()))
    config = workdir / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run: the test needs the code only
    finished = subprocess.run(  # noqa: S603 - the generator of the dev dependencies
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(workdir / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return workdir, finished.stdout + finished.stderr


@pytest.fixture(scope="module")
def generated(generation: tuple[Path, str]) -> Iterator[ModuleType]:
    workdir, _ = generation
    sys.path.insert(0, str(workdir))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(workdir))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def endpoint(package: ModuleType, operation_id: str) -> Any:
    """The generated module of an operation, whichever tag's folder holds it."""
    root = Path(package.__file__ or "").parent / "api"
    (found,) = root.glob(f"*/{operation_id}.py")
    return importlib.import_module(f"{PACKAGE}.api.{found.parent.name}.{operation_id}")


def model(package: ModuleType, name: str) -> Any:
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


@pytest.fixture
async def api_client(generated: ModuleType, app: FastAPI, make: Factory) -> AsyncIterator[Any]:
    """The generated client, sending an internal key with every scope to the test app."""
    key = await make.api_key(ApiKeyType.INTERNAL, scopes=("*",))
    headers = {"Authorization": f"Bearer {key.raw_key}", "X-API-KEY": key.raw_key}
    client = generated.Client(base_url="http://testserver")
    http = AsyncClient(
        transport=ASGITransport(app=app), base_url="http://testserver", headers=headers
    )
    client.set_async_httpx_client(http)
    async with http:
        yield client


def test_the_client_generates_without_a_warning(generation: tuple[Path, str]) -> None:
    _, output = generation

    assert "Warning" not in output
    assert "WARNING" not in output


async def test_a_ticket_is_created_updated_listed_and_read_over_rest(
    generated: ModuleType, api_client: Any
) -> None:
    create = endpoint(generated, "rest_tickets_create")
    update = endpoint(generated, "rest_tickets_update")
    listing = endpoint(generated, "rest_tickets_list")
    read = endpoint(generated, "rest_tickets_get")
    created = await create.asyncio_detailed(
        client=api_client,
        body=model(generated, "RestTicketCreateIn")(
            subject="Printer on fire", customer_email="ada@example.com"
        ),
    )
    assert created.status_code == 201
    assert isinstance(created.parsed, model(generated, "RestTicketEnvelope"))
    ticket_id = created.parsed.data.id

    updated = await update.asyncio_detailed(
        ticket_id,
        client=api_client,
        body=model(generated, "RestTicketUpdateIn")(subject="Printer still on fire"),
    )
    assert isinstance(updated.parsed, model(generated, "RestTicketEnvelope"))
    assert updated.parsed.data.subject == "Printer still on fire"

    listed = await listing.asyncio_detailed(client=api_client)
    assert isinstance(listed.parsed, model(generated, "RestTicketPage"))
    assert [ticket.id for ticket in listed.parsed.data] == [ticket_id]

    fetched = await read.asyncio_detailed(ticket_id, client=api_client)
    assert isinstance(fetched.parsed, model(generated, "RestTicketEnvelope"))
    assert fetched.parsed.data.subject == "Printer still on fire"


async def test_a_ticket_is_created_updated_listed_and_read_over_the_internal_api(
    generated: ModuleType, api_client: Any, make: Factory
) -> None:
    customer = await make.user(role=Role.CUSTOMER)
    create = endpoint(generated, "internal_tickets_create")
    update = endpoint(generated, "internal_tickets_update")
    listing = endpoint(generated, "internal_tickets_list")
    read = endpoint(generated, "internal_tickets_get")
    created = await create.asyncio_detailed(
        client=api_client,
        body=model(generated, "InternalTicketIn")(
            customer_id=customer.id, title="Cannot log in", content="The form spins."
        ),
    )
    assert created.status_code == 201
    assert isinstance(created.parsed, model(generated, "InternalTicketEnvelope"))
    ticket_id = created.parsed.data.id

    updated = await update.asyncio_detailed(
        ticket_id,
        client=api_client,
        body=model(generated, "InternalTicketUpdateIn")(is_locked=True),
    )
    assert isinstance(updated.parsed, model(generated, "InternalTicketEnvelope"))
    assert updated.parsed.data.is_locked is True

    listed = await listing.asyncio_detailed(client=api_client)
    assert isinstance(listed.parsed, model(generated, "InternalTicketListEnvelope"))
    assert [ticket.id for ticket in listed.parsed.data] == [ticket_id]

    fetched = await read.asyncio_detailed(ticket_id, client=api_client)
    assert isinstance(fetched.parsed, model(generated, "InternalTicketEnvelope"))
    assert fetched.parsed.data.title == "Cannot log in"
