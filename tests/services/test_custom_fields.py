"""The custom field value rule, as every surface applies it (no database needed)."""

from __future__ import annotations

from supportdesk.core.enums import CustomFieldType
from supportdesk.models import CustomField
from supportdesk.services.custom_fields import check_values, custom_field_errors


def _field(field_id: int, label: str, kind: str, **fields: object) -> CustomField:
    values: dict[str, object] = {"status": "published", "is_required": False, "sort_order": 0}
    values.update(fields)
    return CustomField(id=field_id, label=label, type=CustomFieldType(kind), **values)


DEFINITIONS = [
    _field(1, "Browser", "text", is_required=True),
    _field(2, "Order", "number"),
    _field(3, "Old", "text", status="draft"),
]


def test_good_values_are_cleaned_and_keyed_by_id_text() -> None:
    checked = check_values(DEFINITIONS, {1: "Chrome", "2": "42"})
    assert checked.errors == {}
    assert checked.values == {"1": "Chrome", "2": 42}


def test_errors_name_each_failing_field_by_its_id() -> None:
    assert custom_field_errors(DEFINITIONS, {"2": "many", "3": "x", "abc": "y"}) == {
        "1": ["The Browser field is required."],
        "2": ["The Order field must be a number."],
        "3": ["The selected custom field is invalid."],
        "abc": ["The selected custom field is invalid."],
    }


def test_changes_merge_into_the_current_values_and_blanks_remove_one() -> None:
    checked = check_values(DEFINITIONS, {"2": None}, current={"1": "Chrome", "2": 7})
    assert checked.errors == {}
    assert checked.values == {"1": "Chrome"}
    blanked = check_values(DEFINITIONS, {"1": " "}, current={"1": "Chrome"})
    assert blanked.errors == {"1": ["The Browser field is required."]}
