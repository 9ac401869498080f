"""Knowledge base articles (seed 002); collections are SupportDesk's knowledge categories."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from supportdesk.api.deps import KnowledgeServiceDep
from supportdesk.api.rest.deps import require_scope
from supportdesk.api.rest.errors import RestRoute, request_names
from supportdesk.api.rest.schemas import (
    ArticleEnvelope,
    ArticleIn,
    ArticlePage,
    ArticleStatus,
    ArticleUpdateIn,
    DeletedEnvelope,
    OrderDir,
    Prefix,
    TimeOrder,
    article_out,
    deleted,
    field_id,
    meta,
    path_id,
    query_text,
)
from supportdesk.api.rest.tickets import Cursor, Limit
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorRequest
from supportdesk.services.filters import ArticleFilters
from supportdesk.services.knowledge import ArticleFields

router = APIRouter(prefix="/articles", tags=["rest"], route_class=RestRoute)

Lister = Annotated[Principal, require_scope(Scope.KNOWLEDGE_ARTICLES_LIST)]
Reader = Annotated[Principal, require_scope(Scope.KNOWLEDGE_ARTICLES_READ)]
Creator = Annotated[Principal, require_scope(Scope.KNOWLEDGE_ARTICLES_CREATE)]
Updater = Annotated[Principal, require_scope(Scope.KNOWLEDGE_ARTICLES_UPDATE)]
Deleter = Annotated[Principal, require_scope(Scope.KNOWLEDGE_ARTICLES_DELETE)]

# The REST API's names for the knowledge service's fields.
_FIELD_NAMES = {"body": "content", "collection_id": "category_id"}
_REQUEST_NAMES = {service: ours for ours, service in _FIELD_NAMES.items()}


def _collection(collection_id: str | None) -> int | None:
    return field_id(Prefix.COLLECTION, collection_id, "collection_id") if collection_id else None


@router.get("", response_model=ArticlePage)
async def list_articles(
    principal: Lister,
    knowledge: KnowledgeServiceDep,
    collection_id: Annotated[str | None, Query(max_length=32)] = None,
    status_: Annotated[ArticleStatus | None, Query(alias="status")] = None,
    search: Annotated[str | None, Query(max_length=255, description="Search content")] = None,
    order_by: TimeOrder = "created_at",
    order_dir: OrderDir = "desc",
    limit: Limit = 25,
    cursor: Cursor = None,
) -> ArticlePage:
    """List knowledge base articles, newest first unless ordered otherwise.

    Filter by collection or status, or search their content.
    """
    filters = ArticleFilters(
        category_id=_collection(collection_id),
        status=status_,
        search=query_text(search, "search"),
    )
    request = CursorRequest(order_by, order_dir == "desc", limit, cursor)
    page = await knowledge.articles_keyset(principal, filters, request)
    return ArticlePage(data=[article_out(article) for article in page.items], meta=meta(page))


@router.get("/{article_id}", response_model=ArticleEnvelope)
async def get_article(
    article_id: str, principal: Reader, knowledge: KnowledgeServiceDep
) -> ArticleEnvelope:
    """Read an article."""
    article = await knowledge.article(principal, path_id(Prefix.ARTICLE, article_id))
    return ArticleEnvelope(data=article_out(article))


@router.post("", response_model=ArticleEnvelope, status_code=status.HTTP_201_CREATED)
async def create_article(
    body: ArticleIn, principal: Creator, knowledge: KnowledgeServiceDep
) -> ArticleEnvelope:
    """Write an article (markdown body); its slug is made from the title."""
    fields = ArticleFields(
        fields_set=frozenset({"title", "content", "category_id", "status"}),
        title=body.title,
        content=body.body,
        category_id=_collection(body.collection_id),
        status=body.status,
    )
    with request_names(_REQUEST_NAMES):
        article = await knowledge.create_article(principal, fields)
    return ArticleEnvelope(data=article_out(article))


@router.patch("/{article_id}", response_model=ArticleEnvelope)
async def update_article(
    article_id: str, body: ArticleUpdateIn, principal: Updater, knowledge: KnowledgeServiceDep
) -> ArticleEnvelope:
    """Change an article: only the fields sent change."""
    fields = ArticleFields(
        fields_set=frozenset(_FIELD_NAMES.get(name, name) for name in body.model_fields_set),
        title=body.title,
        content=body.body,
        category_id=_collection(body.collection_id),
        status=body.status,
    )
    with request_names(_REQUEST_NAMES):
        article = await knowledge.update_article(
            principal, path_id(Prefix.ARTICLE, article_id), fields
        )
    return ArticleEnvelope(data=article_out(article))


@router.delete("/{article_id}", response_model=DeletedEnvelope)
async def delete_article(
    article_id: str, principal: Deleter, knowledge: KnowledgeServiceDep
) -> DeletedEnvelope:
    """Delete an article."""
    row_id = path_id(Prefix.ARTICLE, article_id)
    await knowledge.delete_article(principal, row_id)
    return deleted(Prefix.ARTICLE, row_id)
