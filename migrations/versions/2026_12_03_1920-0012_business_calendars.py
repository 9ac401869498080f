"""business_calendars; SLA clocks counted in business time, and warned of at 80%

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 19:20:00

A business calendar (time zone, working hours per weekday, holidays) can be given to a
project and to an SLA policy; a ticket records the one its due dates were counted in,
and the instants at which 80% of each target has passed, with the warning sent then.
Existing rows get no calendar: their clocks keep running around the clock.

On SQLite the columns are added in place (``ADD COLUMN ... REFERENCES``): rebuilding the
tables, as batch mode would, loses the tallies' triggers on ``tickets``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_ = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_LINKED = ("projects", "sla_policies", "tickets")
_WHEN = (
    "first_response_warns_at",
    "resolution_warns_at",
    "first_response_warned_at",
    "resolution_warned_at",
)
_FIRST_RESPONSE_WARNING = (
    "first_responded_at IS NULL AND first_response_breached_at IS NULL"
    " AND deleted_at IS NULL AND status NOT IN ('resolved', 'closed')"
    " AND first_response_warned_at IS NULL"
)
_RESOLUTION_WARNING = (
    "resolution_breached_at IS NULL AND deleted_at IS NULL"
    " AND status NOT IN ('resolved', 'closed', 'on_hold', 'pending_customer')"
    " AND resolution_warned_at IS NULL"
)
_WARNINGS = (
    ("ix_tickets_first_response_warning", "first_response_warns_at", _FIRST_RESPONSE_WARNING),
    ("ix_tickets_resolution_warning", "resolution_warns_at", _RESOLUTION_WARNING),
)


def _sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "business_calendars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("is_24x7", sa.Boolean(), nullable=False),
        sa.Column("hours", JSON_, nullable=False),
        sa.Column("holidays", JSON_, nullable=False),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("subdivision", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_calendars")),
    )
    for table in _LINKED:
        if _sqlite():
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN business_calendar_id INTEGER"
                " REFERENCES business_calendars (id) ON DELETE SET NULL"
            )
        else:
            op.add_column(table, sa.Column("business_calendar_id", sa.Integer(), nullable=True))
            op.create_foreign_key(
                op.f(f"fk_{table}_business_calendar_id_business_calendars"),
                table,
                "business_calendars",
                ["business_calendar_id"],
                ["id"],
                ondelete="SET NULL",
            )
    for column in _WHEN:
        op.add_column("tickets", sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    for name, column, pending in _WARNINGS:
        op.create_index(
            name,
            "tickets",
            [column],
            postgresql_where=sa.text(pending),
            sqlite_where=sa.text(pending),
        )


def downgrade() -> None:
    for name, _column, _pending in _WARNINGS:
        op.drop_index(name, table_name="tickets")
    for column in _WHEN:
        op.execute(f"ALTER TABLE tickets DROP COLUMN {column}")
    for table in _LINKED:
        if not _sqlite():
            op.drop_constraint(
                op.f(f"fk_{table}_business_calendar_id_business_calendars"),
                table,
                type_="foreignkey",
            )
        op.execute(f"ALTER TABLE {table} DROP COLUMN business_calendar_id")
    op.drop_table("business_calendars")
