"""Finding knowledge-base articles to answer a ticket with."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.core.errors import ValidationFailed
from supportdesk.models import KnowledgeArticle
from supportdesk.repositories.knowledge_search import KnowledgeSearchRepository

MIN_QUERY_LENGTH = 2
MAX_RESULTS = 20


class KnowledgeSearchService:
    def __init__(self, session: AsyncSession) -> None:
        self.articles = KnowledgeSearchRepository(session)

    async def search(self, query: str) -> Sequence[KnowledgeArticle]:
        """Published articles matching ``query`` in title, excerpt or content; the best 20."""
        text = query.strip()
        if len(text) < MIN_QUERY_LENGTH:
            raise ValidationFailed.field(
                "q", f"The q field must be at least {MIN_QUERY_LENGTH} characters."
            )
        return await self.articles.search(text, MAX_RESULTS)
