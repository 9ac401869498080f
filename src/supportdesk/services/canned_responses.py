"""Canned responses: replies staff save and reuse, privately or shared with everyone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.permissions import Capability
from supportdesk.auth.principal import Principal
from supportdesk.core.errors import Forbidden, NotFound, ValidationFailed
from supportdesk.models import CannedResponse
from supportdesk.repositories.canned_responses import (
    CannedResponseFilters,
    CannedResponseRepository,
)
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
        principal.require(Capability.USE_CANNED_RESPONSES)
        return await self.responses.usable(principal.user_id, filters)

    async def create(self, principal: Principal, new: NewCannedResponse) -> CannedResponse:
        principal.require(Capability.USE_CANNED_RESPONSES)
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
        self.responses.add(response)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "canned_response.created",
            f"Canned response {response.title} created",
            {"canned_response_id": response.id, "is_shared": response.is_shared},
        )
        return response

    async def delete(self, principal: Principal, response_id: int) -> None:
        """Staff delete their own responses; admins delete anyone's."""
        principal.require(Capability.USE_CANNED_RESPONSES)
        response = await self.responses.get(response_id)
        own = response is not None and response.owner_id == principal.user_id
        # Another member's private response is not revealed to them: as if it did not exist.
        if response is None or not (own or response.is_shared or principal.is_admin):
            raise NotFound("Canned response not found.")
        if not own and not principal.is_admin:
            raise Forbidden("You can only delete your own canned responses.")
        self.activity.record(
            principal,
            None,
            "canned_response.deleted",
            f"Canned response {response.title} deleted",
            {"canned_response_id": response.id, "owner_id": response.owner_id},
        )
        await self.responses.delete(response)
