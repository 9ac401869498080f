"""Custom ticket fields: their definitions, and the values tickets carry for them.

Values are kept on ``Ticket.custom_fields`` keyed by the field's id as a string. Every
surface checks values here: ``check_values`` is the pure rule (it returns the cleaned
values and the messages per field, for a surface that renders its own error body), and
``CustomFieldService.validate`` applies it against the published definitions and raises
``ValidationFailed`` with one ``custom_fields.<id>`` entry per failing field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

import email_validator
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.enums import CustomFieldType
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import CustomField, Ticket
from supportdesk.repositories.custom_fields import CustomFieldRepository
from supportdesk.repositories.paging import fetch_page
from supportdesk.services.activity import ActivityLog

TEXT_MAX_LENGTH = 255
TEXTAREA_MAX_LENGTH = 10_000
URL_MAX_LENGTH = 2048
_TEL = re.compile(r"^\+?[0-9 ().\-]{3,50}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


class _Invalid(ValueError):
    pass


def _text(value: Any, label: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"The {label} field must be a string.")
    if len(value) > max_length:
        raise _Invalid(f"The {label} field must not be greater than {max_length} characters.")
    return value


def _clean(field: CustomField, value: Any) -> Any:
    """The value as stored, or ``_Invalid`` with the message a person reads."""
    label = field.label
    match field.type:
        case CustomFieldType.TEXT:
            return _text(value, label, TEXT_MAX_LENGTH)
        case CustomFieldType.TEXTAREA:
            return _text(value, label, TEXTAREA_MAX_LENGTH)
        case CustomFieldType.NUMBER:
            number: int | float
            if isinstance(value, bool):
                raise _Invalid(f"The {label} field must be a number.")
            if isinstance(value, int | float):
                number = value
            elif isinstance(value, str):
                try:
                    number = int(value) if re.fullmatch(r"-?\d+", value) else float(value)
                except ValueError:
                    raise _Invalid(f"The {label} field must be a number.") from None
            else:
                raise _Invalid(f"The {label} field must be a number.")
            if isinstance(number, float) and not math.isfinite(number):
                raise _Invalid(f"The {label} field must be a number.")
            return number
        case CustomFieldType.EMAIL:
            text = _text(value, label, TEXT_MAX_LENGTH).strip()
            try:
                email_validator.validate_email(text, check_deliverability=False)
            except email_validator.EmailNotValidError:
                raise _Invalid(f"The {label} field must be a valid email address.") from None
            return text
        case CustomFieldType.TEL:
            text = _text(value, label, 50).strip()
            if not _TEL.match(text) or sum(ch.isdigit() for ch in text) < 3:
                raise _Invalid(f"The {label} field must be a valid phone number.")
            return text
        case CustomFieldType.URL:
            text = _text(value, label, URL_MAX_LENGTH).strip()
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
                raise _Invalid(f"The {label} field must be a valid URL.")
            return text
        case CustomFieldType.DATE:
            text = _text(value, label, 10)
            try:
                if not _DATE.match(text):
                    raise ValueError
                return date.fromisoformat(text).isoformat()
            except ValueError:
                raise _Invalid(f"The {label} field must be a valid date (YYYY-MM-DD).") from None
        case CustomFieldType.DATETIME_LOCAL:
            text = _text(value, label, 19)
            try:
                if not _DATETIME_LOCAL.match(text):
                    raise ValueError
                datetime.fromisoformat(text)
            except ValueError:
                raise _Invalid(
                    f"The {label} field must be a valid date and time (YYYY-MM-DDTHH:MM)."
                ) from None
            return text
        case CustomFieldType.TIME:
            text = _text(value, label, 8)
            try:
                if not _TIME.match(text):
                    raise ValueError
                time.fromisoformat(text)
            except ValueError:
                raise _Invalid(f"The {label} field must be a valid time (HH:MM).") from None
            return text
    raise _Invalid(f"The {label} field has an unknown type.")  # pragma: no cover


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True, slots=True)
class CheckedValues:
    """Values ready to store (keyed by field id as a string) and messages per field id."""

    values: dict[str, Any]
    errors: dict[str, list[str]]


def check_values(
    definitions: Iterable[CustomField],
    values: Mapping[Any, Any],
    *,
    current: Mapping[str, Any] | None = None,
) -> CheckedValues:
    """Check ``values`` against the published ``definitions``; pure, no database.

    ``current`` holds a ticket's stored values when they are being changed: the given
    values replace them field by field, and an empty value (None or blank) removes one.
    Unknown, unpublished or malformed field ids are errors, as is a required field left
    without a value.
    """
    fields = {str(field.id): field for field in definitions if field.status == "published"}
    result: dict[str, Any] = dict(current or {})
    errors: dict[str, list[str]] = {}
    for raw_key, value in values.items():
        key = str(raw_key).strip()
        field = fields.get(key)
        if field is None:
            errors[key] = ["The selected custom field is invalid."]
            continue
        if _is_empty(value):
            result.pop(key, None)
            continue
        try:
            result[key] = _clean(field, value)
        except _Invalid as invalid:
            errors[key] = [str(invalid)]
    for key, field in fields.items():
        if field.is_required and key not in errors and _is_empty(result.get(key)):
            errors[key] = [f"The {field.label} field is required."]
    return CheckedValues(values=result, errors=errors)


def custom_field_errors(
    definitions: Iterable[CustomField], values: Mapping[Any, Any]
) -> dict[str, list[str]]:
    """The messages per field id for ``values``; empty when they may be stored."""
    return check_values(definitions, values).errors


@dataclass(frozen=True, slots=True)
class CustomFieldValue:
    """One value of a ticket with its field's definition, as tickets are rendered."""

    field: CustomField
    value: Any


def ticket_values(ticket: Ticket, definitions: Mapping[int, CustomField]) -> list[CustomFieldValue]:
    """A ticket's values in the fields' display order; values of deleted fields left out."""
    found = [
        CustomFieldValue(definitions[int(key)], value)
        for key, value in (ticket.custom_fields or {}).items()
        if key.isdigit() and int(key) in definitions
    ]
    return sorted(found, key=lambda item: (item.field.sort_order, item.field.id))


@dataclass(frozen=True, slots=True)
class CustomFieldInput:
    """A new definition, or a partial update: only ``fields_set`` is applied on update."""

    fields_set: frozenset[str]
    label: str | None = None
    description: str | None = None
    type: CustomFieldType | None = None
    is_required: bool | None = None
    sort_order: int | None = None
    status: str | None = None


_EDITABLE = ("label", "description", "type", "is_required", "sort_order", "status")
_NOT_NULL = ("label", "type", "is_required", "sort_order", "status")


class CustomFieldService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.fields = CustomFieldRepository(session)
        self.activity = ActivityLog(session)

    # ---------------------------------------------------------------- ticket values

    async def validate(
        self, values: Mapping[Any, Any], *, current: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The values to store on a ticket, or ValidationFailed naming each failing field.

        Without ``current`` (a new ticket) every required published field must be given.
        """
        checked = check_values(await self.fields.published(), values, current=current)
        if checked.errors:
            raise ValidationFailed(
                details={
                    f"custom_fields.{key}": messages for key, messages in checked.errors.items()
                }
            )
        return checked.values

    async def definitions_for(self, tickets: Sequence[Ticket]) -> dict[int, CustomField]:
        """The definitions behind the values of ``tickets``, in one statement at most."""
        ids = {
            int(key) for ticket in tickets for key in (ticket.custom_fields or {}) if key.isdigit()
        }
        return {field.id: field for field in await self.fields.by_ids(ids)}

    # ---------------------------------------------------------------- definitions

    async def list_page(self, principal: Principal, page: PageRequest) -> Page[CustomField]:
        """Definitions by sort_order, drafts included."""
        principal.require(Scope.CUSTOM_FIELDS_LIST)
        return await fetch_page(self.session, self.fields.listing(), page)

    async def get(self, principal: Principal, field_id: int) -> CustomField:
        principal.require(Scope.CUSTOM_FIELDS_READ)
        return await self._field(field_id)

    async def create(self, principal: Principal, data: CustomFieldInput) -> CustomField:
        principal.require(Scope.CUSTOM_FIELDS_CREATE)
        if data.label is None or data.type is None:
            raise ValidationFailed(
                details={
                    name: [f"The {name} field is required."]
                    for name in ("label", "type")
                    if getattr(data, name) is None
                }
            )
        field = CustomField(
            label=data.label,
            description=data.description,
            type=data.type,
            is_required=bool(data.is_required),
            sort_order=data.sort_order or 0,
            status=data.status or "published",
        )
        self.fields.add(field)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "custom_field.created",
            f"Custom field {field.label} created",
            {"custom_field_id": field.id},
        )
        return field

    async def update(
        self, principal: Principal, field_id: int, data: CustomFieldInput
    ) -> CustomField:
        principal.require(Scope.CUSTOM_FIELDS_UPDATE)
        field = await self._field(field_id)
        for name in _NOT_NULL:
            if name in data.fields_set and getattr(data, name) is None:
                raise ValidationFailed.field(
                    name, f"The {name.replace('_', ' ')} field is required."
                )
        diff: dict[str, list[Any]] = {}
        for name in _EDITABLE:
            if name in data.fields_set and getattr(data, name) != getattr(field, name):
                diff[name] = [str(getattr(field, name)), str(getattr(data, name))]
                setattr(field, name, getattr(data, name))
        if diff:
            await self.session.flush()
            self.activity.record(
                principal,
                None,
                "custom_field.updated",
                f"Custom field {field.label} updated",
                {"custom_field_id": field.id, **diff},
            )
        return field

    async def delete(self, principal: Principal, field_id: int) -> None:
        """Delete a definition; tickets keep their stored values, no longer shown."""
        principal.require(Scope.CUSTOM_FIELDS_DELETE)
        field = await self._field(field_id)
        self.activity.record(
            principal,
            None,
            "custom_field.deleted",
            f"Custom field {field.label} deleted",
            {"custom_field_id": field.id},
        )
        await self.fields.delete(field)

    async def _field(self, field_id: int) -> CustomField:
        field = await self.fields.get(field_id)
        if field is None:
            raise NotFound("Custom field not found.")
        return field
