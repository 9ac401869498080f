"""One ticket across the surfaces: a project opens it, an admin assigns it in the portal,
the agent answers it here, and the project reads the answer."""

from __future__ import annotations

import email
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import Message as EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from httpx import AsyncClient

from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, Role
from supportdesk.worker.inprocess import InProcessRunner
from tests.api.agent.conftest import URL, Agent, data_of, get
from tests.factories import Factory


@dataclass
class Mailbox:
    """An SMTP server on 127.0.0.1 keeping what it is sent."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
async def worker(
    settings: Settings, database: Database, mailbox: tuple[Mailbox, int]
) -> AsyncIterator[InProcessRunner]:
    """The worker's event handling, run on demand, sending its e-mail to the mailbox."""
    mailing = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": mailbox[1], "smtp_starttls": False}
    )
    runner = InProcessRunner(mailing, database)
    yield runner
    await runner.stop()


async def test_a_project_ticket_assigned_in_the_portal_is_answered_by_the_agent(
    client: AsyncClient, make: Factory, worker: InProcessRunner, mailbox: tuple[Mailbox, int]
) -> None:
    project = await make.project("NaijaHomes", slug="naijahomes", ticket_prefix="NAIJ")
    pair = await make.api_key(ApiKeyType.PROJECT, project_id=project.id)
    assert pair.raw_secret is not None
    project_headers = {"X-Api-Key": pair.raw_key, "X-Api-Secret": pair.raw_secret}
    user = await make.user(Role.AGENT, projects=[project.id], name="Agent Smith")
    key = await make.api_key(ApiKeyType.EXTERNAL, agent_id=user.id)
    agent = Agent(user, key.raw_key)
    admin = await make.user(Role.ADMIN, name="Ada Admin")

    # 1. The project opens a ticket for its customer.
    opened = await client.post(
        "/api/external/tickets",
        json={
            "customer_name": "Tunde Adeyemi",
            "customer_email": "tunde@gmail.test",
            "subject": "Cannot upload property photos",
            "description": "Upload button does nothing on Chrome...",
            "priority": "high",
        },
        headers=project_headers,
    )
    assert opened.status_code == 201, opened.text
    ticket_id, number = opened.json()["ticket_id"], opened.json()["ticket_number"]
    assert (await get(client, agent, f"/tickets/{ticket_id}")).status_code == 404

    # 2. An admin assigns it to the agent in the portal.
    assigned = await client.patch(
        f"/api/tickets/{ticket_id}/assign", json={"user_id": user.id}, headers=make.auth(admin)
    )
    assert assigned.status_code == 200, assigned.text

    # 3. The agent sees it waiting for an answer.
    figures = data_of(await get(client, agent, "/dashboard"))
    assert figures["needs_response"] == 1
    assert figures["in_progress_tickets"] == 1
    listed = data_of(await get(client, agent, "/tickets"))
    assert [(t["id"], t["title"]) for t in listed] == [(ticket_id, "Cannot upload property photos")]
    assert listed[0]["customer"] == {
        "id": listed[0]["customer"]["id"],
        "name": "Tunde Adeyemi",
        "email": "tunde@gmail.test",
    }

    # 4. The agent replies here, and adds a note for colleagues.
    replied = await client.post(
        f"{URL}/tickets/{ticket_id}/messages",
        json={"content": "Please try again, we fixed the uploader."},
        headers=agent.headers,
    )
    assert replied.status_code == 201, replied.text
    noted = await client.post(
        f"{URL}/tickets/{ticket_id}/messages",
        json={"content": "Root cause: CDN config.", "is_internal": True},
        headers=agent.headers,
    )
    assert noted.status_code == 201, noted.text
    assert data_of(await get(client, agent, "/dashboard"))["needs_response"] == 0

    # 5. The project reads the reply, and never the note.
    read = await client.get(f"/api/external/tickets/{number}", headers=project_headers)
    assert read.status_code == 200, read.text
    conversation: list[dict[str, Any]] = read.json()["ticket"]["messages"]
    assert [(m["body"], m["from"], m["is_agent"]) for m in conversation] == [
        ("Please try again, we fixed the uploader.", "Agent Smith", True)
    ]
    assert read.json()["ticket"]["assigned_to"] == "Agent Smith"

    # 6. The worker turns the events into notices: the agent was told of the assignment.
    await worker.relay()
    notices = data_of(await get(client, agent, "/notifications"))
    assignment = [n for n in notices if n["type"] == "ticket_assigned"]
    assert len(assignment) == 1
    assert assignment[0]["ticket_id"] == ticket_id
    assert assignment[0]["is_read"] is False
    assert assignment[0]["sender_name"] == "Ada Admin"
    unread = data_of(await get(client, agent, "/notifications/unread-count"))["unread_count"]
    # ...and the customer was e-mailed the reply, never the note.
    to_customer = [m for m in mailbox[0].messages if m["To"] == "tunde@gmail.test"]
    replies = [m for m in to_customer if m["Subject"].startswith("Re:")]
    assert [m["Subject"] for m in replies] == [f"Re: [{number}] Cannot upload property photos"]
    assert "we fixed the uploader" in replies[0].get_payload()
    assert not any("CDN" in m.get_payload() for m in to_customer)
    assert unread == len([n for n in notices if not n["is_read"]])

    # The customer's answer comes back to the agent, as a notice and on the dashboard.
    answered = await client.post(
        f"/api/external/tickets/{number}/reply",
        json={"body": "Works now, thanks!", "customer_email": "tunde@gmail.test"},
        headers=project_headers,
    )
    assert answered.status_code == 201, answered.text
    await worker.relay()
    assert data_of(await get(client, agent, "/dashboard"))["needs_response"] == 1
    newest = data_of(await get(client, agent, "/notifications"))[0]
    assert (newest["type"], newest["ticket_id"]) == ("ticket_reply", ticket_id)

    read_it = await client.post(f"{URL}/notifications/{newest['id']}/read", headers=agent.headers)
    assert data_of(read_it)["is_read"] is True
    assert (
        data_of(await get(client, agent, "/notifications/unread-count"))["unread_count"] == unread
    )
