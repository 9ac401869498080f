"""The ``data`` of a webhook, in the REST API's shapes: a client parses a webhook's
ticket, message or customer with the parser of the REST API's own answers."""

from __future__ import annotations

from typing import Any

from supportdesk.api.rest.schemas import (
    Prefix,
    conversation_out,
    customer_out,
    public_id,
    ticket_detail,
)
from supportdesk.api.rest.text import plain_text
from supportdesk.models import Message, OutboxEvent
from supportdesk.repositories.webhooks import WebhookRepository


def _user_id(value: Any) -> str | None:
    return public_id(Prefix.USER, value) if isinstance(value, int) else None


async def event_data(
    repo: WebhookRepository, event: OutboxEvent, webhook_type: str
) -> dict[str, Any] | None:
    """What ``event`` says, or None when what it tells of is gone."""
    payload = event.payload
    if webhook_type == "customer.created":
        customer = await repo.user(payload["user_id"])
        if customer is None:
            return None
        count = await repo.customer_ticket_count(customer.id)
        return {"customer": customer_out(customer, count).model_dump(mode="json")}
    ticket = await repo.ticket(payload["ticket_id"])
    if ticket is None:
        return None
    data: dict[str, Any] = {"ticket": ticket_detail(ticket).model_dump(mode="json")}
    match webhook_type:
        case "ticket.updated":
            data["changes"] = payload.get("changes", {})
        case "ticket.status_changed":
            data["previous_status"] = payload.get("from")
        case "ticket.assigned":
            data["previous_assignee_id"] = _user_id(payload.get("from"))
        case "ticket.rated":
            data["rating"] = {"score": payload.get("score")}
        case "ticket.sla_breached":
            data["breach"] = {"kind": payload.get("kind"), "due_at": payload.get("due_at")}
        case "ticket.sla_warning":
            data["warning"] = {"kind": payload.get("kind"), "due_at": payload.get("due_at")}
        case "message.created" | "message.note_created":
            message = await repo.session.get(Message, payload["message_id"])
            if message is None:
                return None
            out = conversation_out(message, plain_text(message.body))
            data["message"] = out.model_dump(mode="json")
    return data
