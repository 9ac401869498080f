"""Bodies of the portal's configuration endpoints: categories, SLA, canned responses, tags."""

from __future__ import annotations

from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, Field, StrictBool, ValidationInfo, field_validator

from supportdesk.api.portal.schemas import In, Out, SlaPolicyOut, TagOut
from supportdesk.api.types import Id, Instant, hex_color
from supportdesk.core.enums import Priority
from supportdesk.services.categories import CategoryNode

# Targets beyond ten years are typing mistakes, and would push due dates off the calendar.
MAX_MINUTES = 10 * 365 * 24 * 60
# sort_order is a 32-bit integer column.
MAX_SORT_ORDER = 2_147_483_647


# The portal shows colours in capitals, as its reference does.
HexColor = Annotated[
    str,
    hex_color("The color field must be a hex color such as #EF4444."),
    AfterValidator(str.upper),
]
Minutes = Annotated[int, Field(ge=1, le=MAX_MINUTES)]
SortOrder = Annotated[int, Field(ge=0, le=MAX_SORT_ORDER)]


T = TypeVar("T")


def _not_null(value: T | None, label: str) -> T:
    # Validators skip omitted fields: this only sees an explicit null for a field that
    # an update may leave out but not clear.
    if value is None:
        raise ValueError(f"The {label} field is required.")
    return value


# ---------------------------------------------------------------------- categories


class CategoryIn(In):
    name: str = Field(min_length=1, max_length=255)
    color: HexColor | None = None
    parent_id: Id | None = None
    description: str | None = Field(default=None, max_length=5000)
    sort_order: SortOrder = 0


class CategoryUpdateIn(In):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    color: HexColor | None = None
    parent_id: Id | None = None
    description: str | None = Field(default=None, max_length=5000)
    sort_order: SortOrder | None = None

    @field_validator("name")
    @classmethod
    def _name_not_null(cls, value: str | None) -> str | None:
        return _not_null(value, "name")

    @field_validator("sort_order")
    @classmethod
    def _sort_order_not_null(cls, value: int | None) -> int | None:
        return _not_null(value, "sort order")


class CategoryOut(Out):
    id: int
    name: str
    color: str | None
    description: str | None
    parent_id: int | None
    sort_order: int


class CategoryTreeOut(CategoryOut):
    children: list[CategoryTreeOut]


class CategoryEnvelope(BaseModel):
    category: CategoryOut


class CategoryTreeList(BaseModel):
    categories: list[CategoryTreeOut]


def category_tree_out(node: CategoryNode) -> CategoryTreeOut:
    category = node.category
    return CategoryTreeOut(
        id=category.id,
        name=category.name,
        color=category.color,
        description=category.description,
        parent_id=category.parent_id,
        sort_order=category.sort_order,
        children=[category_tree_out(child) for child in node.children],
    )


# ---------------------------------------------------------------------- SLA policies


class SlaPolicyIn(In):
    project_id: Id | None = None
    priority: Priority
    first_response_minutes: Minutes
    resolution_minutes: Minutes
    business_calendar_id: Id | None = Field(
        default=None, description="Count its tickets' clocks in this calendar, over the project's"
    )


class SlaPolicyUpdateIn(In):
    project_id: Id | None = None
    priority: Priority | None = None
    first_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    business_calendar_id: Id | None = None

    @field_validator("priority", "first_response_minutes", "resolution_minutes")
    @classmethod
    def _required(cls, value: object, info: ValidationInfo) -> object:
        return _not_null(value, str(info.field_name).replace("_", " "))


class SlaPolicyEnvelope(BaseModel):
    sla_policy: SlaPolicyOut


class SlaPolicyList(BaseModel):
    sla_policies: list[SlaPolicyOut]


# ---------------------------------------------------------------------- canned responses


class CannedResponseIn(In):
    title: str = Field(min_length=1, max_length=255)
    body: str = Field(min_length=1, max_length=65535)
    shortcut: str | None = Field(default=None, max_length=64)
    is_shared: StrictBool = False
    project_id: Id | None = None
    category_id: Id | None = None


class CannedResponseOut(Out):
    id: int
    title: str
    body: str
    shortcut: str | None
    category_id: int | None
    project_id: int | None
    owner_id: int | None
    is_shared: bool
    created_at: Instant
    updated_at: Instant


class CannedResponseEnvelope(BaseModel):
    canned_response: CannedResponseOut


class CannedResponseList(BaseModel):
    canned_responses: list[CannedResponseOut]


# ---------------------------------------------------------------------- tags


class TagIn(In):
    name: str = Field(min_length=1, max_length=255)
    color: HexColor | None = None


class TagEnvelope(BaseModel):
    tag: TagOut


class TagList(BaseModel):
    tags: list[TagOut]
