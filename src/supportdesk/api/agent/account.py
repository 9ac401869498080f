"""The connection check, and the agent's own profile and dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request

from supportdesk.api.agent.deps import AgentDep, agent_of
from supportdesk.api.agent.errors import AgentRoute
from supportdesk.api.agent.schemas import (
    AgentDashboard,
    AgentEnvelope,
    AgentProfile,
    AgentProfileIn,
    AgentStatusMessage,
    dashboard_out,
    profile_out,
)
from supportdesk.api.bodies import json_body, parse_json
from supportdesk.api.deps import AccountServiceDep, AgentDashboardServiceDep
from supportdesk.services.accounts import AccountChanges

router = APIRouter(tags=["agent"], route_class=AgentRoute)


@router.get("/connection-check", response_model=AgentStatusMessage)
async def connection_check(_: AgentDep) -> AgentStatusMessage:
    """Check that the key works and its agent is active."""
    return AgentStatusMessage(message="Connection check successful")


@router.get("/dashboard", response_model=AgentEnvelope[AgentDashboard])
async def dashboard(
    principal: AgentDep, dashboard: AgentDashboardServiceDep
) -> AgentEnvelope[AgentDashboard]:
    """Figures over the tickets assigned to the agent; "today" in the agent's time zone."""
    return AgentEnvelope(data=dashboard_out(await dashboard.counts(principal)))


@router.get("/profile", response_model=AgentEnvelope[AgentProfile])
async def get_profile(principal: AgentDep) -> AgentEnvelope[AgentProfile]:
    """The agent's own profile."""
    return AgentEnvelope(data=profile_out(agent_of(principal)))


@router.put(
    "/profile", response_model=AgentEnvelope[AgentProfile], openapi_extra=json_body(AgentProfileIn)
)
async def update_profile(
    request: Request, principal: AgentDep, accounts: AccountServiceDep
) -> AgentEnvelope[AgentProfile]:
    """Change the agent's own profile.

    Only the fields sent change: name, phone, locale, time zone and notification settings.
    """
    body = await parse_json(request, AgentProfileIn)
    changes = AccountChanges(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        phone=body.phone,
        locale=body.locale,
        timezone=body.timezone,
        notification_settings=body.notification_settings,
    )
    return AgentEnvelope(data=profile_out(await accounts.update_own_profile(principal, changes)))
