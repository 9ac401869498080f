"""Categories, SLA policies, canned responses and tags (the reference's configuration)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from supportdesk.api.deps import (
    CannedResponseServiceDep,
    CategoryServiceDep,
    SlaPolicyServiceDep,
    TagServiceDep,
)
from supportdesk.api.portal.configuration_schemas import (
    CannedResponseEnvelope,
    CannedResponseIn,
    CannedResponseList,
    CannedResponseOut,
    CategoryEnvelope,
    CategoryIn,
    CategoryOut,
    CategoryTreeList,
    CategoryUpdateIn,
    SlaPolicyEnvelope,
    SlaPolicyIn,
    SlaPolicyList,
    SlaPolicyUpdateIn,
    TagEnvelope,
    TagIn,
    TagList,
    category_tree_out,
)
from supportdesk.api.portal.deps import PrincipalDep
from supportdesk.api.portal.errors import PortalRoute
from supportdesk.api.portal.schemas import MessageText, SlaPolicyOut, TagOut
from supportdesk.api.types import PathId, QueryId
from supportdesk.services.canned_responses import NewCannedResponse
from supportdesk.services.categories import CategoryFields
from supportdesk.services.filters import CannedResponseFilters
from supportdesk.services.sla_policies import SlaPolicyFields
from supportdesk.services.tags import NewTag

router = APIRouter(tags=["portal: configuration"], route_class=PortalRoute)


# ---------------------------------------------------------------------- categories


def _category_fields(body: CategoryIn | CategoryUpdateIn) -> CategoryFields:
    return CategoryFields(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        color=body.color,
        parent_id=body.parent_id,
        description=body.description,
        sort_order=body.sort_order,
    )


@router.get("/categories", response_model=CategoryTreeList)
async def list_categories(
    principal: PrincipalDep, categories: CategoryServiceDep
) -> CategoryTreeList:
    """The ticket categories as a tree.

    Each top-level category carries its descendants nested, siblings in order.
    """
    roots = await categories.tree(principal)
    return CategoryTreeList(categories=[category_tree_out(node) for node in roots])


@router.post("/categories", response_model=CategoryEnvelope, status_code=status.HTTP_201_CREATED)
async def create_category(
    body: CategoryIn, principal: PrincipalDep, categories: CategoryServiceDep
) -> CategoryEnvelope:
    """Create a ticket category."""
    category = await categories.create(principal, _category_fields(body))
    return CategoryEnvelope(category=CategoryOut.model_validate(category))


@router.put("/categories/{category_id}", response_model=CategoryEnvelope)
async def update_category(
    category_id: PathId,
    body: CategoryUpdateIn,
    principal: PrincipalDep,
    categories: CategoryServiceDep,
) -> CategoryEnvelope:
    """Change a ticket category."""
    category = await categories.update(principal, category_id, _category_fields(body))
    return CategoryEnvelope(category=CategoryOut.model_validate(category))


@router.delete("/categories/{category_id}", response_model=MessageText)
async def delete_category(
    category_id: PathId, principal: PrincipalDep, categories: CategoryServiceDep
) -> MessageText:
    """Delete a ticket category.

    Its child categories become top-level ones and its tickets uncategorised.
    """
    await categories.delete(principal, category_id)
    return MessageText(message="Category deleted")


# ---------------------------------------------------------------------- SLA policies


def _sla_policy_fields(body: SlaPolicyIn | SlaPolicyUpdateIn) -> SlaPolicyFields:
    return SlaPolicyFields(
        fields_set=frozenset(body.model_fields_set),
        project_id=body.project_id,
        priority=body.priority,
        first_response_minutes=body.first_response_minutes,
        resolution_minutes=body.resolution_minutes,
        business_calendar_id=body.business_calendar_id,
    )


@router.get("/sla", response_model=SlaPolicyList)
async def list_sla_policies(
    principal: PrincipalDep,
    policies: SlaPolicyServiceDep,
    project_id: Annotated[
        QueryId | None, Query(description="That project's policies and the global ones")
    ] = None,
) -> SlaPolicyList:
    """List SLA policies.

    For a project, its own policies and the global ones.
    """
    found = await policies.find(principal, project_id)
    return SlaPolicyList(sla_policies=[SlaPolicyOut.model_validate(p) for p in found])


@router.post("/admin/sla", response_model=SlaPolicyEnvelope, status_code=status.HTTP_201_CREATED)
async def create_sla_policy(
    body: SlaPolicyIn, principal: PrincipalDep, policies: SlaPolicyServiceDep
) -> SlaPolicyEnvelope:
    """Create an SLA policy for a priority, globally or for one project.

    Each project, and the global set, holds at most one policy per priority;
    resolution time may not be shorter than first-response time.
    """
    policy = await policies.create(principal, _sla_policy_fields(body))
    return SlaPolicyEnvelope(sla_policy=SlaPolicyOut.model_validate(policy))


@router.put("/admin/sla/{policy_id}", response_model=SlaPolicyEnvelope)
async def update_sla_policy(
    policy_id: PathId,
    body: SlaPolicyUpdateIn,
    principal: PrincipalDep,
    policies: SlaPolicyServiceDep,
) -> SlaPolicyEnvelope:
    """Change an SLA policy."""
    policy = await policies.update(principal, policy_id, _sla_policy_fields(body))
    return SlaPolicyEnvelope(sla_policy=SlaPolicyOut.model_validate(policy))


@router.delete("/admin/sla/{policy_id}", response_model=MessageText)
async def delete_sla_policy(
    policy_id: PathId, principal: PrincipalDep, policies: SlaPolicyServiceDep
) -> MessageText:
    """Delete an SLA policy.

    Tickets it applied to keep the due dates they were given.
    """
    await policies.delete(principal, policy_id)
    return MessageText(message="SLA policy deleted")


# ---------------------------------------------------------------------- canned responses


@router.get("/canned-responses", response_model=CannedResponseList)
async def list_canned_responses(
    principal: PrincipalDep,
    responses: CannedResponseServiceDep,
    project_id: Annotated[
        QueryId | None, Query(description="That project's responses and those of no project")
    ] = None,
    search: Annotated[str | None, Query(max_length=255)] = None,
) -> CannedResponseList:
    """The caller's own active canned responses and everyone's shared ones."""
    filters = CannedResponseFilters(
        project_id=project_id, search=search.strip() if search and search.strip() else None
    )
    found = await responses.usable(principal, filters)
    return CannedResponseList(canned_responses=[CannedResponseOut.model_validate(r) for r in found])


@router.post(
    "/canned-responses",
    response_model=CannedResponseEnvelope,
    status_code=status.HTTP_201_CREATED,
)
async def create_canned_response(
    body: CannedResponseIn, principal: PrincipalDep, responses: CannedResponseServiceDep
) -> CannedResponseEnvelope:
    """Create a canned response, private to the caller or shared."""
    new = NewCannedResponse(
        title=body.title,
        body=body.body,
        shortcut=body.shortcut,
        is_shared=body.is_shared,
        project_id=body.project_id,
        category_id=body.category_id,
    )
    response = await responses.create(principal, new)
    return CannedResponseEnvelope(canned_response=CannedResponseOut.model_validate(response))


@router.delete("/canned-responses/{response_id}", response_model=MessageText)
async def delete_canned_response(
    response_id: PathId, principal: PrincipalDep, responses: CannedResponseServiceDep
) -> MessageText:
    """Delete a canned response.

    Staff delete their own; those administering canned responses delete anyone's.
    """
    await responses.delete(principal, response_id)
    return MessageText(message="Canned response deleted")


# ---------------------------------------------------------------------- tags


@router.get("/tags", response_model=TagList)
async def list_tags(principal: PrincipalDep, tags: TagServiceDep) -> TagList:
    """List every tag."""
    return TagList(tags=[TagOut.model_validate(tag) for tag in await tags.all(principal)])


@router.post("/tags", response_model=TagEnvelope, status_code=status.HTTP_201_CREATED)
async def create_tag(body: TagIn, principal: PrincipalDep, tags: TagServiceDep) -> TagEnvelope:
    """Create a tag; staff only, and the name must be new."""
    tag = await tags.create(principal, NewTag(name=body.name, color=body.color))
    return TagEnvelope(tag=TagOut.model_validate(tag))


@router.delete("/tags/{tag_id}", response_model=MessageText)
async def delete_tag(tag_id: PathId, principal: PrincipalDep, tags: TagServiceDep) -> MessageText:
    """Delete a tag.

    It is taken off every ticket that carried it.
    """
    await tags.delete(principal, tag_id)
    return MessageText(message="Tag deleted")
