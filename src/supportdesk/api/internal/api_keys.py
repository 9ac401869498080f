"""Internal and external API keys (seed 000). The raw key is shown once, at creation;
deleting a key revokes it (the record stays, the key stops working at once)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, status

from supportdesk.api.deps import ApiKeyServiceDep
from supportdesk.api.internal.deps import PageDep, require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.resource_schemas import (
    ApiKeyIn,
    ApiKeyOut,
    ApiKeyUpdateIn,
    IssuedApiKeyOut,
    api_key_out,
)
from supportdesk.api.internal.schemas import Envelope, ListEnvelope, listed, one
from supportdesk.api.types import PathId
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.enums import ApiKeyType
from supportdesk.services.api_keys import ApiKeyFields

router = APIRouter(tags=["internal"], route_class=InternalRoute)


def _moment(value: datetime | None) -> datetime | None:
    """A time without a zone (or a bare date, its midnight) is UTC."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _fields(body: ApiKeyIn | ApiKeyUpdateIn) -> ApiKeyFields:
    return ApiKeyFields(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        type=ApiKeyType(body.type) if body.type is not None else None,
        scopes=body.scopes,
        agent_id=body.agent_id,
        expires_at=_moment(body.expires_at),
    )


@router.get("/api-keys", response_model=ListEnvelope[ApiKeyOut])
async def list_api_keys(
    principal: Annotated[Principal, require_scope(Scope.API_KEYS_LIST)],
    keys: ApiKeyServiceDep,
    page: PageDep,
) -> ListEnvelope[ApiKeyOut]:
    """List API keys."""
    return listed(await keys.page_single_keys(principal, page), api_key_out)


@router.post(
    "/api-keys", response_model=Envelope[IssuedApiKeyOut], status_code=status.HTTP_201_CREATED
)
async def create_api_key(
    body: ApiKeyIn,
    principal: Annotated[Principal, require_scope(Scope.API_KEYS_CREATE)],
    keys: ApiKeyServiceDep,
) -> Envelope[IssuedApiKeyOut]:
    """Create an API key.

    The answer carries the raw key: it is shown this once and never again.
    """
    issued = await keys.create_single_key(principal, _fields(body))
    shown = api_key_out(issued.api_key).model_dump()
    return one(IssuedApiKeyOut(**shown, key=issued.raw_key))


@router.get("/api-keys/{key_id}", response_model=Envelope[ApiKeyOut])
async def get_api_key(
    key_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.API_KEYS_READ)],
    keys: ApiKeyServiceDep,
) -> Envelope[ApiKeyOut]:
    """Read an API key."""
    return one(api_key_out(await keys.single_key(principal, key_id)))


@router.put("/api-keys/{key_id}", response_model=Envelope[ApiKeyOut])
async def update_api_key(
    key_id: PathId,
    body: ApiKeyUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.API_KEYS_UPDATE)],
    keys: ApiKeyServiceDep,
) -> Envelope[ApiKeyOut]:
    """Change an API key's name, scopes, agent or expiry."""
    return one(api_key_out(await keys.update_single_key(principal, key_id, _fields(body))))


@router.delete("/api-keys/{key_id}", response_model=Envelope[ApiKeyOut])
async def delete_api_key(
    key_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.API_KEYS_DELETE)],
    keys: ApiKeyServiceDep,
) -> Envelope[ApiKeyOut]:
    """Revoke an API key.

    The key stops working at once; its record stays and is returned.
    """
    return one(api_key_out(await keys.revoke_single_key(principal, key_id)))
