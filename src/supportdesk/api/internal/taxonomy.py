"""Departments, categories and labels (seed 000), each sorted by sort_order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status

from supportdesk.api.deps import CategoryServiceDep, DepartmentServiceDep, TagServiceDep
from supportdesk.api.internal.deps import PageDep, require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.resource_schemas import (
    CategoryIn,
    CategoryOut,
    CategoryUpdateIn,
    DepartmentIn,
    DepartmentOut,
    DepartmentUpdateIn,
    LabelIn,
    LabelOut,
    LabelUpdateIn,
)
from supportdesk.api.internal.schemas import Done, Envelope, ListEnvelope, listed, one
from supportdesk.api.types import PathId
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.services.categories import CategoryFields
from supportdesk.services.departments import DepartmentFields
from supportdesk.services.tags import NewTag, TagChanges

router = APIRouter(tags=["internal"], route_class=InternalRoute)

# ---------------------------------------------------------------------- departments


def _department_fields(body: DepartmentIn | DepartmentUpdateIn) -> DepartmentFields:
    return DepartmentFields(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        description=body.description,
        email=str(body.email) if body.email is not None else None,
        is_default=body.is_default,
        status=body.status,
        sort_order=body.sort_order,
    )


@router.get("/departments", response_model=ListEnvelope[DepartmentOut])
async def list_departments(
    principal: Annotated[Principal, require_scope(Scope.DEPARTMENTS_LIST)],
    departments: DepartmentServiceDep,
    page: PageDep,
) -> ListEnvelope[DepartmentOut]:
    """List departments, by sort order."""
    return listed(await departments.list_page(principal, page), DepartmentOut.model_validate)


@router.post(
    "/departments",
    response_model=Envelope[DepartmentOut],
    status_code=status.HTTP_201_CREATED,
)
async def create_department(
    body: DepartmentIn,
    principal: Annotated[Principal, require_scope(Scope.DEPARTMENTS_CREATE)],
    departments: DepartmentServiceDep,
) -> Envelope[DepartmentOut]:
    """Create a department."""
    department = await departments.create(principal, _department_fields(body))
    return one(DepartmentOut.model_validate(department))


@router.get("/departments/{department_id}", response_model=Envelope[DepartmentOut])
async def get_department(
    department_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.DEPARTMENTS_READ)],
    departments: DepartmentServiceDep,
) -> Envelope[DepartmentOut]:
    """Read a department."""
    return one(DepartmentOut.model_validate(await departments.get(principal, department_id)))


@router.put("/departments/{department_id}", response_model=Envelope[DepartmentOut])
async def update_department(
    department_id: PathId,
    body: DepartmentUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.DEPARTMENTS_UPDATE)],
    departments: DepartmentServiceDep,
) -> Envelope[DepartmentOut]:
    """Change a department."""
    department = await departments.update(principal, department_id, _department_fields(body))
    return one(DepartmentOut.model_validate(department))


@router.delete("/departments/{department_id}", response_model=Done)
async def delete_department(
    department_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.DEPARTMENTS_DELETE)],
    departments: DepartmentServiceDep,
) -> Done:
    """Delete a department.

    Its tickets stay, without a department.
    """
    await departments.delete(principal, department_id)
    return Done(message="Department deleted successfully")


# ---------------------------------------------------------------------- categories


def _category_fields(body: CategoryIn | CategoryUpdateIn) -> CategoryFields:
    return CategoryFields(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        description=body.description,
        parent_id=body.parent_id,
        status=body.status,
        sort_order=body.sort_order,
    )


@router.get("/categories", response_model=ListEnvelope[CategoryOut])
async def list_categories(
    principal: Annotated[Principal, require_scope(Scope.CATEGORIES_LIST)],
    categories: CategoryServiceDep,
    page: PageDep,
) -> ListEnvelope[CategoryOut]:
    """List ticket categories, by sort order."""
    return listed(await categories.list_page(principal, page), CategoryOut.model_validate)


@router.post(
    "/categories",
    response_model=Envelope[CategoryOut],
    status_code=status.HTTP_201_CREATED,
)
async def create_category(
    body: CategoryIn,
    principal: Annotated[Principal, require_scope(Scope.CATEGORIES_CREATE)],
    categories: CategoryServiceDep,
) -> Envelope[CategoryOut]:
    """Create a ticket category."""
    category = await categories.create(principal, _category_fields(body))
    return one(CategoryOut.model_validate(category))


@router.get("/categories/{category_id}", response_model=Envelope[CategoryOut])
async def get_category(
    category_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.CATEGORIES_READ)],
    categories: CategoryServiceDep,
) -> Envelope[CategoryOut]:
    """Read a ticket category."""
    return one(CategoryOut.model_validate(await categories.get(principal, category_id)))


@router.put("/categories/{category_id}", response_model=Envelope[CategoryOut])
async def update_category(
    category_id: PathId,
    body: CategoryUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.CATEGORIES_UPDATE)],
    categories: CategoryServiceDep,
) -> Envelope[CategoryOut]:
    """Change a ticket category."""
    category = await categories.update(principal, category_id, _category_fields(body))
    return one(CategoryOut.model_validate(category))


@router.delete("/categories/{category_id}", response_model=Done)
async def delete_category(
    category_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.CATEGORIES_DELETE)],
    categories: CategoryServiceDep,
) -> Done:
    """Delete a ticket category.

    Its child categories become top-level ones and its tickets uncategorised.
    """
    await categories.delete(principal, category_id)
    return Done(message="Category deleted successfully")


# ---------------------------------------------------------------------- labels


def _new_tag(body: LabelIn) -> NewTag:
    return NewTag(name=body.name, color=body.color, status=body.status, sort_order=body.sort_order)


def _tag_changes(body: LabelUpdateIn) -> TagChanges:
    return TagChanges(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        color=body.color,
        status=body.status,
        sort_order=body.sort_order,
    )


@router.get("/labels", response_model=ListEnvelope[LabelOut])
async def list_labels(
    principal: Annotated[Principal, require_scope(Scope.LABELS_LIST)],
    tags: TagServiceDep,
    page: PageDep,
) -> ListEnvelope[LabelOut]:
    """List labels, by sort order."""
    return listed(await tags.page_in_order(principal, page), LabelOut.model_validate)


@router.post("/labels", response_model=Envelope[LabelOut], status_code=status.HTTP_201_CREATED)
async def create_label(
    body: LabelIn,
    principal: Annotated[Principal, require_scope(Scope.LABELS_CREATE)],
    tags: TagServiceDep,
) -> Envelope[LabelOut]:
    """Create a label."""
    return one(LabelOut.model_validate(await tags.create(principal, _new_tag(body))))


@router.get("/labels/{label_id}", response_model=Envelope[LabelOut])
async def get_label(
    label_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.LABELS_READ)],
    tags: TagServiceDep,
) -> Envelope[LabelOut]:
    """Read a label."""
    return one(LabelOut.model_validate(await tags.get(principal, label_id)))


@router.put("/labels/{label_id}", response_model=Envelope[LabelOut])
async def update_label(
    label_id: PathId,
    body: LabelUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.LABELS_UPDATE)],
    tags: TagServiceDep,
) -> Envelope[LabelOut]:
    """Change a label."""
    label = await tags.update(principal, label_id, _tag_changes(body))
    return one(LabelOut.model_validate(label))


@router.delete("/labels/{label_id}", response_model=Done)
async def delete_label(
    label_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.LABELS_DELETE)],
    tags: TagServiceDep,
) -> Done:
    """Delete a label.

    It is taken off every ticket that carried it.
    """
    await tags.delete(principal, label_id)
    return Done(message="Label deleted successfully")
