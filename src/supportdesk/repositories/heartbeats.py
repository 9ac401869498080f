"""The background jobs' heartbeat (models/heartbeat.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from supportdesk.models import WorkerHeartbeat
from supportdesk.repositories.base import Repository
from supportdesk.repositories.dialect import insert_for

WORKER = "worker"


class HeartbeatRepository(Repository):
    async def beat(self, at: datetime, by: str) -> None:
        statement = insert_for(self.session, WorkerHeartbeat).values(
            name=WORKER, beat_at=at, beaten_by=by
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[WorkerHeartbeat.name], set_={"beat_at": at, "beaten_by": by}
            )
        )

    async def last(self) -> WorkerHeartbeat | None:
        found: WorkerHeartbeat | None = await self.session.scalar(
            select(WorkerHeartbeat).where(WorkerHeartbeat.name == WORKER)
        )
        return found
