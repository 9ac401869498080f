from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.core import clock
from supportdesk.models.base import Base

if TYPE_CHECKING:
    from supportdesk.models.user import User


class Activity(Base):
    """The audit trail: who (a user or an API key) did what, from where, before and after."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_ticket_id_id", "ticket_id", "id"),
        Index("ix_activities_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    user: Mapped[User | None] = relationship(lazy="raise")
