"""Accounts: the one set of rules for the users table, whichever surface or role asks.

Every account is built here, whatever brings it: an admin, self-registration, a connected
project naming its end user, the first start. Here too live the e-mail rule (stored
normalised, unique across every role, deleted accounts included), the one password
hashing path, the audit row every creation and change writes, what deactivating or
deleting an account does to its keys, and what a person may change of their own profile.

Customers (services/customers.py) and staff (services/staff.py) are views of this table
by role, each behind its own scopes; the portal's user administration (list, get, and
writes to any role) is served from here directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import policy
from supportdesk.auth.passwords import hash_password, verify_password
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core import clock
from supportdesk.core.enums import Role
from supportdesk.core.errors import Forbidden, NotFound, ValidationFailed
from supportdesk.core.events import EventType
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Project, User
from supportdesk.repositories.api_keys import ApiKeyRepository
from supportdesk.repositories.outbox import record_event
from supportdesk.repositories.users import UserFilters, UserRepository, normalize_email
from supportdesk.services import principal_cache
from supportdesk.services.activity import ActivityLog
from supportdesk.services.settings import SettingsService

EMAIL_TAKEN = "The email has already been taken."


@dataclass(frozen=True, slots=True)
class NewAccount:
    """An account to open; its role is the caller's to say, not the body's."""

    email: str
    name: str | None = None  # the address's local part when none is given
    password: str | None = None  # None: no login until one is set (project customers)
    phone: str | None = None
    department: str | None = None
    company: str | None = None
    locale: str | None = None
    envato_username: str | None = None
    custom_fields: Mapping[str, Any] | None = None
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class AccountChanges:
    """A partial update: only the fields named in ``fields_set`` are applied.

    A null clears a field, except where a value is always needed (name, e-mail, role,
    active state) or stands for a secret (password): there a null leaves it as it is.
    """

    fields_set: frozenset[str]
    name: str | None = None
    email: str | None = None
    password: str | None = None
    # The account's password as it is now: a person changing their own password proves
    # it is them, not someone holding their token (update_own_profile).
    current_password: str | None = None
    role: Role | None = None
    is_active: bool | None = None
    phone: str | None = None
    department: str | None = None
    company: str | None = None
    locale: str | None = None
    timezone: str | None = None
    envato_username: str | None = None
    custom_fields: Mapping[str, Any] | None = None
    notification_settings: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class UserDetails:
    user: User
    projects: Sequence[tuple[Project, bool]]


# What a person may change of their own account, whichever surface they use; a surface
# whose reference shows fewer of these limits them in its body schema. The password comes
# last, so it is hashed (~100 ms) only once every other field has passed.
OWN_PROFILE_FIELDS = ("name", "phone", "locale", "timezone", "notification_settings", "password")
# What whoever manages accounts may change besides; role and active state are guarded apart.
_MANAGED_FIELDS = (
    "email",
    "department",
    "company",
    "envato_username",
    "custom_fields",
    *OWN_PROFILE_FIELDS,
)
# Left as they are by a null (or an empty value: a blank name, no password).
_KEPT_WHEN_NULL = frozenset({"name", "email", "password"})
_MAPS = frozenset({"custom_fields", "notification_settings"})
# Stands in for the password in the audit trail, which never holds a secret or its hash.
_PASSWORD_CHANGE = ("(hidden)", "(changed)")


def _people_scope(role: Role, action: str) -> Scope:
    """Accounts are people of two kinds: customers, and staff (the agents of seed 000)."""
    return Scope(f"{'agents' if role.is_staff else 'customers'}:{action}")


class AccountService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepository(session)
        self.keys = ApiKeyRepository(session)
        self.settings = SettingsService(session)
        self.activity = ActivityLog(session)

    # ---------------------------------------------------------------- the whole table

    async def list_page(
        self, principal: Principal, filters: UserFilters, page: PageRequest
    ) -> Page[User]:
        principal.require(Scope.USERS_MANAGE)
        return await self.users.list_page(filters, page)

    async def get(self, principal: Principal, user_id: int) -> UserDetails:
        principal.require(Scope.USERS_MANAGE)
        user = await self._user(user_id)
        return UserDetails(user, await self.users.projects_of(user.id))

    async def update(self, principal: Principal, user_id: int, changes: AccountChanges) -> User:
        return await self.change(principal, await self._user(user_id), changes)

    async def delete(self, principal: Principal, user_id: int) -> None:
        await self.remove(principal, await self._user(user_id))

    async def projects_of(self, user: User) -> Sequence[tuple[Project, bool]]:
        return await self.users.projects_of(user.id)

    async def _user(self, user_id: int) -> User:
        user = await self.users.get(user_id)
        if user is None:
            raise NotFound("User not found.")
        return user

    # ---------------------------------------------------------------- opening accounts

    async def create(self, principal: Principal, role: Role, new: NewAccount) -> User:
        principal.require(_people_scope(role, "create"))
        policy.require_authority(principal, target=None, grants=role)
        return await self._open(role, new, by=principal)

    async def register(self, new: NewAccount) -> User:
        """A customer opens their own account, when the hub allows it, and is logged in."""
        if not await self.settings.get("sd_customer_registration_enabled"):
            raise Forbidden("Registration is disabled.")
        return await self._open(Role.CUSTOMER, new, by=None, logging_in=True)

    async def find_or_create_customer(
        self, new: NewAccount, *, by: Principal | None = None
    ) -> User | None:
        """The account behind an e-mail address, opened as a customer if new.

        An existing account is used as it is: a project vouches for its end user's
        address, not for the name or phone the hub already holds. None when the address
        belongs to a deleted account, which is neither revived nor duplicated. ``by`` is
        who brings the customer, recorded as opening the account (else the customer).
        """
        existing = await self.users.get_by_email(new.email)
        if existing is not None:
            return existing
        customer = await self._build(Role.CUSTOMER, new)
        try:
            # A savepoint: a concurrent request creating the same customer, or a deleted
            # account holding the address, fails only this insert, not the whole request.
            async with self.session.begin_nested():
                self.users.add(customer)
                await self.session.flush()
        except IntegrityError:
            return await self.users.get_by_email(new.email)
        self._record_opened(customer, by)
        return customer

    async def _open(
        self, role: Role, new: NewAccount, *, by: Principal | None, logging_in: bool = False
    ) -> User:
        await self._claim_email(new.email)
        user = await self._build(role, new)
        if logging_in:
            # Set before the insert, so the login costs no UPDATE of its own.
            user.last_login_at = clock.now()
        self.users.add(user)
        await self.session.flush()
        self._record_opened(user, by)
        return user

    async def _build(self, role: Role, new: NewAccount) -> User:
        """The one place a User is made."""
        email = normalize_email(new.email)
        return User(
            name=new.name or email.split("@")[0],
            email=email,
            password_hash=await _hash(new.password),
            role=role,
            phone=new.phone,
            department=new.department,
            company=new.company,
            locale=new.locale,
            envato_username=new.envato_username,
            custom_fields=dict(new.custom_fields or {}),
            is_active=new.is_active,
        )

    def _record_opened(self, user: User, by: Principal | None) -> None:
        if user.role is Role.CUSTOMER:
            record_event(self.session, EventType.CUSTOMER_CREATED, {"user_id": user.id})
        # Nobody to name (self-registration): the account is recorded as opening itself.
        actor = by if by is not None else Principal.for_user(user)
        self.activity.record(
            actor,
            None,
            "user.created",
            f"User {user.email} created as {user.role}",
            {"user_id": user.id, "role": [None, str(user.role)]},
        )

    async def _claim_email(self, email: str, *, holder: User | None = None) -> str:
        """The normalised address, refused when any other account holds it."""
        normalised = normalize_email(email)
        if holder is not None and normalised == holder.email:
            return normalised
        except_id = holder.id if holder is not None else None
        # Soft-deleted accounts keep their address: the unique index still holds it.
        if await self.users.email_taken(normalised, except_user_id=except_id):
            raise ValidationFailed.field("email", EMAIL_TAKEN)
        return normalised

    # ---------------------------------------------------------------- changing accounts

    async def change(
        self,
        principal: Principal,
        user: User,
        changes: AccountChanges,
        *,
        related: Mapping[str, list[Any]] | None = None,
    ) -> User:
        """Apply ``changes`` to an account the caller has looked up.

        ``related`` is what the caller changed alongside (an agent's departments), recorded
        in the same audit row.
        """
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

        diff = await self._apply(user, changes, _MANAGED_FIELDS)
        if new_role != user.role:
            diff["role"] = [str(user.role), str(new_role)]
            user.role = new_role
        active = changes.is_active
        if "is_active" in fields and active is not None and active != user.is_active:
            diff["is_active"] = [user.is_active, active]
            user.is_active = active
        if deactivating:
            await self._revoke_keys(user)
        if deactivating or "role" in diff:
            _end_sessions(user)
        if diff:
            # Role, active state, password, name…: the account's principals are stale.
            principal_cache.forget(self.session, users=[user.id])
        diff.update(related or {})
        await self._record_changed(
            principal, user, diff, "user.updated", f"User {user.email} updated"
        )
        return user

    async def update_own_profile(self, principal: Principal, changes: AccountChanges) -> User:
        """A person edits their own account: never its role, e-mail or status.

        A new password needs the current one: a stolen token must not be enough to take
        the account over. It ends every session, this one included.
        """
        user = principal.user
        if user is None:
            raise Forbidden()
        if "password" in changes.fields_set and changes.password:
            await _require_current_password(user, changes.current_password)
        diff = await self._apply(user, changes, OWN_PROFILE_FIELDS)
        if diff:
            principal_cache.forget(self.session, users=[user.id])
        await self._record_changed(
            principal, user, diff, "profile.updated", f"User {user.email} updated their profile"
        )
        return user

    async def _apply(
        self, user: User, changes: AccountChanges, editable: Sequence[str]
    ) -> dict[str, list[Any]]:
        """Set the given fields that differ; what changed, before and after."""
        diff: dict[str, list[Any]] = {}
        for name in editable:
            if name not in changes.fields_set:
                continue
            value = getattr(changes, name)
            if not value and name in _KEPT_WHEN_NULL:
                continue
            if name == "password":
                user.password_hash = await hash_password(value)
                diff["password"] = list(_PASSWORD_CHANGE)
                _end_sessions(user)
                continue
            if name == "email":
                value = await self._claim_email(value, holder=user)
            elif name in _MAPS:
                value = dict(value or {})
            elif name == "timezone" and value is not None and not _is_time_zone(value):
                raise ValidationFailed.field("timezone", "The timezone must be a valid zone.")
            before = getattr(user, name)
            if name in _MAPS:
                before = before or {}
            if value != before:
                diff[name] = [before, value]
                setattr(user, name, value)
        return diff

    async def _record_changed(
        self,
        principal: Principal,
        user: User,
        diff: Mapping[str, list[Any]],
        action: str,
        description: str,
    ) -> None:
        if not diff:
            return
        # Now, so the account shown carries the updated_at its change is stored with.
        await self.session.flush()
        self.activity.record(principal, None, action, description, {"user_id": user.id, **diff})

    # ---------------------------------------------------------------- closing accounts

    async def remove(self, principal: Principal, user: User) -> None:
        """Soft delete: the account stops working at once and keeps its history."""
        principal.require(_people_scope(user.role, "delete"))
        if policy.is_own_account(principal, user):
            raise Forbidden("You cannot delete your own account.")
        policy.require_authority(principal, target=user, grants=None)
        user.deleted_at = clock.now()
        user.is_active = False
        _end_sessions(user)
        await self._revoke_keys(user)
        principal_cache.forget(self.session, users=[user.id])
        self.activity.record(
            principal,
            None,
            "user.deleted",
            f"User {user.email} deleted",
            {"user_id": user.id, "deleted_at": [None, user.deleted_at.isoformat()]},
        )

    async def _revoke_keys(self, user: User) -> None:
        # Tokens die with the account (the authenticator refuses inactive users); keys
        # acting as this user are revoked for good, so reactivating revives none.
        await self.keys.revoke_agent_keys(user.id, clock.now())


def _end_sessions(user: User) -> None:
    """Refuse every token issued to the account until now (services/authentication.py).

    The caller also drops the account's cached principals (principal_cache.forget), so
    the refusal holds from the next request on.
    """
    user.tokens_valid_after = clock.now()


async def _require_current_password(user: User, current_password: str | None) -> None:
    if not current_password:
        raise ValidationFailed.field("current_password", "The current password field is required.")
    if not await verify_password(current_password, user.password_hash):
        raise ValidationFailed.field("current_password", "The current password is incorrect.")


async def _hash(password: str | None) -> str | None:
    return await hash_password(password) if password else None


def _is_time_zone(name: str) -> bool:
    """An IANA zone name (Europe/Paris) this system knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
