"""The ``sd_*`` help-desk settings, with their defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import email_validator
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.enums import Priority
from supportdesk.core.errors import ValidationFailed
from supportdesk.repositories.catalogue import CatalogueRepository
from supportdesk.repositories.settings import SettingRepository
from supportdesk.services.activity import ActivityLog

DEFAULTS: dict[str, Any] = {
    "sd_default_department_id": None,
    "sd_default_priority": "medium",
    "sd_auto_close_days": 0,
    "sd_tickets_per_page": 15,
    "sd_notification_email": None,
    "sd_customer_registration_enabled": True,
    "sd_customer_max_tickets_per_day": 0,
    "sd_enable_auto_assign": False,
    "sd_enable_envato_integration": False,
}


MAX_TICKETS_PER_PAGE = 200
_MAX_INT = 2_147_483_647
NOTIFICATION_EMAIL_MAX_LENGTH = 250


def _label(key: str) -> str:
    return key.replace("_", " ")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(key: str, value: Any, low: int, high: int = _MAX_INT) -> str | None:
    if not _is_int(value):
        return f"The {_label(key)} field must be an integer."
    if value < low:
        return f"The {_label(key)} field must be at least {low}."
    if value > high:
        return f"The {_label(key)} field must not be greater than {high}."
    return None


def setting_error(key: str, value: Any) -> str | None:
    """Why ``value`` cannot be stored under ``key``; None if it can.

    Only the shape of the value: whether a department exists is the service's to ask.
    """
    match key:
        case "sd_default_department_id":
            return None if value is None else _check_int(key, value, 1)
        case "sd_default_priority":
            if value is None or value in {str(priority) for priority in Priority}:
                return None
            return f"The selected {_label(key)} is invalid."
        case "sd_auto_close_days" | "sd_customer_max_tickets_per_day":
            return _check_int(key, value, 0)
        case "sd_tickets_per_page":
            return _check_int(key, value, 1, MAX_TICKETS_PER_PAGE)
        case "sd_notification_email":
            if value is None:
                return None
            if not isinstance(value, str):
                return f"The {_label(key)} field must be a string."
            if len(value) > NOTIFICATION_EMAIL_MAX_LENGTH:
                return (
                    f"The {_label(key)} field must not be greater than "
                    f"{NOTIFICATION_EMAIL_MAX_LENGTH} characters."
                )
            try:
                email_validator.validate_email(value, check_deliverability=False)
            except email_validator.EmailNotValidError:
                return f"The {_label(key)} field must be a valid email address."
            return None
        case (
            "sd_customer_registration_enabled"
            | "sd_enable_auto_assign"
            | "sd_enable_envato_integration"
        ):
            return (
                None
                if isinstance(value, bool)
                else f"The {_label(key)} field must be true or false."
            )
    return f"The {_label(key)} setting does not exist."


class SettingsService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.settings = SettingRepository(session)

    async def get(self, key: str) -> Any:
        if key not in DEFAULTS:
            raise KeyError(key)
        row = await self.settings.get(key)
        return DEFAULTS[key] if row is None else row.value

    async def all(self) -> dict[str, Any]:
        return {**DEFAULTS, **await self.settings.all()}

    async def put(self, key: str, value: Any) -> None:
        if key not in DEFAULTS:
            raise KeyError(key)
        await self.settings.put(key, value)

    async def default_priority(self) -> Priority:
        """The priority of a ticket opened without one (medium when the setting is empty)."""
        value = await self.get("sd_default_priority")
        return Priority(value) if value else Priority.MEDIUM

    async def update(self, principal: Principal, values: Mapping[str, Any]) -> dict[str, Any]:
        """Change some settings; every one is checked before any is stored.

        Unknown keys are ignored, as unknown fields of any request body are.
        """
        principal.require(Scope.SETTINGS_UPDATE, "Only administrators change settings.")
        wanted = {key: value for key, value in values.items() if key in DEFAULTS}
        errors = {
            key: [message]
            for key, value in wanted.items()
            if (message := setting_error(key, value)) is not None
        }
        department_id = wanted.get("sd_default_department_id")
        if (
            "sd_default_department_id" not in errors
            and department_id is not None
            and await CatalogueRepository(self.session).department(department_id) is None
        ):
            errors["sd_default_department_id"] = [
                "The selected sd default department id is invalid."
            ]
        if errors:
            raise ValidationFailed(details=errors)
        current = await self.all()
        diff = {
            key: [current[key], value] for key, value in wanted.items() if current[key] != value
        }
        for key in diff:
            await self.settings.put(key, wanted[key])
        if diff:
            await self.session.flush()
            ActivityLog(self.session).record(
                principal, None, "settings.updated", "Settings updated", diff
            )
        return {**current, **wanted}
