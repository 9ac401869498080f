"""Who is asking: one shape for a portal user, an API key, a connected project and the
system itself, with the scopes that credential grants (auth/scopes.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from supportdesk.auth import scopes
from supportdesk.auth.scopes import Scope
from supportdesk.core.enums import Role
from supportdesk.core.errors import MissingScope
from supportdesk.models import ApiKey, Project, User


class PrincipalKind(StrEnum):
    USER = "user"  # JWT of a portal user
    INTERNAL_KEY = "internal_key"  # X-API-KEY of type internal, with scopes
    AGENT_KEY = "agent_key"  # X-API-KEY of type external, acting as its agent
    PROJECT = "project"  # X-Api-Key + X-Api-Secret of a connected project
    SYSTEM = "system"  # the worker's own jobs: no credential, every scope


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    scopes: frozenset[Scope]
    user: User | None = None
    api_key: ApiKey | None = None
    project: Project | None = None
    ip_address: str | None = field(default=None, compare=False)

    # ------------------------------------------------------------ one constructor a kind

    @classmethod
    def for_user(cls, user: User, ip_address: str | None = None) -> Principal:
        """A portal user holds their role's scopes."""
        return cls(PrincipalKind.USER, scopes.of_role(user.role), user=user, ip_address=ip_address)

    @classmethod
    def for_internal_key(cls, api_key: ApiKey, ip_address: str | None = None) -> Principal:
        """An internal key holds the scopes it was given, with what they include."""
        granted = scopes.granted(api_key.scopes or ())
        return cls(PrincipalKind.INTERNAL_KEY, granted, api_key=api_key, ip_address=ip_address)

    @classmethod
    def for_agent_key(
        cls, api_key: ApiKey, agent: User, ip_address: str | None = None
    ) -> Principal:
        """An external key acts as its agent: the agent's role decides, never the key."""
        return cls(
            PrincipalKind.AGENT_KEY,
            scopes.of_role(agent.role),
            user=agent,
            api_key=api_key,
            ip_address=ip_address,
        )

    @classmethod
    def for_project(
        cls, api_key: ApiKey, project: Project, ip_address: str | None = None
    ) -> Principal:
        """A key pair speaks for the project's end users: a customer's ticket scopes."""
        return cls(
            PrincipalKind.PROJECT,
            scopes.PROJECT_SCOPES,
            api_key=api_key,
            project=project,
            ip_address=ip_address,
        )

    @classmethod
    def system(cls) -> Principal:
        """The worker's maintenance jobs, which act on every ticket."""
        return cls(PrincipalKind.SYSTEM, frozenset(Scope))

    # ------------------------------------------------------------ questions

    @property
    def role(self) -> Role | None:
        return self.user.role if self.user is not None else None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def actor(self) -> User | None:
        """The user whose name goes on what this principal writes: the author.

        A user, or an external key's agent, is themselves. An internal key writes as the
        user it acts as (``ApiKey.user``), yet is not that user: its scopes, not the
        user's role, decide what it may do, so ``user`` stays unset. A key without one
        (its user deleted, or none to give it when it was made) writes without an author.
        A connected project and the system have no author of their own.
        """
        if self.kind is PrincipalKind.INTERNAL_KEY:
            return self.api_key.user if self.api_key is not None else None
        return self.user

    @property
    def actor_id(self) -> int | None:
        actor = self.actor
        return actor.id if actor is not None else None

    @property
    def via_key(self) -> ApiKey | None:
        """The key a staff principal acts through, so an audit tells a key from a person."""
        if self.kind in (PrincipalKind.INTERNAL_KEY, PrincipalKind.AGENT_KEY):
            return self.api_key
        return None

    def can(self, scope: Scope) -> bool:
        return scope in self.scopes

    def require(self, scope: Scope, message: str | None = None) -> None:
        """Refuse (403) unless this principal holds ``scope``."""
        if scope not in self.scopes:
            raise MissingScope(scope, message)
