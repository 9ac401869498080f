"""Bodies and resources of the internal API's reference data (seed 000).

Create bodies carry the reference's rules; update bodies take the same fields, all
optional, and refuse an explicit null for what may be omitted but not cleared. Each pair
shares a base declaring every field as the update takes it; the create body narrows
what it requires, so both keep one field order and neither overrides the other's types.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, EmailStr, Field, StrictBool, field_validator

from supportdesk.api.internal.schemas import (
    HexColor,
    In,
    Out,
    PublishStatus,
    Ref,
    SortOrder,
    Text,
    refuse_null,
)
from supportdesk.api.types import Id, Instant
from supportdesk.core.enums import CustomFieldType
from supportdesk.models import Activity, ApiKey, KnowledgeArticle
from supportdesk.services.knowledge import CategoryCount
from supportdesk.services.staff import AgentDetails

Email250 = Annotated[EmailStr, Field(max_length=250)]
# Numeric(12, 2): up to 9,999,999,999.99.
Price = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999.99"), decimal_places=2)]
IdList = Annotated[list[Id], Field(max_length=500)]


# ---------------------------------------------------------------------- departments


class _DepartmentFields(In):
    name: str | None = Text(250, nonblank=True)
    description: str | None = Text(1000)
    email: Email250 | None = None
    is_default: StrictBool | None = None
    status: PublishStatus | None = None
    sort_order: SortOrder | None = None


class DepartmentIn(_DepartmentFields):
    name: str = Text(250, required=True)


class DepartmentUpdateIn(_DepartmentFields):
    _present = field_validator("name", "is_default", "status", "sort_order")(refuse_null)


class DepartmentOut(Out):
    id: int
    name: str
    description: str | None
    email: str | None
    is_default: bool
    status: str
    sort_order: int
    created_at: Instant
    updated_at: Instant


# ---------------------------------------------------------------------- categories


class _CategoryFields(In):
    name: str | None = Text(250, nonblank=True)
    description: str | None = Text(1000)
    parent_id: Id | None = None
    status: PublishStatus | None = None
    sort_order: SortOrder | None = None


class CategoryIn(_CategoryFields):
    name: str = Text(250, required=True)


class CategoryUpdateIn(_CategoryFields):
    _present = field_validator("name", "status", "sort_order")(refuse_null)


class CategoryOut(Out):
    id: int
    name: str
    description: str | None
    parent_id: int | None
    status: str
    sort_order: int
    created_at: Instant
    updated_at: Instant


# ---------------------------------------------------------------------- labels


class _LabelFields(In):
    name: str | None = Text(250, nonblank=True)
    color: HexColor | None = None
    status: PublishStatus | None = None
    sort_order: SortOrder | None = None


class LabelIn(_LabelFields):
    name: str = Text(250, required=True)
    color: HexColor


class LabelUpdateIn(_LabelFields):
    _present = field_validator("name", "color", "status", "sort_order")(refuse_null)


class LabelOut(Out):
    id: int
    name: str
    color: str | None
    status: str
    sort_order: int
    created_at: Instant
    updated_at: Instant


# ---------------------------------------------------------------------- products


class _ProductFields(In):
    name: str | None = Text(250, nonblank=True)
    envato_id: str | None = Text(100)
    description: str | None = None
    price: Price | None = None
    status: PublishStatus | None = None


class ProductIn(_ProductFields):
    name: str = Text(250, required=True)


class ProductUpdateIn(_ProductFields):
    _present = field_validator("name", "status")(refuse_null)


class ProductOut(Out):
    id: int
    name: str
    envato_id: str | None
    description: str | None
    price: float | None
    status: str
    created_at: Instant
    updated_at: Instant


# ---------------------------------------------------------------------- customers


class _CustomerFields(In):
    name: str | None = Text(250, nonblank=True)
    email: Email250 | None = None
    phone: str | None = Text(50)
    envato_username: str | None = Text(250)


class CustomerIn(_CustomerFields):
    name: str = Text(250, required=True)
    email: Email250


class CustomerUpdateIn(_CustomerFields):
    _present = field_validator("name", "email")(refuse_null)


class CustomerOut(Out):
    id: int
    name: str
    email: str
    phone: str | None
    envato_username: str | None
    is_active: bool
    created_at: Instant
    updated_at: Instant


# ---------------------------------------------------------------------- agents


class _AgentFields(In):
    name: str | None = Text(250, nonblank=True)
    email: Email250 | None = None
    password: str | None = Field(default=None, min_length=8, max_length=255)
    phone: str | None = Text(50)
    locale: str | None = Text(10)
    is_active: StrictBool | None = None
    departments: IdList | None = None


class AgentIn(_AgentFields):
    name: str = Text(250, required=True)
    email: Email250
    password: str = Field(min_length=8, max_length=255)


class AgentUpdateIn(_AgentFields):
    _present = field_validator("name", "email", "is_active")(refuse_null)


class AgentOut(BaseModel):
    id: int
    name: str
    email: str
    phone: str | None
    locale: str | None
    avatar_url: str | None
    is_active: bool
    departments: list[Ref]
    created_at: Instant
    updated_at: Instant


def agent_out(details: AgentDetails) -> AgentOut:
    agent = details.agent
    return AgentOut(
        id=agent.id,
        name=agent.name,
        email=agent.email,
        phone=agent.phone,
        locale=agent.locale,
        avatar_url=agent.avatar_url,
        is_active=agent.is_active,
        departments=[Ref.model_validate(d) for d in details.departments],
        created_at=agent.created_at,
        updated_at=agent.updated_at,
    )


# ---------------------------------------------------------------------- knowledge base


class _KnowledgeCategoryFields(In):
    name: str | None = Text(250, nonblank=True)
    description: str | None = Text(1000)
    icon: str | None = Text(100)
    status: PublishStatus | None = None
    sort_order: SortOrder | None = None


class KnowledgeCategoryIn(_KnowledgeCategoryFields):
    name: str = Text(250, required=True)


class KnowledgeCategoryUpdateIn(_KnowledgeCategoryFields):
    _present = field_validator("name", "status", "sort_order")(refuse_null)


class KnowledgeCategoryOut(BaseModel):
    id: int
    name: str
    description: str | None
    icon: str | None
    status: str
    sort_order: int
    articles_count: int
    created_at: Instant
    updated_at: Instant


def knowledge_category_out(found: CategoryCount) -> KnowledgeCategoryOut:
    category = found.category
    return KnowledgeCategoryOut(
        id=category.id,
        name=category.name,
        description=category.description,
        icon=category.icon,
        status=category.status,
        sort_order=category.sort_order,
        articles_count=found.article_count,
        created_at=category.created_at,
        updated_at=category.updated_at,
    )


class _ArticleFields(In):
    title: str | None = Text(250, nonblank=True)
    slug: str | None = Text(250)
    content: str | None = None
    excerpt: str | None = Text(500)
    category_id: Id | None = None
    status: PublishStatus | None = None


class ArticleIn(_ArticleFields):
    title: str = Text(250, required=True)


class ArticleUpdateIn(_ArticleFields):
    _present = field_validator("title", "status")(refuse_null)


class ArticleOut(BaseModel):
    id: int
    title: str
    slug: str
    content: str | None
    excerpt: str | None
    category: Ref | None
    views: int
    status: str
    created_at: Instant
    updated_at: Instant


def article_out(article: KnowledgeArticle) -> ArticleOut:
    return ArticleOut(
        id=article.id,
        title=article.title,
        slug=article.slug,
        content=article.content,
        excerpt=article.excerpt,
        category=Ref.model_validate(article.category) if article.category else None,
        views=article.views,
        status=article.status,
        created_at=article.created_at,
        updated_at=article.updated_at,
    )


# ---------------------------------------------------------------------- canned responses


class _CannedResponseFields(In):
    title: str | None = Text(250, nonblank=True)
    content: str | None = None
    category: str | None = Text(100)
    shortcut: str | None = Text(100)
    is_active: StrictBool | None = None
    sort_order: SortOrder | None = None


class CannedResponseIn(_CannedResponseFields):
    title: str = Text(250, required=True)


class CannedResponseUpdateIn(_CannedResponseFields):
    _present = field_validator("title", "is_active", "sort_order")(refuse_null)


class CannedResponseOut(BaseModel):
    id: int
    title: str
    content: str
    category: str | None
    shortcut: str | None
    is_active: bool
    sort_order: int
    created_at: Instant
    updated_at: Instant


def canned_response_out(response: Any) -> CannedResponseOut:
    return CannedResponseOut(
        id=response.id,
        title=response.title,
        content=response.body,
        category=response.category_label,
        shortcut=response.shortcut,
        is_active=response.is_active,
        sort_order=response.sort_order,
        created_at=response.created_at,
        updated_at=response.updated_at,
    )


# ---------------------------------------------------------------------- custom fields


class _CustomFieldFields(In):
    label: str | None = Text(250, nonblank=True)
    description: str | None = Text(1000)
    type: CustomFieldType | None = None
    is_required: StrictBool | None = None
    sort_order: SortOrder | None = None
    status: PublishStatus | None = None


class CustomFieldIn(_CustomFieldFields):
    label: str = Text(250, required=True)
    type: CustomFieldType


class CustomFieldUpdateIn(_CustomFieldFields):
    _present = field_validator("label", "type", "is_required", "sort_order", "status")(refuse_null)


class CustomFieldOut(Out):
    id: int
    label: str
    description: str | None
    type: CustomFieldType
    is_required: bool
    sort_order: int
    status: str
    created_at: Instant
    updated_at: Instant


# ---------------------------------------------------------------------- activity logs


class ActivityUser(Out):
    id: int
    name: str


class ActivityOut(BaseModel):
    id: int
    description: str
    action: str
    ticket_id: int | None
    user: ActivityUser | None
    ip_address: str | None
    created_at: Instant


def activity_out(activity: Activity) -> ActivityOut:
    return ActivityOut(
        id=activity.id,
        description=activity.description,
        action=activity.action,
        ticket_id=activity.ticket_id,
        user=ActivityUser.model_validate(activity.user) if activity.user else None,
        ip_address=activity.ip_address,
        created_at=activity.created_at,
    )


# ---------------------------------------------------------------------- API keys

KeyType = Literal["internal", "external"]
Scopes = Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=200)]


class _ApiKeyFields(In):
    name: str | None = Text(250, nonblank=True)
    type: KeyType | None = None
    scopes: Scopes | None = None
    agent_id: Id | None = None
    expires_at: datetime | None = None


class ApiKeyIn(_ApiKeyFields):
    name: str = Text(250, required=True)
    type: KeyType
    scopes: Scopes | None = Field(
        default=None,
        description=(
            "Scope names an internal key holds (`*`: every scope). Omitted or null: every"
            " scope; an empty list: no scope at all."
        ),
    )


class ApiKeyUpdateIn(_ApiKeyFields):
    _present = field_validator("name", "type")(refuse_null)


class ApiKeyOut(BaseModel):
    id: int
    name: str
    type: str
    key_prefix: str
    scopes: list[str]
    agent_id: int | None
    expires_at: Instant | None
    revoked: bool
    revoked_at: Instant | None
    last_used_at: Instant | None
    created_at: Instant
    updated_at: Instant


class IssuedApiKeyOut(ApiKeyOut):
    key: str


def api_key_out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        name=key.name,
        type=str(key.type),
        key_prefix=key.key_prefix,
        scopes=list(key.scopes or []),
        agent_id=key.agent_id,
        expires_at=key.expires_at,
        revoked=key.revoked,
        revoked_at=key.revoked_at,
        last_used_at=key.last_used_at,
        created_at=key.created_at,
        updated_at=key.updated_at,
    )
