from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core import clock
from supportdesk.models.base import Base


class Setting(Base):
    """One ``sd_*`` help-desk setting; absent keys take their defaults."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
