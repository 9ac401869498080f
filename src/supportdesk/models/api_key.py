from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.core.enums import ApiKeyType
from supportdesk.models.base import Base, TimestampMixin, enum_type

if TYPE_CHECKING:
    from supportdesk.models.project import Project
    from supportdesk.models.user import User


class ApiKey(TimestampMixin, Base):
    """An internal scoped key, an agent's external key, or a project's key/secret pair.

    Only SHA-256 digests are kept; the raw key and secret are shown once, at creation.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[ApiKeyType] = mapped_column(enum_type(ApiKeyType))
    key_prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    allowed_ips: Mapped[list[str]] = mapped_column(JSON, default=list)
    expires_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The user an internal key acts as: the author of what it writes (auth/principal.py).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    agent: Mapped[User | None] = relationship(foreign_keys=[agent_id], lazy="raise")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="raise")
    project: Mapped[Project | None] = relationship(lazy="raise")
