"""Issuing API keys. The raw key (and a project's secret) exist only in the return value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import keys
from supportdesk.auth.permissions import ALL_SCOPES
from supportdesk.core import clock
from supportdesk.core.enums import ApiKeyType
from supportdesk.core.errors import ValidationFailed
from supportdesk.models import ApiKey
from supportdesk.repositories.api_keys import ApiKeyRepository
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.repositories.users import UserRepository


@dataclass(frozen=True, slots=True)
class IssuedKey:
    api_key: ApiKey
    raw_key: str
    raw_secret: str | None = None


class ApiKeyService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.keys = ApiKeyRepository(session)
        self.users = UserRepository(session)
        self.projects = ProjectRepository(session)

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
            allowed_ips=list(allowed_ips),
            expires_at=expires_at,
            created_by_id=created_by_id,
        )
        self.keys.add(api_key)
        await self.session.flush()
        return IssuedKey(api_key, raw_key, raw_secret)
