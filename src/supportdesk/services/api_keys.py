"""Issuing and revoking API keys. The raw key (and a project's secret) exist only in the
return value of ``issue``."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import keys, policy
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import ALL, KNOWN_KEY_SCOPES, Scope, of_role
from supportdesk.core import clock
from supportdesk.core.enums import ApiKeyType
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import ApiKey, Project
from supportdesk.repositories.api_keys import ApiKeyRepository
from supportdesk.repositories.paging import fetch_page
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.repositories.users import UserRepository
from supportdesk.services import principal_cache
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
        scopes: Sequence[str] | None = None,
        agent_id: int | None = None,
        project_id: int | None = None,
        allowed_ips: Sequence[str] = (),
        expires_at: datetime | None = None,
        created_by_id: int | None = None,
        user_id: int | None = None,
    ) -> IssuedKey:
        """A new key; an internal one acts as ``user_id`` (the author of what it writes)."""
        if expires_at is not None and expires_at <= clock.now():
            raise ValidationFailed.field("expires_at", "The expires at must be a date after now.")
        ips = checked_ips(allowed_ips)
        # None is every scope; an empty list is a key that may do nothing (yet).
        granted = checked_scopes(scopes) if scopes is not None else [ALL]
        if key_type is not ApiKeyType.INTERNAL:
            granted = [ALL]  # any other key acts as its agent or project
        if key_type is ApiKeyType.EXTERNAL:
            await self._require_agent(agent_id)
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
            scopes=granted,
            agent_id=agent_id if key_type is ApiKeyType.EXTERNAL else None,
            project_id=project_id if key_type is ApiKeyType.PROJECT else None,
            allowed_ips=ips,
            expires_at=expires_at,
            created_by_id=created_by_id,
            user_id=user_id if key_type is ApiKeyType.INTERNAL else None,
        )
        self.keys.add(api_key)
        await self.session.flush()
        return IssuedKey(api_key, raw_key, raw_secret)

    async def console_user_id(self, email: str | None) -> int | None:
        """The user a key made at the console acts as: the active staff user at ``email``,
        else the first active super_admin (None if there is none yet)."""
        if email is None:
            first = await self.users.first_super_admin()
            return first.id if first is not None else None
        user = await self.users.get_by_email(email)
        if user is None or not user.is_active or not user.is_staff:
            raise ValidationFailed.field("user", "No active staff user has this e-mail address.")
        return user.id

    # ---------------------------------------------------------------- project key pairs

    async def _project(self, project_id: int) -> Project:
        project = await self.projects.get(project_id)
        if project is None:
            raise NotFound("Project not found.")
        return project

    async def issue_for_project(
        self, principal: Principal, project_id: int, new: NewProjectKey
    ) -> IssuedKey:
        principal.require(Scope.API_KEYS_CREATE)
        project = await self._project(project_id)
        issued = await self.issue(
            new.name,
            ApiKeyType.PROJECT,
            project_id=project.id,
            allowed_ips=new.allowed_ips,
            expires_at=new.expires_at,
            created_by_id=principal.actor_id,
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
        principal.require(Scope.API_KEYS_LIST)
        await self._project(project_id)
        return await self.keys.of_project(project_id)

    async def revoke_for_project(
        self, principal: Principal, project_id: int, key_id: int
    ) -> ApiKey:
        """Revoke a project's key pair; it is refused from the next request on."""
        principal.require(Scope.API_KEYS_DELETE)
        project = await self._project(project_id)
        key = await self.keys.project_key(project_id, key_id)
        if key is None:
            raise NotFound("API key not found.")
        if key.revoked:
            return key
        key.revoked = True
        key.revoked_at = clock.now()
        principal_cache.forget(self.session, api_keys=[key.id])
        self.activity.record(
            principal,
            None,
            "api_key.revoked",
            f'API key "{key.name}" of project {project.name} revoked',
            {"project_id": project.id, "api_key_id": key.id, "revoked": [False, True]},
        )
        return key

    # ---------------------------------------------------------------- internal and external keys

    async def page_single_keys(self, principal: Principal, page: PageRequest) -> Page[ApiKey]:
        """Internal and external keys, newest first; revoked ones stay listed."""
        principal.require(Scope.API_KEYS_LIST)
        return await fetch_page(self.session, self.keys.single_keys(), page)

    async def single_key(self, principal: Principal, key_id: int) -> ApiKey:
        principal.require(Scope.API_KEYS_READ)
        return await self._single_key(key_id)

    async def _single_key(self, key_id: int) -> ApiKey:
        key = await self.keys.single_key(key_id)
        if key is None:
            raise NotFound("API key not found.")
        return key

    async def create_single_key(self, principal: Principal, fields: ApiKeyFields) -> IssuedKey:
        """An internal key with known scopes (omitted: all), or an active agent's external key.

        Nobody hands out more than they hold (auth/policy.py).
        """
        principal.require(Scope.API_KEYS_CREATE)
        if not fields.name or fields.type is None:
            raise ValidationFailed(
                details={
                    name: [f"The {name} field is required."]
                    for name in ("name", "type")
                    if not getattr(fields, name)
                }
            )
        if fields.type not in (ApiKeyType.INTERNAL, ApiKeyType.EXTERNAL):
            raise ValidationFailed.field("type", "The selected type is invalid.")
        wanted = checked_scopes(fields.scopes) if fields.scopes is not None else None
        if fields.type is ApiKeyType.INTERNAL:
            policy.require_may_grant(principal, [ALL] if wanted is None else wanted)
        else:
            await self._require_agent(fields.agent_id)
            await self._require_may_act_as(principal, fields.agent_id)
        issued = await self.issue(
            fields.name,
            fields.type,
            scopes=wanted,
            agent_id=fields.agent_id,
            expires_at=fields.expires_at,
            created_by_id=principal.actor_id,
            # The caller's user: a key made by a key acts as that key's user.
            user_id=principal.actor_id,
        )
        key = issued.api_key
        self.activity.record(
            principal,
            None,
            "api_key.created",
            f'API key "{key.name}" ({key.type}) created',
            {"api_key_id": key.id, "prefix": key.key_prefix, "scopes": key.scopes},
        )
        return issued

    async def update_single_key(
        self, principal: Principal, key_id: int, fields: ApiKeyFields
    ) -> ApiKey:
        principal.require(Scope.API_KEYS_UPDATE)
        key = await self._single_key(key_id)
        given = fields.fields_set
        for name in ("name", "type"):
            if name in given and not getattr(fields, name):
                raise ValidationFailed.field(name, f"The {name} field is required.")
        key_type = fields.type if "type" in given and fields.type is not None else key.type
        if key_type not in (ApiKeyType.INTERNAL, ApiKeyType.EXTERNAL):
            raise ValidationFailed.field("type", "The selected type is invalid.")
        agent_id = fields.agent_id if "agent_id" in given else key.agent_id
        if key_type is ApiKeyType.EXTERNAL:
            await self._require_agent(agent_id)
        else:
            agent_id = None
        expires_at = fields.expires_at if "expires_at" in given else key.expires_at
        if "expires_at" in given and expires_at is not None and expires_at <= clock.now():
            raise ValidationFailed.field("expires_at", "The expires at must be a date after now.")
        if key_type is ApiKeyType.INTERNAL:
            granted = key.scopes if key.type is ApiKeyType.INTERNAL else [ALL]
            if "scopes" in given:
                granted = checked_scopes(fields.scopes) if fields.scopes is not None else [ALL]
            if granted != key.scopes or key_type is not key.type:
                policy.require_may_grant(principal, granted, key_id=key.id)
        else:
            granted = [ALL]  # an external key acts as its agent
            if agent_id != key.agent_id or key_type is not key.type:
                await self._require_may_act_as(principal, agent_id)
        wanted = {
            "name": fields.name if "name" in given else key.name,
            "type": key_type,
            "agent_id": agent_id,
            "scopes": granted,
            "expires_at": expires_at,
        }
        diff = {
            name: [_plain(getattr(key, name)), _plain(value)]
            for name, value in wanted.items()
            if getattr(key, name) != value
        }
        for name in diff:
            setattr(key, name, wanted[name])
        if diff:
            key.updated_at = clock.now()
            # Scopes, type, agent or expiry: what the key may do changed.
            principal_cache.forget(self.session, api_keys=[key.id])
            self.activity.record(
                principal,
                None,
                "api_key.updated",
                f'API key "{key.name}" updated',
                {"api_key_id": key.id, **diff},
            )
        return key

    async def revoke_single_key(self, principal: Principal, key_id: int) -> ApiKey:
        """Soft revoke: the key is refused from the next request on, its record kept."""
        principal.require(Scope.API_KEYS_DELETE)
        key = await self._single_key(key_id)
        if key.revoked:
            return key
        now = clock.now()
        key.revoked = True
        key.revoked_at = now
        key.updated_at = now
        principal_cache.forget(self.session, api_keys=[key.id])
        self.activity.record(
            principal,
            None,
            "api_key.revoked",
            f'API key "{key.name}" revoked',
            {"api_key_id": key.id, "revoked": [False, True]},
        )
        return key

    async def _require_agent(self, agent_id: int | None) -> None:
        """An external key needs an agent to act as: an active staff member."""
        if agent_id is None:
            raise ValidationFailed.field("agent_id", "The agent id field is required.")
        agent = await self.users.get(agent_id)
        if agent is None or not agent.is_active or not agent.is_staff:
            raise ValidationFailed.field("agent_id", "The selected agent id is invalid.")

    async def _require_may_act_as(self, principal: Principal, agent_id: int | None) -> None:
        """An external key acts as its agent: issuing one grants that agent's role."""
        agent = await self.users.get(agent_id) if agent_id is not None else None
        if agent is not None:
            policy.require_may_grant(principal, of_role(agent.role))


@dataclass(frozen=True, slots=True)
class ApiKeyFields:
    """A new internal or external key, or a partial update (``fields_set``)."""

    fields_set: frozenset[str]
    name: str | None = None
    type: ApiKeyType | None = None
    scopes: Sequence[str] | None = None
    agent_id: int | None = None
    expires_at: datetime | None = None


def checked_scopes(scopes: Sequence[str]) -> list[str]:
    """The scopes as given (without repeats), once each is known to be a scope name."""
    errors = {
        f"scopes.{index}": [f"The selected scopes.{index} is invalid."]
        for index, scope in enumerate(scopes)
        if scope not in KNOWN_KEY_SCOPES
    }
    if errors:
        raise ValidationFailed(details=errors)
    return list(dict.fromkeys(scopes))


def _plain(value: object) -> object:
    # Activity changes are JSON.
    return value.isoformat() if isinstance(value, datetime) else value
