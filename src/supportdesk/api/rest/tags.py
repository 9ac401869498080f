"""Tags (seed 002): the labels tickets carry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status

from supportdesk.api.deps import TagServiceDep
from supportdesk.api.rest.deps import require_scope
from supportdesk.api.rest.errors import RestRoute
from supportdesk.api.rest.schemas import (
    DeletedEnvelope,
    OrderDir,
    Prefix,
    TagEnvelope,
    TagIn,
    TagPage,
    TagUpdateIn,
    TimeOrder,
    deleted,
    meta,
    path_id,
    tag_out,
)
from supportdesk.api.rest.tickets import Cursor, Limit
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorRequest
from supportdesk.services.tags import NewTag, TagChanges

router = APIRouter(prefix="/tags", tags=["rest"], route_class=RestRoute)

Lister = Annotated[Principal, require_scope(Scope.LABELS_LIST)]
Reader = Annotated[Principal, require_scope(Scope.LABELS_READ)]
Creator = Annotated[Principal, require_scope(Scope.LABELS_CREATE)]
Updater = Annotated[Principal, require_scope(Scope.LABELS_UPDATE)]
Deleter = Annotated[Principal, require_scope(Scope.LABELS_DELETE)]


@router.get("", response_model=TagPage)
async def list_tags(
    principal: Lister,
    tags: TagServiceDep,
    order_by: TimeOrder = "created_at",
    order_dir: OrderDir = "asc",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> TagPage:
    """List tags, oldest first unless ordered otherwise."""
    request = CursorRequest(order_by, order_dir == "desc", limit, cursor)
    page = await tags.page(principal, request)
    return TagPage(data=[tag_out(tag) for tag in page.items], meta=meta(page))


@router.post("", response_model=TagEnvelope, status_code=status.HTTP_201_CREATED)
async def create_tag(body: TagIn, principal: Creator, tags: TagServiceDep) -> TagEnvelope:
    """Create a tag; its name must be new."""
    tag = await tags.create(principal, NewTag(name=body.name, color=body.color))
    return TagEnvelope(data=tag_out(tag))


@router.get("/{tag_id}", response_model=TagEnvelope)
async def get_tag(tag_id: str, principal: Reader, tags: TagServiceDep) -> TagEnvelope:
    """Read a tag."""
    return TagEnvelope(data=tag_out(await tags.get(principal, path_id(Prefix.TAG, tag_id))))


@router.patch("/{tag_id}", response_model=TagEnvelope)
async def update_tag(
    tag_id: str, body: TagUpdateIn, principal: Updater, tags: TagServiceDep
) -> TagEnvelope:
    """Change a tag's name or colour."""
    changes = TagChanges(
        fields_set=frozenset(body.model_fields_set), name=body.name, color=body.color
    )
    tag = await tags.update(principal, path_id(Prefix.TAG, tag_id), changes)
    return TagEnvelope(data=tag_out(tag))


@router.delete("/{tag_id}", response_model=DeletedEnvelope)
async def delete_tag(tag_id: str, principal: Deleter, tags: TagServiceDep) -> DeletedEnvelope:
    """Delete a tag; it disappears from every ticket that carried it."""
    row_id = path_id(Prefix.TAG, tag_id)
    await tags.delete(principal, row_id)
    return deleted(Prefix.TAG, row_id)
