"""Raw twins of three portal endpoints: asyncpg and json, no FastAPI, SQLAlchemy or pydantic.

    GET  /api/tickets?page=&per_page=   the ticket list, as an administrator sees it
    GET  /api/tickets/{id}              a ticket's detail, as an administrator sees it
    POST /api/tickets                   a new ticket (JSON body), opened by an administrator

Each twin sends the statements the product sends for the same request (texts copied
from SQLAlchemy's rendering; bench/sqlcheck.py compares them with the product's) in one
transaction (the ticket number in one of its own, as the product takes it), and answers
the same JSON (bench/twincheck.py compares it). The bearer token is checked as the
product checks it: its HS256 signature and expiry (python-jose, the product's secret),
then the user and the token's revocation in the product's one statement; a token
resolved in the last ``principal_cache_seconds`` is answered from the process's memory,
as the product's principal cache answers it. Only administrators are served (the one
principal whose visibility needs no condition); anybody else gets 403. What the
product's other layers do (rate limiting, validation of every field, error envelopes
for every case) the twins do not.

Served by uvicorn, one asyncpg pool per worker (bench/servers.py starts it so):

    BENCH_TWIN_DSN=postgresql://postgres@127.0.0.1:5432/db BENCH_TWIN_SECRET=… \\
    BENCH_TWIN_PRINCIPAL_CACHE_SECONDS=5 \\
        uvicorn twins:create_app --factory --app-dir bench --workers 2
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import asyncpg
from jose import JWTError, jwt

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ADMIN_ROLES = frozenset({"super_admin", "admin"})
# The product's SLA targets when no policy applies (services/sla.py DEFAULT_TARGETS).
DEFAULT_TARGETS = {
    "critical": (15, 120),
    "high": (60, 480),
    "medium": (240, 1440),
    "low": (480, 4800),
}
PRIORITIES = frozenset(DEFAULT_TARGETS)
MAX_PER_PAGE = 100
MAX_CACHED_PRINCIPALS = 10_000

# ------------------------------------------------------------------------ statements
# As SQLAlchemy renders them for the product (PostgreSQL, asyncpg). "{ids}" stands for
# an IN list of as many $n::INTEGER parameters as there are ids.

PRINCIPAL_SQL = (
    "SELECT users.id, users.name, users.email, users.password_hash, users.role, "
    "users.phone, users.department, users.company, users.locale, users.timezone, "
    "users.avatar_url, users.envato_username, users.notification_settings, "
    "users.custom_fields, users.is_active, users.last_login_at, users.deleted_at, "
    "users.tokens_valid_after, users.created_at, users.updated_at, "
    "EXISTS (SELECT * \nFROM revoked_tokens \nWHERE revoked_tokens.jti = $1::VARCHAR) AS revoked \nFROM users \nWHERE users.id = $2::INTEGER AND users.deleted_at IS NULL"
)
LIST_SQL = (
    "SELECT tickets.id, tickets.ticket_number, tickets.subject, tickets.status, "
    "tickets.priority, tickets.customer_name, tickets.customer_email, "
    "tickets.assignee_id, tickets.last_activity_at, tickets.created_at, "
    "tickets.updated_at, (SELECT count(messages.id) AS count_1 FROM messages WHERE "
    "messages.ticket_id = tickets.id AND messages.type = $1) AS reply_count, "
    "projects.id AS project_id, projects.name AS project_name, projects.slug AS "
    "project_slug, categories.id AS category_id, categories.name AS category_name, "
    "categories.color AS category_color, users_1.id AS creator_id, users_1.name AS "
    "creator_name, users_2.name AS assignee_name FROM tickets JOIN projects ON "
    "projects.id = tickets.project_id LEFT OUTER JOIN categories ON categories.id = "
    "tickets.category_id LEFT OUTER JOIN users AS users_1 ON users_1.id = "
    "tickets.creator_id LEFT OUTER JOIN users AS users_2 ON users_2.id = "
    "tickets.assignee_id WHERE tickets.id IN (SELECT tickets.id FROM tickets WHERE "
    "tickets.deleted_at IS NULL ORDER BY tickets.created_at DESC, tickets.id DESC "
    "LIMIT $2::INTEGER OFFSET $3::INTEGER) ORDER BY tickets.created_at DESC, "
    "tickets.id DESC"
)
TAGS_SQL = (
    "SELECT ticket_tags.ticket_id, tags.id, tags.name, tags.color FROM ticket_tags "
    "JOIN tags ON tags.id = ticket_tags.tag_id WHERE ticket_tags.ticket_id IN "
    "({ids}) ORDER BY ticket_tags.ticket_id, tags.id"
)
TALLY_TOTAL_SQL = (
    "SELECT coalesce(sum(ticket_tallies.tickets), $1::INTEGER) AS coalesce_1 \nFROM ticket_tallies"
)
DETAIL_SQL = (
    "SELECT tickets.id, tickets.ticket_number, tickets.subject, "
    "tickets.description, tickets.status, tickets.priority, tickets.source, "
    "tickets.customer_name, tickets.customer_email, tickets.customer_phone, "
    "tickets.assignee_id, tickets.metadata AS meta, tickets.is_locked, "
    "tickets.first_response_due_at, tickets.resolution_due_at, "
    "tickets.first_responded_at, tickets.first_response_breached_at, "
    "tickets.resolution_breached_at, tickets.sla_paused_at, tickets.resolved_at, "
    "tickets.closed_at, tickets.last_activity_at, tickets.created_at, "
    "tickets.updated_at, tickets.version, projects.id AS project_id, projects.name "
    "AS project_name, projects.slug AS project_slug, categories.id AS category_id, "
    "categories.name AS category_name, categories.color AS category_color, "
    "users_1.id AS creator_id, users_1.name AS creator_name, users_2.name AS "
    "assignee_name, sla_policies.id AS sla_id, sla_policies.project_id AS "
    "sla_project_id, sla_policies.priority AS sla_priority, "
    "sla_policies.first_response_minutes AS sla_first_response_minutes, "
    "sla_policies.resolution_minutes AS sla_resolution_minutes, "
    "sla_policies.business_calendar_id AS sla_business_calendar_id, "
    "business_calendars.id AS calendar_id, business_calendars.name AS "
    "calendar_name, business_calendars.timezone AS calendar_timezone, "
    "business_calendars.is_24x7 AS calendar_is_24x7, business_calendars.hours AS "
    "calendar_hours, business_calendars.holidays AS calendar_holidays, "
    "business_calendars.country AS calendar_country, business_calendars.subdivision "
    "AS calendar_subdivision, ratings.score AS rating_score, ratings.comment AS "
    "rating_comment, ratings.created_at AS rated_at FROM tickets JOIN projects ON "
    "projects.id = tickets.project_id LEFT OUTER JOIN categories ON categories.id = "
    "tickets.category_id LEFT OUTER JOIN users AS users_1 ON users_1.id = "
    "tickets.creator_id LEFT OUTER JOIN users AS users_2 ON users_2.id = "
    "tickets.assignee_id LEFT OUTER JOIN sla_policies ON sla_policies.id = "
    "tickets.sla_policy_id LEFT OUTER JOIN business_calendars ON "
    "business_calendars.id = tickets.business_calendar_id LEFT OUTER JOIN ratings "
    "ON ratings.ticket_id = tickets.id WHERE tickets.id = $1::INTEGER AND "
    "tickets.deleted_at IS NULL"
)
MESSAGES_SQL = (
    "SELECT messages.id, messages.body, messages.type, messages.is_first_response, "
    "messages.created_at, users.id AS id_1, users.name FROM messages LEFT OUTER "
    "JOIN users ON users.id = messages.author_id WHERE messages.ticket_id = "
    "$1::INTEGER ORDER BY messages.id"
)
ATTACHMENTS_SQL = (
    "SELECT attachments.id, attachments.message_id, attachments.filename, "
    "attachments.content_type, attachments.size, attachments.created_at FROM "
    "attachments WHERE attachments.ticket_id = $1::INTEGER ORDER BY attachments.id"
)
ACTIVITIES_SQL = (
    "SELECT activities.id, activities.action, activities.description, "
    "activities.changes, activities.created_at, users.id AS id_1, users.name FROM "
    "activities LEFT OUTER JOIN users ON users.id = activities.user_id WHERE "
    "activities.ticket_id = $1::INTEGER ORDER BY activities.id"
)
DETAIL_TAGS_SQL = (
    "SELECT tags.id, tags.name, tags.color FROM tags JOIN ticket_tags ON "
    "ticket_tags.tag_id = tags.id WHERE ticket_tags.ticket_id = $1::INTEGER ORDER "
    "BY tags.id"
)
WATCHERS_SQL = (
    "SELECT users.id, users.name FROM users JOIN watchers ON watchers.user_id = "
    "users.id WHERE watchers.ticket_id = $1::INTEGER ORDER BY watchers.created_at"
)
PROJECT_SQL = (
    "SELECT projects.id, projects.name, projects.slug, projects.ticket_prefix, "
    "projects.description, projects.support_email, projects.website_url, "
    "projects.timezone, projects.settings, projects.is_active, "
    "projects.business_calendar_id, projects.created_at, projects.updated_at FROM "
    "projects WHERE projects.id = $1::INTEGER"
)
SETTING_SQL = (
    "SELECT settings.key, settings.value, settings.updated_at \nFROM settings \n"
    "WHERE settings.key = $1::VARCHAR"
)
COUNTER_SQL = (
    "INSERT INTO ticket_counters (project_id, year, last_number) VALUES ($1::INTEGER, "
    "$2::INTEGER, $3::INTEGER) ON CONFLICT (project_id, "
    "year) DO UPDATE SET last_number = (ticket_counters.last_number + $4::INTEGER) RETURNING ticket_counters.last_number"
)
SLA_POLICY_SQL = (
    "SELECT sla_policies.id, sla_policies.project_id, sla_policies.priority, "
    "sla_policies.first_response_minutes, sla_policies.resolution_minutes, "
    "sla_policies.business_calendar_id, sla_policies.created_at, "
    "sla_policies.updated_at FROM sla_policies WHERE sla_policies.priority = $1 AND "
    "(sla_policies.project_id = $2::INTEGER OR sla_policies.project_id IS NULL) "
    "ORDER BY sla_policies.project_id IS NULL LIMIT $3::INTEGER"
)
INSERT_TICKET_SQL = (
    "INSERT INTO tickets (project_id, year, number, ticket_number, subject, "
    "description, status, priority, source, customer_id, customer_name, "
    "customer_email, customer_phone, external_customer_id, creator_id, assignee_id, "
    "category_id, department_id, product_id, metadata, custom_fields, is_locked, "
    "sla_policy_id, first_response_due_at, resolution_due_at, first_responded_at, "
    "first_response_breached_at, resolution_breached_at, sla_started_at, "
    "sla_paused_at, sla_paused_seconds, business_calendar_id, "
    "first_response_warns_at, resolution_warns_at, first_response_warned_at, "
    "resolution_warned_at, last_reply_at, last_reply_by, last_activity_at, "
    "resolved_at, closed_at, deleted_at, version, created_at, updated_at) VALUES "
    "($1::INTEGER, $2::INTEGER, $3::INTEGER, $4::VARCHAR, $5::VARCHAR, $6::VARCHAR, "
    "$7, $8, $9, $10::INTEGER, $11::VARCHAR, $12::VARCHAR, $13::VARCHAR, "
    "$14::VARCHAR, $15::INTEGER, $16::INTEGER, $17::INTEGER, $18::INTEGER, "
    "$19::INTEGER, $20::JSONB, $21::JSONB, $22::BOOLEAN, $23::INTEGER, "
    "$24::TIMESTAMP WITH TIME ZONE, $25::TIMESTAMP WITH TIME ZONE, $26::TIMESTAMP "
    "WITH TIME ZONE, $27::TIMESTAMP WITH TIME ZONE, $28::TIMESTAMP WITH TIME ZONE, "
    "$29::TIMESTAMP WITH TIME ZONE, $30::TIMESTAMP WITH TIME ZONE, $31::INTEGER, "
    "$32::INTEGER, $33::TIMESTAMP WITH TIME ZONE, $34::TIMESTAMP WITH TIME ZONE, "
    "$35::TIMESTAMP WITH TIME ZONE, $36::TIMESTAMP WITH TIME ZONE, $37::TIMESTAMP "
    "WITH TIME ZONE, $38, $39::TIMESTAMP WITH TIME ZONE, $40::TIMESTAMP WITH TIME "
    "ZONE, $41::TIMESTAMP WITH TIME ZONE, $42::TIMESTAMP WITH TIME ZONE, "
    "$43::INTEGER, $44::TIMESTAMP WITH TIME ZONE, $45::TIMESTAMP WITH TIME ZONE) "
    "RETURNING tickets.id"
)
INSERT_ACTIVITY_SQL = (
    "INSERT INTO activities (ticket_id, user_id, api_key_id, action, description, changes, "
    "ip_address, created_at) VALUES ($1::INTEGER, $2::INTEGER, $3::INTEGER, $4::VARCHAR, "
    "$5::VARCHAR, $6::JSONB, $7::VARCHAR, "
    "$8::TIMESTAMP WITH TIME ZONE) RETURNING activities.id"
)
INSERT_OUTBOX_SQL = (
    "INSERT INTO outbox (event_type, payload, created_at, published_at, handled_at, "
    "failed_at, attempts, last_error) VALUES ($1::VARCHAR, $2::JSONB, "
    "$3::TIMESTAMP WITH TIME ZONE, $4::TIMESTAMP WITH TIME ZONE, "
    "$5::TIMESTAMP WITH TIME ZONE, $6::TIMESTAMP WITH TIME ZONE, $7::INTEGER, "
    "$8::VARCHAR) RETURNING outbox.id"
)
DEPARTMENT_SQL = (
    "SELECT departments.id, departments.name, departments.description, departments.email, "
    "departments.is_default, departments.status, departments.sort_order, "
    "departments.created_at, departments.updated_at \nFROM departments \n"
    "WHERE departments.id = $1::INTEGER"
)


# ------------------------------------------------------------------------ rendering


def in_list(count: int) -> str:
    """The IN list SQLAlchemy renders for ``count`` integer ids."""
    return ", ".join(f"${n}::INTEGER" for n in range(1, count + 1))


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 as the product writes it: whole seconds, in UTC, with "Z"."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# The portal's word for each stored status where the two differ (README: ticket statuses).
PORTAL_STATUS = {"on_hold": "in_progress"}


def portal_status(stored: str) -> str:
    return PORTAL_STATUS.get(stored, stored)


def brief(user_id: int | None, name: str | None) -> dict[str, Any] | None:
    return None if user_id is None else {"id": user_id, "name": name}


def project_brief(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": row["project_id"], "name": row["project_name"], "slug": row["project_slug"]}


def category_brief(row: Mapping[str, Any]) -> dict[str, Any] | None:
    if row["category_id"] is None:
        return None
    return {"id": row["category_id"], "name": row["category_name"], "color": row["category_color"]}


def attachment(row: asyncpg.Record) -> dict[str, Any]:
    """An attachment row of ATTACHMENTS_SQL."""
    return {
        "id": row[0],
        "filename": row[2],
        "content_type": row[3],
        "size": row[4],
        "url": f"/api/attachments/{row[0]}",
        "created_at": timestamp(row[5]),
    }


def sla_policy(
    policy_id: int | None, row: Mapping[str, Any] | None, priority: str
) -> dict[str, Any]:
    """The ticket's SLA policy (``row``), or the default targets when none applies."""
    if policy_id is None:
        first_response, resolution = DEFAULT_TARGETS[priority]
        return {
            "id": None,
            "project_id": None,
            "priority": priority,
            "first_response_minutes": first_response,
            "resolution_minutes": resolution,
            "business_calendar_id": None,
        }
    assert row is not None
    if row["business_calendar_id"] is not None:
        raise HttpError(400, "The twin counts SLA time around the clock, never in a calendar.")
    return {
        "id": policy_id,
        "project_id": row["project_id"],
        "priority": row["priority"],
        "first_response_minutes": row["first_response_minutes"],
        "resolution_minutes": row["resolution_minutes"],
        "business_calendar_id": None,
    }


# Statuses in which both SLA clocks have stopped.
FINISHED = frozenset({"resolved", "closed"})


def _left(due: datetime | None, since: datetime) -> int | None:
    """Whole seconds from ``since`` to ``due`` around the clock (0 once due)."""
    return None if due is None else max(0, int((due - since) // timedelta(seconds=1)))


def sla_clocks(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Each target's due time and time left, as the product counts them with no calendar."""
    finished = row["status"] in FINISHED
    answering = row["first_responded_at"] is None and not finished
    paused_at = row["sla_paused_at"]
    return {
        "business_calendar": None,
        "first_response": {
            "due_at": timestamp(row["first_response_due_at"]),
            "remaining_business_seconds": (
                _left(row["first_response_due_at"], now) if answering else None
            ),
            "paused": False,
        },
        "resolution": {
            "due_at": timestamp(row["resolution_due_at"]),
            "remaining_business_seconds": (
                None if finished else _left(row["resolution_due_at"], paused_at or now)
            ),
            "paused": paused_at is not None and not finished,
        },
    }


class HttpError(Exception):
    def __init__(self, status: int, message: str, details: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"error": message}
        if details:
            self.body["details"] = details


def _invalid(field: str, message: str) -> HttpError:
    return HttpError(422, "The given data was invalid.", {field: [message]})


async def _no_reset(_: asyncpg.Connection) -> None:
    """Connections go back to the pool as they are, as SQLAlchemy's pool returns them
    (asyncpg would otherwise send a reset query each time)."""


async def _set_codecs(connection: asyncpg.Connection) -> None:
    """JSON and JSONB as the product's driver reads and writes them (binary, json module)."""
    await connection.set_type_codec(
        "json",
        encoder=str.encode,
        decoder=lambda raw: json.loads(raw.decode()),
        schema="pg_catalog",
        format="binary",
    )
    await connection.set_type_codec(
        "jsonb",
        encoder=lambda text: b"\x01" + text.encode(),
        decoder=lambda raw: json.loads(raw[1:].decode()),
        schema="pg_catalog",
        format="binary",
    )


# ------------------------------------------------------------------------ the application


class Twins:
    def __init__(self, dsn: str, secret: str, cache_seconds: float = 0.0) -> None:
        self.dsn = dsn
        self.secret = secret
        self.cache_seconds = cache_seconds
        # token -> (cached until, epoch seconds; the user's row)
        self._principals: dict[str, tuple[float, asyncpg.Record]] = {}
        self._pool: asyncpg.Pool | None = None
        self._numbers: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None, "used before the lifespan started it"
        return self._pool

    async def _next_number(self, project_id: int, year: int) -> int:
        """The project's next ticket number, committed at once in a transaction of its own
        (as the product takes it: creators queue on the counter for one statement)."""
        assert self._numbers is not None, "used before the lifespan started it"
        async with self._numbers.acquire() as connection, connection.transaction():
            number: int = await connection.fetchval(COUNTER_SQL, project_id, year, 1, 1)
            return number

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            status, body = await self._route(scope, receive)
        except HttpError as error:
            status, body = error.status, error.body
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def start(self, on_query: Callable[[Any], None] | None = None) -> None:
        """Open the pool; ``on_query`` is told of every statement sent (bench/sqlcheck.py)."""

        async def prepare(connection: asyncpg.Connection) -> None:
            await _set_codecs(connection)
            if on_query is not None:
                connection.add_query_logger(on_query)

        # As many connections as the product's pools may open: 10 + 20 overflow for
        # requests, 2 + 4 for ticket numbers (committed apart from the request).
        self._pool = await asyncpg.create_pool(
            self.dsn, min_size=1, max_size=30, init=prepare, reset=_no_reset
        )
        self._numbers = await asyncpg.create_pool(
            self.dsn, min_size=1, max_size=6, init=prepare, reset=_no_reset
        )

    async def stop(self) -> None:
        for pool in (self._pool, self._numbers):
            if pool is not None:
                await pool.close()
        self._pool = self._numbers = None

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.start()
                except (OSError, asyncpg.PostgresError) as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _route(self, scope: Scope, receive: Receive) -> tuple[int, Any]:
        method, path = scope["method"], scope["path"]
        if path == "/health":
            return 200, {"status": "ok"}
        if path == "/api/tickets":
            if method == "GET":
                return 200, await self.list_page(scope)
            if method == "POST":
                return 201, await self.create(scope, await _read_body(receive))
        elif path.startswith("/api/tickets/") and method == "GET":
            ticket_id = path.removeprefix("/api/tickets/")
            if ticket_id.isdigit():
                return 200, await self.detail(scope, int(ticket_id))
        raise HttpError(404, "Not found.")

    # ---------------------------------------------------------------- who is asking

    def _token(self, scope: Scope) -> str:
        """The request's bearer token (not yet verified)."""
        header = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                header = value
        scheme, _, token = header.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HttpError(401, "Unauthenticated.")
        return token.strip()

    def _claims(self, token: str) -> tuple[int, str, int]:
        """(user id, token id, expiry) of a token whose signature holds."""
        try:
            payload = jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"verify_exp": False}
            )
            return int(payload["sub"]), str(payload["jti"]), int(payload["exp"])
        except (JWTError, KeyError, TypeError, ValueError):
            raise HttpError(401, "Invalid token.") from None

    async def _administrator(self, connection: asyncpg.Connection, token: str) -> asyncpg.Record:
        """The administrator behind the token: from this process's cache when it resolved
        the same token in the last ``cache_seconds`` (as the product's principal cache
        answers, without verifying the token again), else verified and looked up."""
        now = time.time()
        cached = self._principals.get(token)
        if cached is not None and now < cached[0]:
            user = cached[1]
        else:
            user_id, jti, expires = self._claims(token)
            if now >= expires:
                raise HttpError(401, "Token has expired.")
            user = await connection.fetchrow(PRINCIPAL_SQL, jti, user_id)
            if user is None:
                raise HttpError(401, "Invalid token.")
            if user["revoked"]:
                raise HttpError(401, "Token has been revoked.")
            if not user["is_active"]:
                raise HttpError(401, "Account is disabled.")
            if self.cache_seconds > 0:
                if len(self._principals) >= MAX_CACHED_PRINCIPALS:
                    self._principals.clear()
                self._principals[token] = (min(now + self.cache_seconds, expires), user)
        if user["role"] not in ADMIN_ROLES:
            raise HttpError(403, "The twins serve administrators only.")
        return user

    # ---------------------------------------------------------------- reads

    async def _tags(
        self, connection: asyncpg.Connection, ticket_ids: list[int]
    ) -> dict[int, list[dict[str, Any]]]:
        rows = await connection.fetch(TAGS_SQL.format(ids=in_list(len(ticket_ids))), *ticket_ids)
        tags: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            tags.setdefault(row[0], []).append({"id": row[1], "name": row[2], "color": row[3]})
        return tags

    async def list_page(self, scope: Scope) -> dict[str, Any]:
        query = parse_qs(scope["query_string"].decode("latin-1"))
        unknown = set(query) - {"page", "per_page"}
        if unknown:
            raise HttpError(400, f"The twin lists without filters: {', '.join(sorted(unknown))}.")
        try:
            page = int(query.get("page", ["1"])[0])
            per_page = int(query.get("per_page", ["20"])[0])
        except ValueError:
            raise HttpError(422, "page and per_page are integers.") from None
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            raise HttpError(422, "page is at least 1, per_page 1 to 100.")
        offset = (page - 1) * per_page
        token = self._token(scope)
        async with self.pool.acquire() as connection, connection.transaction():
            await self._administrator(connection, token)
            rows = await connection.fetch(LIST_SQL, "reply", per_page, offset)
            tags = await self._tags(connection, [row["id"] for row in rows]) if rows else {}
            # A short page, or an empty first one, ends the list; otherwise ask the tallies.
            if (rows and len(rows) < per_page) or (not rows and page == 1):
                total = offset + len(rows)
            else:
                total = int(await connection.fetchval(TALLY_TOTAL_SQL, 0))
        items = [
            {
                "id": row["id"],
                "ticket_number": row["ticket_number"],
                "subject": row["subject"],
                "status": portal_status(row["status"]),
                "priority": row["priority"],
                "reply_count": row["reply_count"],
                "project": project_brief(row),
                "category": category_brief(row),
                "assignee": brief(row["assignee_id"], row["assignee_name"]),
                "creator": brief(row["creator_id"], row["creator_name"]),
                "tags": tags.get(row["id"], []),
                "last_activity_at": timestamp(row["last_activity_at"]),
                "created_at": timestamp(row["created_at"]),
            }
            for row in rows
        ]
        return {
            "data": items,
            "current_page": page,
            "last_page": max(1, math.ceil(total / per_page)),
            "total": total,
            "per_page": per_page,
        }

    async def detail(self, scope: Scope, ticket_id: int) -> dict[str, Any]:
        token = self._token(scope)
        async with self.pool.acquire() as connection, connection.transaction():
            await self._administrator(connection, token)
            row = await connection.fetchrow(DETAIL_SQL, ticket_id)
            if row is None:
                raise HttpError(404, "Ticket not found.")
            tags = await connection.fetch(DETAIL_TAGS_SQL, ticket_id)
            messages = await connection.fetch(MESSAGES_SQL, ticket_id)
            attachments = await connection.fetch(ATTACHMENTS_SQL, ticket_id)
            activities = await connection.fetch(ACTIVITIES_SQL, ticket_id)
            watchers = await connection.fetch(WATCHERS_SQL, ticket_id)
        # A message's attachments are among the ticket's (each names its ticket).
        if row["calendar_id"] is not None:
            raise HttpError(400, "The twin counts SLA time around the clock, never in a calendar.")
        files: dict[int, list[dict[str, Any]]] = {}
        for file in attachments:
            if file[1] is not None:
                files.setdefault(file[1], []).append(attachment(file))
        ticket = {
            "id": row["id"],
            "ticket_number": row["ticket_number"],
            "subject": row["subject"],
            "description": row["description"],
            "status": portal_status(row["status"]),
            "priority": row["priority"],
            "source": row["source"],
            "customer_name": row["customer_name"],
            "customer_email": row["customer_email"],
            "customer_phone": row["customer_phone"],
            "assigned_to": row["assignee_id"],
            "project": project_brief(row),
            "category": category_brief(row),
            "creator": brief(row["creator_id"], row["creator_name"]),
            "assignee": brief(row["assignee_id"], row["assignee_name"]),
            "tags": [{"id": tag[0], "name": tag[1], "color": tag[2]} for tag in tags],
            "metadata": row["meta"],
            "is_locked": row["is_locked"],
            "sla_policy": sla_policy(
                row["sla_id"],
                {
                    "project_id": row["sla_project_id"],
                    "priority": row["sla_priority"],
                    "first_response_minutes": row["sla_first_response_minutes"],
                    "resolution_minutes": row["sla_resolution_minutes"],
                    "business_calendar_id": row["sla_business_calendar_id"],
                },
                row["priority"],
            ),
            "first_response_due_at": timestamp(row["first_response_due_at"]),
            "resolution_due_at": timestamp(row["resolution_due_at"]),
            "first_responded_at": timestamp(row["first_responded_at"]),
            "first_response_breached": row["first_response_breached_at"] is not None,
            "resolution_breached": row["resolution_breached_at"] is not None,
            "sla_clocks": sla_clocks(row, datetime.now(UTC)),
            "resolved_at": timestamp(row["resolved_at"]),
            "closed_at": timestamp(row["closed_at"]),
            "last_activity_at": timestamp(row["last_activity_at"]),
            "created_at": timestamp(row["created_at"]),
            "updated_at": timestamp(row["updated_at"]),
            "messages": [
                {
                    "id": message[0],
                    "body": message[1],
                    "type": message[2],
                    "is_first_response": message[3],
                    "user": brief(message[5], message[6]),
                    "attachments": files.get(message[0], []),
                    "created_at": timestamp(message[4]),
                }
                for message in messages
            ],
            "attachments": [attachment(file) for file in attachments],
            "activities": [
                {
                    "id": activity[0],
                    "action": activity[1],
                    "description": activity[2],
                    "changes": activity[3],
                    "user": brief(activity[5], activity[6]),
                    "created_at": timestamp(activity[4]),
                }
                for activity in activities
            ],
            "watchers": [{"id": watcher[0], "name": watcher[1]} for watcher in watchers],
            "rating": (
                None
                if row["rating_score"] is None
                else {
                    "score": row["rating_score"],
                    "comment": row["rating_comment"],
                    "created_at": timestamp(row["rated_at"]),
                }
            ),
        }
        return {"ticket": ticket}

    # ---------------------------------------------------------------- the one write

    async def create(self, scope: Scope, raw: bytes) -> dict[str, Any]:
        new = _new_ticket(raw)
        token = self._token(scope)
        client = scope.get("client")
        ip_address = client[0] if client else None
        async with self.pool.acquire() as connection, connection.transaction():
            user = await self._administrator(connection, token)
            project = await connection.fetchrow(PROJECT_SQL, new["project_id"])
            if project is None or not project["is_active"]:
                raise _invalid("project_id", "The selected project id is invalid.")
            if project["business_calendar_id"] is not None:
                raise HttpError(
                    400, "The twin counts SLA time around the clock, never in a calendar."
                )
            department_id = None
            default_department = await connection.fetchrow(SETTING_SQL, "sd_default_department_id")
            value = default_department["value"] if default_department is not None else None
            if isinstance(value, int) and not isinstance(value, bool):
                department = await connection.fetchrow(DEPARTMENT_SQL, value)
                department_id = department["id"] if department is not None else None
            priority = new["priority"]
            if priority is None:
                setting = await connection.fetchrow(SETTING_SQL, "sd_default_priority")
                priority = (setting["value"] if setting is not None else None) or "medium"
            now = datetime.now(UTC)
            number = await self._next_number(project["id"], now.year)
            ticket_number = f"{project['ticket_prefix']}-{now.year}-{number:05d}"
            policy = await connection.fetchrow(SLA_POLICY_SQL, priority, project["id"], 1)
            if policy is None:
                first_response, resolution = DEFAULT_TARGETS[priority]
            else:
                first_response = policy["first_response_minutes"]
                resolution = policy["resolution_minutes"]
            if policy is not None and policy["business_calendar_id"] is not None:
                raise HttpError(
                    400, "The twin counts SLA time around the clock, never in a calendar."
                )
            first_response_due = now + timedelta(minutes=first_response)
            resolution_due = now + timedelta(minutes=resolution)
            # Warned of at 80% of each target (seconds, rounded down).
            first_response_warns = now + timedelta(seconds=first_response * 60 * 80 // 100)
            resolution_warns = now + timedelta(seconds=resolution * 60 * 80 // 100)
            ticket_id = await connection.fetchval(
                INSERT_TICKET_SQL,
                *(project["id"], now.year, number, ticket_number),
                *(new["subject"], new["description"], "open", priority, "portal"),
                *(None, user["name"], user["email"], user["phone"], None),
                *(user["id"], None, None, department_id, None),
                *(json.dumps(new["metadata"]), "{}", False),
                *(policy["id"] if policy is not None else None, first_response_due),
                *(resolution_due, None, None, None, now, None, 0),
                *(None, first_response_warns, resolution_warns, None, None),
                *(None, None, now, None, None, None, 1, now, now),
            )
            await connection.fetchval(
                INSERT_ACTIVITY_SQL,
                *(ticket_id, user["id"], None, "created", f"Ticket {ticket_number} created"),
                *("{}", ip_address, datetime.now(UTC)),
            )
            event = {
                "ticket_id": ticket_id,
                "ticket_number": ticket_number,
                "project_id": project["id"],
                "actor_id": user["id"],
            }
            await connection.fetchval(
                INSERT_OUTBOX_SQL,
                *(
                    "ticket.created",
                    json.dumps(event),
                    datetime.now(UTC),
                    None,
                    None,
                    None,
                    0,
                    None,
                ),
            )
        ticket = {
            "id": ticket_id,
            "ticket_number": ticket_number,
            "subject": new["subject"],
            "description": new["description"],
            "status": "open",
            "priority": priority,
            "source": "portal",
            "customer_name": user["name"],
            "customer_email": user["email"],
            "customer_phone": user["phone"],
            "assigned_to": None,
            "project": {"id": project["id"], "name": project["name"], "slug": project["slug"]},
            "category": None,
            "creator": {"id": user["id"], "name": user["name"]},
            "assignee": None,
            "tags": [],
            "metadata": new["metadata"],
            "is_locked": False,
            "sla_policy": sla_policy(policy["id"] if policy else None, policy, priority),
            "first_response_due_at": timestamp(first_response_due),
            "resolution_due_at": timestamp(resolution_due),
            "first_responded_at": None,
            "first_response_breached": False,
            "resolution_breached": False,
            "sla_clocks": {
                "business_calendar": None,
                "first_response": {
                    "due_at": timestamp(first_response_due),
                    "remaining_business_seconds": _left(first_response_due, now),
                    "paused": False,
                },
                "resolution": {
                    "due_at": timestamp(resolution_due),
                    "remaining_business_seconds": _left(resolution_due, now),
                    "paused": False,
                },
            },
            "resolved_at": None,
            "closed_at": None,
            "last_activity_at": timestamp(now),
            "created_at": timestamp(now),
            "updated_at": timestamp(now),
        }
        return {"ticket": ticket}


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


# What the twin's create takes: the fields of the benchmark's request and no others.
_CREATE_FIELDS = frozenset({"project_id", "subject", "description", "priority", "metadata"})


def _new_ticket(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except ValueError:
        raise HttpError(400, "The request body is not JSON.") from None
    if not isinstance(body, dict):
        raise HttpError(400, "The request body must be a JSON object.")
    unknown = set(body) - _CREATE_FIELDS
    if unknown:
        raise HttpError(400, f"The twin does not take {', '.join(sorted(unknown))}.")
    project_id, subject, description = (
        body.get(n) for n in ("project_id", "subject", "description")
    )
    priority, metadata = body.get("priority"), body.get("metadata") or {}
    if not isinstance(project_id, int) or isinstance(project_id, bool) or project_id < 1:
        raise _invalid("project_id", "The project id field is required.")
    if not isinstance(subject, str) or not 1 <= len(subject) <= 255:
        raise _invalid("subject", "The subject field is required.")
    if not isinstance(description, str) or not description:
        raise _invalid("description", "The description field is required.")
    if priority is not None and priority not in PRIORITIES:
        raise _invalid("priority", "The selected priority is invalid.")
    if not isinstance(metadata, dict):
        raise _invalid("metadata", "The metadata must be an object.")
    return {
        "project_id": project_id,
        "subject": subject,
        "description": description,
        "priority": priority,
        "metadata": metadata,
    }


def create_app() -> Twins:
    """The ASGI application, configured from BENCH_TWIN_DSN, BENCH_TWIN_SECRET and
    BENCH_TWIN_PRINCIPAL_CACHE_SECONDS (the product's ``principal_cache_seconds``)."""
    return Twins(
        os.environ["BENCH_TWIN_DSN"],
        os.environ["BENCH_TWIN_SECRET"],
        float(os.environ.get("BENCH_TWIN_PRINCIPAL_CACHE_SECONDS", "0")),
    )
