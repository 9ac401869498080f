"""outbox.handled_at (the event stays pending until handled) and worker_heartbeats

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 16:30:00

An event handed to Redis is no longer done: it is done once its handlers have finished
(``handled_at``), and handed on again if that takes too long, as Redis may have lost it.
Events published before this revision count as handled (they were, or were lost long
ago): handing them all on again would repeat their e-mails. The partial index follows
the rows still to handle. ``worker_heartbeats`` holds the background jobs' heartbeat
that GET /ready reads.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PENDING = "published_at IS NULL AND failed_at IS NULL"
_UNHANDLED = "handled_at IS NULL AND failed_at IS NULL"


def upgrade() -> None:
    op.add_column("outbox", sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE outbox SET handled_at = published_at WHERE published_at IS NOT NULL")
    op.drop_index(
        "ix_outbox_pending",
        table_name="outbox",
        postgresql_where=sa.text(_PENDING),
        sqlite_where=sa.text(_PENDING),
    )
    op.create_index(
        "ix_outbox_unhandled",
        "outbox",
        ["id"],
        postgresql_where=sa.text(_UNHANDLED),
        sqlite_where=sa.text(_UNHANDLED),
    )
    op.create_table(
        "worker_heartbeats",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beaten_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_heartbeats")),
    )


def downgrade() -> None:
    op.drop_table("worker_heartbeats")
    op.drop_index(
        "ix_outbox_unhandled",
        table_name="outbox",
        postgresql_where=sa.text(_UNHANDLED),
        sqlite_where=sa.text(_UNHANDLED),
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["id"],
        postgresql_where=sa.text(_PENDING),
        sqlite_where=sa.text(_PENDING),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("handled_at")
