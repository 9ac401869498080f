"""Which tickets a principal may see, written once for every query that reads tickets."""

from __future__ import annotations

from collections.abc import Hashable

from sqlalchemy import BindParameter, ColumnElement, bindparam, false, or_, select, true

from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.core.enums import Role
from supportdesk.models import ProjectAgent, Ticket

# The activity recorded for an internal note; like the note, hidden from customers.
NOTE_ACTION = "note_added"


# The names under which ``visibility`` binds who is looking.
VIEWER = "viewer_id"
VIEWER_PROJECT = "viewer_project_id"


def visibility(principal: Principal) -> ColumnElement[bool]:
    """The tickets a principal may see (DESIGN.md §4); anything else does not exist for it.

    Who is looking enters only as the named parameters of ``viewer_parameters``, so a
    statement built once for a shape of principal (``viewer_shape``) serves every
    principal of that shape, given theirs.
    """
    user = principal.user
    match principal.kind:
        case PrincipalKind.INTERNAL_KEY | PrincipalKind.SYSTEM:
            return true()
        case PrincipalKind.PROJECT if principal.project is not None:
            return Ticket.project_id == bindparam(VIEWER_PROJECT, principal.project.id)
        case PrincipalKind.AGENT_KEY if user is not None:
            return Ticket.assignee_id == bindparam(VIEWER, user.id)
        case PrincipalKind.USER if user is not None:
            if user.role.is_admin:
                return true()
            viewer: BindParameter[int] = bindparam(VIEWER, user.id)
            if user.role is Role.AGENT:
                agent_projects = select(ProjectAgent.project_id).where(
                    ProjectAgent.user_id == viewer
                )
                return or_(
                    Ticket.project_id.in_(agent_projects),
                    Ticket.assignee_id == viewer,
                    Ticket.creator_id == viewer,
                )
            return or_(Ticket.customer_id == viewer, Ticket.creator_id == viewer)
    return false()


def viewer_shape(principal: Principal) -> Hashable:
    """What decides the SQL ``visibility`` writes for a principal: everything but ids."""
    user = principal.user
    return (
        principal.kind,
        user.role if user is not None else None,
        principal.project is not None,
    )


def viewer_parameters(principal: Principal) -> dict[str, int]:
    """The values of ``visibility``'s parameters for this principal."""
    parameters = {}
    if principal.user is not None:
        parameters[VIEWER] = principal.user.id
    if principal.project is not None:
        parameters[VIEWER_PROJECT] = principal.project.id
    return parameters
