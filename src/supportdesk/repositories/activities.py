"""Reading the audit trail (writing it is services/activity.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from supportdesk.models import Activity
from supportdesk.repositories.base import Repository


class ActivityRepository(Repository):
    def listing(self) -> Select[Any]:
        """Every activity, latest first, with the user who acted joined in."""
        return (
            select(Activity)
            .options(joinedload(Activity.user))
            .order_by(Activity.created_at.desc(), Activity.id.desc())
        )
