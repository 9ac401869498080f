"""Canonical enumerations. Surfaces map their own vocabularies onto these."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SUPER_ADMIN = "super_admin"
    ADMIN = "admin"
    AGENT = "agent"
    CUSTOMER = "customer"

    @property
    def is_staff(self) -> bool:
        return self is not Role.CUSTOMER

    @property
    def is_admin(self) -> bool:
        return self in (Role.SUPER_ADMIN, Role.ADMIN)


class TicketStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    PENDING_CUSTOMER = "pending_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def pauses_sla(self) -> bool:
        return self in (TicketStatus.ON_HOLD, TicketStatus.PENDING_CUSTOMER)

    @property
    def is_finished(self) -> bool:
        return self in (TicketStatus.RESOLVED, TicketStatus.CLOSED)


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class TicketSource(StrEnum):
    PORTAL = "portal"
    API = "api"
    EMAIL = "email"


class MessageType(StrEnum):
    REPLY = "reply"
    NOTE = "note"
    SYSTEM = "system"


class SenderType(StrEnum):
    STAFF = "staff"
    CUSTOMER = "customer"
    SYSTEM = "system"


class ApiKeyType(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"
    PROJECT = "project"


class CustomFieldType(StrEnum):
    DATE = "date"
    DATETIME_LOCAL = "datetime_local"
    EMAIL = "email"
    NUMBER = "number"
    TEL = "tel"
    TEXT = "text"
    TEXTAREA = "textarea"
    TIME = "time"
    URL = "url"
