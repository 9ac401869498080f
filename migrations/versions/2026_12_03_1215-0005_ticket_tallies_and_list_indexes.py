"""ticket tallies (maintained by triggers) and the indexes lists need at scale

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 12:15:42

Totals are added up from ``ticket_tallies`` instead of counting tickets; triggers on
``tickets`` append a +1/-1 row per change in the writing transaction. The other indexes
serve the lists' filters newest first (status, assignee, creator), search by ticket number
and e-mail prefix, deep pages (live tickets by creation) and the SLA check (only tickets
whose clocks run).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHANGED = (
    "OLD.project_id IS DISTINCT FROM NEW.project_id"
    " OR OLD.status IS DISTINCT FROM NEW.status"
    " OR OLD.priority IS DISTINCT FROM NEW.priority"
    " OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id"
    " OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)"
    " OR (OLD.first_response_breached_at IS NULL AND OLD.resolution_breached_at IS NULL)"
    " <> (NEW.first_response_breached_at IS NULL AND NEW.resolution_breached_at IS NULL)"
)

# PostgreSQL: inserts and deletes (COPY and bulk deletes included) add one row per group
# and statement, from the transition tables; an update of a grouped column, one row each
# for the group it leaves and the group it joins.
_POSTGRESQL = [
    """
    CREATE FUNCTION ticket_tallies_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO ticket_tallies
            (project_id, status, priority, assignee_id, breached, tickets)
        SELECT project_id, status, priority, assignee_id,
            (first_response_breached_at IS NOT NULL OR resolution_breached_at IS NOT NULL), count(*)
        FROM added_tickets WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION ticket_tallies_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO ticket_tallies
            (project_id, status, priority, assignee_id, breached, tickets)
        SELECT project_id, status, priority, assignee_id,
            (first_response_breached_at IS NOT NULL OR resolution_breached_at IS NOT NULL), -count(*)
        FROM removed_tickets WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION ticket_tallies_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.deleted_at IS NULL THEN
            INSERT INTO ticket_tallies
            (project_id, status, priority, assignee_id, breached, tickets)
            VALUES (OLD.project_id, OLD.status, OLD.priority, OLD.assignee_id,
            (OLD.first_response_breached_at IS NOT NULL OR OLD.resolution_breached_at IS NOT NULL), -1);
        END IF;
        IF NEW.deleted_at IS NULL THEN
            INSERT INTO ticket_tallies
            (project_id, status, priority, assignee_id, breached, tickets)
            VALUES (NEW.project_id, NEW.status, NEW.priority, NEW.assignee_id,
            (NEW.first_response_breached_at IS NOT NULL OR NEW.resolution_breached_at IS NOT NULL), 1);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER ticket_tallies_added AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS added_tickets
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_tallies_added()
    """,
    """
    CREATE TRIGGER ticket_tallies_removed AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS removed_tickets
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_tallies_removed()
    """,
    f"""
    CREATE TRIGGER ticket_tallies_moved AFTER UPDATE ON tickets
    FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION ticket_tallies_moved()
    """,
]

_SQLITE_CHANGED = _CHANGED.replace("IS DISTINCT FROM", "IS NOT")
# The interpolated conditions are the constants above, never input.
_SQLITE = [
    """
    CREATE TRIGGER ticket_tallies_added AFTER INSERT ON tickets
    WHEN NEW.deleted_at IS NULL BEGIN
        INSERT INTO ticket_tallies
            (project_id, status, priority, assignee_id, breached, tickets)
        VALUES (NEW.project_id, NEW.status, NEW.priority, NEW.assignee_id,
            (NEW.first_response_breached_at IS NOT NULL OR NEW.resolution_breached_at IS NOT NULL), 1);
    END
    """,
    """
    CREATE TRIGGER ticket_tallies_removed AFTER DELETE ON tickets
    WHEN OLD.deleted_at IS NULL BEGIN
        INSERT INTO ticket_tallies
            (project_id, status, priority, assignee_id, breached, tickets)
        VALUES (OLD.project_id, OLD.status, OLD.priority, OLD.assignee_id,
            (OLD.first_response_breached_at IS NOT NULL OR OLD.resolution_breached_at IS NOT NULL), -1);
    END
    """,
    f"""
    CREATE TRIGGER ticket_tallies_left AFTER UPDATE ON tickets
    WHEN OLD.deleted_at IS NULL AND ({_SQLITE_CHANGED}) BEGIN
        INSERT INTO ticket_tallies
            (project_id, status, priority, assignee_id, breached, tickets)
        VALUES (OLD.project_id, OLD.status, OLD.priority, OLD.assignee_id,
            (OLD.first_response_breached_at IS NOT NULL OR OLD.resolution_breached_at IS NOT NULL), -1);
    END
    """,  # noqa: S608
    f"""
    CREATE TRIGGER ticket_tallies_joined AFTER UPDATE ON tickets
    WHEN NEW.deleted_at IS NULL AND ({_SQLITE_CHANGED}) BEGIN
        INSERT INTO ticket_tallies
            (project_id, status, priority, assignee_id, breached, tickets)
        VALUES (NEW.project_id, NEW.status, NEW.priority, NEW.assignee_id,
            (NEW.first_response_breached_at IS NOT NULL OR NEW.resolution_breached_at IS NOT NULL), 1);
    END
    """,  # noqa: S608
]


_FIRST_RESPONSE_CLOCK = (
    "first_responded_at IS NULL AND first_response_breached_at IS NULL"
    " AND deleted_at IS NULL AND status NOT IN ('resolved', 'closed')"
)
_RESOLUTION_CLOCK = (
    "resolution_breached_at IS NULL AND deleted_at IS NULL"
    " AND status NOT IN ('resolved', 'closed', 'on_hold', 'pending_customer')"
)


def upgrade() -> None:
    op.create_table(
        "ticket_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_progress",
                "on_hold",
                "pending_customer",
                "resolved",
                "closed",
                name="ticketstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "priority",
            sa.Enum(
                "low",
                "medium",
                "high",
                "critical",
                name="priority",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_tallies")),
    )
    op.create_index(op.f("ix_ticket_tallies_assignee_id"), "ticket_tallies", ["assignee_id"])
    op.create_index(
        "ix_ticket_tallies_project_id_status", "ticket_tallies", ["project_id", "status"]
    )
    op.execute(
        "INSERT INTO ticket_tallies"
        " (project_id, status, priority, assignee_id, breached, tickets)"
        " SELECT project_id, status, priority, assignee_id,"
        " first_response_breached_at IS NOT NULL OR resolution_breached_at IS NOT NULL,"
        " count(*) FROM tickets WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5"
    )
    for statement in _POSTGRESQL if op.get_context().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)

    op.drop_index(op.f("ix_tickets_customer_email"), table_name="tickets")
    # text_pattern_ops: LIKE 'prefix%' seeks this index whatever the database's collation.
    pattern_ops = " text_pattern_ops" if op.get_context().dialect.name == "postgresql" else ""
    op.create_index(
        "ix_tickets_customer_email_lower",
        "tickets",
        [sa.text(f"lower(customer_email){pattern_ops}")],
    )
    op.create_index("ix_tickets_assignee_id_created_at", "tickets", ["assignee_id", "created_at"])
    op.create_index(
        "ix_tickets_creator_id",
        "tickets",
        ["creator_id", "project_id", "assignee_id"],
        postgresql_where=sa.text("deleted_at IS NULL"),
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index("ix_tickets_status_created_at", "tickets", ["status", "created_at"])
    op.create_index(
        "ix_tickets_live_created_at_id",
        "tickets",
        ["created_at", "id"],
        postgresql_where=sa.text("deleted_at IS NULL"),
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    if op.get_context().dialect.name == "postgresql":
        op.create_index(
            "ix_tickets_ticket_number_prefix",
            "tickets",
            ["ticket_number"],
            postgresql_ops={"ticket_number": "text_pattern_ops"},
        )
    for name, column, clock_runs in (
        ("ix_tickets_first_response_clock", "first_response_due_at", _FIRST_RESPONSE_CLOCK),
        ("ix_tickets_resolution_clock", "resolution_due_at", _RESOLUTION_CLOCK),
    ):
        op.create_index(
            name,
            "tickets",
            [column],
            postgresql_where=sa.text(clock_runs),
            sqlite_where=sa.text(clock_runs),
        )


def downgrade() -> None:
    postgresql = op.get_context().dialect.name == "postgresql"
    op.drop_index("ix_tickets_resolution_clock", table_name="tickets")
    op.drop_index("ix_tickets_first_response_clock", table_name="tickets")
    if postgresql:
        op.drop_index("ix_tickets_ticket_number_prefix", table_name="tickets")
    op.drop_index("ix_tickets_live_created_at_id", table_name="tickets")
    op.drop_index("ix_tickets_status_created_at", table_name="tickets")
    op.drop_index("ix_tickets_creator_id", table_name="tickets")
    op.drop_index("ix_tickets_assignee_id_created_at", table_name="tickets")
    op.drop_index("ix_tickets_customer_email_lower", table_name="tickets")
    op.create_index(op.f("ix_tickets_customer_email"), "tickets", ["customer_email"])

    if postgresql:
        for trigger in ("ticket_tallies_added", "ticket_tallies_removed", "ticket_tallies_moved"):
            op.execute(f"DROP TRIGGER {trigger} ON tickets")
            op.execute(f"DROP FUNCTION {trigger}()")
    else:
        for trigger in (
            "ticket_tallies_added",
            "ticket_tallies_removed",
            "ticket_tallies_left",
            "ticket_tallies_joined",
        ):
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_index("ix_ticket_tallies_project_id_status", table_name="ticket_tallies")
    op.drop_index(op.f("ix_ticket_tallies_assignee_id"), table_name="ticket_tallies")
    op.drop_table("ticket_tallies")
