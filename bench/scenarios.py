"""The measured requests, and the database facts they are built from.

Every scenario is one kind of request on one surface, with realistic parameters picked
from the database (`discover`): an agent and a customer who have tickets, a busy
project, ids to cycle through, a word and a ticket number to search for, a cursor deep
in the REST list.
"""

from __future__ import annotations

import collections
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import asyncpg
import load
import servers

DEMO_DOMAIN = "demo.supportdesk.test"
DEMO_PASSWORD = "demo-password"
PER_PAGE = 20
DEEP_PAGE = 5000
CURSOR_DEPTH = 100_000
SAMPLE_IDS = 100
# What the create scenario's tickets carry, so they are found and removed afterwards.
BENCH_METADATA = {"bench": True}


@dataclass(frozen=True, slots=True)
class Fixtures:
    """Facts of one database the scenarios are built from."""

    database: str
    tickets: int  # not deleted
    ticket_ids: tuple[int, ...]  # spread over the table
    ticket_number: str
    project_id: int
    agent_id: int
    agent_email: str
    agent_ticket_ids: tuple[int, ...]
    agent_tickets: int
    customer_id: int
    customer_email: str
    customer_tickets: int
    search_word: str
    cursor_depth: int
    cursor_created_at: datetime | None  # the row at cursor_depth, newest first
    today: date = field(default_factory=lambda: datetime.now(UTC).date())


async def discover(database: str) -> Fixtures:
    connection = await asyncpg.connect(servers.dsn(database))
    try:
        return await _discover(connection, database)
    finally:
        await connection.close()


async def _discover(connection: asyncpg.Connection, database: str) -> Fixtures:
    tickets = await connection.fetchval("SELECT count(*) FROM tickets WHERE deleted_at IS NULL")
    if not tickets:
        raise SystemExit(f"error: {database} holds no tickets")
    low, high = await connection.fetchrow("SELECT min(id), max(id) FROM tickets")
    step = max(1, (high - low) // SAMPLE_IDS)
    candidates = list(range(low, high + 1, step))[:SAMPLE_IDS]
    ids = [
        row["id"]
        for row in await connection.fetch(
            "SELECT id FROM tickets WHERE id = ANY($1::int[]) AND deleted_at IS NULL ORDER BY id",
            candidates,
        )
    ]
    if len(ids) < 10:
        ids = [
            row["id"]
            for row in await connection.fetch(
                "SELECT id FROM tickets WHERE deleted_at IS NULL ORDER BY id LIMIT $1", SAMPLE_IDS
            )
        ]
    ticket_number = await connection.fetchval(
        "SELECT ticket_number FROM tickets WHERE id = $1", ids[len(ids) // 2]
    )
    demo = f"%@{DEMO_DOMAIN}"
    agent = await connection.fetchrow(
        """
        SELECT u.id, u.email, t.n
        FROM users u
        JOIN (SELECT assignee_id, count(*) AS n FROM tickets
              WHERE deleted_at IS NULL AND assignee_id IS NOT NULL GROUP BY assignee_id) t
          ON t.assignee_id = u.id
        WHERE u.role = 'agent' AND u.is_active AND u.deleted_at IS NULL AND u.email LIKE $1
        ORDER BY t.n DESC, u.id
        LIMIT 1
        """,
        demo,
    )
    if agent is None:
        raise SystemExit(f"error: no demo agent (…@{DEMO_DOMAIN}) has tickets in {database}")
    agent_ticket_ids = [
        row["id"]
        for row in await connection.fetch(
            "SELECT id FROM tickets WHERE assignee_id = $1 AND deleted_at IS NULL "
            "ORDER BY id DESC LIMIT $2",
            agent["id"],
            SAMPLE_IDS,
        )
    ]
    # The customer of the newest ticket: a customer as active as customers are.
    customer = await connection.fetchrow(
        """
        SELECT u.id, u.email, t.project_id
        FROM tickets t JOIN users u ON u.id = t.customer_id
        WHERE t.deleted_at IS NULL AND u.role = 'customer' AND u.is_active
          AND u.deleted_at IS NULL AND u.email LIKE $1
        ORDER BY t.created_at DESC, t.id DESC
        LIMIT 1
        """,
        demo,
    )
    if customer is None:
        raise SystemExit(f"error: no demo customer (…@{DEMO_DOMAIN}) has tickets in {database}")
    customer_tickets = await connection.fetchval(
        "SELECT count(*) FROM tickets WHERE customer_id = $1 AND deleted_at IS NULL",
        customer["id"],
    )
    subjects = await connection.fetch(
        "SELECT subject FROM tickets WHERE deleted_at IS NULL "
        "ORDER BY created_at DESC, id DESC LIMIT 500"
    )
    words = collections.Counter(
        word
        for row in subjects
        for word in re.findall(r"[a-z]+", row["subject"].lower())
        if len(word) >= 5
    )
    search_word = words.most_common(1)[0][0] if words else "ticket"
    depth = min(CURSOR_DEPTH, tickets // 2)
    cursor_created_at = await connection.fetchval(
        "SELECT created_at FROM tickets WHERE deleted_at IS NULL "
        "ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1",
        depth,
    )
    return Fixtures(
        database=database,
        tickets=tickets,
        ticket_ids=tuple(ids),
        ticket_number=ticket_number,
        project_id=customer["project_id"],
        agent_id=agent["id"],
        agent_email=agent["email"],
        agent_ticket_ids=tuple(agent_ticket_ids),
        agent_tickets=agent["n"],
        customer_id=customer["id"],
        customer_email=customer["email"],
        customer_tickets=customer_tickets,
        search_word=search_word,
        cursor_depth=depth,
        cursor_created_at=cursor_created_at,
    )


async def remove_bench_tickets(database: str) -> int:
    """Delete the tickets the create scenarios opened (and their outbox events)."""
    connection = await asyncpg.connect(servers.dsn(database))
    try:
        async with connection.transaction():
            ids = [
                row["id"]
                for row in await connection.fetch(
                    "DELETE FROM tickets WHERE metadata @> $1::jsonb RETURNING id",
                    json.dumps(BENCH_METADATA),
                )
            ]
            if ids:
                await connection.execute(
                    "DELETE FROM outbox WHERE payload ? 'ticket_id' "
                    "AND (payload->>'ticket_id')::int = ANY($1::int[])",
                    ids,
                )
        return len(ids)
    finally:
        await connection.close()


@dataclass(frozen=True, slots=True)
class Credentials:
    admin_token: str
    agent_token: str
    customer_token: str
    internal_key: str  # all scopes
    agent_key: str  # an external key acting as the fixtures' agent
    project_key: str  # the fixtures' project's key pair
    project_secret: str


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    surface: str
    method: str
    paths: tuple[str, ...]  # sent in turn
    headers: dict[str, str]
    body: bytes | None = None
    twin: bool = False  # also measured on the raw twin
    skipped: str | None = None  # why it is not measured here

    def requests(self, host: str) -> tuple[bytes, ...]:
        headers = dict(self.headers)
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        return tuple(
            load.encode_request(self.method, path, host=host, headers=headers, body=self.body)
            for path in self.paths
        )


def _query(path: str, **params: object) -> str:
    return f"{path}?{urlencode(params)}"


def create_body(project_id: int) -> bytes:
    return json.dumps(
        {
            "project_id": project_id,
            "subject": "Benchmark ticket: the invoice upload fails",
            "description": "Opened by bench/run.py to measure ticket creation.",
            "priority": "medium",
            "metadata": BENCH_METADATA,
        }
    ).encode()


def build(fx: Fixtures, creds: Credentials, rest_cursor: str | None) -> list[Scenario]:
    """Every scenario, in the order they run (the one that writes last)."""
    admin = {"Authorization": f"Bearer {creds.admin_token}"}
    agent = {"Authorization": f"Bearer {creds.agent_token}"}
    customer = {"Authorization": f"Bearer {creds.customer_token}"}
    internal = {"X-API-KEY": creds.internal_key}
    agent_key = {"X-API-KEY": creds.agent_key}
    project = {"X-Api-Key": creds.project_key, "X-Api-Secret": creds.project_secret}
    bearer_key = {"Authorization": f"Bearer {creds.internal_key}"}

    def portal_list(name: str, headers: dict[str, str], **params: object) -> Scenario:
        return Scenario(
            f"portal list {name}",
            "portal",
            "GET",
            (_query("/api/tickets", per_page=PER_PAGE, **params),),
            headers,
            twin=not params and headers is admin,
        )

    deep = _query("/api/tickets", page=DEEP_PAGE, per_page=PER_PAGE)
    deep_page = Scenario("portal list page 5000", "portal", "GET", (deep,), admin)
    if fx.tickets <= (DEEP_PAGE - 1) * PER_PAGE:
        deep_page = Scenario(
            deep_page.name,
            "portal",
            "GET",
            (deep,),
            admin,
            skipped=f"past the end of {fx.tickets:,} tickets",
        )
    rest_deep = Scenario(
        "rest list, deep cursor",
        "rest",
        "GET",
        (_query("/api/v1/tickets", limit=PER_PAGE, cursor=rest_cursor or ""),),
        bearer_key,
        skipped=None
        if rest_cursor
        else "no cursor (a list too short, or a server that cannot make one)",
    )
    month = {"from": fx.today - timedelta(days=29), "to": fx.today}
    year = {"from": fx.today - timedelta(days=364), "to": fx.today}

    def internal_report(days: int) -> Scenario:
        start = fx.today - timedelta(days=days - 1)
        path = _query("/api/v1/internal/reports/overview", start_date=start, end_date=fx.today)
        return Scenario(f"internal reports overview {days} d", "internal", "GET", (path,), internal)

    return [
        portal_list("(admin)", admin),
        portal_list("(agent)", agent),
        portal_list("(customer)", customer),
        portal_list("status=open", admin, status="open"),
        portal_list("priority=high", admin, priority="high"),
        portal_list("assigned_to=agent", admin, assigned_to=fx.agent_id),
        portal_list("search=customer e-mail", admin, search=fx.customer_email),
        portal_list("project_id", admin, project_id=fx.project_id),
        portal_list("unassigned", admin, unassigned="true"),
        portal_list("overdue", admin, overdue="true"),
        portal_list("search=word", admin, search=fx.search_word),
        portal_list("search=ticket number", admin, search=fx.ticket_number),
        deep_page,
        Scenario(
            "project API list",
            "project",
            "GET",
            (_query("/api/external/tickets", per_page=PER_PAGE),),
            project,
        ),
        Scenario(
            "internal list",
            "internal",
            "GET",
            (_query("/api/v1/internal/tickets", per_page=PER_PAGE),),
            internal,
        ),
        Scenario(
            "internal list status=open",
            "internal",
            "GET",
            (_query("/api/v1/internal/tickets", per_page=PER_PAGE, status="open"),),
            internal,
        ),
        Scenario(
            "internal list customer_id",
            "internal",
            "GET",
            (_query("/api/v1/internal/tickets", per_page=PER_PAGE, customer_id=fx.customer_id),),
            internal,
        ),
        Scenario(
            "agent API list",
            "agent",
            "GET",
            (_query("/api/v1/external/tickets", per_page=PER_PAGE),),
            agent_key,
        ),
        Scenario(
            "rest list", "rest", "GET", (_query("/api/v1/tickets", limit=PER_PAGE),), bearer_key
        ),
        rest_deep,
        Scenario(
            "simple API list",
            "legacy",
            "GET",
            (_query("/api/tickets_list.php", user_email=fx.customer_email),),
            bearer_key,
        ),
        Scenario(
            "portal detail",
            "portal",
            "GET",
            tuple(f"/api/tickets/{ticket_id}" for ticket_id in fx.ticket_ids),
            admin,
            twin=True,
        ),
        Scenario(
            "internal detail",
            "internal",
            "GET",
            tuple(f"/api/v1/internal/tickets/{ticket_id}" for ticket_id in fx.ticket_ids),
            internal,
        ),
        Scenario(
            "agent API detail",
            "agent",
            "GET",
            tuple(f"/api/v1/external/tickets/{ticket_id}" for ticket_id in fx.agent_ticket_ids),
            agent_key,
        ),
        Scenario("portal auth/me", "portal", "GET", ("/api/auth/me",), admin),
        Scenario(
            "portal reports overview 30 d",
            "portal",
            "GET",
            (_query("/api/reports/overview", **month),),
            admin,
        ),
        Scenario(
            "portal reports overview 365 d",
            "portal",
            "GET",
            (_query("/api/reports/overview", **year),),
            admin,
        ),
        internal_report(30),
        internal_report(365),
        Scenario(
            "portal create",
            "portal",
            "POST",
            ("/api/tickets",),
            admin,
            body=create_body(fx.project_id),
            twin=True,
        ),
    ]
