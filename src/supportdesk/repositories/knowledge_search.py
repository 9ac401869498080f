"""Searching published knowledge-base articles by title, excerpt and content."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import joinedload

from supportdesk.models import KnowledgeArticle
from supportdesk.repositories.base import Repository

PUBLISHED = "published"

# The configuration the GIN indexes ix_knowledge_articles_{title,excerpt,content}_fts are
# built with, written as a literal: an expression that matches the index's exactly is
# what lets the planner use it (a bound parameter would not).
_SIMPLE: ColumnElement[str] = literal_column("'simple'")
_COLUMNS = (KnowledgeArticle.title, KnowledgeArticle.excerpt, KnowledgeArticle.content)


# Each word adds a condition; a query is a few words, and more would only cost time.
MAX_WORDS = 10


def search_words(text: str) -> list[str]:
    """The words of a query (the first ten); punctuation only separates words."""
    return re.findall(r"\w+", text)[:MAX_WORDS]


class KnowledgeSearchRepository(Repository):
    async def search(self, text: str, limit: int) -> Sequence[KnowledgeArticle]:
        """Published articles holding every word of ``text`` (each as a word prefix) in
        their title, excerpt or content, best matches first, with their category."""
        words = search_words(text)
        if not words:
            return []
        postgresql = self.dialect == "postgresql"
        statement = self._full_text(words) if postgresql else self._like(words)
        statement = (
            statement.where(KnowledgeArticle.status == PUBLISHED)
            .options(joinedload(KnowledgeArticle.category))
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    @staticmethod
    def _full_text(words: list[str]) -> Select[KnowledgeArticle]:
        # One condition per word, each an OR over the three indexed expressions: the
        # planner answers it with bitmap scans of the GIN indexes, and each word may be
        # found in any of the three columns.
        per_word = []
        for word in words:
            query = func.to_tsquery(_SIMPLE, f"{word}:*")
            per_word.append(or_(*(_vector(column).bool_op("@@")(query) for column in _COLUMNS)))
        # Ranked over the whole article, the title weighing most, then the excerpt.
        document = _weighted(KnowledgeArticle.title, "A")
        for column, weight in ((KnowledgeArticle.excerpt, "B"), (KnowledgeArticle.content, "C")):
            document = document.op("||")(_weighted(column, weight))
        everything = func.to_tsquery(_SIMPLE, " & ".join(f"{word}:*" for word in words))
        rank = func.ts_rank(document, everything)
        return (
            select(KnowledgeArticle)
            .where(and_(*per_word))
            .order_by(rank.desc(), KnowledgeArticle.created_at.desc(), KnowledgeArticle.id.desc())
        )

    @staticmethod
    def _like(words: list[str]) -> Select[KnowledgeArticle]:
        per_word = [or_(*(_starts_word(column, word) for column in _COLUMNS)) for word in words]
        in_title = and_(*(_starts_word(KnowledgeArticle.title, word) for word in words))
        # No ranking function here: articles with every word in the title come first.
        return (
            select(KnowledgeArticle)
            .where(and_(*per_word))
            .order_by(
                case((in_title, 0), else_=1),
                KnowledgeArticle.created_at.desc(),
                KnowledgeArticle.id.desc(),
            )
        )


def _starts_word(column: Any, word: str) -> ColumnElement[bool]:
    """LIKE's take on a word-prefix match: at the start of the text or of a line, or
    after a space."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    patterns = (f"{escaped}%", f"% {escaped}%", f"%\n{escaped}%")
    return or_(*(column.ilike(pattern, escape="\\") for pattern in patterns))


def _vector(column: Any) -> ColumnElement[Any]:
    """``to_tsvector('simple', column)``: the expression the GIN indexes are built on."""
    return func.to_tsvector(_SIMPLE, column)


def _weighted(column: Any, weight: str) -> ColumnElement[Any]:
    return func.setweight(_vector(func.coalesce(column, "")), literal_column(f"'{weight}'"))


def article_matches(words: Sequence[str], *, postgresql: bool) -> ColumnElement[bool]:
    """Every word (as a word prefix) in the title, excerpt or content of an article.

    The condition of ``search`` without its ranking, for lists with an order of their own.
    """
    per_word = []
    for word in words:
        if postgresql:
            query = func.to_tsquery(_SIMPLE, f"{word}:*")
            per_word.append(or_(*(_vector(column).bool_op("@@")(query) for column in _COLUMNS)))
        else:
            per_word.append(or_(*(_starts_word(column, word) for column in _COLUMNS)))
    return and_(*per_word)
