"""User administration: staff and customer accounts, managed by admins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import policy
from supportdesk.auth.passwords import hash_password
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core import clock
from supportdesk.core.enums import Role
from supportdesk.core.errors import Forbidden, NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Project, User
from supportdesk.repositories.api_keys import ApiKeyRepository
from supportdesk.repositories.users import UserFilters, UserRepository, normalize_email
from supportdesk.services.activity import ActivityLog

_EDITABLE = ("name", "email", "department", "phone")


@dataclass(frozen=True, slots=True)
class NewUser:
    name: str
    email: str
    password: str
    role: Role
    department: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class UserChanges:
    """A partial update: only the fields named in ``fields_set`` are applied."""

    fields_set: frozenset[str]
    name: str | None = None
    email: str | None = None
    role: Role | None = None
    is_active: bool | None = None
    department: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class UserDetails:
    user: User
    projects: Sequence[tuple[Project, bool]]


class UserService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepository(session)
        self.keys = ApiKeyRepository(session)
        self.activity = ActivityLog(session)

    async def _user(self, user_id: int) -> User:
        user = await self.users.get(user_id)
        if user is None:
            raise NotFound("User not found.")
        return user

    async def list_page(
        self, principal: Principal, filters: UserFilters, page: PageRequest
    ) -> Page[User]:
        principal.require(Scope.USERS_MANAGE)
        return await self.users.list_page(filters, page)

    async def get(self, principal: Principal, user_id: int) -> UserDetails:
        principal.require(Scope.USERS_MANAGE)
        user = await self._user(user_id)
        return UserDetails(user, await self.users.projects_of(user.id))

    async def create(self, principal: Principal, new: NewUser) -> User:
        principal.require(_people_scope(new.role, "create"))
        policy.require_authority(principal, target=None, grants=new.role)
        if await self.users.email_taken(new.email):
            raise ValidationFailed.field("email", "The email has already been taken.")
        user = User(
            name=new.name,
            email=normalize_email(new.email),
            password_hash=await hash_password(new.password),
            role=new.role,
            department=new.department,
            phone=new.phone,
            is_active=True,
        )
        self.users.add(user)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "user.created",
            f"User {user.email} created as {user.role}",
            {"user_id": user.id, "role": [None, str(user.role)]},
        )
        return user

    async def update(self, principal: Principal, user_id: int, changes: UserChanges) -> User:
        user = await self._user(user_id)
        principal.require(_people_scope(user.role, "update"))
        fields = changes.fields_set
        new_role = changes.role if "role" in fields and changes.role is not None else user.role
        deactivating = "is_active" in fields and changes.is_active is False and user.is_active
        if new_role != user.role:
            principal.require(_people_scope(new_role, "update"))
        policy.require_authority(
            principal, target=user, grants=new_role if new_role != user.role else None
        )
        if policy.is_own_account(principal, user) and (new_role != user.role or deactivating):
            raise Forbidden("You cannot change your own role or deactivate your own account.")

        diff: dict[str, list[Any]] = {}
        for name in _EDITABLE:
            if name not in fields:
                continue
            value = getattr(changes, name)
            if name == "email" and value is not None:
                value = normalize_email(value)
                if value != user.email and await self.users.email_taken(
                    value, except_user_id=user.id
                ):
                    raise ValidationFailed.field("email", "The email has already been taken.")
            if value != getattr(user, name):
                diff[name] = [getattr(user, name), value]
                setattr(user, name, value)
        if new_role != user.role:
            diff["role"] = [str(user.role), str(new_role)]
            user.role = new_role
        active = changes.is_active
        if "is_active" in fields and active is not None and active != user.is_active:
            diff["is_active"] = [user.is_active, active]
            user.is_active = active
        if deactivating:
            # Tokens die with the account (the authenticator refuses inactive users); keys
            # acting as this user are revoked for good, so reactivating revives none.
            await self.keys.revoke_agent_keys(user.id, clock.now())
        if diff:
            self.activity.record(
                principal,
                None,
                "user.updated",
                f"User {user.email} updated",
                {"user_id": user.id, **diff},
            )
        return user

    async def delete(self, principal: Principal, user_id: int) -> None:
        """Soft delete: the account stops working at once and keeps its history."""
        user = await self._user(user_id)
        principal.require(_people_scope(user.role, "delete"))
        if policy.is_own_account(principal, user):
            raise Forbidden("You cannot delete your own account.")
        policy.require_authority(principal, target=user, grants=None)
        now = clock.now()
        user.deleted_at = now
        user.is_active = False
        await self.keys.revoke_agent_keys(user.id, now)
        self.activity.record(
            principal,
            None,
            "user.deleted",
            f"User {user.email} deleted",
            {"user_id": user.id, "deleted_at": [None, now.isoformat()]},
        )

    async def update_own_profile(self, principal: Principal, changes: OwnProfileChanges) -> User:
        """A user edits their own account details (never their role, e-mail or status)."""
        user = principal.user
        if user is None:
            raise Forbidden()
        diff: dict[str, list[Any]] = {}
        for name in _OWN_PROFILE_FIELDS:
            if name not in changes.fields_set:
                continue
            value = getattr(changes, name)
            if name == "name" and value is None:
                continue  # a name cannot be cleared
            if name == "notification_settings" and value is None:
                value = {}
            if name == "timezone" and value is not None and not _is_time_zone(value):
                raise ValidationFailed.field("timezone", "The timezone must be a valid zone.")
            if value != getattr(user, name):
                diff[name] = [getattr(user, name), value]
                setattr(user, name, value)
        if diff:
            self.activity.record(
                principal,
                None,
                "profile.updated",
                f"User {user.email} updated their profile",
                {"user_id": user.id, **diff},
            )
        return user


@dataclass(frozen=True, slots=True)
class OwnProfileChanges:
    """A partial update of one's own profile: only the fields in ``fields_set`` apply."""

    fields_set: frozenset[str]
    name: str | None = None
    phone: str | None = None
    locale: str | None = None
    timezone: str | None = None
    notification_settings: dict[str, Any] | None = None


_OWN_PROFILE_FIELDS = ("name", "phone", "locale", "timezone", "notification_settings")


def _people_scope(role: Role, action: str) -> Scope:
    """Accounts are people of two kinds: customers, and staff (the agents of seed 000)."""
    return Scope(f"{'agents' if role.is_staff else 'customers'}:{action}")


def _is_time_zone(name: str) -> bool:
    """An IANA zone name (Europe/Paris) this system knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
