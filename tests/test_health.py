from httpx import AsyncClient

from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.worker.health import beat
from tests.support import FrozenClock


async def test_health_says_the_process_is_up(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_the_database_reachable(
    client: AsyncClient, database: Database
) -> None:
    await beat(database)  # a worker is running the jobs

    response = await client.get("/ready")

    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


async def test_ready_reports_a_fresh_worker_heartbeat(
    client: AsyncClient, database: Database, settings: Settings, frozen_clock: FrozenClock
) -> None:
    await beat(database)
    frozen_clock.advance(seconds=settings.worker_stale_seconds)

    response = await client.get("/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["worker"] == "ok"
    assert body["worker"] == {
        "last_heartbeat_age_seconds": settings.worker_stale_seconds,
        "stale_after_seconds": settings.worker_stale_seconds,
    }


async def test_ready_is_503_with_its_reason_once_the_worker_heartbeat_is_stale(
    client: AsyncClient, database: Database, settings: Settings, frozen_clock: FrozenClock
) -> None:
    await beat(database)
    frozen_clock.advance(seconds=settings.worker_stale_seconds + 30)

    response = await client.get("/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["worker"] == "stale"
    assert body["worker"]["last_heartbeat_age_seconds"] == settings.worker_stale_seconds + 30
    assert body["reasons"] == ["the worker's last heartbeat is 90 s old (stale after 60 s)"]


async def test_ready_is_503_while_no_worker_has_ever_recorded_a_heartbeat(
    client: AsyncClient,
) -> None:
    response = await client.get("/ready")

    assert response.status_code == 503
    assert response.json()["reasons"] == ["no worker has recorded a heartbeat"]
