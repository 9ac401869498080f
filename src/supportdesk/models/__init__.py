"""All models, imported here so the metadata is complete for Alembic and the mappers."""

from supportdesk.models.activity import Activity
from supportdesk.models.api_key import ApiKey
from supportdesk.models.auth import RevokedToken
from supportdesk.models.base import Base
from supportdesk.models.calendar import BusinessCalendar
from supportdesk.models.canned_response import CannedResponse
from supportdesk.models.custom_field import CustomField
from supportdesk.models.department import Department, department_agents
from supportdesk.models.heartbeat import WorkerHeartbeat
from supportdesk.models.idempotency import IdempotencyRecord
from supportdesk.models.knowledge import KnowledgeArticle, KnowledgeCategory
from supportdesk.models.message import Attachment, Message, MessageLike
from supportdesk.models.notification import Notification
from supportdesk.models.outbox import OutboxEvent
from supportdesk.models.product import Product
from supportdesk.models.project import DEFAULT_PROJECT_ID, Project, ProjectAgent
from supportdesk.models.setting import Setting
from supportdesk.models.sla import SlaPolicy
from supportdesk.models.taxonomy import Category, Tag
from supportdesk.models.ticket import (
    Rating,
    Ticket,
    TicketCounter,
    TicketTally,
    Watcher,
    ticket_tags,
)
from supportdesk.models.user import User
from supportdesk.models.webhook import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "DEFAULT_PROJECT_ID",
    "Activity",
    "ApiKey",
    "Attachment",
    "Base",
    "BusinessCalendar",
    "CannedResponse",
    "Category",
    "CustomField",
    "Department",
    "IdempotencyRecord",
    "KnowledgeArticle",
    "KnowledgeCategory",
    "Message",
    "MessageLike",
    "Notification",
    "OutboxEvent",
    "Product",
    "Project",
    "ProjectAgent",
    "Rating",
    "RevokedToken",
    "Setting",
    "SlaPolicy",
    "Tag",
    "Ticket",
    "TicketCounter",
    "TicketTally",
    "User",
    "Watcher",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkerHeartbeat",
    "department_agents",
    "ticket_tags",
]
