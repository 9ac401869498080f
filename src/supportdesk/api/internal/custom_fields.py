"""Custom ticket fields (seed 000), sorted by sort_order: the nine input types."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status

from supportdesk.api.deps import CustomFieldServiceDep
from supportdesk.api.internal.deps import PageDep, require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.resource_schemas import (
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldUpdateIn,
)
from supportdesk.api.internal.schemas import Done, Envelope, ListEnvelope, listed, one
from supportdesk.api.types import PathId
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.services.custom_fields import CustomFieldInput

router = APIRouter(tags=["internal"], route_class=InternalRoute)


def _fields(body: CustomFieldIn | CustomFieldUpdateIn) -> CustomFieldInput:
    return CustomFieldInput(
        fields_set=frozenset(body.model_fields_set),
        label=body.label,
        description=body.description,
        type=body.type,
        is_required=body.is_required,
        sort_order=body.sort_order,
        status=body.status,
    )


@router.get("/custom-fields", response_model=ListEnvelope[CustomFieldOut])
async def list_custom_fields(
    principal: Annotated[Principal, require_scope(Scope.CUSTOM_FIELDS_LIST)],
    fields: CustomFieldServiceDep,
    page: PageDep,
) -> ListEnvelope[CustomFieldOut]:
    """List custom ticket fields, by sort order."""
    return listed(await fields.list_page(principal, page), CustomFieldOut.model_validate)


@router.post(
    "/custom-fields", response_model=Envelope[CustomFieldOut], status_code=status.HTTP_201_CREATED
)
async def create_custom_field(
    body: CustomFieldIn,
    principal: Annotated[Principal, require_scope(Scope.CUSTOM_FIELDS_CREATE)],
    fields: CustomFieldServiceDep,
) -> Envelope[CustomFieldOut]:
    """Define a custom ticket field."""
    return one(CustomFieldOut.model_validate(await fields.create(principal, _fields(body))))


@router.get("/custom-fields/{field_id}", response_model=Envelope[CustomFieldOut])
async def get_custom_field(
    field_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.CUSTOM_FIELDS_READ)],
    fields: CustomFieldServiceDep,
) -> Envelope[CustomFieldOut]:
    """Read a custom ticket field."""
    return one(CustomFieldOut.model_validate(await fields.get(principal, field_id)))


@router.put("/custom-fields/{field_id}", response_model=Envelope[CustomFieldOut])
async def update_custom_field(
    field_id: PathId,
    body: CustomFieldUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.CUSTOM_FIELDS_UPDATE)],
    fields: CustomFieldServiceDep,
) -> Envelope[CustomFieldOut]:
    """Change a custom ticket field."""
    field = await fields.update(principal, field_id, _fields(body))
    return one(CustomFieldOut.model_validate(field))


@router.delete("/custom-fields/{field_id}", response_model=Done)
async def delete_custom_field(
    field_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.CUSTOM_FIELDS_DELETE)],
    fields: CustomFieldServiceDep,
) -> Done:
    """Delete a custom ticket field.

    Tickets keep the values they stored, but those are no longer shown.
    """
    await fields.delete(principal, field_id)
    return Done(message="Custom field deleted successfully")
