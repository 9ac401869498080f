"""The ``sd_*`` help-desk settings, with their defaults."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.repositories.settings import SettingRepository

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


class SettingsService:
    def __init__(self, session: AsyncSession) -> None:
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
