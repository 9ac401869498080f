"""tickets.customer_id: every ticket kept with an address has its customer's account

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 17:10:00

Staff could open a ticket for an address without an account: the ticket kept the address
and no customer, so every surface rendered a customer without an id. Such addresses get
a customer account without a password (as a project's end user gets one with its first
ticket), and their tickets are linked to it. An address held by a staff or a deleted
account is left a contact only: a ticket is never handed to a colleague or revives an
account.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_ = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

users = sa.table(
    "users",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("email", sa.String()),
    sa.column("password_hash", sa.String()),
    sa.column("role", sa.String()),
    sa.column("notification_settings", JSON_),
    sa.column("custom_fields", JSON_),
    sa.column("is_active", sa.Boolean()),
    sa.column("deleted_at", sa.DateTime(timezone=True)),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
tickets = sa.table(
    "tickets",
    sa.column("id", sa.Integer()),
    sa.column("customer_id", sa.Integer()),
    sa.column("customer_name", sa.String()),
    sa.column("customer_email", sa.String()),
)


def upgrade() -> None:
    connection = op.get_bind()
    address = sa.func.lower(sa.func.trim(tickets.c.customer_email))
    unlinked = connection.execute(
        sa.select(address, sa.func.min(tickets.c.customer_name))
        .where(tickets.c.customer_id.is_(None), tickets.c.customer_email.is_not(None))
        .group_by(address)
    ).all()
    taken = set(connection.execute(sa.select(users.c.email)).scalars())
    now = datetime.now(UTC)
    new_accounts = [
        {
            "name": (name or "").strip() or email.split("@")[0],
            "email": email,
            "password_hash": None,
            "role": "customer",
            "notification_settings": {},
            "custom_fields": {},
            "is_active": True,
            "deleted_at": None,
            "created_at": now,
            "updated_at": now,
        }
        for email, name in unlinked
        if email and email not in taken
    ]
    if new_accounts:
        connection.execute(users.insert(), new_accounts)
    customer = (
        sa.select(users.c.id)
        .where(
            users.c.email == address,
            users.c.role == "customer",
            users.c.deleted_at.is_(None),
        )
        .scalar_subquery()
    )
    connection.execute(
        tickets.update()
        .where(tickets.c.customer_id.is_(None), tickets.c.customer_email.is_not(None))
        .values(customer_id=customer)
    )


def downgrade() -> None:
    # The accounts are real customers now (they may have logged in, replied, been
    # renamed): nothing tells the ones this revision opened from the others.
    pass
