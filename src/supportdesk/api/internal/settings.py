"""The help-desk settings (seed 000): every ``sd_*`` key, read and changed together."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import TypeAdapter, ValidationError

from supportdesk.api.deps import SettingsServiceDep
from supportdesk.api.internal.deps import require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.schemas import Envelope, one
from supportdesk.api.validation import json_value_error
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.errors import ValidationFailed

router = APIRouter(tags=["internal"], route_class=InternalRoute)

SETTINGS_EXAMPLE = {
    "sd_default_department_id": None,
    "sd_default_priority": "medium",
    "sd_auto_close_days": 7,
    "sd_tickets_per_page": 15,
    "sd_notification_email": "support@example.com",
    "sd_customer_registration_enabled": True,
    "sd_customer_max_tickets_per_day": 0,
    "sd_enable_auto_assign": False,
    "sd_enable_envato_integration": False,
}


# Read as every other field of this API is ("20" an integer; 1, 0, "true" a boolean).
_INTEGER = TypeAdapter(int)
_BOOLEAN = TypeAdapter(bool)
_LOOSE: dict[str, TypeAdapter[Any]] = {
    "sd_default_department_id": _INTEGER,
    "sd_auto_close_days": _INTEGER,
    "sd_tickets_per_page": _INTEGER,
    "sd_customer_max_tickets_per_day": _INTEGER,
    "sd_customer_registration_enabled": _BOOLEAN,
    "sd_enable_auto_assign": _BOOLEAN,
    "sd_enable_envato_integration": _BOOLEAN,
}


def _loosely_read(body: dict[str, Any]) -> dict[str, Any]:
    """The body with each value its setting's type where it reads as one; a value that
    does not is left as sent, for the service to name what is wrong with it."""
    read = dict(body)
    for key, adapter in _LOOSE.items():
        value = read.get(key)
        if value is None:
            continue
        with suppress(ValidationError):
            read[key] = adapter.validate_python(value)
    return read


@router.get("/settings", response_model=Envelope[dict[str, Any]])
async def get_settings(
    principal: Annotated[Principal, require_scope(Scope.SETTINGS_READ)],
    settings: SettingsServiceDep,
) -> Envelope[dict[str, Any]]:
    """Read every help-desk setting."""
    return one(await settings.all())


@router.put("/settings", response_model=Envelope[dict[str, Any]])
async def update_settings(
    body: Annotated[dict[str, Any], Body(examples=[SETTINGS_EXAMPLE])],
    principal: Annotated[Principal, require_scope(Scope.SETTINGS_UPDATE)],
    settings: SettingsServiceDep,
) -> Envelope[dict[str, Any]]:
    """Change help-desk settings.

    Only the keys sent change, and none is stored unless all are valid; unknown keys are
    ignored.
    """
    # Each key has its own rule (nullable, ranges, must exist): the service checks them
    # all, so one request learns of every failing key.
    problem = json_value_error(body)
    if problem is not None:
        raise ValidationFailed(problem)
    return one(await settings.update(principal, _loosely_read(body)))
