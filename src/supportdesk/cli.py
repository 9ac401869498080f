"""``supportdesk serve | worker | migrate | create-admin | create-api-key | seed-demo``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError

from supportdesk.config import Settings, resolve_secret_key
from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType
from supportdesk.core.errors import DomainError
from supportdesk.core.migrations import startup_lock, upgrade_to_head
from supportdesk.services.api_keys import ApiKeyService
from supportdesk.services.bootstrap import BootstrapService

log = logging.getLogger("supportdesk")

WORKER_START_SECONDS = 60


def _settings() -> Settings:
    return resolve_secret_key(Settings())


async def _bootstrap(settings: Settings) -> None:
    database = Database(settings.database_url)
    try:
        async with database.transaction() as session:
            password = settings.bootstrap_admin_password
            generated = await BootstrapService(session).ensure_admin(
                settings.bootstrap_admin_email,
                password.get_secret_value() if password is not None else None,
            )
    finally:
        await database.dispose()
    if generated is not None:
        print(
            f"Created the first administrator: {settings.bootstrap_admin_email} / {generated}\n"
            "This password is shown once; change it after logging in.",
            flush=True,
        )


async def _prepare(settings: Settings, *, migrate: bool, bootstrap: bool) -> None:
    # One process at a time: servers started together would create the same tables and
    # the same first administrator.
    async with startup_lock(settings.database_url):
        if migrate:
            # Alembic runs its own event loop, so it gets a thread of its own.
            await asyncio.to_thread(upgrade_to_head, settings.database_url)
        if bootstrap:
            await _bootstrap(settings)


def prepare_database(settings: Settings) -> None:
    """What every start does first: migrate (unless turned off) and bootstrap an admin."""
    asyncio.run(_prepare(settings, migrate=settings.auto_migrate, bootstrap=True))


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings()
    # The server processes uvicorn starts read the settings again: hand them the same key.
    assert settings.secret_key is not None
    os.environ["SUPPORTDESK_SECRET_KEY"] = settings.secret_key.get_secret_value()
    prepare_database(settings)
    uvicorn.run(
        "supportdesk.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        # Idle and slow clients must not hold connections: production runs behind a
        # reverse proxy that buffers them, and these bound what gets through anyway.
        timeout_keep_alive=settings.http_keep_alive_seconds,
        timeout_graceful_shutdown=settings.http_graceful_shutdown_seconds,
        limit_concurrency=settings.http_limit_concurrency,
        # A worker answers its supervisor's health check once it has imported the app:
        # on a busy machine that takes longer than uvicorn's 5 s, and a worker replaced
        # for it starts over (13 replacements seen in one start under load).
        timeout_worker_healthcheck=WORKER_START_SECONDS,
    )
    return 0


def worker(_: argparse.Namespace) -> int:
    from supportdesk.worker.arq_app import run_until_stopped

    settings = _settings()
    if not settings.redis_url:
        print(
            "error: SUPPORTDESK_REDIS_URL is not set. Without Redis, `supportdesk serve` "
            "runs the background jobs itself.",
            file=sys.stderr,
        )
        return 2
    logging.getLogger().setLevel(settings.log_level.upper())
    asyncio.run(run_until_stopped(settings))
    return 0


def migrate(_: argparse.Namespace) -> int:
    asyncio.run(_prepare(_settings(), migrate=True, bootstrap=False))
    print("Database is at the latest revision.")
    return 0


async def _create_admin(settings: Settings, email: str, password: str, name: str) -> int:
    database = Database(settings.database_url)
    try:
        async with database.transaction() as session:
            user = await BootstrapService(session).create_admin(email, password, name)
    finally:
        await database.dispose()
    print(f"Created super_admin #{user.id} <{user.email}>.")
    return 0


def create_admin(args: argparse.Namespace) -> int:
    if len(args.password) < 8:
        print("The password must be at least 8 characters.", file=sys.stderr)
        return 2
    return asyncio.run(_create_admin(_settings(), args.email, args.password, args.name))


async def _create_api_key(settings: Settings, args: argparse.Namespace) -> int:
    database = Database(settings.database_url)
    try:
        async with database.transaction() as session:
            service = ApiKeyService(session)
            internal = args.type == ApiKeyType.INTERNAL
            user_id = await service.console_user_id(args.user) if internal else None
            issued = await service.issue(
                args.name,
                ApiKeyType(args.type),
                scopes=args.scope,
                agent_id=args.agent_id,
                user_id=user_id,
            )
    finally:
        await database.dispose()
    print(f"Created {args.type} API key #{issued.api_key.id} ({', '.join(issued.api_key.scopes)}).")
    print("The key is shown once:")
    print(issued.raw_key)
    return 0


def create_api_key(args: argparse.Namespace) -> int:
    return asyncio.run(_create_api_key(_settings(), args))


async def _seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from supportdesk.demo.progress import Progress
    from supportdesk.demo.writer import seed_demo

    database = Database(settings.database_url)
    try:
        summary = await seed_demo(
            database,
            tickets=args.tickets,
            projects=args.projects,
            seed=args.seed,
            progress=Progress(args.tickets),
        )
    finally:
        await database.dispose()
    print(summary.describe())
    return 0


def seed_demo(args: argparse.Namespace) -> int:
    if args.tickets < 0 or args.projects < 1:
        print("--tickets must be 0 or more and --projects 1 or more.", file=sys.stderr)
        return 2
    settings = _settings()
    # As `serve` would on first start: the demo users must not stand in for the admin.
    prepare_database(settings)
    return asyncio.run(_seed_demo(settings, args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="supportdesk", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="migrate, bootstrap an admin and serve the API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(handler=serve)

    p = commands.add_parser(
        "worker", help="run the background jobs on Redis (outbox relay, SLA checks, e-mail)"
    )
    p.set_defaults(handler=worker)

    p = commands.add_parser("migrate", help="upgrade the database to the latest schema")
    p.set_defaults(handler=migrate)

    p = commands.add_parser("create-admin", help="create a super_admin")
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--name", default="Administrator")
    p.set_defaults(handler=create_admin)

    p = commands.add_parser("create-api-key", help="create an internal or external API key")
    p.add_argument("--name", required=True)
    p.add_argument("--type", required=True, choices=["internal", "external"])
    p.add_argument("--scope", action="append", help="repeatable; none means every scope")
    p.add_argument("--agent-id", type=int, help="the agent an external key acts as")
    p.add_argument(
        "--user",
        metavar="EMAIL",
        help="the staff user an internal key acts as (default: the first active super_admin)",
    )
    p.set_defaults(handler=create_api_key)

    p = commands.add_parser(
        "seed-demo", help="append demo projects, users and tickets (for trying it out, benchmarks)"
    )
    p.add_argument("--tickets", type=int, required=True, help="tickets to create")
    p.add_argument("--projects", type=int, default=20, help="projects to create (default 20)")
    p.add_argument("--seed", type=int, default=1, help="the same seed gives the same data")
    p.set_defaults(handler=seed_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        result: int = args.handler(args)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        for field, messages in exc.details.items():
            print(f"  {field}: {' '.join(messages)}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        print(f"error: the database refused the command: {exc.orig}", file=sys.stderr)
        print("Is it reachable, and up to date (supportdesk migrate)?", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
