"""index tickets by resolution time, for the reports

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 12:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_tickets_resolved_at", "tickets", ["resolved_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_resolved_at", table_name="tickets")
