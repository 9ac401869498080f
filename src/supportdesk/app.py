"""The ASGI application: every API surface, the health endpoints, the error envelopes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from supportdesk import __version__
from supportdesk.api import agent, internal, legacy, portal, project, rest
from supportdesk.api.body_limit import install_body_limit
from supportdesk.api.docs import OPENAPI_TAGS, install_docs
from supportdesk.api.errors import install_error_handlers
from supportdesk.api.headers import install_security_headers
from supportdesk.api.openapi import install_openapi
from supportdesk.api.rate_limit import install_rate_limiting
from supportdesk.api.security import ALL_SCHEMES
from supportdesk.config import Settings, resolve_secret_key
from supportdesk.core.db import Database
from supportdesk.services.attachments import AttachmentStorage

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = resolve_secret_key(settings or Settings())
    database = Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Without Redis the server runs the background jobs itself (DESIGN.md §7).
        runner = None
        if not settings.redis_url and settings.in_process_jobs:
            from supportdesk.worker.inprocess import InProcessRunner

            runner = InProcessRunner(settings, database)
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                await runner.stop()
            await database.dispose()

    app = FastAPI(
        title="SupportDesk",
        version=__version__,
        summary="One support hub for many connected projects.",
        openapi_tags=OPENAPI_TAGS,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.storage = AttachmentStorage(settings.attachments_dir, settings.max_attachment_bytes)

    # The most specific prefixes first: every surface but the portal lives under /api/….
    surfaces = (internal, agent, rest, legacy, project, portal)
    for surface in surfaces:
        app.include_router(surface.router)
    _declare_security_schemes(app)
    install_openapi(app)
    install_docs(app)
    install_error_handlers(
        app,
        # The legacy API shares the portal's /api prefix: its paths are told apart by
        # their .php ending (legacy.PATHS), the portal keeps every other /api path.
        [(s.PREFIX, s.render_error) for s in surfaces if s is not legacy]
        + [(legacy.PATHS, legacy.render_error)],
        default=portal.render_error,
    )
    install_body_limit(app, settings)  # before the rate limiter: it runs inside it
    install_rate_limiting(app, settings)
    install_security_headers(app)

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/ready", tags=["health"])
    async def ready(request: Request) -> JSONResponse:
        """Whether the server is ready: the database (and Redis, when configured) answer,
        the worker's heartbeat is fresh; the outbox backlog. 503 names the reasons.

        ``worker`` gives the age of the last heartbeat of the process running the jobs
        (``supportdesk worker``, or this server in-process); older than
        ``worker_stale_seconds``, or none at all, and the server is not ready.
        ``outbox.pending`` counts events not yet handled and ``outbox.oldest_age_seconds``
        is the age of the oldest: a growing age means the jobs are not keeping up. The
        backlog is reported, it does not make the server unready.
        """
        from supportdesk.core.db import database_outage, is_connection_error
        from supportdesk.worker.health import jobs_expected, outbox_backlog, worker_status

        checks: dict[str, Any] = {}
        reasons: list[str] = []
        outbox: dict[str, Any] | None = None
        worker: dict[str, Any] | None = None
        try:
            async with database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
            outbox = await outbox_backlog(database)
            if jobs_expected(settings):
                status = await worker_status(database, settings)
                checks["worker"] = "ok" if status.ok else "stale"
                worker = status.as_json(settings)
                if status.reason is not None:
                    reasons.append(status.reason)
        except Exception as exc:  # readiness reports failures, it does not raise them
            if is_connection_error(exc):
                database_outage.failed(exc)  # once per outage, however often polled
            else:
                log.warning("readiness: database unreachable: %s", exc)
            checks["database"] = "unreachable"
            reasons.append("the database is unreachable")
        if settings.redis_url:
            checks["redis"] = await _redis_status(settings.redis_url)
            if checks["redis"] != "ok":
                reasons.append("Redis is unreachable")
        healthy = all(value == "ok" for value in checks.values())
        body: dict[str, Any] = {"status": "ok" if healthy else "unavailable", "checks": checks}
        if reasons:
            body["reasons"] = reasons
        if worker is not None:
            body["worker"] = worker
        if outbox is not None:
            body["outbox"] = outbox
        return JSONResponse(body, status_code=200 if healthy else 503)

    return app


def _declare_security_schemes(app: FastAPI) -> None:
    """List every credential scheme in /docs, also those no route of this build takes yet."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
            for scheme in ALL_SCHEMES:
                schemes.setdefault(
                    scheme.scheme_name,
                    scheme.model.model_dump(mode="json", by_alias=True, exclude_none=True),
                )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


async def _redis_status(url: str) -> str:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
        return "ok"
    except Exception as exc:  # reported, not raised
        log.warning("readiness: redis unreachable: %s", exc)
        return "unreachable"
    finally:
        await client.aclose()
