"""The scopes of internal API keys (seed 000), named once.

Each endpoint of the internal API names the scope it needs. The ticket and configuration
rules shared with the portal ask for the portal's capabilities (auth/permissions.py);
``CAPABILITIES_OF_SCOPE`` says which of them a seed 000 scope carries, so a key allowed
to update tickets may also change their status, priority and assignee through those
rules, and nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable

from supportdesk.auth.permissions import ALL_SCOPES, Capability

_CRUD = ("list", "create", "read", "update", "delete")


def _crud(resource: str, actions: Iterable[str] = _CRUD) -> tuple[str, ...]:
    return tuple(f"{resource}:{action}" for action in actions)


INTERNAL_SCOPES: tuple[str, ...] = (
    "connection:check",
    *_crud("tickets"),
    "messages:list",
    "messages:create",
    *_crud("departments"),
    *_crud("categories"),
    *_crud("labels"),
    *_crud("products"),
    *_crud("customers", ("list", "create", "read", "update")),
    "customers:delete",  # the REST API (seed 002) deletes customers (softly)
    *_crud("agents"),
    *_crud("knowledge-categories"),
    *_crud("knowledge-articles"),
    *_crud("canned-responses"),
    *_crud("custom-fields"),
    "activity-logs:list",
    "reports:overview",
    "reports:agents",
    "reports:departments",
    "settings:read",
    "settings:update",
    *_crud("api-keys"),
)

# What a key may name in its scopes: every scope above, or "*" for all of them.
KNOWN_SCOPES = frozenset((*INTERNAL_SCOPES, ALL_SCOPES))

_C = Capability
CAPABILITIES_OF_SCOPE: dict[str, frozenset[str]] = {
    "tickets:update": frozenset({_C.CHANGE_STATUS, _C.ASSIGN_TICKETS, _C.CHANGE_PRIORITY}),
    "messages:create": frozenset({_C.ADD_INTERNAL_NOTES}),
    "categories:create": frozenset({_C.MANAGE_CATEGORIES}),
    "categories:update": frozenset({_C.MANAGE_CATEGORIES}),
    "categories:delete": frozenset({_C.MANAGE_CATEGORIES}),
    # Labels are the tags of the portal, guarded there by the taxonomy capability.
    "labels:delete": frozenset({_C.MANAGE_CATEGORIES}),
    "canned-responses:create": frozenset({_C.USE_CANNED_RESPONSES}),
    "canned-responses:update": frozenset({_C.USE_CANNED_RESPONSES}),
    "canned-responses:delete": frozenset({_C.USE_CANNED_RESPONSES}),
    # Agents are accounts: the user administration's rules create and change them.
    "agents:create": frozenset({_C.MANAGE_USERS, _C.CREATE_STAFF}),
    "agents:update": frozenset({_C.MANAGE_USERS}),
    "agents:delete": frozenset({_C.MANAGE_USERS}),
    "reports:overview": frozenset({_C.VIEW_REPORTS}),
    "reports:agents": frozenset({_C.VIEW_REPORTS}),
    "reports:departments": frozenset({_C.VIEW_REPORTS}),
}


def expand(scopes: Iterable[str]) -> frozenset[str]:
    """A key's scopes with the shared capabilities they carry."""
    granted = set(scopes)
    for scope in list(granted):
        granted |= CAPABILITIES_OF_SCOPE.get(scope, frozenset())
    return frozenset(granted)
