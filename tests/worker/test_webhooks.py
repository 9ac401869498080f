"""Webhook deliveries: signed, in order, retried, refused where they may not go."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from standardwebhooks import Webhook

from supportdesk.auth.principal import Principal
from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from supportdesk.services.webhook_delivery import (
    ANSWER_KEPT,
    RETRY_DELAYS,
    WebhookSender,
)
from supportdesk.services.webhooks import WebhookFields, WebhookService
from supportdesk.worker import jobs
from supportdesk.worker.context import Resources
from supportdesk.worker.inprocess import InProcessRunner
from tests.factories import Factory
from tests.support import FrozenClock
from tests.worker.conftest import Pipeline
from tests.worker.support import Desk, notifications
from tests.worker.webhook_receiver import Answer, Receiver, serving


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serving()


@pytest.fixture
def hook_settings(worker_settings: Settings) -> Settings:
    return worker_settings.model_copy(
        update={"webhook_allow_http": True, "webhook_allowed_hosts": ("127.0.0.1",)}
    )


class Hooks:
    """Subscriptions, and the worker passes that deliver to them."""

    def __init__(self, settings: Settings, database: Database, transport: Any = None) -> None:
        self.settings = settings
        self.database = database
        sender = WebhookSender(settings, transport)
        self.res = Resources.build(settings, database, webhook_sender=sender)
        self.runner = InProcessRunner(settings, database, self.res)

    async def subscribe(self, url: str, events: list[str], **fields: Any) -> tuple[int, str]:
        async with self.database.transaction() as session:
            issued = await WebhookService(session, self.settings).create(
                Principal.system(),
                WebhookFields(
                    fields_set=frozenset({"url", "events", *fields}),
                    url=url,
                    events=events,
                    **fields,
                ),
            )
        return issued.subscription.id, issued.secret

    async def deliver(self) -> int:
        """The worker's two steps: the outbox into deliveries, the due deliveries sent."""
        await self.runner.relay()
        return await self.res.webhooks.run()

    async def subscription(self, subscription_id: int) -> WebhookSubscription:
        async with self.database.transaction(read_only=True) as session:
            found = await session.get(WebhookSubscription, subscription_id)
            assert found is not None
            return found

    async def deliveries(self) -> list[WebhookDelivery]:
        async with self.database.transaction(read_only=True) as session:
            rows = await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
            return list(rows.all())

    async def attempts(self) -> list[WebhookAttempt]:
        async with self.database.transaction(read_only=True) as session:
            rows = await session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id))
            return list(rows.all())

    async def close(self) -> None:
        await self.runner.stop()
        await self.res.webhooks.sender.aclose()


@pytest.fixture
async def hooks(hook_settings: Settings, database: Database) -> AsyncIterator[Hooks]:
    built = Hooks(hook_settings, database)
    yield built
    await built.close()


def types_of(receiver: Receiver) -> list[str]:
    return [json.loads(request.body)["type"] for request in receiver.received]


def bodies(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(request.body) for request in receiver.received]


async def rest_ticket(client: AsyncClient, make: Factory, ticket_id: int) -> dict[str, Any]:
    key = await make.api_key("internal", scopes=["*"])
    response = await client.get(
        f"/api/v1/tickets/tkt_{ticket_id}", headers={"Authorization": f"Bearer {key.raw_key}"}
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


# ---------------------------------------------------------------------- signed deliveries


async def test_a_delivery_verifies_with_the_standardwebhooks_library(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    _, secret = await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))

    await hooks.deliver()

    [request] = receiver.received
    verified = Webhook(secret).verify(request.body, request.headers)
    assert verified["type"] == "ticket.created"
    assert request.headers["webhook-id"] == verified["id"]
    assert request.headers["webhook-signature"].startswith("v1,")
    assert request.headers["content-type"] == "application/json"


async def test_a_delivery_signed_with_another_secret_fails_verification(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))

    await hooks.deliver()

    [request] = receiver.received
    other = "whsec_" + "A" * 43 + "="
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(other).verify(request.body, request.headers)


async def test_the_ticket_in_a_payload_is_the_rest_apis_ticket(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, client: AsyncClient
) -> None:
    await hooks.subscribe(receiver.url(), ["*"])
    ticket = await desk.open(await make.user(Role.CUSTOMER))

    await hooks.deliver()

    [body] = bodies(receiver)
    assert set(body) == {"id", "type", "created_at", "data"}
    assert body["id"].startswith("evt_") and body["created_at"].endswith("Z")
    assert body["data"]["ticket"] == await rest_ticket(client, make, ticket["id"])


async def test_after_a_rotation_both_secrets_sign_for_24_hours(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    subscription_id, old = await hooks.subscribe(receiver.url(), ["ticket.created"])
    async with hooks.database.transaction() as session:
        rotated = await WebhookService(session, hooks.settings).rotate_secret(
            Principal.system(), subscription_id
        )
    await desk.open(await make.user(Role.CUSTOMER))

    await hooks.deliver()

    [request] = receiver.received
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(request.body, request.headers)
    Webhook(rotated.secret).verify(request.body, request.headers)


async def test_a_day_after_a_rotation_only_the_new_secret_signs(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, frozen_clock: FrozenClock
) -> None:
    subscription_id, _ = await hooks.subscribe(receiver.url(), ["ticket.created"])
    async with hooks.database.transaction() as session:
        await WebhookService(session, hooks.settings).rotate_secret(
            Principal.system(), subscription_id
        )
    frozen_clock.advance(hours=24, seconds=1)
    await desk.open(await make.user(Role.CUSTOMER))

    await hooks.deliver()

    [request] = receiver.received
    assert len(request.headers["webhook-signature"].split(" ")) == 1


# ---------------------------------------------------------------------- which events, to whom


async def test_ticket_changes_arrive_as_their_events_in_order(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    await hooks.subscribe(receiver.url(), ["*"])
    agent = await make.user(Role.AGENT, projects=[1])
    ticket = await desk.open(await make.user(Role.CUSTOMER))
    await desk.update(agent, ticket["id"], priority="high")
    await desk.assign(agent, ticket["id"], agent)
    await desk.set_status(agent, ticket["id"], "resolved")

    await hooks.deliver()

    assert types_of(receiver) == [
        "ticket.created",
        "ticket.updated",
        "ticket.assigned",
        "ticket.status_changed",
        "ticket.status_changed",
    ]
    updated = bodies(receiver)[1]["data"]
    assert updated["changes"] == {"priority": ["medium", "high"]}
    assert bodies(receiver)[2]["data"]["ticket"]["assignee"]["id"] == f"user_{agent.id}"


async def test_a_reply_is_a_message_created_event(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    await hooks.subscribe(receiver.url(), ["message.created"])
    customer = await make.user(Role.CUSTOMER)
    ticket = await desk.open(customer)
    await desk.reply(customer, ticket["id"], "<p>Still <b>locked</b> out.</p>")

    await hooks.deliver()

    [body] = bodies(receiver)
    message = body["data"]["message"]
    assert body["type"] == "message.created"
    assert message["internal"] is False and message["content_text"] == "Still locked out."
    assert message["ticket_id"] == f"tkt_{ticket['id']}"


async def test_an_internal_note_goes_only_to_subscriptions_naming_note_created(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    await hooks.subscribe(receiver.url("/everything"), ["*"])
    await hooks.subscribe(receiver.url("/notes"), ["message.note_created"])
    agent = await make.user(Role.AGENT, projects=[1])
    ticket = await desk.open(await make.user(Role.CUSTOMER))
    await desk.reply(agent, ticket["id"], "Checking the logs.", kind="note")

    await hooks.deliver()

    notes = [r for r in receiver.received if json.loads(r.body)["type"] == "message.note_created"]
    assert [request.path for request in notes] == ["/notes"]
    assert json.loads(notes[0].body)["data"]["message"]["internal"] is True
    assert [r.path for r in receiver.received if r.path == "/everything"] == ["/everything"]


async def test_a_project_subscription_hears_only_its_projects_tickets(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    other = await make.project("Other shop")
    await hooks.subscribe(receiver.url(), ["ticket.created"], project_id=other.id)
    customer = await make.user(Role.CUSTOMER)
    await desk.open(customer)
    mine = await desk.open(customer, project_id=other.id)

    await hooks.deliver()

    [body] = bodies(receiver)
    assert body["data"]["ticket"]["id"] == f"tkt_{mine['id']}"


async def test_a_new_customer_is_a_customer_created_event(
    hooks: Hooks, receiver: Receiver, client: AsyncClient, make: Factory
) -> None:
    await hooks.subscribe(receiver.url(), ["customer.created"])
    key = await make.api_key("internal", scopes=["*"])
    response = await client.post(
        "/api/v1/customers",
        json={"email": "ada@example.com", "name": "Ada"},
        headers={"Authorization": f"Bearer {key.raw_key}"},
    )
    assert response.status_code == 201, response.text

    await hooks.deliver()

    [body] = bodies(receiver)
    assert body["type"] == "customer.created"
    assert body["data"]["customer"] == response.json()["data"]


async def test_a_ticket_event_is_delivered_once_however_often_the_event_is_handled(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))
    await hooks.runner.relay()
    [event_id] = [row.outbox_event_id for row in await hooks.deliveries()]
    assert event_id is not None

    async with hooks.database.transaction() as session:
        await session.execute(
            update(OutboxEvent).where(OutboxEvent.id == event_id).values(handled_at=None)
        )
    await jobs.deliver_event(hooks.res, event_id)
    await hooks.res.webhooks.run()

    assert len(receiver.received) == 1


async def test_the_test_endpoint_delivers_a_webhook_test_event(
    hooks: Hooks, receiver: Receiver
) -> None:
    subscription_id, secret = await hooks.subscribe(receiver.url(), ["ticket.created"])
    async with hooks.database.transaction() as session:
        await WebhookService(session, hooks.settings).send_test(Principal.system(), subscription_id)

    await hooks.deliver()

    [request] = receiver.received
    body = Webhook(secret).verify(request.body, request.headers)
    assert body["type"] == "webhook.test"
    assert body["data"]["webhook"]["id"] == subscription_id


# ---------------------------------------------------------------------- failures and retries


async def test_a_failed_delivery_is_retried_after_five_seconds(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, frozen_clock: FrozenClock
) -> None:
    receiver.answer(Answer(503, b"busy"), Answer(200))
    await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))
    await hooks.deliver()

    frozen_clock.advance(seconds=4)
    await hooks.deliver()
    attempts_early = len(receiver.received)
    frozen_clock.advance(seconds=1)
    await hooks.deliver()

    assert attempts_early == 1
    assert len(receiver.received) == 2
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
    [delivery] = await hooks.deliveries()
    assert delivery.status == "delivered" and delivery.attempts == 2


async def test_every_attempt_is_logged_with_status_latency_and_the_answers_first_kilobyte(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    receiver.answer(Answer(500, b"x" * 5000))
    await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))

    await hooks.deliver()

    [attempt] = await hooks.attempts()
    assert attempt.status_code == 500 and attempt.succeeded is False
    assert attempt.response_body == "x" * ANSWER_KEPT
    assert attempt.latency_ms >= 0


async def test_after_the_last_retry_the_webhook_is_disabled_and_admins_told(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, frozen_clock: FrozenClock
) -> None:
    receiver.answer(Answer(500))
    admin = await make.user(Role.ADMIN)
    subscription_id, _ = await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))
    await hooks.deliver()

    for delay in RETRY_DELAYS:
        frozen_clock.advance(seconds=delay.total_seconds())
        await hooks.deliver()

    assert len(receiver.received) == 1 + len(RETRY_DELAYS)
    subscription = await hooks.subscription(subscription_id)
    assert subscription.is_active is False and subscription.disabled_reason
    [delivery] = await hooks.deliveries()
    assert delivery.status == "failed"
    [notice] = await notifications(hooks.database, user_id=admin.id, type="webhook_disabled")
    assert receiver.url() in notice.message


async def test_the_retry_schedule_is_the_documented_one() -> None:
    assert [delay.total_seconds() for delay in RETRY_DELAYS] == [
        5,
        300,
        1800,
        7200,
        18000,
        36000,
        36000,
    ]


async def test_five_days_of_failures_disable_the_webhook(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, frozen_clock: FrozenClock
) -> None:
    receiver.answer(Answer(500))
    subscription_id, _ = await hooks.subscribe(receiver.url(), ["ticket.created"])
    customer = await make.user(Role.CUSTOMER)
    await desk.open(customer)
    await hooks.deliver()
    frozen_clock.advance(days=5)
    await desk.open(customer)

    await hooks.deliver()

    subscription = await hooks.subscription(subscription_id)
    assert subscription.is_active is False
    assert "5 days" in (subscription.disabled_reason or "")


async def test_a_success_ends_a_run_of_failures(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, frozen_clock: FrozenClock
) -> None:
    receiver.answer(Answer(500), Answer(200))
    subscription_id, _ = await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))
    await hooks.deliver()
    assert (await hooks.subscription(subscription_id)).failing_since is not None
    frozen_clock.advance(seconds=5)

    await hooks.deliver()

    assert (await hooks.subscription(subscription_id)).failing_since is None


async def test_a_redirect_is_not_followed(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    receiver.answer(Answer(302, b"", {"location": receiver.url("/elsewhere")}))
    await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))

    await hooks.deliver()

    assert [request.path for request in receiver.received] == ["/hook"]
    [attempt] = await hooks.attempts()
    assert attempt.status_code == 302 and attempt.succeeded is False


async def test_a_timeout_is_a_failed_attempt(
    hook_settings: Settings, database: Database, desk: Desk, make: Factory
) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    timing_out = Hooks(hook_settings, database, httpx.MockTransport(slow))
    try:
        await timing_out.subscribe("https://hooks.example.com/", ["ticket.created"])
        await desk.open(await make.user(Role.CUSTOMER))

        await timing_out.deliver()

        [attempt] = await timing_out.attempts()
        assert attempt.status_code is None and "ReadTimeout" in (attempt.error or "")
    finally:
        await timing_out.close()


async def test_a_resend_sends_the_same_webhook_id_and_body_again(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    subscription_id, _ = await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))
    await hooks.deliver()
    [delivery] = await hooks.deliveries()

    async with hooks.database.transaction() as session:
        await WebhookService(session, hooks.settings).resend(
            Principal.system(), subscription_id, delivery.id
        )
    await hooks.deliver()

    first, again = receiver.received
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert first.body == again.body


# ---------------------------------------------------------------------- ordering


async def test_a_tickets_later_events_wait_for_its_failed_earlier_one(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, frozen_clock: FrozenClock
) -> None:
    receiver.answer(Answer(500), Answer(200))
    await hooks.subscribe(receiver.url(), ["ticket.created", "ticket.updated"])
    agent = await make.user(Role.AGENT, projects=[1])
    ticket = await desk.open(await make.user(Role.CUSTOMER))
    await desk.update(agent, ticket["id"], priority="high")
    await hooks.deliver()
    waiting = types_of(receiver)

    frozen_clock.advance(seconds=5)
    await hooks.deliver()

    assert waiting == ["ticket.created"]
    assert types_of(receiver) == ["ticket.created", "ticket.created", "ticket.updated"]


async def test_another_tickets_events_do_not_wait(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    receiver.answer(Answer(500), Answer(200))
    await hooks.subscribe(receiver.url(), ["ticket.created"])
    customer = await make.user(Role.CUSTOMER)
    await desk.open(customer)
    await desk.open(customer)

    await hooks.deliver()

    assert len(receiver.received) == 2


# ---------------------------------------------------------------------- where deliveries may go


async def test_a_loopback_address_is_refused_unless_its_host_is_allowed(
    hook_settings: Settings, database: Database, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    guarded = Hooks(hook_settings.model_copy(update={"webhook_allowed_hosts": ()}), database)
    try:
        async with database.transaction() as session:
            # Stored as if it had passed at creation: the check that counts is the delivery's.
            session.add(
                WebhookSubscription(
                    url=receiver.url(host="localhost"), events=["*"], secret="whsec_" + "A" * 44
                )
            )
        await desk.open(await make.user(Role.CUSTOMER))

        await guarded.deliver()

        assert receiver.received == []
        [attempt] = await guarded.attempts()
        assert attempt.status_code is None
        assert "not a public address" in (attempt.error or "")
    finally:
        await guarded.close()


async def test_the_allowed_host_setting_lets_a_local_receiver_through(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    await hooks.subscribe(receiver.url(host="127.0.0.1"), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))

    await hooks.deliver()

    assert len(receiver.received) == 1


async def test_a_long_answer_is_read_only_up_to_the_limit(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    receiver.answer(Answer(200, b"y" * (2 * 1024 * 1024)))
    await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))

    await hooks.deliver()

    [attempt] = await hooks.attempts()
    assert attempt.succeeded is True and attempt.response_body == "y" * ANSWER_KEPT


async def test_an_inactive_webhook_hears_no_events(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    await hooks.subscribe(receiver.url(), ["ticket.created"], is_active=False)
    await desk.open(await make.user(Role.CUSTOMER))

    await hooks.deliver()

    assert receiver.received == []
    assert await hooks.deliveries() == []


async def test_enabling_a_disabled_webhook_sends_what_waited(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    subscription_id, _ = await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))
    await hooks.runner.relay()
    await _set_active(hooks, subscription_id, False)
    await hooks.deliver()
    assert receiver.received == []

    await _set_active(hooks, subscription_id, True)
    await hooks.deliver()

    assert len(receiver.received) == 1


async def _set_active(hooks: Hooks, subscription_id: int, active: bool) -> None:
    async with hooks.database.transaction() as session:
        await WebhookService(session, hooks.settings).update(
            Principal.system(),
            subscription_id,
            WebhookFields(frozenset({"is_active"}), is_active=active),
        )


async def test_the_deployments_pipeline_fans_events_out_to_webhooks(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, pipeline: Pipeline
) -> None:
    await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))

    await pipeline.deliver()
    await hooks.res.webhooks.run()

    assert types_of(receiver) == ["ticket.created"]


async def test_the_readmes_receiver_example_verifies_a_delivery(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    example = readme.split("A receiver verifies", 1)[1].split("```python\n", 1)[1]
    namespace: dict[str, Any] = {}
    exec(example.split("```", 1)[0], namespace)  # noqa: S102 - the README's own code
    _, secret = await hooks.subscribe(receiver.url(), ["ticket.created"])
    await desk.open(await make.user(Role.CUSTOMER))

    await hooks.deliver()

    [request] = receiver.received
    namespace["verify"](secret, request.headers, request.body)
    with pytest.raises(ValueError, match="bad signature"):
        namespace["verify"](secret, request.headers, request.body + b" ")


async def test_the_daily_cleanup_drops_settled_deliveries_after_30_days(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, frozen_clock: FrozenClock
) -> None:
    await hooks.subscribe(receiver.url(), ["ticket.created"])
    customer = await make.user(Role.CUSTOMER)
    await desk.open(customer)
    await hooks.deliver()
    frozen_clock.advance(days=31)
    await desk.open(customer)
    await hooks.runner.relay()

    await jobs.cleanup(hooks.runner.ctx)

    assert [row.status for row in await hooks.deliveries()] == ["pending"]


async def test_a_deleted_ticket_is_a_ticket_deleted_event(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, client: AsyncClient
) -> None:
    await hooks.subscribe(receiver.url(), ["ticket.deleted"])
    admin = await make.user(Role.ADMIN)
    ticket = await desk.open(await make.user(Role.CUSTOMER))
    response = await client.delete(f"/api/tickets/{ticket['id']}", headers=make.auth(admin))
    assert response.status_code == 200, response.text

    await hooks.deliver()

    [body] = bodies(receiver)
    assert body["type"] == "ticket.deleted"
    assert body["data"]["ticket"]["id"] == f"tkt_{ticket['id']}"


async def test_an_sla_breach_is_a_ticket_sla_breached_event(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, frozen_clock: FrozenClock
) -> None:
    await hooks.subscribe(receiver.url(), ["ticket.sla_breached"])
    await desk.open(await make.user(Role.CUSTOMER), priority="critical")
    frozen_clock.advance(minutes=16)
    await jobs.check_sla(hooks.runner.ctx)

    await hooks.deliver()

    [body] = bodies(receiver)
    assert body["type"] == "ticket.sla_breached"
    assert body["data"]["breach"]["kind"] == "first_response"


async def test_a_rating_is_a_ticket_rated_event(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, client: AsyncClient
) -> None:
    await hooks.subscribe(receiver.url(), ["ticket.rated"])
    agent = await make.user(Role.AGENT, projects=[1])
    customer = await make.user(Role.CUSTOMER)
    ticket = await desk.open(customer)
    await desk.set_status(agent, ticket["id"], "resolved")
    response = await client.post(
        f"/api/tickets/{ticket['id']}/rating", json={"score": 5}, headers=make.auth(customer)
    )
    assert response.status_code == 201, response.text

    await hooks.deliver()

    [body] = bodies(receiver)
    assert body["type"] == "ticket.rated" and body["data"]["rating"] == {"score": 5}


async def test_a_burst_of_one_tickets_events_goes_out_in_one_pass_in_order(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory
) -> None:
    await hooks.subscribe(receiver.url(), ["ticket.created", "ticket.updated"])
    agent = await make.user(Role.AGENT, projects=[1])
    ticket = await desk.open(await make.user(Role.CUSTOMER))
    for subject in ("First", "Second", "Third"):
        await desk.update(agent, ticket["id"], subject=subject)
    await hooks.runner.relay()

    sent = await hooks.res.webhooks.run_once(100)

    assert sent == 4
    assert types_of(receiver) == ["ticket.created"] + ["ticket.updated"] * 3
    assert [body["data"]["changes"]["subject"][1] for body in bodies(receiver)[1:]] == [
        "First",
        "Second",
        "Third",
    ]


async def test_a_failure_inside_a_line_holds_back_the_rest_of_it(
    hooks: Hooks, receiver: Receiver, desk: Desk, make: Factory, frozen_clock: FrozenClock
) -> None:
    receiver.answer(Answer(200), Answer(500), Answer(200))
    await hooks.subscribe(receiver.url(), ["ticket.created", "ticket.updated"])
    agent = await make.user(Role.AGENT, projects=[1])
    ticket = await desk.open(await make.user(Role.CUSTOMER))
    await desk.update(agent, ticket["id"], subject="First")
    await desk.update(agent, ticket["id"], subject="Second")
    await hooks.deliver()
    first_pass = [body["data"].get("changes") for body in bodies(receiver)]

    frozen_clock.advance(seconds=5)
    await hooks.deliver()

    assert first_pass == [None, {"subject": ["Cannot log in", "First"]}]
    assert [body["data"].get("changes") for body in bodies(receiver)][2:] == [
        {"subject": ["Cannot log in", "First"]},
        {"subject": ["First", "Second"]},
    ]
