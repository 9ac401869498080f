"""users.tokens_valid_after: tokens issued before it are refused

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 16:00:00

A password change, a role change and a deactivation set it, so every token the account
held until then stops working. Null (every existing account) refuses none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite rebuilds the table where it cannot alter it in place.
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("tokens_valid_after", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("tokens_valid_after")
