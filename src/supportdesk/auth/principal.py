"""Who is asking: one shape for a portal user, an API key and a connected project."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from supportdesk.auth.permissions import ALL_SCOPES, role_scopes
from supportdesk.core.enums import Role
from supportdesk.core.errors import Forbidden
from supportdesk.models import ApiKey, Project, User


class PrincipalKind(StrEnum):
    USER = "user"  # JWT of a portal user
    INTERNAL_KEY = "internal_key"  # X-API-KEY of type internal, with scopes
    AGENT_KEY = "agent_key"  # X-API-KEY of type external, acting as its agent
    PROJECT = "project"  # X-Api-Key + X-Api-Secret of a connected project


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    scopes: frozenset[str]
    user: User | None = None
    api_key: ApiKey | None = None
    project: Project | None = None
    ip_address: str | None = field(default=None, compare=False)

    @classmethod
    def for_user(cls, user: User, ip_address: str | None = None) -> Principal:
        return cls(PrincipalKind.USER, role_scopes(user.role), user=user, ip_address=ip_address)

    @property
    def role(self) -> Role | None:
        return self.user.role if self.user is not None else None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def is_admin(self) -> bool:
        """Sees and manages everything: an admin, a super_admin or an internal key."""
        if self.kind is PrincipalKind.INTERNAL_KEY:
            return True
        return self.kind is PrincipalKind.USER and self.role is not None and self.role.is_admin

    @property
    def is_staff(self) -> bool:
        if self.kind in (PrincipalKind.INTERNAL_KEY, PrincipalKind.AGENT_KEY):
            return True
        return self.kind is PrincipalKind.USER and self.role is not None and self.role.is_staff

    def can(self, scope: str) -> bool:
        return ALL_SCOPES in self.scopes or scope in self.scopes

    def require(self, scope: str) -> None:
        if not self.can(scope):
            raise Forbidden()
