"""Canned responses: replies staff save and reuse, privately or shared with everyone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.errors import Forbidden, NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import CannedResponse
from supportdesk.repositories.canned_responses import (
    CannedResponseFilters,
    CannedResponseRepository,
)
from supportdesk.repositories.paging import fetch_page
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.repositories.taxonomy import TaxonomyRepository
from supportdesk.services.activity import ActivityLog


@dataclass(frozen=True, slots=True)
class NewCannedResponse:
    title: str
    body: str
    shortcut: str | None = None
    is_shared: bool = False
    project_id: int | None = None
    category_id: int | None = None


class CannedResponseService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.responses = CannedResponseRepository(session)
        self.projects = ProjectRepository(session)
        self.taxonomy = TaxonomyRepository(session)
        self.activity = ActivityLog(session)

    async def usable(
        self, principal: Principal, filters: CannedResponseFilters
    ) -> Sequence[CannedResponse]:
        """The caller's own active responses and everyone's shared ones."""
        principal.require(Scope.CANNED_RESPONSES_USE)
        return await self.responses.usable(principal.user_id, filters)

    async def create(self, principal: Principal, new: NewCannedResponse) -> CannedResponse:
        principal.require(Scope.CANNED_RESPONSES_USE)
        if new.project_id is not None and await self.projects.get(new.project_id) is None:
            raise ValidationFailed.field("project_id", "The selected project id is invalid.")
        if new.category_id is not None and await self.taxonomy.category(new.category_id) is None:
            raise ValidationFailed.field("category_id", "The selected category id is invalid.")
        response = CannedResponse(
            title=new.title,
            body=new.body,
            shortcut=new.shortcut,
            is_shared=new.is_shared,
            project_id=new.project_id,
            category_id=new.category_id,
            owner_id=principal.user_id,
            is_active=True,
            sort_order=0,
        )
        await self._add(principal, response)
        return response

    async def _add(self, principal: Principal, response: CannedResponse) -> None:
        """Store a new response and record its creation."""
        self.responses.add(response)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "canned_response.created",
            f"Canned response {response.title} created",
            {"canned_response_id": response.id, "is_shared": response.is_shared},
        )

    async def delete(self, principal: Principal, response_id: int) -> None:
        """Staff delete their own responses; those administering them delete anyone's."""
        administers = principal.can(Scope.CANNED_RESPONSES_DELETE)
        if not administers:
            principal.require(Scope.CANNED_RESPONSES_USE)
        response = await self.responses.get(response_id)
        own = response is not None and response.owner_id == principal.user_id
        # Another member's private response is not revealed to them: as if it did not exist.
        if response is None or not (own or response.is_shared or administers):
            raise NotFound("Canned response not found.")
        if not own and not administers:
            raise Forbidden("You can only delete your own canned responses.")
        self.activity.record(
            principal,
            None,
            "canned_response.deleted",
            f"Canned response {response.title} deleted",
            {"canned_response_id": response.id, "owner_id": response.owner_id},
        )
        await self.responses.delete(response)

    # ---------------------------------------------------------------- administration

    async def page_all(self, principal: Principal, page: PageRequest) -> Page[CannedResponse]:
        """Every canned response, by sort_order then title (the admins' list)."""
        principal.require(Scope.CANNED_RESPONSES_LIST)
        return await fetch_page(self.session, self.responses.listing(), page)

    async def get(self, principal: Principal, response_id: int) -> CannedResponse:
        principal.require(Scope.CANNED_RESPONSES_READ)
        return await self._response(response_id)

    async def create_shared(
        self, principal: Principal, fields: CannedResponseFields
    ) -> CannedResponse:
        """A response for every staff member, as the admins' API creates them."""
        principal.require(Scope.CANNED_RESPONSES_CREATE)
        if not fields.title:
            raise ValidationFailed.field("title", "The title field is required.")
        response = CannedResponse(
            title=fields.title,
            body=fields.content or "",
            category_label=fields.category,
            shortcut=fields.shortcut,
            is_shared=True,
            owner_id=principal.user_id,
            is_active=True if fields.is_active is None else fields.is_active,
            sort_order=fields.sort_order or 0,
        )
        await self._add(principal, response)
        return response

    async def update(
        self, principal: Principal, response_id: int, fields: CannedResponseFields
    ) -> CannedResponse:
        principal.require(Scope.CANNED_RESPONSES_UPDATE)
        response = await self._response(response_id)
        for name in ("title", "is_active", "sort_order"):
            if name in fields.fields_set and getattr(fields, name) is None:
                raise ValidationFailed.field(
                    name, f"The {name.replace('_', ' ')} field is required."
                )
        diff: dict[str, list[object]] = {}
        for name, column in _ADMIN_FIELDS.items():
            if name not in fields.fields_set:
                continue
            value = getattr(fields, name)
            if name == "content":
                value = value or ""
            if value != getattr(response, column):
                diff[name] = [getattr(response, column), value]
                setattr(response, column, value)
        if diff:
            await self.session.flush()
            self.activity.record(
                principal,
                None,
                "canned_response.updated",
                f"Canned response {response.title} updated",
                {"canned_response_id": response.id, **diff},
            )
        return response

    async def _response(self, response_id: int) -> CannedResponse:
        response = await self.responses.get(response_id)
        if response is None:
            raise NotFound("Canned response not found.")
        return response


@dataclass(frozen=True, slots=True)
class CannedResponseFields:
    """Seed 000's canned response (content is the body, category a free label)."""

    fields_set: frozenset[str]
    title: str | None = None
    content: str | None = None
    category: str | None = None
    shortcut: str | None = None
    is_active: bool | None = None
    sort_order: int | None = None


# The admins' field names and the columns behind them.
_ADMIN_FIELDS = {
    "title": "title",
    "content": "body",
    "category": "category_label",
    "shortcut": "shortcut",
    "is_active": "is_active",
    "sort_order": "sort_order",
}
