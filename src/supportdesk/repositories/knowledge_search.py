"""Searching published knowledge-base articles by title, excerpt and content."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import joinedload

from supportdesk.models import KnowledgeArticle
from supportdesk.repositories.base import Repository, escape_like
from supportdesk.repositories.dialect import prefix_query, text_matches, text_vector

PUBLISHED = "published"

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
        statement = self._full_text(words) if self.is_postgresql else self._like(words)
        statement = (
            statement.where(KnowledgeArticle.status == PUBLISHED)
            .options(joinedload(KnowledgeArticle.category))
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    @staticmethod
    def _full_text(words: list[str]) -> Select[KnowledgeArticle]:
        # Ranked over the whole article, the title weighing most, then the excerpt.
        document = _weighted(KnowledgeArticle.title, "A")
        for column, weight in ((KnowledgeArticle.excerpt, "B"), (KnowledgeArticle.content, "C")):
            document = document.op("||")(_weighted(column, weight))
        rank = func.ts_rank(document, prefix_query(words))
        return (
            select(KnowledgeArticle)
            .where(article_matches(words, postgresql=True))
            .order_by(rank.desc(), KnowledgeArticle.created_at.desc(), KnowledgeArticle.id.desc())
        )

    @staticmethod
    def _like(words: list[str]) -> Select[KnowledgeArticle]:
        in_title = and_(*(_starts_word(KnowledgeArticle.title, word) for word in words))
        # No ranking function here: articles with every word in the title come first.
        return (
            select(KnowledgeArticle)
            .where(article_matches(words, postgresql=False))
            .order_by(
                case((in_title, 0), else_=1),
                KnowledgeArticle.created_at.desc(),
                KnowledgeArticle.id.desc(),
            )
        )


def _starts_word(column: Any, word: str) -> ColumnElement[bool]:
    """LIKE's take on a word-prefix match: at the start of the text or of a line, or
    after a space."""
    escaped = escape_like(word)
    patterns = (f"{escaped}%", f"% {escaped}%", f"%\n{escaped}%")
    return or_(*(column.ilike(pattern, escape="\\") for pattern in patterns))


def _weighted(column: Any, weight: str) -> ColumnElement[Any]:
    return func.setweight(text_vector(func.coalesce(column, "")), literal_column(f"'{weight}'"))


def article_matches(words: Sequence[str], *, postgresql: bool) -> ColumnElement[bool]:
    """Every word (as a word prefix) in the title, excerpt or content of an article.

    The condition of ``search``; lists with an order of their own use it alone.
    """
    per_word = []
    for word in words:
        if postgresql:
            # An OR over the three indexed expressions (ix_knowledge_articles_*_fts): the
            # planner answers it with bitmap scans of the GIN indexes.
            query = prefix_query([word])
            per_word.append(or_(*(text_matches(column, query) for column in _COLUMNS)))
        else:
            per_word.append(or_(*(_starts_word(column, word) for column in _COLUMNS)))
    return and_(*per_word)
