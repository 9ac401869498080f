"""The entity-tag rules every surface shares (RFC 9110 §8.8.3 and §13.1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI

from supportdesk.api.conditional import (
    EntityTag,
    entity_tag,
    none_match,
    parse_entity_tags,
    precondition,
)


@dataclass(frozen=True)
class Ticket:
    id: int
    version: int


TICKET = Ticket(42, 7)


def test_a_tickets_entity_tag_is_its_id_and_version_quoted() -> None:
    assert entity_tag(TICKET) == '"42.7"'


def test_a_list_of_entity_tags_parses_with_weak_ones_marked() -> None:
    assert parse_entity_tags(' "a", W/"b" ,,"c,d"') == [
        EntityTag("a"),
        EntityTag("b", weak=True),
        EntityTag("c,d"),
    ]


@pytest.mark.parametrize("value", ["42.7", '"42.7', 'w/"42.7"', '"4"2"', '"a" "b"'])
def test_a_value_that_is_not_a_list_of_entity_tags_does_not_parse(value: str) -> None:
    assert parse_entity_tags(value) is None


def test_if_match_holds_for_the_current_strong_tag() -> None:
    assert precondition('"42.7"').holds(42, 7)


def test_if_match_never_holds_for_a_weak_tag() -> None:
    assert not precondition('W/"42.7"').holds(42, 7)


def test_if_match_holds_when_any_listed_tag_is_current() -> None:
    assert precondition('"42.6", "42.7"').holds(42, 7)


def test_if_match_for_another_ticket_does_not_hold() -> None:
    assert not precondition('"41.7"').holds(42, 7)


def test_if_match_star_holds_for_any_version() -> None:
    assert precondition(" * ").holds(42, 7)


def test_an_unparsable_if_match_holds_for_nothing() -> None:
    assert not precondition("42.7").holds(42, 7)


def test_if_none_match_fails_for_the_current_tag_even_weak() -> None:
    assert not none_match('W/"42.7"', TICKET)


def test_if_none_match_star_fails_for_a_ticket_that_exists() -> None:
    assert not none_match("*", TICKET)


def test_if_none_match_holds_for_an_older_tag() -> None:
    assert none_match('"42.6"', TICKET)


def test_an_unparsable_if_none_match_holds() -> None:
    assert none_match("42.7", TICKET)


# ------------------------------------------------------------------ the schema


def _operation(app: FastAPI, path: str, method: str) -> Any:
    return app.openapi()["paths"][path][method]


@pytest.mark.parametrize(
    "path",
    [
        "/api/tickets/{ticket_id}",
        "/api/v1/tickets/{ticket_id}",
        "/api/v1/internal/tickets/{ticket_id}",
        "/api/v1/external/tickets/{ticket_id}",
        "/api/external/tickets/{ticket_number}",
        "/api/ticket_view.php",
    ],
)
def test_a_ticket_read_declares_its_304_and_etag(app: FastAPI, path: str) -> None:
    operation = _operation(app, path, "get")

    assert "ETag" in operation["responses"]["304"]["headers"]
    assert "ETag" in operation["responses"]["200"]["headers"]
    assert "412" in operation["responses"]


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/tickets/{ticket_id}", "put"),
        ("/api/tickets/{ticket_id}/status", "patch"),
        ("/api/tickets/{ticket_id}/assign", "patch"),
        ("/api/tickets/{ticket_id}", "delete"),
        ("/api/v1/tickets/{ticket_id}", "patch"),
        ("/api/v1/tickets/{ticket_id}", "delete"),
        ("/api/v1/internal/tickets/{ticket_id}", "put"),
        ("/api/v1/internal/tickets/{ticket_id}", "delete"),
        ("/api/v1/external/tickets/{ticket_id}", "put"),
        ("/api/v1/external/tickets/{ticket_id}/close", "post"),
        ("/api/external/tickets/{ticket_number}/close", "post"),
    ],
)
def test_a_ticket_change_declares_its_412_in_the_surfaces_error_body(
    app: FastAPI, path: str, method: str
) -> None:
    operation = _operation(app, path, method)

    answer = operation["responses"]["412"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("Error")
    assert any(parameter["name"] == "If-Match" for parameter in operation["parameters"])


def test_an_operation_on_something_else_declares_no_condition(app: FastAPI) -> None:
    operation = _operation(app, "/api/tickets", "get")

    assert not {"304", "412"} & set(operation["responses"])
