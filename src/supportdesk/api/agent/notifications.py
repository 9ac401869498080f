"""The agent's in-app notifications."""

from __future__ import annotations

from fastapi import APIRouter

from supportdesk.api.agent.deps import AgentDep, PerPage
from supportdesk.api.agent.errors import AgentRoute
from supportdesk.api.agent.schemas import (
    AgentEnvelope,
    AgentNotification,
    AgentPage,
    AgentUnreadCount,
    notification_out,
    paged,
)
from supportdesk.api.deps import NotificationServiceDep
from supportdesk.api.types import PageNumber, PathId
from supportdesk.core.pagination import PageRequest

router = APIRouter(prefix="/notifications", tags=["agent"], route_class=AgentRoute)


@router.get("", response_model=AgentPage[AgentNotification])
async def list_notifications(
    principal: AgentDep,
    notifications: NotificationServiceDep,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> AgentPage[AgentNotification]:
    """The agent's notifications, newest first."""
    result = await notifications.list_page(principal, PageRequest(page, per_page))
    return paged(result, notification_out)


@router.get("/unread-count", response_model=AgentEnvelope[AgentUnreadCount])
async def unread_count(
    principal: AgentDep, notifications: NotificationServiceDep
) -> AgentEnvelope[AgentUnreadCount]:
    """How many of the agent's notifications are unread."""
    count = await notifications.unread_count(principal)
    return AgentEnvelope(data=AgentUnreadCount(unread_count=count))


@router.post("/{notification_id}/read", response_model=AgentEnvelope[AgentNotification])
async def mark_read(
    notification_id: PathId, principal: AgentDep, notifications: NotificationServiceDep
) -> AgentEnvelope[AgentNotification]:
    """Mark one of the agent's notifications read (another user's is not found)."""
    notification = await notifications.mark_read(principal, notification_id)
    return AgentEnvelope(data=notification_out(notification))
