"""Ticket tags: a flat list everyone reads, staff extend and admins prune."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Tag
from supportdesk.repositories.paging import fetch_page
from supportdesk.repositories.rest_lists import TagListRepository
from supportdesk.repositories.taxonomy import TaxonomyRepository
from supportdesk.repositories.tickets import TicketRepository
from supportdesk.services.activity import ActivityLog


@dataclass(frozen=True, slots=True)
class NewTag:
    """A tag to create; a status or order not given takes the table's default."""

    name: str
    color: str | None = None
    status: str | None = None
    sort_order: int | None = None


@dataclass(frozen=True, slots=True)
class TagChanges:
    """A partial update: only the fields named in ``fields_set`` are applied.

    The colour is cleared by a null; the name, status and order always have a value, so a
    null leaves them as they are.
    """

    fields_set: frozenset[str]
    name: str | None = None
    color: str | None = None
    status: str | None = None
    sort_order: int | None = None


_KEPT_WHEN_NULL = ("status", "sort_order")
# Said to whoever may not create tags: only staff hold labels:create.
ONLY_STAFF_CREATE_TAGS = "Only staff can create tags."


class TagService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.taxonomy = TaxonomyRepository(session)
        self.activity = ActivityLog(session)

    async def all(self, principal: Principal) -> Sequence[Tag]:
        return await self.taxonomy.all_tags()

    async def create(self, principal: Principal, new: NewTag) -> Tag:
        # The reference lets staff (agents and admins) write configuration; the role table
        # has no row for tags, so agents may label with new tags as they triage.
        principal.require(Scope.LABELS_CREATE, ONLY_STAFF_CREATE_TAGS)
        if await self.taxonomy.tag_name_taken(new.name):
            raise ValidationFailed.field("name", "The name has already been taken.")
        return await self._add(principal, new)

    async def _add(self, principal: Principal, new: NewTag) -> Tag:
        tag = Tag(name=new.name, color=new.color)
        if new.status is not None:
            tag.status = new.status
        if new.sort_order is not None:
            tag.sort_order = new.sort_order
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
        principal.require(Scope.LABELS_DELETE)
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
        # Before the links go: the tickets that lose the tag are the ones linked now.
        await TicketRepository(self.session).revise_tagged(tag.id)
        await self.taxonomy.delete_tag(tag)

    async def page(self, principal: Principal, request: CursorRequest) -> CursorPage[Tag]:
        principal.require(Scope.LABELS_LIST)
        return await TagListRepository(self.session).page(request)

    async def page_in_order(self, principal: Principal, page: PageRequest) -> Page[Tag]:
        """Tags in display order: by sort_order, then name."""
        principal.require(Scope.LABELS_LIST)
        return await fetch_page(self.session, self.taxonomy.tag_listing(), page)

    async def get(self, principal: Principal, tag_id: int) -> Tag:
        principal.require(Scope.LABELS_READ)
        tag = await self.taxonomy.tag(tag_id)
        if tag is None:
            raise NotFound("Tag not found.")
        return tag

    async def update(self, principal: Principal, tag_id: int, changes: TagChanges) -> Tag:
        principal.require(Scope.LABELS_UPDATE)
        tag = await self.taxonomy.tag(tag_id)
        if tag is None:
            raise NotFound("Tag not found.")
        fields = changes.fields_set
        diff: dict[str, list[object]] = {}
        if "name" in fields and changes.name is not None and changes.name != tag.name:
            if changes.name.lower() != tag.name.lower() and await self.taxonomy.tag_name_taken(
                changes.name
            ):
                raise ValidationFailed.field("name", "The name has already been taken.")
            diff["name"] = [tag.name, changes.name]
            tag.name = changes.name
        if "color" in fields and changes.color != tag.color:
            diff["color"] = [tag.color, changes.color]
            tag.color = changes.color
        for name in _KEPT_WHEN_NULL:
            value = getattr(changes, name)
            if name in fields and value is not None and value != getattr(tag, name):
                diff[name] = [getattr(tag, name), value]
                setattr(tag, name, value)
        if diff.keys() & {"name", "color"}:
            # The tickets bearing it show it by name and colour.
            await TicketRepository(self.session).revise_tagged(tag.id)
        if diff:
            # Now, so the tag shown carries the updated_at the change is stored with.
            await self.session.flush()
            self.activity.record(
                principal,
                None,
                "tag.updated",
                f"Tag {tag.name} updated",
                {"tag_id": tag.id, **diff},
            )
        return tag

    async def find_or_create_by_names(
        self, principal: Principal, names: Sequence[str]
    ) -> Sequence[Tag]:
        """The tags of these names (any letter case), creating the missing ones.

        Creating tags is staff's: anyone else may only name tags that exist. A key
        labelling a ticket needs no tag scope for it: the labels are part of the ticket.
        """
        wanted: dict[str, str] = {}
        for name in names:
            wanted.setdefault(name.strip().lower(), name.strip())
        wanted.pop("", None)
        found = {tag.name.lower(): tag for tag in await self.taxonomy.tags_named(wanted)}
        missing = [name for key, name in wanted.items() if key not in found]
        if missing and not policy.is_staff(principal):
            raise ValidationFailed.field("tags", "The selected tags are invalid.")
        for name in missing:
            found[name.lower()] = await self._add(principal, NewTag(name))
        return sorted(found.values(), key=lambda tag: tag.id)
