"""The schedule, the in-process runner of ``serve``, and the ``worker`` command."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from httpx import AsyncClient

from supportdesk.cli import main
from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.worker.inprocess import InProcessRunner
from supportdesk.worker.schedule import SCHEDULES
from tests.factories import Factory
from tests.support import FrozenClock
from tests.worker.support import Desk, activities


@pytest.mark.parametrize(
    ("job", "after", "runs_at"),
    [
        ("check_sla", "2026-03-02T09:00:30", "2026-03-02T09:01:00"),
        ("auto_close", "2026-03-02T09:00:30", "2026-03-02T09:05:00"),
        ("expire_idempotency_keys", "2026-03-02T09:40:00", "2026-03-02T10:35:00"),
        ("cleanup", "2026-03-02T09:00:30", "2026-03-03T03:15:00"),
        ("purge_deleted", "2026-03-02T09:00:30", "2026-04-01T03:45:00"),
    ],
)
def test_each_job_has_its_slot(job: str, after: str, runs_at: str) -> None:
    [schedule] = [s for s in SCHEDULES if s.name == job]
    moment = datetime.fromisoformat(after).replace(tzinfo=UTC)

    assert schedule.next_after(moment) == datetime.fromisoformat(runs_at).replace(tzinfo=UTC)


async def test_the_in_process_runner_checks_slas_on_the_minute(
    client: AsyncClient,
    make: Factory,
    database: Database,
    runner: InProcessRunner,
    frozen_clock: FrozenClock,
) -> None:
    ticket = await Desk(client, make).open(await make.user(Role.CUSTOMER), priority="critical")
    await runner.tick()  # starts the schedule at 09:00
    frozen_clock.advance(minutes=16)  # the 15-minute first response is overdue

    await runner.tick()

    assert len(await activities(database, ticket["id"], "sla_breached")) == 1


async def test_only_one_runner_at_a_time_runs_the_jobs(
    runner: InProcessRunner, database: Database
) -> None:
    other = InProcessRunner(runner.resources.settings, database)
    try:
        assert await runner.lock.acquire() is True
        assert await other.lock.acquire() is False
        await runner.lock.release()
        assert await other.lock.acquire() is True  # the next one takes over
    finally:
        await other.stop()


def test_the_worker_command_needs_redis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SUPPORTDESK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    monkeypatch.setenv("SUPPORTDESK_REDIS_URL", "")
    monkeypatch.delenv("SUPPORTDESK_SECRET_KEY", raising=False)

    assert main(["worker"]) == 2
    assert "SUPPORTDESK_REDIS_URL is not set" in capsys.readouterr().err
