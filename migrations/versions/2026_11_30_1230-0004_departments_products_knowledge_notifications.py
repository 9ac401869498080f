"""departments, products, knowledge base, custom fields, notifications, likes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:08:52.093086
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custom_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=250), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "type",
            sa.Enum(
                "date",
                "datetime_local",
                "email",
                "number",
                "tel",
                "text",
                "textarea",
                "time",
                "url",
                name="customfieldtype",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("is_required", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_fields")),
    )
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("email", sa.String(length=250), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
    )
    op.create_index(op.f("ix_departments_sort_order"), "departments", ["sort_order"], unique=False)
    op.create_table(
        "knowledge_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("icon", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_categories")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("envato_id", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("envato_id", name=op.f("uq_products_envato_id")),
    )
    op.create_index(op.f("ix_products_name"), "products", ["name"], unique=False)
    op.create_table(
        "department_agents",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_department_agents_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_department_agents_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("department_id", "user_id", name=op.f("pk_department_agents")),
    )
    op.create_index(
        op.f("ix_department_agents_user_id"), "department_agents", ["user_id"], unique=False
    )
    op.create_table(
        "knowledge_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=250), nullable=False),
        sa.Column("slug", sa.String(length=250), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("excerpt", sa.String(length=500), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_knowledge_articles_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["knowledge_categories.id"],
            name=op.f("fk_knowledge_articles_category_id_knowledge_categories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_knowledge_articles_slug")),
    )
    op.create_index(
        op.f("ix_knowledge_articles_category_id"),
        "knowledge_articles",
        ["category_id"],
        unique=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        # Ranked article search; SQLite falls back to LIKE.
        for column in ("title", "excerpt", "content"):
            op.execute(
                f"CREATE INDEX ix_knowledge_articles_{column}_fts ON knowledge_articles "
                f"USING gin (to_tsvector('simple', {column}))"
            )
    op.create_index(
        "ix_knowledge_articles_status_created_at",
        "knowledge_articles",
        ["status", "created_at"],
        unique=False,
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("sender_name", sa.String(length=255), nullable=True),
        sa.Column("sender_avatar", sa.String(length=500), nullable=True),
        sa.Column("is_read", sa.Boolean(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_notifications_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        op.f("ix_notifications_ticket_id"), "notifications", ["ticket_id"], unique=False
    )
    op.create_index("ix_notifications_user_id_id", "notifications", ["user_id", "id"], unique=False)
    op.create_index(
        "ix_notifications_user_id_is_read", "notifications", ["user_id", "is_read"], unique=False
    )
    op.create_index(
        "uq_notifications_event_id_user_id", "notifications", ["event_id", "user_id"], unique=True
    )
    op.create_table(
        "message_likes",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_likes_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_message_likes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", "user_id", name=op.f("pk_message_likes")),
    )
    op.create_index(op.f("ix_message_likes_user_id"), "message_likes", ["user_id"], unique=False)
    with op.batch_alter_table("canned_responses") as batch_op:
        batch_op.add_column(sa.Column("category_label", sa.String(length=100), nullable=True))
        batch_op.alter_column(
            "shortcut",
            existing_type=sa.String(length=64),
            type_=sa.String(length=100),
            existing_nullable=True,
        )
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("product_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_tickets_department_id"), ["department_id"])
        batch_op.create_index(batch_op.f("ix_tickets_product_id"), ["product_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_department_id_departments"),
            "departments",
            ["department_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_product_id_products"),
            "products",
            ["product_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index("ix_users_phone", "users", ["phone"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # Ticket search covers descriptions too (the REST API); SQLite falls back to LIKE.
        op.execute(
            "CREATE INDEX ix_tickets_description_fts ON tickets "
            "USING gin (to_tsvector('simple', description))"
        )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_tickets_description_fts")
    op.drop_index("ix_users_phone", table_name="users")
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tickets_department_id_departments"), "foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_tickets_product_id_products"), "foreignkey")
        batch_op.drop_index(batch_op.f("ix_tickets_product_id"))
        batch_op.drop_index(batch_op.f("ix_tickets_department_id"))
        batch_op.drop_column("product_id")
        batch_op.drop_column("department_id")
    with op.batch_alter_table("canned_responses") as batch_op:
        batch_op.alter_column(
            "shortcut",
            existing_type=sa.String(length=100),
            type_=sa.String(length=64),
            existing_nullable=True,
        )
        batch_op.drop_column("category_label")
    op.drop_index(op.f("ix_message_likes_user_id"), table_name="message_likes")
    op.drop_table("message_likes")
    op.drop_index("uq_notifications_event_id_user_id", table_name="notifications")
    op.drop_index("ix_notifications_user_id_is_read", table_name="notifications")
    op.drop_index("ix_notifications_user_id_id", table_name="notifications")
    op.drop_index(op.f("ix_notifications_ticket_id"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_knowledge_articles_status_created_at", table_name="knowledge_articles")
    for column in ("title", "excerpt", "content"):
        op.execute(f"DROP INDEX IF EXISTS ix_knowledge_articles_{column}_fts")
    op.drop_index(op.f("ix_knowledge_articles_category_id"), table_name="knowledge_articles")
    op.drop_table("knowledge_articles")
    op.drop_index(op.f("ix_department_agents_user_id"), table_name="department_agents")
    op.drop_table("department_agents")
    op.drop_index(op.f("ix_products_name"), table_name="products")
    op.drop_table("products")
    op.drop_table("knowledge_categories")
    op.drop_index(op.f("ix_departments_sort_order"), table_name="departments")
    op.drop_table("departments")
    op.drop_table("custom_fields")
