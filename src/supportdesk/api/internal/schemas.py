"""The internal API's envelopes and shared input types (seed 000)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo

from supportdesk.api.types import hex_color
from supportdesk.api.validation import RequestBody
from supportdesk.core.pagination import Page

T = TypeVar("T")
X = TypeVar("X")

# Integer columns are 32-bit.
MAX_INT = 2_147_483_647

PublishStatus = Literal["published", "draft"]
SortOrder = Annotated[int, Field(ge=0, le=MAX_INT, strict=True)]

HexColor = Annotated[str, hex_color("The color field must be a valid hex color.")]


def Text(  # noqa: N802 - reads as a type in field declarations
    max_length: int | None = None, *, required: bool = False, nonblank: bool = False
) -> Any:
    """A string field: ``required`` (and not blank), or optional (None), ``nonblank`` if given."""
    if required:
        return Field(min_length=1, max_length=max_length)
    return Field(default=None, min_length=1 if nonblank else None, max_length=max_length)


In = RequestBody


def refuse_null(value: T | None, info: ValidationInfo) -> T:
    """For fields an update may omit but not clear: an explicit null is refused.

    Validators skip omitted fields, so this sees only a null that was sent.
    """
    if value is None:
        label = (info.field_name or "value").replace("_", " ")
        raise ValueError(f"The {label} field is required.")
    return value


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Meta(BaseModel):
    current_page: int
    last_page: int
    per_page: int
    total: int


class Envelope(BaseModel, Generic[T]):
    status: bool = True
    data: T


class ListEnvelope(BaseModel, Generic[T]):
    status: bool = True
    data: list[T]
    meta: Meta


class Done(BaseModel):
    status: bool = True
    message: str


def one(data: T) -> Envelope[T]:
    return Envelope[T](data=data)


def listed(page: Page[X], render: Callable[[X], T]) -> ListEnvelope[T]:
    return ListEnvelope[T](
        data=[render(item) for item in page.items],
        meta=Meta(
            current_page=page.page,
            last_page=page.last_page,
            per_page=page.per_page,
            total=page.total,
        ),
    )


class Ref(Out):
    """Another resource named in this one: its id and name."""

    id: int
    name: str
