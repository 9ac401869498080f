"""The job functions. Each takes arq's ctx; the in-process runner calls the same ones."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from arq import Retry
from arq.connections import ArqRedis
from arq.constants import expires_extra_ms, job_key_prefix, result_key_prefix
from arq.jobs import serialize_job

from supportdesk.api.rest.webhook_payloads import event_data as webhook_event_data
from supportdesk.core import clock
from supportdesk.core.db import database_outage, is_connection_error
from supportdesk.core.events import EventType
from supportdesk.repositories.outbox import OutboxRepository
from supportdesk.repositories.webhooks import WebhookRepository
from supportdesk.services.idempotency import PURGE_BATCH as IDEMPOTENCY_PURGE_BATCH
from supportdesk.services.idempotency import IdempotencyService
from supportdesk.services.maintenance import MaintenanceService
from supportdesk.services.notifier import Notifier
from supportdesk.services.sla import SlaService
from supportdesk.services.webhooks import WebhookFanout
from supportdesk.worker.context import Resources, resources

log = logging.getLogger(__name__)

HANDLE_EVENT = "handle_event"
QUEUE_NAME = "supportdesk:queue"
# Retries back off exponentially from job_retry_seconds, up to this.
MAX_RETRY_DELAY_SECONDS = 3600.0
# Delivered and failed webhook deliveries stay listed this long (with their attempts).
WEBHOOK_DELIVERIES_KEPT = timedelta(days=30)


def job_id(event_id: int) -> str:
    """One arq job per event, however often the relay offers it."""
    return f"outbox:{event_id}"


def retry_delay(settings_retry_seconds: float, attempt: int) -> float:
    delay: float = settings_retry_seconds * 2.0 ** (attempt - 1)
    return min(delay, MAX_RETRY_DELAY_SECONDS)


# -------------------------------------------------------------------- events


async def deliver_event(res: Resources, event_id: int) -> bool:
    """Run an event's handlers and mark it handled; False if it is gone or was given up.

    Idempotent: notices are written once per (event, user) and auto-assign leaves an
    assigned ticket alone, so a second delivery changes nothing in the database, and an
    event already handled is left alone. The event is marked handled in the handlers'
    transaction, or, when it sends e-mail, right after the e-mail went out (after the
    commit): if sending fails, the retry finds the rest done.
    """
    async with res.database.transaction() as session:
        outbox = OutboxRepository(session)
        event = await outbox.get(event_id)
        if event is None or event.failed_at is not None:
            return False
        if event.handled_at is not None:
            return True
        ticket_id = event.payload.get("ticket_id")
        if event.event_type == EventType.TICKET_CREATED and isinstance(ticket_id, int):
            # Before the notices: a ticket that found its assignee tells only them.
            await MaintenanceService(session).auto_assign(ticket_id)
        delivery = await Notifier(session).deliver(event)
        await WebhookFanout(session, webhook_event_data).fan_out(event)
        if not delivery.emails:
            await outbox.mark_handled(event_id, clock.now())
    if delivery.emails:
        for email in delivery.emails:
            await res.mailer.send(email)
        async with res.database.transaction() as session:
            await OutboxRepository(session).mark_handled(event_id, clock.now())
    return True


async def note_failure(res: Resources, event_id: int, exc: BaseException) -> int | None:
    """Record a failed delivery: the tries so far if it will be tried again, else None."""
    error = f"{type(exc).__name__}: {exc}"
    async with res.database.transaction() as session:
        tries, given_up = await OutboxRepository(session).record_failure(
            event_id, error, at=clock.now(), max_tries=res.settings.job_max_tries
        )
    if given_up:
        log.error("event %s failed after %s tries, given up: %s", event_id, tries, error)
        return None
    log.warning("event %s failed (try %s), will retry: %s", event_id, tries, error)
    return tries


async def handle_event(ctx: dict[str, Any], event_id: int) -> bool:
    """The arq job of one event: retried with back-off, then marked failed."""
    res = resources(ctx)
    try:
        return await deliver_event(res, event_id)
    except Exception as exc:
        tries = await note_failure(res, event_id, exc)
        if tries is not None:
            raise Retry(defer=retry_delay(res.settings.job_retry_seconds, tries)) from exc
        return False


# -------------------------------------------------------------------- relay

# arq's enqueue_job, for a whole batch in one round trip (enqueue_job costs a WATCH
# transaction per job): a job is queued unless its id is queued or running already. A
# result left by an earlier run of the same id does not stop it, as it does enqueue_job:
# the outbox says the event is not handled yet (a handled event's job does nothing).
_ENQUEUE_BATCH = """
local job_prefix, result_prefix = ARGV[1], ARGV[2]
local score, expires_ms = ARGV[3], ARGV[4]
local queued = 0
for i = 5, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('EXISTS', job_prefix .. id) == 0 then
    redis.call('DEL', result_prefix .. id)
    redis.call('PSETEX', job_prefix .. id, expires_ms, ARGV[i + 1])
    redis.call('ZADD', KEYS[1], score, id)
    queued = queued + 1
  end
end
return queued
"""


async def enqueue_events(redis: ArqRedis, event_ids: Sequence[int]) -> int:
    """Queue one handle_event job per event; returns how many were new to the queue."""
    now_ms = int(time.time() * 1000)
    argv: list[str | bytes | int] = [job_key_prefix, result_key_prefix, now_ms, expires_extra_ms]
    for event_id in event_ids:
        argv.append(job_id(event_id))
        argv.append(
            serialize_job(
                HANDLE_EVENT, (event_id,), {}, None, now_ms, serializer=redis.job_serializer
            )
        )
    # redis-py types eval's arguments as str; bytes and ints are sent as they are.
    queued = redis.eval(_ENQUEUE_BATCH, 1, QUEUE_NAME, *argv)  # type: ignore[arg-type]
    return int(await cast(Awaitable[Any], queued))


async def relay_outbox(ctx: dict[str, Any]) -> int:
    """Hand pending events to arq, one job each, and mark them published.

    Events handed on earlier and still not handled ``outbox_redeliver_seconds`` later are
    handed on again: Redis may have lost them (a restart without persistence). A job
    still queued or running keeps its place; only lost ones are queued anew.

    The jobs are enqueued before the transaction commits: if Redis is down the marks
    are rolled back and the events wait; if the commit fails the events are offered
    again, and the job id (or the handled mark) keeps them from being handled twice.
    """
    res = resources(ctx)
    now = clock.now()
    published, _ = await _hand_on(res, ctx["redis"], now, overdue_before=None)
    overdue_before = now - timedelta(seconds=res.settings.outbox_redeliver_seconds)
    _, requeued = await _hand_on(res, ctx["redis"], now, overdue_before=overdue_before)
    if requeued:
        log.warning(
            "queued %s event(s) again: handed to Redis over %ss ago, never handled",
            requeued,
            res.settings.outbox_redeliver_seconds,
        )
    return published


async def _hand_on(
    res: Resources, redis: ArqRedis, now: datetime, *, overdue_before: datetime | None
) -> tuple[int, int]:
    """(events claimed, jobs new to the queue), batch after batch until none are left."""
    batch = res.settings.outbox_batch_size
    claimed_total = queued_total = 0
    while True:
        async with res.database.transaction() as session:
            outbox = OutboxRepository(session)
            claimed = await outbox.publish_next(batch, now, overdue_before=overdue_before)
            if claimed:
                queued_total += await enqueue_events(redis, claimed)
        claimed_total += len(claimed)
        if len(claimed) < batch:
            return claimed_total, queued_total


# -------------------------------------------------------------------- webhooks


async def send_webhooks_forever(res: Resources) -> None:
    """Send due deliveries, then wait a poll interval; a failed pass is tried again."""
    while True:
        try:
            await res.webhooks.run()
        except Exception as exc:  # the deliveries wait in their table; nothing is lost
            if is_connection_error(exc):
                database_outage.failed(exc)
            else:
                log.exception("sending webhooks failed; the next pass tries again")
        await asyncio.sleep(res.settings.outbox_poll_seconds)


# -------------------------------------------------------------------- cron


async def check_sla(ctx: dict[str, Any]) -> int:
    """Record new first-response and resolution breaches, and warn of targets 80% spent
    (every minute); returns the number of breaches."""
    res = resources(ctx)
    async with res.database.transaction() as session:
        sla = SlaService(session)
        now = clock.now()
        breaches = await sla.record_breaches(now)
        warnings = await sla.record_warnings(now)
    if breaches:
        log.info("recorded %s SLA breach(es)", len(breaches))
    if warnings:
        log.info("sent %s SLA warning(s)", len(warnings))
    return len(breaches)


async def fold_tallies(ctx: dict[str, Any]) -> None:
    """Fold the ticket tallies into one row per group (every minute), so list totals
    keep reading few rows however many tickets change."""
    res = resources(ctx)
    async with res.database.transaction() as session:
        await MaintenanceService(session).fold_tallies()


async def auto_close(ctx: dict[str, Any]) -> int:
    """Close resolved tickets idle for sd_auto_close_days (0 = off), one at a time."""
    res = resources(ctx)
    async with res.database.transaction(read_only=True) as session:
        service = MaintenanceService(session)
        cutoff = await service.auto_close_cutoff(clock.now())
        ids = await service.idle_resolved(cutoff) if cutoff is not None else []
    closed = 0
    for ticket_id in ids:
        assert cutoff is not None
        try:
            async with res.database.transaction() as session:
                closed += await MaintenanceService(session).close_if_idle(ticket_id, cutoff)
        except Exception:  # one ticket changing under us must not hold up the others
            log.exception("auto-close of ticket %s failed; next run retries", ticket_id)
    if closed:
        log.info("auto-closed %s ticket(s)", closed)
    return closed


async def purge_deleted(ctx: dict[str, Any]) -> int:
    """Hard-delete tickets soft-deleted over 30 days ago, and their files (monthly)."""
    res = resources(ctx)
    purged = 0
    while True:
        async with res.database.transaction() as session:
            batch = await MaintenanceService(session).purge_deleted(clock.now())
        for key in batch.files:
            path: Path = res.storage.path(key)
            await asyncio.to_thread(path.unlink, missing_ok=True)
        purged += batch.tickets
        if batch.tickets == 0:
            break
    if purged:
        log.info("purged %s deleted ticket(s)", purged)
    return purged


async def cleanup(ctx: dict[str, Any]) -> tuple[int, int]:
    """Drop expired revoked tokens, published events older than 7 days and settled webhook
    deliveries older than 30 days (daily)."""
    res = resources(ctx)
    async with res.database.transaction() as session:
        tokens, events = await MaintenanceService(session).cleanup(clock.now())
    log.info("cleanup: %s revoked token(s), %s published event(s) removed", tokens, events)
    async with res.database.transaction() as session:
        deliveries = await WebhookRepository(session).delete_settled_before(
            clock.now() - WEBHOOK_DELIVERIES_KEPT
        )
    if deliveries:
        log.info("cleanup: %s settled webhook deliveries removed", deliveries)
    return tokens, events


async def expire_idempotency_keys(ctx: dict[str, Any]) -> int:
    """Delete the idempotency records past their 24 hours (hourly), a batch at a time."""
    res = resources(ctx)
    expired = 0
    while True:
        async with res.database.transaction() as session:
            batch = await IdempotencyService(session).purge_expired(clock.now())
        expired += batch
        if batch < IDEMPOTENCY_PURGE_BATCH:
            break
    if expired:
        log.info("expired %s idempotency key(s)", expired)
    return expired
