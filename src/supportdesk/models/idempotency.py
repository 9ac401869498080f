from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.models.base import Base


class IdempotencyRecord(Base):
    """A create made with an ``Idempotency-Key``, and the answer it got.

    Inserted when the request starts and completed before it commits, in the request's
    own transaction: committed, a record always holds the answer that went with the rows
    it made. ``scope`` names the credential that sent it (``user:7``, ``api_key:3``), so
    one client's keys never meet another's.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (
        UniqueConstraint("scope", "key"),
        Index("ix_idempotency_records_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, path, query and body: what "the same request" means.
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    status_code: Mapped[int | None]
    # Location and Content-Type of the answer: all a replay needs besides the body.
    response_headers: Mapped[dict[str, Any] | None]
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
