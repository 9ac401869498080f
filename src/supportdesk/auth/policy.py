"""The few rules that are more than a scope: who a principal is, not what it may do.

Scopes (auth/scopes.py) gate actions. These functions answer what a scope cannot: whether
a principal speaks as staff or for a customer, whether it oversees the whole hub, who
may touch an admin account, and which scopes one principal may hand to a key. Each is a
function of the principal and the resource, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable

from supportdesk.auth import scopes
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.core.enums import Role
from supportdesk.core.errors import Forbidden
from supportdesk.models import Ticket, User

_STAFF_KINDS = frozenset(
    {PrincipalKind.INTERNAL_KEY, PrincipalKind.AGENT_KEY, PrincipalKind.SYSTEM}
)
_HUB_KINDS = frozenset({PrincipalKind.INTERNAL_KEY, PrincipalKind.SYSTEM})
_NAMES_CUSTOMERS_KINDS = frozenset({PrincipalKind.PROJECT, PrincipalKind.INTERNAL_KEY})


def is_staff(principal: Principal) -> bool:
    """Speaks as the help desk: staff users, every API key, the system.

    Staff see internal notes, their replies count as the help desk's, and they may open
    a ticket for another person.
    """
    role = _portal_role(principal)
    return principal.kind in _STAFF_KINDS or (role is not None and role.is_staff)


def oversees_hub(principal: Principal) -> bool:
    """Sees across every project: admins, super admins, internal keys and the system.

    Reports, drafts and shared configuration that others see only in part.
    """
    role = _portal_role(principal)
    return principal.kind in _HUB_KINDS or (role is not None and role.is_admin)


def _portal_role(principal: Principal) -> Role | None:
    # An agent key also carries its agent's role, but speaks only as that agent's key.
    return principal.role if principal.kind is PrincipalKind.USER else None


def works_in_assigned_projects(principal: Principal) -> bool:
    """A portal agent opens tickets only in the projects they are an agent of.

    Admins and customers may use any project; keys are bound by their own rules.
    """
    return _portal_role(principal) is Role.AGENT


def assigns_across_projects(principal: Principal) -> bool:
    """May assign a ticket to any active agent, who then joins the ticket's project.

    Those who oversee the hub and may assign: admins, internal keys allowed to update
    tickets, the system. An agent assigns only within the ticket's project.
    """
    return oversees_hub(principal) and principal.can(scopes.Scope.TICKETS_ASSIGN)


def owns_ticket(principal: Principal, ticket: Ticket) -> bool:
    """The ticket's customer, or the person who opened it, edits its wording."""
    user_id = principal.user_id
    return user_id is not None and user_id in (ticket.customer_id, ticket.creator_id)


def speaks_for_customers(principal: Principal) -> bool:
    """A connected project names its end user by e-mail; everyone else is who they are."""
    return principal.kind is PrincipalKind.PROJECT


def acts_for_named_customers(principal: Principal) -> bool:
    """May act as the customer an e-mail address names, on that customer's tickets only.

    A connected project does so for its end users, an internal key for any customer (the
    simple ticket API, seed 004). A person, or a key acting as one, is only ever themselves.
    """
    return principal.kind in _NAMES_CUSTOMERS_KINDS


def require_authority(principal: Principal, *, target: User | None, grants: Role | None) -> None:
    """Who may touch whom. Admins create and promote agents and admins (seed 003's role
    table); the super_admin tier is the super_admin's alone to hand out and to manage.

    ``target`` is the account acted on (None when creating one), ``grants`` the role it is
    being given (None when the role does not change).
    """
    if principal.role is Role.SUPER_ADMIN or principal.kind is PrincipalKind.SYSTEM:
        return
    if target is not None and target.role is Role.SUPER_ADMIN:
        raise Forbidden("Only a super admin may change a super admin.")
    if grants is Role.SUPER_ADMIN:
        raise Forbidden("Only a super admin may create super admins or grant that role.")


def is_own_account(principal: Principal, target: User) -> bool:
    """Whether the principal acts on the account it is (a user, or a key acting as one)."""
    return principal.user_id is not None and principal.user_id == target.id


def require_may_grant(
    principal: Principal, requested: Iterable[str], *, key_id: int | None = None
) -> None:
    """A key's scopes come only from what the one granting them holds.

    ``*`` (every scope, today's and tomorrow's) is granted only by a principal holding
    every scope; any other scope only by one that holds it. A key never changes its own
    scopes: a key that could would grant itself more the moment it was given the right
    to edit keys.
    """
    if key_id is not None and principal.api_key is not None and principal.api_key.id == key_id:
        raise Forbidden("An API key cannot change its own scopes.")
    wanted = set(requested)
    if scopes.ALL in wanted:
        if not _holds_all(principal):
            raise Forbidden("Only a * key or an administrator may grant the * scope.")
        wanted.discard(scopes.ALL)
    missing = sorted(name for name in wanted if name not in principal.scopes)
    if missing:
        raise Forbidden(f"You cannot grant scopes you do not hold: {', '.join(missing)}.")


def _holds_all(principal: Principal) -> bool:
    if principal.kind is PrincipalKind.INTERNAL_KEY and principal.api_key is not None:
        # A key listing every scope of today still lacks those added tomorrow.
        return scopes.ALL in (principal.api_key.scopes or ())
    return principal.scopes >= frozenset(scopes.Scope)
