from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.enums import Role
from supportdesk.models.base import Base, TimestampMixin, enum_type


class User(TimestampMixin, Base):
    """Every person SupportDesk knows: staff (super_admin, admin, agent) and customers."""

    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_role_is_active", "role", "is_active"),
        Index("ix_users_phone", "phone"),  # the REST API filters customers by phone
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    # Stored lower-cased (the services normalise it), so the unique index is case-insensitive.
    email: Mapped[str] = mapped_column(String(255), unique=True)
    # Customers created by a connected project have no password until they set one.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role), default=Role.CUSTOMER)
    phone: Mapped[str | None] = mapped_column(String(50))
    department: Mapped[str | None] = mapped_column(String(255))
    company: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(20))
    timezone: Mapped[str | None] = mapped_column(String(64))
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    envato_username: Mapped[str | None] = mapped_column(String(255))
    notification_settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    # Tokens issued before this instant are refused: set by a password change, a role
    # change and a deactivation, which end every session the account had.
    tokens_valid_after: Mapped[datetime | None]

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff
