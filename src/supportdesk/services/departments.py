"""Departments: the teams tickets are routed to, and their agents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Department
from supportdesk.repositories.catalogue import CatalogueRepository
from supportdesk.repositories.paging import fetch_page
from supportdesk.services.activity import ActivityLog

_EDITABLE = ("name", "description", "email", "is_default", "status", "sort_order")
_NOT_NULL = ("name", "is_default", "status", "sort_order")


@dataclass(frozen=True, slots=True)
class DepartmentFields:
    """A new department, or a partial update: only ``fields_set`` is applied on update."""

    fields_set: frozenset[str]
    name: str | None = None
    description: str | None = None
    email: str | None = None
    is_default: bool | None = None
    status: str | None = None
    sort_order: int | None = None


def refuse_nulls(fields_set: frozenset[str], values: object, names: tuple[str, ...]) -> None:
    """An update may leave these out, not clear them."""
    for name in names:
        if name in fields_set and getattr(values, name) is None:
            raise ValidationFailed.field(name, f"The {name.replace('_', ' ')} field is required.")


class DepartmentService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.catalogue = CatalogueRepository(session)
        self.activity = ActivityLog(session)

    async def list_page(self, principal: Principal, page: PageRequest) -> Page[Department]:
        """Departments in their display order (sort_order, then name)."""
        principal.require(Scope.DEPARTMENTS_LIST)
        return await fetch_page(self.session, self.catalogue.department_listing(), page)

    async def get(self, principal: Principal, department_id: int) -> Department:
        principal.require(Scope.DEPARTMENTS_READ)
        return await self._department(department_id)

    async def create(self, principal: Principal, fields: DepartmentFields) -> Department:
        principal.require(Scope.DEPARTMENTS_CREATE)
        if not fields.name:
            raise ValidationFailed.field("name", "The name field is required.")
        department = Department(
            name=fields.name,
            description=fields.description,
            email=fields.email,
            is_default=bool(fields.is_default),
            status=fields.status or "published",
            sort_order=fields.sort_order or 0,
        )
        if department.is_default:
            await self._clear_default()
        self.catalogue.add_department(department)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "department.created",
            f"Department {department.name} created",
            {"department_id": department.id},
        )
        return department

    async def update(
        self, principal: Principal, department_id: int, fields: DepartmentFields
    ) -> Department:
        principal.require(Scope.DEPARTMENTS_UPDATE)
        department = await self._department(department_id)
        refuse_nulls(fields.fields_set, fields, _NOT_NULL)
        if fields.is_default and not department.is_default:
            await self._clear_default()
        diff: dict[str, list[Any]] = {}
        for name in _EDITABLE:
            value = getattr(fields, name)
            if name in fields.fields_set and value != getattr(department, name):
                diff[name] = [getattr(department, name), value]
                setattr(department, name, value)
        if diff:
            await self.session.flush()
            self.activity.record(
                principal,
                None,
                "department.updated",
                f"Department {department.name} updated",
                {"department_id": department.id, **diff},
            )
        return department

    async def delete(self, principal: Principal, department_id: int) -> None:
        """Delete a department; its tickets stay, without a department."""
        principal.require(Scope.DEPARTMENTS_DELETE)
        department = await self._department(department_id)
        self.activity.record(
            principal,
            None,
            "department.deleted",
            f"Department {department.name} deleted",
            {"department_id": department.id, "name": department.name},
        )
        await self.catalogue.delete_department(department)

    async def _department(self, department_id: int) -> Department:
        department = await self.catalogue.department(department_id)
        if department is None:
            raise NotFound("Department not found.")
        return department

    async def _clear_default(self) -> None:
        # One default department: choosing another unmarks the previous one.
        await self.session.execute(
            update(Department).where(Department.is_default.is_(True)).values(is_default=False)
        )
