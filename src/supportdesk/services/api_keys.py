"""Issuing and revoking API keys. The raw key (and a project's secret) exist only in the
return value of ``issue``."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import keys
from supportdesk.auth.permissions import ALL_SCOPES, Capability
from supportdesk.auth.principal import Principal
from supportdesk.core import clock
from supportdesk.core.enums import ApiKeyType
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.models import ApiKey, Project
from supportdesk.repositories.api_keys import ApiKeyRepository
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.repositories.users import UserRepository
from supportdesk.services.activity import ActivityLog


@dataclass(frozen=True, slots=True)
class IssuedKey:
    api_key: ApiKey
    raw_key: str
    raw_secret: str | None = None


@dataclass(frozen=True, slots=True)
class NewProjectKey:
    name: str
    allowed_ips: Sequence[str] = ()
    expires_at: datetime | None = None


def checked_ips(allowed_ips: Sequence[str]) -> list[str]:
    """The allow-list as given, once every entry is known to be an address or a network.

    Host bits in a network (``10.0.0.7/24``) are tolerated, as the authenticator matches
    with ``strict=False``.
    """
    checked: list[str] = []
    for index, entry in enumerate(allowed_ips):
        value = entry.strip()
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValidationFailed.field(
                f"allowed_ips.{index}",
                f"The allowed ips.{index} must be an IP address or a CIDR range.",
            ) from None
        checked.append(value)
    return checked


class ApiKeyService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.keys = ApiKeyRepository(session)
        self.users = UserRepository(session)
        self.projects = ProjectRepository(session)
        self.activity = ActivityLog(session)

    async def issue(
        self,
        name: str,
        key_type: ApiKeyType,
        *,
        scopes: Sequence[str] = (),
        agent_id: int | None = None,
        project_id: int | None = None,
        allowed_ips: Sequence[str] = (),
        expires_at: datetime | None = None,
        created_by_id: int | None = None,
    ) -> IssuedKey:
        if expires_at is not None and expires_at <= clock.now():
            raise ValidationFailed.field("expires_at", "The expires at must be a date after now.")
        ips = checked_ips(allowed_ips)
        if key_type is ApiKeyType.EXTERNAL:
            agent = await self.users.get(agent_id) if agent_id is not None else None
            if agent is None or not agent.is_active or not agent.is_staff:
                raise ValidationFailed.field("agent_id", "The selected agent id is invalid.")
        if key_type is ApiKeyType.PROJECT:
            project = await self.projects.get(project_id) if project_id is not None else None
            if project is None:
                raise ValidationFailed.field("project_id", "The selected project id is invalid.")

        raw_key = keys.generate_key(key_type)
        raw_secret = keys.generate_secret() if key_type is ApiKeyType.PROJECT else None
        api_key = ApiKey(
            name=name,
            type=key_type,
            key_prefix=keys.display_prefix(raw_key),
            key_hash=keys.digest(raw_key),
            secret_hash=keys.digest(raw_secret) if raw_secret is not None else None,
            scopes=list(scopes) if key_type is ApiKeyType.INTERNAL and scopes else [ALL_SCOPES],
            agent_id=agent_id if key_type is ApiKeyType.EXTERNAL else None,
            project_id=project_id if key_type is ApiKeyType.PROJECT else None,
            allowed_ips=ips,
            expires_at=expires_at,
            created_by_id=created_by_id,
        )
        self.keys.add(api_key)
        await self.session.flush()
        return IssuedKey(api_key, raw_key, raw_secret)

    # ---------------------------------------------------------------- project key pairs

    async def _project(self, project_id: int) -> Project:
        project = await self.projects.get(project_id)
        if project is None:
            raise NotFound("Project not found.")
        return project

    async def issue_for_project(
        self, principal: Principal, project_id: int, new: NewProjectKey
    ) -> IssuedKey:
        principal.require(Capability.GENERATE_API_KEYS)
        project = await self._project(project_id)
        issued = await self.issue(
            new.name,
            ApiKeyType.PROJECT,
            project_id=project.id,
            allowed_ips=new.allowed_ips,
            expires_at=new.expires_at,
            created_by_id=principal.user_id,
        )
        key = issued.api_key
        self.activity.record(
            principal,
            None,
            "api_key.created",
            f'API key "{key.name}" created for project {project.name}',
            {"project_id": project.id, "api_key_id": key.id, "prefix": key.key_prefix},
        )
        return issued

    async def list_for_project(self, principal: Principal, project_id: int) -> Sequence[ApiKey]:
        principal.require(Capability.GENERATE_API_KEYS)
        await self._project(project_id)
        return await self.keys.of_project(project_id)

    async def revoke_for_project(
        self, principal: Principal, project_id: int, key_id: int
    ) -> ApiKey:
        """Revoke a project's key pair; it is refused from the next request on."""
        principal.require(Capability.GENERATE_API_KEYS)
        project = await self._project(project_id)
        key = await self.keys.project_key(project_id, key_id)
        if key is None:
            raise NotFound("API key not found.")
        if key.revoked:
            return key
        key.revoked = True
        key.revoked_at = clock.now()
        self.activity.record(
            principal,
            None,
            "api_key.revoked",
            f'API key "{key.name}" of project {project.name} revoked',
            {"project_id": project.id, "api_key_id": key.id, "revoked": [False, True]},
        )
        return key
