"""Sending webhooks: the worker's side, never a request's.

A pass holds the deliveries that are due and head their ticket's line, POSTs each one
signed (Standard Webhooks headers), and records the attempt. 2xx is delivered; anything
else — another status (redirects are not followed), a timeout, a refused address — is a
failure, retried after RETRY_DELAYS. After the last retry, or once a subscription has
failed for FAILING_LIMIT without a single success, the subscription is disabled and the
hub's admins (and its project's leads) are told in the app.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from supportdesk.config import Settings
from supportdesk.core import clock
from supportdesk.core.db import Database
from supportdesk.core.webhook_signature import signature_header
from supportdesk.models import Notification, WebhookAttempt, WebhookDelivery, WebhookSubscription
from supportdesk.repositories.webhooks import DELIVERED, FAILED, WebhookRepository
from supportdesk.services.webhook_addresses import BlockedAddress, guarded_transport
from supportdesk.services.webhooks import signing_secrets

log = logging.getLogger(__name__)

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
FAILING_LIMIT = timedelta(days=5)
TIMEOUT_SECONDS = 10.0
# An answer is read up to this much, and its first ANSWER_KEPT bytes are kept.
ANSWER_READ_LIMIT = 64 * 1024
ANSWER_KEPT = 1024
# How long a worker holds the deliveries of a pass: sends start only in its first 40 s,
# so each is recorded before the hold runs out and nobody sends it twice.
HOLD = timedelta(seconds=60)
# A line's deliveries sent one after the other in a pass, its head included.
FOLLOWERS_PER_LINE = 20
USER_AGENT = "SupportDesk-Webhooks/1.0"
NOTIFICATION_TYPE = "webhook_disabled"


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    body: str | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True, slots=True)
class Sent:
    delivery_id: int
    attempted_at: datetime
    outcome: Outcome


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(
    delivery: WebhookDelivery, subscription: WebhookSubscription, body: bytes, now: datetime
) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            signing_secrets(subscription, now), delivery.event_id, timestamp, body
        ),
    }


class WebhookSender:
    """One HTTP client for a worker's deliveries, connecting through the address guard."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self._transport = transport
        self._made: httpx.AsyncClient | None = None

    @property
    def _client(self) -> httpx.AsyncClient:
        # Made on first use: a process that never sends a webhook never loads the CA store.
        if self._made is None:
            self._made = httpx.AsyncClient(
                transport=self._transport or guarded_transport(self.settings),
                timeout=httpx.Timeout(TIMEOUT_SECONDS),
                follow_redirects=False,
                trust_env=False,
            )
        return self._made

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Outcome:
        started = time.perf_counter()
        status: int | None = None
        answer = bytearray()
        error: str | None = None
        try:
            # The whole exchange, answer included, within the timeout.
            async with asyncio.timeout(TIMEOUT_SECONDS):
                async with self._client.stream("POST", url, content=body, headers=headers) as sent:
                    status = sent.status_code
                    async for chunk in sent.aiter_raw():
                        answer += chunk
                        if len(answer) >= ANSWER_READ_LIMIT:
                            break
        except TimeoutError:
            error = f"No answer within {TIMEOUT_SECONDS:g} s."
        except BlockedAddress as exc:
            error = f"Refused: {exc}."
        except Exception as exc:  # any other failure of the exchange: a failed attempt
            error = f"{type(exc).__name__}: {exc}"[:500]
        latency = int((time.perf_counter() - started) * 1000)
        kept = bytes(answer[:ANSWER_KEPT]).decode("utf-8", errors="replace") if answer else None
        if status is not None and error is not None:
            status = None  # an answer cut short is no answer
        return Outcome(status, latency, kept, error)

    async def aclose(self) -> None:
        if self._made is not None:
            await self._made.aclose()
            self._made = None


class WebhookDispatcher:
    def __init__(self, settings: Settings, database: Database, sender: WebhookSender) -> None:
        self.settings = settings
        self.database = database
        self.sender = sender

    async def run(self) -> int:
        """Send every delivery due now, pass after pass; returns how many were sent.

        A pass sends the head of each ticket's line: the next pass finds the next ones.
        """
        sent = 0
        batch = self.settings.webhook_concurrency * 10
        while count := await self.run_once(batch):
            sent += count
        return sent

    async def run_once(self, limit: int) -> int:
        """One pass: hold what is due, send it, and record every attempt of the pass in
        one transaction; returns how many were sent.

        Lines (one ticket's deliveries to one subscription) are sent side by side,
        ``webhook_concurrency`` at once; within a line one after the other, stopping at
        the first failure, whose retry the rest of the line then waits for.
        """
        now = clock.now()
        async with self.database.transaction() as session:
            repo = WebhookRepository(session)
            heads = await repo.claim_due(now, now + HOLD, limit)
            followers = await repo.claim_followers(heads, now, now + HOLD, FOLLOWERS_PER_LINE)
            claimed = await repo.deliveries_with_subscriptions([*heads, *followers])
        if not claimed:
            return 0
        lines: dict[object, list[tuple[WebhookDelivery, WebhookSubscription]]] = {}
        for delivery, subscription in claimed:
            key = (subscription.id, delivery.ordering_key) if delivery.ordering_key else delivery.id
            lines.setdefault(key, []).append((delivery, subscription))
        gate = asyncio.Semaphore(self.settings.webhook_concurrency)
        sent: list[Sent] = []
        unsent: list[int] = []

        # Nothing starts once the hold might run out before it is recorded: what is
        # left is let go, for the next pass.
        deadline = time.monotonic() + (HOLD.total_seconds() - 2 * TIMEOUT_SECONDS)

        async def send_line(line: list[tuple[WebhookDelivery, WebhookSubscription]]) -> None:
            async with gate:
                for place, (delivery, subscription) in enumerate(line):
                    if time.monotonic() > deadline:
                        unsent.extend(later.id for later, _ in line[place:])
                        return
                    attempt = await self._send(delivery, subscription)
                    sent.append(attempt)
                    if not attempt.outcome.succeeded:
                        unsent.extend(later.id for later, _ in line[place + 1 :])
                        return

        ordered = (sorted(line, key=lambda pair: pair[0].sequence or 0) for line in lines.values())
        await asyncio.gather(*(send_line(line) for line in ordered))
        try:
            await self.record(sent, unsent)
        except Exception:  # the hold expires and the deliveries are sent again
            log.exception("webhooks: recording %s attempt(s) failed", len(sent))
        return len(sent)

    async def _send(self, delivery: WebhookDelivery, subscription: WebhookSubscription) -> Sent:
        body = body_of(delivery)
        attempted_at = clock.now()
        headers = signed_headers(delivery, subscription, body, attempted_at)
        outcome = await self.sender.post(subscription.url, headers, body)
        return Sent(delivery.id, attempted_at, outcome)

    async def record(self, sent: Sequence[Sent], unsent: Sequence[int] = ()) -> None:
        async with self.database.transaction() as session:
            repo = WebhookRepository(session)
            await repo.release(unsent)
            found = await repo.deliveries_for_update([attempt.delivery_id for attempt in sent])
            now = clock.now()
            for attempt in sent:
                pair = found.get(attempt.delivery_id)
                if pair is not None:  # else its subscription was deleted meanwhile
                    await _settle(repo, *pair, attempt, now)


async def _settle(
    repo: WebhookRepository,
    delivery: WebhookDelivery,
    subscription: WebhookSubscription,
    sent: Sent,
    now: datetime,
) -> None:
    """Log the attempt; then delivered, retried later, or given up (and the webhook off)."""
    outcome = sent.outcome
    repo.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            attempted_at=sent.attempted_at,
            status_code=outcome.status_code,
            latency_ms=outcome.latency_ms,
            response_body=outcome.body,
            error=outcome.error,
            succeeded=outcome.succeeded,
        )
    )
    delivery.attempts += 1
    delivery.locked_until = None
    if outcome.succeeded:
        delivery.status = DELIVERED
        delivery.delivered_at = now
        if subscription.failing_since is not None:
            subscription.failing_since = None
        return
    failing_since = subscription.failing_since or sent.attempted_at
    subscription.failing_since = failing_since
    if delivery.attempts <= len(RETRY_DELAYS) and now - failing_since < FAILING_LIMIT:
        delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
        return
    delivery.status = FAILED
    if subscription.is_active:
        reason = (
            f"Delivery {delivery.event_id} failed {delivery.attempts} times"
            if delivery.attempts > len(RETRY_DELAYS)
            else f"Every delivery failed for {FAILING_LIMIT.days} days"
        )
        await _disable(repo, subscription, reason, now)


async def _disable(
    repo: WebhookRepository, subscription: WebhookSubscription, reason: str, now: datetime
) -> None:
    subscription.is_active = False
    subscription.disabled_at = now
    subscription.disabled_reason = reason
    log.warning("webhook %s to %s disabled: %s", subscription.id, subscription.url, reason)
    message = (
        f"The webhook to {subscription.url} was disabled: {reason}. "
        "Fix the receiver, then enable the webhook again; pending deliveries resume."
    )
    for user in await repo.people_to_warn(subscription.project_id):
        repo.add(
            Notification(
                user_id=user.id,
                type=NOTIFICATION_TYPE,
                title="Webhook disabled",
                message=message,
                created_at=now,
            )
        )
