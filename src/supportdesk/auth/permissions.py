"""The "Roles & Permissions Reference" of the SupportDesk reference, expressed once.

Capabilities are named like the scopes of internal API keys, so a principal is asked
the same question whether it is a portal user or a key. Where the reference limits a
role to part of the data ("project only", "own"), the capability is granted and the
ticket visibility rules (repositories/tickets.py) narrow what it reaches.
"""

from __future__ import annotations

from enum import StrEnum

from supportdesk.core.enums import Role

ALL_SCOPES = "*"


class Capability(StrEnum):
    CREATE_TICKETS = "tickets:create"
    VIEW_OWN_TICKETS = "tickets:read"
    VIEW_ALL_TICKETS = "tickets:list"
    REPLY_TO_TICKETS = "messages:create"
    ADD_INTERNAL_NOTES = "notes:create"
    CHANGE_STATUS = "tickets:status"
    ASSIGN_TICKETS = "tickets:assign"
    CHANGE_PRIORITY = "tickets:priority"
    DELETE_TICKETS = "tickets:delete"
    RATE_TICKETS = "tickets:rate"
    CREATE_PROJECTS = "projects:create"
    MANAGE_PROJECTS = "projects:update"
    GENERATE_API_KEYS = "api-keys:create"
    MANAGE_USERS = "users:update"
    CREATE_STAFF = "agents:create"
    VIEW_REPORTS = "reports:read"
    MANAGE_SLA_POLICIES = "sla:update"
    MANAGE_CATEGORIES = "categories:update"
    USE_CANNED_RESPONSES = "canned-responses:list"


_C = Capability
_STAFF = frozenset(
    {
        _C.CREATE_TICKETS,
        _C.VIEW_OWN_TICKETS,
        _C.VIEW_ALL_TICKETS,  # agents: their projects only
        _C.REPLY_TO_TICKETS,
        _C.ADD_INTERNAL_NOTES,
        _C.CHANGE_STATUS,
        _C.ASSIGN_TICKETS,
        _C.CHANGE_PRIORITY,
        _C.VIEW_REPORTS,  # agents: their projects only
        _C.USE_CANNED_RESPONSES,
    }
)
_ADMIN = _STAFF | {
    _C.DELETE_TICKETS,
    _C.RATE_TICKETS,
    _C.CREATE_PROJECTS,
    _C.MANAGE_PROJECTS,
    _C.GENERATE_API_KEYS,
    _C.MANAGE_USERS,
    _C.CREATE_STAFF,
    _C.MANAGE_SLA_POLICIES,
    _C.MANAGE_CATEGORIES,
}

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.SUPER_ADMIN: frozenset(_ADMIN),
    Role.ADMIN: frozenset(_ADMIN),
    Role.AGENT: _STAFF,
    Role.CUSTOMER: frozenset(
        {
            _C.CREATE_TICKETS,
            _C.VIEW_OWN_TICKETS,
            _C.REPLY_TO_TICKETS,
            _C.RATE_TICKETS,  # their own tickets
        }
    ),
}


def role_scopes(role: Role) -> frozenset[str]:
    return frozenset(str(capability) for capability in ROLE_CAPABILITIES[role])
