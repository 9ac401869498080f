"""Request and response bodies of the portal's administration endpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    Field,
    HttpUrl,
    StrictBool,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from supportdesk.api.portal.schemas import In, MembershipOut, Out, SlaPolicyOut, UserOut
from supportdesk.api.types import Email, Id, Instant
from supportdesk.core.enums import Role

_URL = TypeAdapter(HttpUrl)


def _checked_url(value: str | None) -> str | None:
    # Validated as a URL but kept as typed: HttpUrl would append a "/" to a bare host.
    if value is None:
        return None
    try:
        _URL.validate_python(value)
    except ValidationError:
        raise ValueError("The website url field must be a valid URL.") from None
    return value


def _required(value: Any, name: str) -> Any:
    # Optional in an update, but when sent it may not be null.
    if value is None:
        raise ValueError(f"The {name} field must not be null.")
    return value


# ---------------------------------------------------------------------- projects


class ProjectCreateIn(In):
    name: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=5000)
    support_email: Email | None = None
    website_url: str | None = Field(default=None, max_length=500)
    timezone: str = Field(default="UTC", min_length=1, max_length=64)
    settings: dict[str, Any] = Field(default_factory=dict)
    business_calendar_id: Id | None = Field(
        default=None, description="The calendar its tickets' SLA clocks count in; none: 24x7"
    )

    @field_validator("website_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return _checked_url(value)


class ProjectUpdateIn(In):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=5000)
    support_email: Email | None = None
    website_url: str | None = Field(default=None, max_length=500)
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    settings: dict[str, Any] | None = None
    is_active: StrictBool | None = None
    business_calendar_id: Id | None = None

    @field_validator("website_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return _checked_url(value)

    @field_validator("name", "timezone", "settings", "is_active")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        return _required(value, str(info.field_name).replace("_", " "))


class AgentAssignIn(In):
    user_id: Id
    is_lead: StrictBool = False


class ApiKeyCreateIn(In):
    name: str = Field(min_length=1, max_length=255)
    allowed_ips: list[str] = Field(default_factory=list, max_length=100)
    expires_at: datetime | None = Field(
        default=None, description="ISO date or date-time; a date means 00:00 UTC that day"
    )

    @field_validator("expires_at")
    @classmethod
    def _as_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except OverflowError:  # an offset that pushes the year past 1 or 9999
            raise ValueError("The expires at field must be a valid date.") from None


class ProjectOut(Out):
    id: int
    name: str
    slug: str
    ticket_prefix: str
    description: str | None
    support_email: str | None
    website_url: str | None
    timezone: str
    settings: dict[str, Any]
    is_active: bool
    business_calendar_id: int | None
    created_at: Instant
    updated_at: Instant


class ProjectListItem(ProjectOut):
    tickets_count: int
    agents_count: int


class ProjectAgentOut(BaseModel):
    id: int
    name: str
    email: str
    is_lead: bool


class ApiKeyOut(Out):
    id: int
    name: str
    prefix: str = Field(validation_alias="key_prefix")
    allowed_ips: list[str]
    expires_at: Instant | None
    last_used_at: Instant | None
    revoked: bool
    revoked_at: Instant | None
    created_at: Instant


class ProjectDetail(ProjectListItem):
    agents: list[ProjectAgentOut]
    sla_policies: list[SlaPolicyOut]
    api_keys: list[ApiKeyOut]


class ProjectPage(BaseModel):
    data: list[ProjectListItem]
    current_page: int
    last_page: int
    total: int
    per_page: int


class ProjectEnvelope(BaseModel):
    project: ProjectOut


class ProjectDetailEnvelope(BaseModel):
    project: ProjectDetail


class ApiKeyIssuedOut(BaseModel):
    api_key: str
    api_secret: str
    key_id: int
    message: str = "Store the api_secret securely."


class ApiKeyList(BaseModel):
    api_keys: list[ApiKeyOut]


# ---------------------------------------------------------------------- users


class UserCreateIn(In):
    name: str = Field(min_length=1, max_length=255)
    email: Email
    password: str = Field(min_length=8, max_length=1024)
    role: Literal["admin", "agent", "customer"]
    department: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=50)


class UserUpdateIn(In):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    email: Email | None = None
    role: Role | None = None
    # Seed 003 documents the field as `active`; the user list shows `is_active`.
    is_active: StrictBool | None = Field(
        default=None, validation_alias=AliasChoices("is_active", "active")
    )
    department: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=50)

    @field_validator("name", "email", "role", "is_active")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        return _required(value, str(info.field_name).replace("_", " "))


class UserDetail(UserOut):
    projects: list[MembershipOut]


class UserPage(BaseModel):
    data: list[UserOut]
    current_page: int
    last_page: int
    total: int
    per_page: int


class UserDetailEnvelope(BaseModel):
    user: UserDetail
