"""Writing the demo rows fast: COPY on PostgreSQL, executemany on SQLite.

The reference data is written in one transaction, then every chunk of tickets in
transactions of its own, so that an interrupted run keeps what it wrote: the id
sequences and the ticket counters move past the new rows in the transaction that writes
them. The next chunk is generated in a thread while the current one is written; on
PostgreSQL a chunk's tickets and the previous chunk's conversations are written at the
same time, on two connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.passwords import hash_password
from supportdesk.core import clock
from supportdesk.core.db import Database
from supportdesk.core.enums import Priority
from supportdesk.demo.generate import (
    COLUMNS,
    DEFAULT_CHUNK_SIZE,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    ID_TABLES,
    Batch,
    DemoPlan,
    Existing,
    plan_setup,
    ticket_batches,
)
from supportdesk.demo.progress import Progress
from supportdesk.models import (
    Base,
    Category,
    Department,
    Product,
    Project,
    SlaPolicy,
    Tag,
    TicketCounter,
    User,
)
from supportdesk.repositories.dialect import insert_for
from supportdesk.services.maintenance import MaintenanceService

_DEMO_ADDRESS = re.compile(rf"^(admin|agent|customer)(\d+)@{re.escape(DEMO_DOMAIN)}$")


@dataclass(frozen=True, slots=True)
class SeedSummary:
    rows: dict[str, int]
    seconds: float
    emails: dict[str, list[str]] = field(default_factory=dict)
    password: str = DEMO_PASSWORD

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        counts = ", ".join(f"{count:,} {table}" for table, count in self.rows.items() if count)
        rate = self.total_rows / self.seconds if self.seconds > 0 else 0.0
        users = "; ".join(
            f"{kind}: {_span(addresses)}" for kind, addresses in self.emails.items() if addresses
        )
        return (
            f"Wrote {counts} in {self.seconds:.1f} s ({rate:,.0f} rows/s).\n"
            f"Demo users ({users}) log in with the password {self.password!r}."
        )


def _span(addresses: list[str]) -> str:
    return addresses[0] if len(addresses) == 1 else f"{addresses[0]} … {addresses[-1]}"


async def seed_demo(
    database: Database,
    *,
    tickets: int,
    projects: int = 20,
    seed: int = 1,
    now: datetime | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
) -> SeedSummary:
    """Append a demo help desk to the database (which must be at the latest revision)."""
    started = time.monotonic()
    # One hash for every demo user: argon2 per user would take hours at scale.
    password_hash = await hash_password(DEMO_PASSWORD)
    async with database.transaction(read_only=True) as session:
        existing = await read_existing(session)
    plan = DemoPlan(
        tickets=tickets,
        projects=projects,
        seed=seed,
        now=now or clock.now(),
        password_hash=password_hash,
        json_as_text=not database.is_sqlite,
        chunk_size=chunk_size,
    )
    setup = plan_setup(plan, existing)
    writer = _SqliteWriter() if database.is_sqlite else await _PostgresWriter.prepare(database)
    written = dict.fromkeys(COLUMNS, 0)
    done = 0

    async def write(batch: Batch, tables: Sequence[str]) -> None:
        async with database.transaction() as session:
            await writer.write(session, batch, tables)
        for table in tables:
            written[table] += len(batch.rows[table])

    def advance(batch: Batch) -> None:
        nonlocal done
        done += batch.tickets
        if progress is not None:
            progress.update(done, sum(written.values()))

    await write(setup.batch, tuple(COLUMNS))
    async with contextlib.aclosing(_ahead(ticket_batches(plan, setup, existing))) as batches:
        if database.is_sqlite:
            async for batch in batches:
                await write(batch, (*TICKET_TABLES, *CONVERSATION_TABLES))
                advance(batch)
        else:
            await _pipelined(batches, write, advance)
    if progress is not None:
        progress.finish(done, sum(written.values()))
    async with database.transaction() as session:
        # The tally triggers added a row per group and statement: fold them, as the worker
        # would within a minute, so that list totals are cheap from the start.
        await MaintenanceService(session).fold_tallies()
    if not database.is_sqlite:
        async with database.engine.connect() as connection:
            # Fresh statistics, so the planner knows the tables' new sizes at once, and a
            # visibility map, so deep pages read the live-ticket index alone.
            analyzed = [*COLUMNS, "ticket_counters", "ticket_tallies"]
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text(f"VACUUM (ANALYZE) {', '.join(analyzed)}"))
    return SeedSummary(written, time.monotonic() - started, setup.emails)


# The tickets of a batch are committed first, its conversations and trails after them.
TICKET_TABLES = ("tickets",)
CONVERSATION_TABLES = ("messages", "activities", "ticket_tags", "ratings")


async def _pipelined(
    batches: AsyncIterator[Batch],
    write: Callable[[Batch, Sequence[str]], Awaitable[None]],
    advance: Callable[[Batch], None],
) -> None:
    """Write each batch's tickets and, on a second connection, the previous batch's rest.

    PostgreSQL then works on two cores. Each batch's messages, activities, tags and
    ratings are committed after its tickets, so every row always points at a ticket; an
    interrupted run may leave its last tickets without their conversation.
    """
    ready: asyncio.Queue[Batch | None] = asyncio.Queue(maxsize=1)

    async def tickets() -> None:
        async for batch in batches:
            await write(batch, TICKET_TABLES)
            await ready.put(batch)
        await ready.put(None)

    async def conversations() -> None:
        while (batch := await ready.get()) is not None:
            await write(batch, CONVERSATION_TABLES)
            advance(batch)

    tasks = [asyncio.ensure_future(tickets()), asyncio.ensure_future(conversations())]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _ahead(batches: Iterator[Batch]) -> AsyncGenerator[Batch, None]:
    """The batches, each generated in a thread while the previous one is being written."""
    pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
    try:
        while True:
            batch = await pending
            if batch is None:
                return
            pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
            yield batch
    finally:
        if not pending.done():
            # Let the thread finish its chunk: the generator cannot be closed while it runs.
            with contextlib.suppress(Exception):
                await pending


# ====================================================================== what is there


async def read_existing(session: AsyncSession) -> Existing:
    """The highest ids, the demo addresses, slugs and prefixes in use, and reusable rows."""
    tables = Base.metadata.tables
    maxima = select(
        *(
            select(func.coalesce(func.max(tables[name].c.id), 0)).scalar_subquery().label(name)
            for name in ID_TABLES
        )
    )
    row = (await session.execute(maxima)).one()
    max_ids = {name: int(value) for name, value in zip(ID_TABLES, row, strict=True)}

    user_numbers: dict[str, int] = {}
    addresses = await session.scalars(select(User.email).where(User.email.like(f"%@{DEMO_DOMAIN}")))
    for address in addresses:
        match = _DEMO_ADDRESS.match(address)
        if match is not None:
            kind, number = match.group(1), int(match.group(2))
            user_numbers[kind] = max(user_numbers.get(kind, 0), number)

    projects = (await session.execute(select(Project.slug, Project.ticket_prefix))).all()
    policies = await session.scalars(select(SlaPolicy).where(SlaPolicy.project_id.is_(None)))
    return Existing(
        max_ids=max_ids,
        user_numbers=user_numbers,
        slugs=frozenset(slug for slug, _ in projects),
        prefixes=frozenset(prefix for _, prefix in projects),
        tags=await _ids_by_name(session, Tag),
        categories=await _ids_by_name(session, Category),
        departments=await _ids_by_name(session, Department),
        products=await _ids_by_name(session, Product),
        global_sla={
            Priority(policy.priority): (
                policy.id,
                policy.first_response_minutes,
                policy.resolution_minutes,
            )
            for policy in policies
        },
    )


async def _ids_by_name(
    session: AsyncSession, model: type[Tag] | type[Category] | type[Department] | type[Product]
) -> dict[str, int]:
    rows = await session.execute(select(model.name, func.min(model.id)).group_by(model.name))
    return {name: int(row_id) for name, row_id in rows.all()}


# ====================================================================== writing


class _Writer:
    async def write(self, session: AsyncSession, batch: Batch, tables: Sequence[str]) -> None:
        raise NotImplementedError

    @staticmethod
    async def _counters(session: AsyncSession, batch: Batch) -> None:
        """Where each (project, year) numbering stands, for tickets created afterwards."""
        if not batch.counters:
            return
        statement = insert_for(session, TicketCounter).values(
            [
                {"project_id": project_id, "year": year, "last_number": number}
                for (project_id, year), number in batch.counters.items()
            ]
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[TicketCounter.project_id, TicketCounter.year],
                set_={"last_number": statement.excluded.last_number},
            )
        )


class _PostgresWriter(_Writer):
    """COPY, table by table, in one transaction per batch.

    Checking every foreign key of every row costs about as much as the COPY itself. The
    generated rows only point at rows that exist (committed before them, or read at the
    start), so where the role may (a superuser, or one granted SET on it), tables that
    have no triggers of their own are copied with ``session_replication_role = replica``,
    which skips the checks, as pg_restore --disable-triggers does. A table with triggers
    of its own (``tickets``: the tallies) is always copied with every trigger firing.
    """

    def __init__(self, unchecked: frozenset[str] = frozenset()) -> None:
        self.unchecked = unchecked

    @classmethod
    async def prepare(cls, database: Database) -> _PostgresWriter:
        async with database.engine.connect() as connection:
            triggered = await connection.scalars(
                text(
                    "SELECT DISTINCT c.relname FROM pg_trigger t"
                    " JOIN pg_class c ON c.oid = t.tgrelid"
                    " WHERE NOT t.tgisinternal"
                    " AND c.relnamespace = to_regnamespace(current_schema())"
                )
            )
            unchecked = frozenset(COLUMNS) - set(triggered)
            try:
                await connection.execute(text("SET LOCAL session_replication_role = replica"))
            except DBAPIError:
                unchecked = frozenset()  # not allowed: every row is checked
            await connection.rollback()
        return cls(unchecked)

    async def write(self, session: AsyncSession, batch: Batch, tables: Sequence[str]) -> None:
        # The first statement begins the transaction the COPYs below then run in.
        await session.execute(text("SET LOCAL synchronous_commit = off"))
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        role = "origin"
        for table in tables:
            rows = batch.rows[table]
            if not rows:
                continue
            wanted = "replica" if table in self.unchecked else "origin"
            if wanted != role:
                await driver.execute(f"SET LOCAL session_replication_role = {wanted}")
                role = wanted
            await driver.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
        if role != "origin":
            await driver.execute("SET LOCAL session_replication_role = origin")
        # Explicit ids leave the sequences behind: move each past its table's new rows.
        moved = [
            f"setval(pg_get_serial_sequence('{table}', 'id'), {batch.rows[table][-1][0]})"
            for table in tables
            if batch.rows[table] and COLUMNS[table][0] == "id"
        ]
        if moved:
            await session.execute(text(f"SELECT {', '.join(moved)}"))
        if "tickets" in tables:
            await self._counters(session, batch)


class _SqliteWriter(_Writer):
    async def write(self, session: AsyncSession, batch: Batch, tables: Sequence[str]) -> None:
        metadata = Base.metadata.tables
        for table in tables:
            rows = batch.rows[table]
            if rows:
                columns = COLUMNS[table]
                await session.execute(
                    insert(metadata[table]), [dict(zip(columns, row, strict=True)) for row in rows]
                )
        if "tickets" in tables:
            await self._counters(session, batch)
