from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.enums import CustomFieldType
from supportdesk.models.base import Base, TimestampMixin, enum_type


class CustomField(TimestampMixin, Base):
    """A ticket field defined by the hub; tickets keep values keyed by the field's id."""

    __tablename__ = "custom_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(250))
    description: Mapped[str | None] = mapped_column(Text)
    type: Mapped[CustomFieldType] = mapped_column(enum_type(CustomFieldType))
    is_required: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="published")
    sort_order: Mapped[int] = mapped_column(default=0)
