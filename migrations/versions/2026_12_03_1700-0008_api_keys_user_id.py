"""api_keys.user_id: the user an internal key acts as

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 17:00:00

Every action has an author: a message or change made with an internal key is written by
the user the key acts as. Keys made before this revision act as the first active
super_admin (the lowest id); with none, the column stays null and such a key's actions
have no author, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_api_keys_user_id_users"),
            "users",
            ["user_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE api_keys SET user_id = ("
        "SELECT min(id) FROM users WHERE role = 'super_admin' AND is_active"
        " AND deleted_at IS NULL) WHERE type = 'internal'"
    )


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_api_keys_user_id_users"), type_="foreignkey")
        batch_op.drop_column("user_id")
