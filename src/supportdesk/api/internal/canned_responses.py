"""Canned responses (seed 000), sorted by sort_order; created for every staff member."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status

from supportdesk.api.deps import CannedResponseServiceDep
from supportdesk.api.internal.deps import PageDep, require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.resource_schemas import (
    CannedResponseIn,
    CannedResponseOut,
    CannedResponseUpdateIn,
    canned_response_out,
)
from supportdesk.api.internal.schemas import Done, Envelope, ListEnvelope, listed, one
from supportdesk.api.types import PathId
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.services.canned_responses import CannedResponseFields

router = APIRouter(tags=["internal"], route_class=InternalRoute)


def _fields(body: CannedResponseIn | CannedResponseUpdateIn) -> CannedResponseFields:
    return CannedResponseFields(
        fields_set=frozenset(body.model_fields_set),
        title=body.title,
        content=body.content,
        category=body.category,
        shortcut=body.shortcut,
        is_active=body.is_active,
        sort_order=body.sort_order,
    )


@router.get("/canned-responses", response_model=ListEnvelope[CannedResponseOut])
async def list_canned_responses(
    principal: Annotated[Principal, require_scope(Scope.CANNED_RESPONSES_LIST)],
    responses: CannedResponseServiceDep,
    page: PageDep,
) -> ListEnvelope[CannedResponseOut]:
    """List canned responses, by sort order."""
    return listed(await responses.page_all(principal, page), canned_response_out)


@router.post(
    "/canned-responses",
    response_model=Envelope[CannedResponseOut],
    status_code=status.HTTP_201_CREATED,
)
async def create_canned_response(
    body: CannedResponseIn,
    principal: Annotated[Principal, require_scope(Scope.CANNED_RESPONSES_CREATE)],
    responses: CannedResponseServiceDep,
) -> Envelope[CannedResponseOut]:
    """Create a canned response shared with every staff member."""
    return one(canned_response_out(await responses.create_shared(principal, _fields(body))))


@router.get("/canned-responses/{response_id}", response_model=Envelope[CannedResponseOut])
async def get_canned_response(
    response_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.CANNED_RESPONSES_READ)],
    responses: CannedResponseServiceDep,
) -> Envelope[CannedResponseOut]:
    """Read a canned response."""
    return one(canned_response_out(await responses.get(principal, response_id)))


@router.put("/canned-responses/{response_id}", response_model=Envelope[CannedResponseOut])
async def update_canned_response(
    response_id: PathId,
    body: CannedResponseUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.CANNED_RESPONSES_UPDATE)],
    responses: CannedResponseServiceDep,
) -> Envelope[CannedResponseOut]:
    """Change a canned response."""
    response = await responses.update(principal, response_id, _fields(body))
    return one(canned_response_out(response))


@router.delete("/canned-responses/{response_id}", response_model=Done)
async def delete_canned_response(
    response_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.CANNED_RESPONSES_DELETE)],
    responses: CannedResponseServiceDep,
) -> Done:
    """Delete a canned response."""
    await responses.delete(principal, response_id)
    return Done(message="Canned response deleted successfully")
