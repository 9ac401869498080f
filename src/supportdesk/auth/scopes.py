"""What a principal may do: one vocabulary of scopes for every kind of credential.

The scopes of the internal API's keys (seed 000) are the vocabulary; the actions the
portal's role table (seed 003) names and the internal API has no scope for — internal
notes, status, assignment, priority, rating, projects, users, SLA policies, reports — are
added beside them. Roles are sets of these scopes, a key holds some of them, a connected
project holds the few a customer has. Services ask ``principal.require(Scope.X)``.

Scopes gate actions; they never widen what a principal sees. Visibility narrows the rows
(repositories/tickets.py): an agent listing tickets sees those of their projects, a
customer their own — which is how the role table's "View all tickets — project only" and
"View own tickets" read here.

Where an endpoint of the internal API performs several finer actions, its scope includes
them (``INCLUDES``): a key allowed ``tickets:update`` changes a ticket's status, priority
and assignee, as the reference's update endpoint does; one allowed ``messages:create``
posts replies and internal notes. So the answer to "may a key with ``tickets:update``
change a priority?" is read here: yes.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from supportdesk.core.enums import Role

# Granted to a key: every scope, including those added later.
ALL = "*"


class Scope(StrEnum):
    # --- the internal API's catalogue (seed 000): what a key may be given
    CONNECTION_CHECK = "connection:check"
    TICKETS_LIST = "tickets:list"
    TICKETS_CREATE = "tickets:create"
    TICKETS_READ = "tickets:read"
    TICKETS_UPDATE = "tickets:update"
    TICKETS_DELETE = "tickets:delete"
    MESSAGES_LIST = "messages:list"
    MESSAGES_CREATE = "messages:create"
    DEPARTMENTS_LIST = "departments:list"
    DEPARTMENTS_CREATE = "departments:create"
    DEPARTMENTS_READ = "departments:read"
    DEPARTMENTS_UPDATE = "departments:update"
    DEPARTMENTS_DELETE = "departments:delete"
    CATEGORIES_LIST = "categories:list"
    CATEGORIES_CREATE = "categories:create"
    CATEGORIES_READ = "categories:read"
    CATEGORIES_UPDATE = "categories:update"
    CATEGORIES_DELETE = "categories:delete"
    LABELS_LIST = "labels:list"
    LABELS_CREATE = "labels:create"
    LABELS_READ = "labels:read"
    LABELS_UPDATE = "labels:update"
    LABELS_DELETE = "labels:delete"
    PRODUCTS_LIST = "products:list"
    PRODUCTS_CREATE = "products:create"
    PRODUCTS_READ = "products:read"
    PRODUCTS_UPDATE = "products:update"
    PRODUCTS_DELETE = "products:delete"
    CUSTOMERS_LIST = "customers:list"
    CUSTOMERS_CREATE = "customers:create"
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_UPDATE = "customers:update"
    CUSTOMERS_DELETE = "customers:delete"  # the REST API (seed 002) deletes customers
    AGENTS_LIST = "agents:list"
    AGENTS_CREATE = "agents:create"
    AGENTS_READ = "agents:read"
    AGENTS_UPDATE = "agents:update"
    AGENTS_DELETE = "agents:delete"
    KNOWLEDGE_CATEGORIES_LIST = "knowledge-categories:list"
    KNOWLEDGE_CATEGORIES_CREATE = "knowledge-categories:create"
    KNOWLEDGE_CATEGORIES_READ = "knowledge-categories:read"
    KNOWLEDGE_CATEGORIES_UPDATE = "knowledge-categories:update"
    KNOWLEDGE_CATEGORIES_DELETE = "knowledge-categories:delete"
    KNOWLEDGE_ARTICLES_LIST = "knowledge-articles:list"
    KNOWLEDGE_ARTICLES_CREATE = "knowledge-articles:create"
    KNOWLEDGE_ARTICLES_READ = "knowledge-articles:read"
    KNOWLEDGE_ARTICLES_UPDATE = "knowledge-articles:update"
    KNOWLEDGE_ARTICLES_DELETE = "knowledge-articles:delete"
    CANNED_RESPONSES_LIST = "canned-responses:list"
    CANNED_RESPONSES_CREATE = "canned-responses:create"
    CANNED_RESPONSES_READ = "canned-responses:read"
    CANNED_RESPONSES_UPDATE = "canned-responses:update"
    CANNED_RESPONSES_DELETE = "canned-responses:delete"
    CUSTOM_FIELDS_LIST = "custom-fields:list"
    CUSTOM_FIELDS_CREATE = "custom-fields:create"
    CUSTOM_FIELDS_READ = "custom-fields:read"
    CUSTOM_FIELDS_UPDATE = "custom-fields:update"
    CUSTOM_FIELDS_DELETE = "custom-fields:delete"
    ACTIVITY_LOGS_LIST = "activity-logs:list"
    REPORTS_OVERVIEW = "reports:overview"
    REPORTS_AGENTS = "reports:agents"
    REPORTS_DEPARTMENTS = "reports:departments"
    SETTINGS_READ = "settings:read"
    SETTINGS_UPDATE = "settings:update"
    API_KEYS_LIST = "api-keys:list"
    API_KEYS_CREATE = "api-keys:create"
    API_KEYS_READ = "api-keys:read"
    API_KEYS_UPDATE = "api-keys:update"
    API_KEYS_DELETE = "api-keys:delete"
    WEBHOOKS_LIST = "webhooks:list"
    WEBHOOKS_CREATE = "webhooks:create"
    WEBHOOKS_READ = "webhooks:read"
    # Also rotates the secret, sends a test and re-sends a delivery.
    WEBHOOKS_UPDATE = "webhooks:update"
    WEBHOOKS_DELETE = "webhooks:delete"
    BUSINESS_CALENDARS_LIST = "business-calendars:list"
    BUSINESS_CALENDARS_CREATE = "business-calendars:create"
    BUSINESS_CALENDARS_READ = "business-calendars:read"
    BUSINESS_CALENDARS_UPDATE = "business-calendars:update"
    BUSINESS_CALENDARS_DELETE = "business-calendars:delete"

    # --- the portal's actions (seed 003) that no key scope names on its own
    REPLIES_CREATE = "replies:create"
    NOTES_CREATE = "notes:create"
    TICKETS_STATUS = "tickets:status"
    TICKETS_ASSIGN = "tickets:assign"
    TICKETS_PRIORITY = "tickets:priority"
    TICKETS_RATE = "tickets:rate"
    PROJECTS_CREATE = "projects:create"
    PROJECTS_UPDATE = "projects:update"
    USERS_MANAGE = "users:manage"
    REPORTS_READ = "reports:read"
    SLA_POLICIES_UPDATE = "sla-policies:update"
    # One's own canned responses and the shared ones; the canned-responses:* scopes
    # administer everyone's.
    CANNED_RESPONSES_USE = "canned-responses:use"


PORTAL_ONLY = frozenset(
    {
        Scope.REPLIES_CREATE,
        Scope.NOTES_CREATE,
        Scope.TICKETS_STATUS,
        Scope.TICKETS_ASSIGN,
        Scope.TICKETS_PRIORITY,
        Scope.TICKETS_RATE,
        Scope.PROJECTS_CREATE,
        Scope.PROJECTS_UPDATE,
        Scope.USERS_MANAGE,
        Scope.REPORTS_READ,
        Scope.SLA_POLICIES_UPDATE,
        Scope.CANNED_RESPONSES_USE,
    }
)
# The catalogue a key's scopes are chosen from: seed 000's names, or "*" for all.
KEY_SCOPES: tuple[Scope, ...] = tuple(scope for scope in Scope if scope not in PORTAL_ONLY)
KNOWN_KEY_SCOPES = frozenset((*KEY_SCOPES, ALL))

INCLUDES: dict[Scope, frozenset[Scope]] = {
    Scope.TICKETS_UPDATE: frozenset(
        {Scope.TICKETS_STATUS, Scope.TICKETS_ASSIGN, Scope.TICKETS_PRIORITY}
    ),
    Scope.MESSAGES_CREATE: frozenset({Scope.REPLIES_CREATE, Scope.NOTES_CREATE}),
}

_S = Scope
_READ_REFERENCE_DATA = frozenset(
    {
        _S.MESSAGES_LIST,  # of the tickets they see
        _S.LABELS_LIST,
        _S.LABELS_READ,
        # The knowledge base is there to be read: its published articles.
        _S.KNOWLEDGE_ARTICLES_LIST,
        _S.KNOWLEDGE_ARTICLES_READ,
    }
)
_CUSTOMER = _READ_REFERENCE_DATA | {
    _S.TICKETS_CREATE,
    _S.TICKETS_LIST,  # their own: visibility narrows the list
    _S.TICKETS_READ,
    _S.REPLIES_CREATE,
    _S.TICKETS_RATE,  # their own tickets
}
_AGENT = _READ_REFERENCE_DATA | {
    _S.TICKETS_CREATE,
    _S.TICKETS_LIST,  # their projects' tickets
    _S.TICKETS_READ,
    _S.TICKETS_UPDATE,
    _S.TICKETS_STATUS,
    _S.TICKETS_ASSIGN,
    _S.TICKETS_PRIORITY,
    _S.MESSAGES_CREATE,
    _S.REPLIES_CREATE,
    _S.NOTES_CREATE,
    _S.REPORTS_READ,  # their projects' figures
    _S.CANNED_RESPONSES_USE,
    _S.LABELS_CREATE,  # agents label with new tags as they triage
    _S.CUSTOMERS_LIST,
    _S.CUSTOMERS_READ,
    _S.AGENTS_LIST,  # their colleagues
    _S.AGENTS_READ,
}
# Admins run the hub: every scope there is. The super_admin role itself is the
# super_admin's to hand out (auth/policy.py), which no scope expresses.
_ADMIN = frozenset(Scope)

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.SUPER_ADMIN: _ADMIN,
    Role.ADMIN: _ADMIN,
    Role.AGENT: frozenset(_AGENT),
    Role.CUSTOMER: frozenset(_CUSTOMER),
}

# A connected project speaks for its end users, never as staff: what the reference lets
# a customer do with tickets, inside the project (visibility narrows it).
PROJECT_SCOPES = frozenset(
    {_S.TICKETS_CREATE, _S.TICKETS_LIST, _S.TICKETS_READ, _S.REPLIES_CREATE, _S.TICKETS_RATE}
)


def granted(scopes: Iterable[str]) -> frozenset[Scope]:
    """Everything a set of scopes allows: ``*`` is all of them, and each brings what it includes.

    Names outside the vocabulary grant nothing (a key may still carry one stored
    before it was retired).
    """
    names = set(scopes)
    if ALL in names:
        return frozenset(Scope)
    known = {Scope(name) for name in names if name in _BY_VALUE}
    for scope in list(known):
        known |= INCLUDES.get(scope, frozenset())
    return frozenset(known)


_BY_VALUE = frozenset(scope.value for scope in Scope)


def of_role(role: Role) -> frozenset[Scope]:
    return ROLE_SCOPES[role]
