from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, func, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from supportdesk.models.user import User


SEARCHED_COLUMNS = ("title", "excerpt", "content")


class KnowledgeCategory(TimestampMixin, Base):
    """A section of the knowledge base (seed 002 calls them collections)."""

    __tablename__ = "knowledge_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(250))
    description: Mapped[str | None] = mapped_column(Text)
    icon: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="published")
    sort_order: Mapped[int] = mapped_column(default=0)


class KnowledgeArticle(TimestampMixin, Base):
    __tablename__ = "knowledge_articles"
    __table_args__ = (
        Index("ix_knowledge_articles_status_created_at", "status", "created_at"),
        # Ranked full-text search on PostgreSQL, one index per searched column so the
        # planner ORs them; SQLite searches with LIKE instead.
        *(
            Index(
                f"ix_knowledge_articles_{column}_fts",
                func.to_tsvector(literal_column("'simple'"), text(column)),
                postgresql_using="gin",
            ).ddl_if(dialect="postgresql")
            for column in SEARCHED_COLUMNS
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(250))
    slug: Mapped[str] = mapped_column(String(250), unique=True)
    content: Mapped[str | None] = mapped_column(Text)
    excerpt: Mapped[str | None] = mapped_column(String(500))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_categories.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    views: Mapped[int] = mapped_column(default=0)

    category: Mapped[KnowledgeCategory | None] = relationship(lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")
