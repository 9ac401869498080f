"""Ticket tags: a flat list everyone reads, staff extend and admins prune."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.permissions import Capability
from supportdesk.auth.principal import Principal
from supportdesk.core.errors import Forbidden, NotFound, ValidationFailed
from supportdesk.models import Tag
from supportdesk.repositories.taxonomy import TaxonomyRepository
from supportdesk.services.activity import ActivityLog


class TagService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.taxonomy = TaxonomyRepository(session)
        self.activity = ActivityLog(session)

    async def all(self, principal: Principal) -> Sequence[Tag]:
        return await self.taxonomy.all_tags()

    async def create(self, principal: Principal, name: str, color: str | None) -> Tag:
        # The reference lets staff (agents and admins) write configuration; the role table
        # has no row for tags, so agents may label with new tags as they triage.
        if not principal.is_staff:
            raise Forbidden("Only staff can create tags.")
        if await self.taxonomy.tag_name_taken(name):
            raise ValidationFailed.field("name", "The name has already been taken.")
        tag = Tag(name=name, color=color)
        self.taxonomy.add_tag(tag)
        await self.session.flush()
        self.activity.record(
            principal, None, "tag.created", f"Tag {tag.name} created", {"tag_id": tag.id}
        )
        return tag

    async def delete(self, principal: Principal, tag_id: int) -> None:
        """Delete a tag; it disappears from every ticket that carried it."""
        # Removing a tag rewrites tickets' labels across the hub: the admins' taxonomy
        # capability guards it, as it guards categories.
        principal.require(Capability.MANAGE_CATEGORIES)
        tag = await self.taxonomy.tag(tag_id)
        if tag is None:
            raise NotFound("Tag not found.")
        self.activity.record(
            principal,
            None,
            "tag.deleted",
            f"Tag {tag.name} deleted",
            {"tag_id": tag.id, "name": tag.name},
        )
        await self.taxonomy.delete_tag(tag)
