from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.models.base import Base


class WorkerHeartbeat(Base):
    """When a process running the background jobs last said it was running (GET /ready).

    One row, refreshed by every such process: each ``supportdesk worker`` while it is
    connected to Redis, or the ``serve`` process running the jobs in-process.
    """

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    beat_at: Mapped[datetime]
    # host:pid of the process that wrote the beat, for whoever reads the table.
    beaten_by: Mapped[str] = mapped_column(String(255))
