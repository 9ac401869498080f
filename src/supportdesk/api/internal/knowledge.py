"""Knowledge base categories (with article counts) and articles (latest first)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status

from supportdesk.api.deps import KnowledgeServiceDep
from supportdesk.api.internal.deps import PageDep, require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.resource_schemas import (
    ArticleIn,
    ArticleOut,
    ArticleUpdateIn,
    KnowledgeCategoryIn,
    KnowledgeCategoryOut,
    KnowledgeCategoryUpdateIn,
    article_out,
    knowledge_category_out,
)
from supportdesk.api.internal.schemas import Done, Envelope, ListEnvelope, listed, one
from supportdesk.api.types import PathId
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.services.knowledge import ArticleFields, KnowledgeCategoryFields

router = APIRouter(tags=["internal"], route_class=InternalRoute)

# ---------------------------------------------------------------------- categories


def _category_fields(
    body: KnowledgeCategoryIn | KnowledgeCategoryUpdateIn,
) -> KnowledgeCategoryFields:
    return KnowledgeCategoryFields(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        description=body.description,
        icon=body.icon,
        status=body.status,
        sort_order=body.sort_order,
    )


@router.get("/knowledge-categories", response_model=ListEnvelope[KnowledgeCategoryOut])
async def list_knowledge_categories(
    principal: Annotated[Principal, require_scope(Scope.KNOWLEDGE_CATEGORIES_LIST)],
    knowledge: KnowledgeServiceDep,
    page: PageDep,
) -> ListEnvelope[KnowledgeCategoryOut]:
    """List knowledge base categories, with their article counts."""
    return listed(await knowledge.categories_page(principal, page), knowledge_category_out)


@router.post(
    "/knowledge-categories",
    response_model=Envelope[KnowledgeCategoryOut],
    status_code=status.HTTP_201_CREATED,
)
async def create_knowledge_category(
    body: KnowledgeCategoryIn,
    principal: Annotated[Principal, require_scope(Scope.KNOWLEDGE_CATEGORIES_CREATE)],
    knowledge: KnowledgeServiceDep,
) -> Envelope[KnowledgeCategoryOut]:
    """Create a knowledge base category."""
    created = await knowledge.create_category(principal, _category_fields(body))
    return one(knowledge_category_out(created))


@router.get("/knowledge-categories/{category_id}", response_model=Envelope[KnowledgeCategoryOut])
async def get_knowledge_category(
    category_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.KNOWLEDGE_CATEGORIES_READ)],
    knowledge: KnowledgeServiceDep,
) -> Envelope[KnowledgeCategoryOut]:
    """Read a knowledge base category."""
    return one(knowledge_category_out(await knowledge.category(principal, category_id)))


@router.put("/knowledge-categories/{category_id}", response_model=Envelope[KnowledgeCategoryOut])
async def update_knowledge_category(
    category_id: PathId,
    body: KnowledgeCategoryUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.KNOWLEDGE_CATEGORIES_UPDATE)],
    knowledge: KnowledgeServiceDep,
) -> Envelope[KnowledgeCategoryOut]:
    """Change a knowledge base category."""
    updated = await knowledge.update_category(principal, category_id, _category_fields(body))
    return one(knowledge_category_out(updated))


@router.delete("/knowledge-categories/{category_id}", response_model=Done)
async def delete_knowledge_category(
    category_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.KNOWLEDGE_CATEGORIES_DELETE)],
    knowledge: KnowledgeServiceDep,
) -> Done:
    """Delete a knowledge base category.

    Its articles stay, uncategorised.
    """
    await knowledge.delete_category(principal, category_id)
    return Done(message="Knowledge category deleted successfully")


# ---------------------------------------------------------------------- articles


def _article_fields(body: ArticleIn | ArticleUpdateIn) -> ArticleFields:
    return ArticleFields(
        fields_set=frozenset(body.model_fields_set),
        title=body.title,
        slug=body.slug,
        content=body.content,
        excerpt=body.excerpt,
        category_id=body.category_id,
        status=body.status,
    )


@router.get("/knowledge-articles", response_model=ListEnvelope[ArticleOut])
async def list_knowledge_articles(
    principal: Annotated[Principal, require_scope(Scope.KNOWLEDGE_ARTICLES_LIST)],
    knowledge: KnowledgeServiceDep,
    page: PageDep,
) -> ListEnvelope[ArticleOut]:
    """List knowledge base articles, latest first."""
    return listed(await knowledge.articles_page(principal, page), article_out)


@router.post(
    "/knowledge-articles",
    response_model=Envelope[ArticleOut],
    status_code=status.HTTP_201_CREATED,
)
async def create_knowledge_article(
    body: ArticleIn,
    principal: Annotated[Principal, require_scope(Scope.KNOWLEDGE_ARTICLES_CREATE)],
    knowledge: KnowledgeServiceDep,
) -> Envelope[ArticleOut]:
    """Write a knowledge base article."""
    return one(article_out(await knowledge.create_article(principal, _article_fields(body))))


@router.get("/knowledge-articles/{article_id}", response_model=Envelope[ArticleOut])
async def get_knowledge_article(
    article_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.KNOWLEDGE_ARTICLES_READ)],
    knowledge: KnowledgeServiceDep,
) -> Envelope[ArticleOut]:
    """Read a knowledge base article."""
    return one(article_out(await knowledge.article(principal, article_id)))


@router.put("/knowledge-articles/{article_id}", response_model=Envelope[ArticleOut])
async def update_knowledge_article(
    article_id: PathId,
    body: ArticleUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.KNOWLEDGE_ARTICLES_UPDATE)],
    knowledge: KnowledgeServiceDep,
) -> Envelope[ArticleOut]:
    """Change a knowledge base article."""
    article = await knowledge.update_article(principal, article_id, _article_fields(body))
    return one(article_out(article))


@router.delete("/knowledge-articles/{article_id}", response_model=Done)
async def delete_knowledge_article(
    article_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.KNOWLEDGE_ARTICLES_DELETE)],
    knowledge: KnowledgeServiceDep,
) -> Done:
    """Delete a knowledge base article."""
    await knowledge.delete_article(principal, article_id)
    return Done(message="Knowledge article deleted successfully")
