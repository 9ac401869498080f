"""What an agent answers with: canned responses and knowledge-base articles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from supportdesk.api.agent.deps import AgentDep
from supportdesk.api.agent.errors import AgentRoute
from supportdesk.api.agent.schemas import (
    AgentArticle,
    AgentCannedResponse,
    AgentEnvelope,
    article_out,
    canned_response_out,
)
from supportdesk.api.deps import CannedResponseServiceDep, KnowledgeSearchServiceDep
from supportdesk.services.filters import CannedResponseFilters

router = APIRouter(tags=["agent"], route_class=AgentRoute)


@router.get("/canned-responses", response_model=AgentEnvelope[list[AgentCannedResponse]])
async def list_canned_responses(
    principal: AgentDep, responses: CannedResponseServiceDep
) -> AgentEnvelope[list[AgentCannedResponse]]:
    """Every active response the agent may use, by sort order then title; not paginated."""
    usable = await responses.usable(principal, CannedResponseFilters())
    return AgentEnvelope(data=[canned_response_out(response) for response in usable])


@router.get("/knowledge-base/search", response_model=AgentEnvelope[list[AgentArticle]])
async def search_knowledge_base(
    principal: AgentDep,
    search: KnowledgeSearchServiceDep,
    q: Annotated[str, Query(max_length=255, description="At least 2 characters")],
) -> AgentEnvelope[list[AgentArticle]]:
    """Search the published articles: the words of ``q`` in title, excerpt or content (max 20)."""
    return AgentEnvelope(data=[article_out(article) for article in await search.search(q)])
