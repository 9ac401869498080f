"""Connected projects: creating and configuring them, and who works in them."""

from __future__ import annotations

import itertools
import re
import string
import unicodedata
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.errors import Conflict, NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import DEFAULT_PROJECT_ID, ApiKey, Project, ProjectAgent, SlaPolicy, User
from supportdesk.repositories.api_keys import ApiKeyRepository
from supportdesk.repositories.projects import ProjectFilters, ProjectRepository, ProjectRow
from supportdesk.repositories.users import UserRepository
from supportdesk.services import principal_cache
from supportdesk.services.activity import ActivityLog
from supportdesk.services.calendar_choice import checked_calendar_id

# Leaves room in the 255-character column for a "-NNN" suffix on collision.
MAX_SLUG_BASE = 240
PREFIX_LENGTH = 4
_EDITABLE = (
    "name",
    "description",
    "support_email",
    "website_url",
    "timezone",
    "settings",
    "business_calendar_id",
)


@dataclass(frozen=True, slots=True)
class NewProject:
    name: str
    description: str | None = None
    support_email: str | None = None
    website_url: str | None = None
    timezone: str = "UTC"
    settings: dict[str, Any] = field(default_factory=dict)
    business_calendar_id: int | None = None


@dataclass(frozen=True, slots=True)
class ProjectChanges:
    """A partial update: only the fields named in ``fields_set`` are applied."""

    fields_set: frozenset[str]
    name: str | None = None
    description: str | None = None
    support_email: str | None = None
    website_url: str | None = None
    timezone: str | None = None
    settings: dict[str, Any] | None = None
    is_active: bool | None = None
    business_calendar_id: int | None = None


@dataclass(frozen=True, slots=True)
class ProjectDetails:
    row: ProjectRow
    agents: Sequence[tuple[User, bool]]
    sla_policies: Sequence[SlaPolicy]
    api_keys: Sequence[ApiKey]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def slug_base(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", _ascii(name).lower()).strip("-")
    return slug[:MAX_SLUG_BASE].rstrip("-") or "project"


def unique_slug(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in itertools.count(2) if f"{base}-{n}" not in taken)


def prefix_candidates(name: str) -> Iterator[str]:
    """Ticket prefixes for a name, best first: all of them start with the same letter.

    The name's first four letters; then its first three with each later letter of the
    name; then with any letter; then fewer of the name's letters, more of any.
    """
    letters = "".join(c for c in _ascii(name).upper() if c in string.ascii_uppercase)
    stem = letters or "PROJ"
    first = (stem + "X" * PREFIX_LENGTH)[:PREFIX_LENGTH]
    yield first
    for letter in stem[PREFIX_LENGTH:]:
        yield first[:3] + letter
    for kept in (3, 2, 1):
        for tail in itertools.product(string.ascii_uppercase, repeat=PREFIX_LENGTH - kept):
            yield first[:kept] + "".join(tail)


def checked_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        raise ValidationFailed.field(
            "timezone", "The timezone field must be a valid timezone."
        ) from None
    return name


class ProjectService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.projects = ProjectRepository(session)
        self.users = UserRepository(session)
        self.keys = ApiKeyRepository(session)
        self.activity = ActivityLog(session)

    async def _project(self, project_id: int) -> Project:
        project = await self.projects.get(project_id)
        if project is None:
            raise NotFound("Project not found.")
        return project

    # ---------------------------------------------------------------- reading

    async def list_page(
        self, principal: Principal, filters: ProjectFilters, page: PageRequest
    ) -> Page[ProjectRow]:
        principal.require(Scope.PROJECTS_UPDATE)
        return await self.projects.list_page(filters, page)

    async def get(self, principal: Principal, project_id: int) -> ProjectDetails:
        principal.require(Scope.PROJECTS_UPDATE)
        row = await self.projects.get_with_counts(project_id)
        if row is None:
            raise NotFound("Project not found.")
        return ProjectDetails(
            row=row,
            agents=await self.projects.agents_of(project_id),
            sla_policies=await self.projects.sla_policies_of(project_id),
            api_keys=await self.keys.of_project(project_id),
        )

    # ---------------------------------------------------------------- writing

    async def create(self, principal: Principal, new: NewProject) -> Project:
        principal.require(Scope.PROJECTS_CREATE)
        base = slug_base(new.name)
        project = Project(
            name=new.name,
            slug=unique_slug(base, await self.projects.slugs_like(base)),
            ticket_prefix=await self._free_prefix(new.name),
            description=new.description,
            support_email=new.support_email,
            website_url=new.website_url,
            timezone=checked_timezone(new.timezone),
            settings=dict(new.settings),
            is_active=True,
            business_calendar_id=await checked_calendar_id(self.session, new.business_calendar_id),
        )
        self.projects.add(project)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "project.created",
            f"Project {project.name} created",
            {"project_id": project.id, "slug": project.slug},
        )
        return project

    async def _free_prefix(self, name: str) -> str:
        candidates = prefix_candidates(name)
        first = next(candidates)
        taken = await self.projects.prefixes_starting_with(first[0])
        prefix = next((c for c in itertools.chain([first], candidates) if c not in taken), None)
        if prefix is None:
            raise Conflict("No free ticket prefix is left for this project name.")
        return prefix

    async def update(
        self, principal: Principal, project_id: int, changes: ProjectChanges
    ) -> Project:
        principal.require(Scope.PROJECTS_UPDATE)
        project = await self._project(project_id)
        fields = changes.fields_set
        diff: dict[str, list[Any]] = {}
        for name in _EDITABLE:
            value = getattr(changes, name)
            if name not in fields:
                continue
            if name == "timezone" and value is not None:
                value = checked_timezone(value)
            if name == "business_calendar_id":
                value = await checked_calendar_id(self.session, value)
            if value != getattr(project, name):
                diff[name] = [getattr(project, name), value]
                setattr(project, name, value)
        if "is_active" in fields and changes.is_active is not None:
            if not changes.is_active and project.id == DEFAULT_PROJECT_ID:
                # Surfaces without a notion of projects file every ticket here.
                raise ValidationFailed.field(
                    "is_active", "The default project cannot be deactivated."
                )
            if changes.is_active != project.is_active:
                diff["is_active"] = [project.is_active, changes.is_active]
                project.is_active = changes.is_active
        if diff:
            # Its key pairs' principals hold the project (and whether it is active).
            principal_cache.forget(self.session, projects=[project.id])
            self.activity.record(
                principal,
                None,
                "project.updated",
                f"Project {project.name} updated",
                {"project_id": project.id, **diff},
            )
        return project

    async def assign_agent(
        self, principal: Principal, project_id: int, user_id: int, *, is_lead: bool
    ) -> None:
        """Add a staff member to a project, or change whether an existing member leads it."""
        principal.require(Scope.PROJECTS_UPDATE)
        project = await self._project(project_id)
        user = await self.users.get(user_id)
        if user is None or not user.is_active or not user.is_staff:
            raise ValidationFailed.field(
                "user_id", "The selected user must be an active agent or admin."
            )
        membership = await self.projects.membership(project.id, user.id)
        if membership is None:
            self.projects.add_membership(
                ProjectAgent(project_id=project.id, user_id=user.id, is_lead=is_lead)
            )
        elif membership.is_lead == is_lead:
            return
        else:
            membership.is_lead = is_lead
        self.activity.record(
            principal,
            None,
            "project.agent_assigned",
            f"{user.name} assigned to project {project.name}",
            {"project_id": project.id, "user_id": user.id, "is_lead": is_lead},
        )

    async def remove_agent(self, principal: Principal, project_id: int, user_id: int) -> None:
        principal.require(Scope.PROJECTS_UPDATE)
        project = await self._project(project_id)
        if not await self.projects.remove_membership(project.id, user_id):
            raise NotFound("The user is not assigned to this project.")
        self.activity.record(
            principal,
            None,
            "project.agent_removed",
            f"User {user_id} removed from project {project.name}",
            {"project_id": project.id, "user_id": user_id},
        )
