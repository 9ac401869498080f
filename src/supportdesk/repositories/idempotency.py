"""Idempotency records: claimed by a create as it starts, completed before it commits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.exc import DBAPIError

from supportdesk.core.db import LOCK_NOT_AVAILABLE, sqlstate
from supportdesk.models import IdempotencyRecord
from supportdesk.repositories.base import Repository
from supportdesk.repositories.dialect import insert_for


class KeyStillHeld(Exception):
    """Another transaction holds the key, and did not finish within the wait."""


class IdempotencyRepository(Repository):
    async def claim(
        self,
        scope: str,
        key: str,
        fingerprint: str,
        now: datetime,
        expires_at: datetime,
        *,
        wait: timedelta,
    ) -> int | None:
        """Insert the record (or take over an expired one) and return its id; None when a
        live record holds the key.

        The unique constraint serialises the claims. On PostgreSQL a record inserted by a
        transaction still running makes this statement wait for that transaction to end,
        for at most ``wait`` (then ``KeyStillHeld``); on SQLite every write transaction
        already waits for the one before, so a claim never meets a running one.
        """
        values = {
            "scope": scope,
            "key": key,
            "fingerprint": fingerprint,
            "created_at": now,
            "expires_at": expires_at,
        }
        insert = insert_for(self.session, IdempotencyRecord)
        if self.is_postgresql:
            # The wait is bounded by the claim itself (set_config runs before the row is
            # offered to the unique index), sparing a keyed create the round trip of a
            # SET: on a busy machine each costs milliseconds. The bound then holds for
            # the rest of the transaction (SET LOCAL's scope); a later wait that long is
            # a 409 to retry as well (api/errors.py).
            columns = IdempotencyRecord.__table__.c
            bound = func.set_config("lock_timeout", f"{int(wait.total_seconds() * 1000)}ms", True)
            row = select(
                *(literal(value, columns[name].type) for name, value in values.items())
            ).where(bound.is_not(None))
            statement = insert.from_select(list(values), row)
        else:
            statement = insert.values(**values)
        fresh = {name: values[name] for name in ("fingerprint", "created_at", "expires_at")}
        claim = statement.on_conflict_do_update(
            index_elements=["scope", "key"],
            set_={**fresh, "status_code": None, "response_headers": None, "response_body": None},
            where=IdempotencyRecord.expires_at <= now,
        ).returning(IdempotencyRecord.id)
        try:
            return await self.session.scalar(claim)
        except DBAPIError as exc:
            if sqlstate(exc) == LOCK_NOT_AVAILABLE:
                raise KeyStillHeld from None
            raise

    async def find(self, scope: str, key: str) -> IdempotencyRecord | None:
        result = await self.session.execute(
            select(IdempotencyRecord)
            .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
            .execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()

    async def complete(
        self, record_id: int, status_code: int, headers: dict[str, Any], body: bytes
    ) -> None:
        await self.session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.id == record_id)
            .values(status_code=status_code, response_headers=headers, response_body=body)
            .execution_options(synchronize_session=False)
        )

    async def release(self, record_id: int) -> None:
        await self.session.execute(
            delete(IdempotencyRecord)
            .where(IdempotencyRecord.id == record_id)
            .execution_options(synchronize_session=False)
        )

    async def delete_expired(self, at: datetime, limit: int) -> int:
        """Delete up to ``limit`` records expired by ``at``; how many went."""
        expired = (
            select(IdempotencyRecord.id)
            .where(IdempotencyRecord.expires_at <= at)
            .order_by(IdempotencyRecord.expires_at)
            .limit(limit)
        )
        result = await self.session.execute(
            delete(IdempotencyRecord)
            .where(IdempotencyRecord.id.in_(expired))
            .returning(IdempotencyRecord.id)
            .execution_options(synchronize_session=False)
        )
        return len(result.all())
