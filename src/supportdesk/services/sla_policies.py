"""SLA policies: the response and resolution targets admins set per project and priority.

A policy with no project is the global default for its priority. New tickets pick up
whatever is stored here (services/sla.py reads it); existing tickets keep their dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.enums import Priority
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.models import SlaPolicy
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.repositories.sla import SlaPolicyRepository
from supportdesk.services.activity import ActivityLog
from supportdesk.services.calendar_choice import checked_calendar_id

_EDITABLE = (
    "project_id",
    "priority",
    "first_response_minutes",
    "resolution_minutes",
    "business_calendar_id",
)
_REQUIRED = ("priority", "first_response_minutes", "resolution_minutes")


@dataclass(frozen=True, slots=True)
class SlaPolicyFields:
    """A new policy, or a partial update: only ``fields_set`` is applied on update."""

    fields_set: frozenset[str]
    project_id: int | None = None
    priority: Priority | None = None
    first_response_minutes: int | None = None
    resolution_minutes: int | None = None
    business_calendar_id: int | None = None


def _describe(policy: SlaPolicy) -> str:
    scope = f"project {policy.project_id}" if policy.project_id is not None else "all projects"
    return f"{policy.priority} priority, {scope}"


class SlaPolicyService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.policies = SlaPolicyRepository(session)
        self.projects = ProjectRepository(session)
        self.activity = ActivityLog(session)

    async def find(self, principal: Principal, project_id: int | None) -> Sequence[SlaPolicy]:
        """All policies; for a project, its own and the global defaults."""
        return await self.policies.policies(project_id)

    async def create(self, principal: Principal, fields: SlaPolicyFields) -> SlaPolicy:
        principal.require(Scope.SLA_POLICIES_UPDATE)
        values = {name: getattr(fields, name) for name in _EDITABLE}
        await self._check(values, excluding=None)
        policy = SlaPolicy(**values)
        self.policies.add(policy)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "sla_policy.created",
            f"SLA policy created ({_describe(policy)})",
            {"sla_policy_id": policy.id, **{k: _plain(v) for k, v in values.items()}},
        )
        return policy

    async def update(
        self, principal: Principal, policy_id: int, fields: SlaPolicyFields
    ) -> SlaPolicy:
        principal.require(Scope.SLA_POLICIES_UPDATE)
        policy = await self._get(policy_id)
        values = {
            name: getattr(fields if name in fields.fields_set else policy, name)
            for name in _EDITABLE
        }
        await self._check(values, excluding=policy)
        diff = {
            name: [_plain(getattr(policy, name)), _plain(value)]
            for name, value in values.items()
            if value != getattr(policy, name)
        }
        if diff:
            for name, value in values.items():
                setattr(policy, name, value)
            await self.session.flush()
            self.activity.record(
                principal,
                None,
                "sla_policy.updated",
                f"SLA policy updated ({_describe(policy)})",
                {"sla_policy_id": policy.id, **diff},
            )
        return policy

    async def delete(self, principal: Principal, policy_id: int) -> None:
        """Delete a policy; tickets it applied to keep the due dates they were given."""
        principal.require(Scope.SLA_POLICIES_UPDATE)
        policy = await self._get(policy_id)
        self.activity.record(
            principal,
            None,
            "sla_policy.deleted",
            f"SLA policy deleted ({_describe(policy)})",
            {"sla_policy_id": policy.id},
        )
        await self.policies.delete(policy)

    async def _get(self, policy_id: int) -> SlaPolicy:
        policy = await self.policies.get(policy_id)
        if policy is None:
            raise NotFound("SLA policy not found.")
        return policy

    async def _check(self, values: dict[str, Any], *, excluding: SlaPolicy | None) -> None:
        await checked_calendar_id(self.session, values["business_calendar_id"])
        for name in _REQUIRED:
            if values[name] is None:
                label = name.replace("_", " ")
                raise ValidationFailed.field(name, f"The {label} field is required.")
        if values["resolution_minutes"] < values["first_response_minutes"]:
            raise ValidationFailed.field(
                "resolution_minutes",
                "The resolution minutes must be at least the first response minutes.",
            )
        project_id: int | None = values["project_id"]
        priority: Priority = values["priority"]
        if excluding is not None and (
            project_id == excluding.project_id and priority == excluding.priority
        ):
            return  # still its own (project, priority): nothing to collide with
        if project_id is not None and await self.projects.get(project_id) is None:
            raise ValidationFailed.field("project_id", "The selected project id is invalid.")
        taken = await self.policies.exists_for(
            project_id, priority, excluding=excluding.id if excluding is not None else None
        )
        if taken:
            scope = "this project" if project_id is not None else "all projects (global)"
            raise ValidationFailed.field(
                "priority", f"An SLA policy for {priority} priority already exists for {scope}."
            )


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Priority) else value
