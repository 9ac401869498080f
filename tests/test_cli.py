"""The command line: migrate, create-admin, create-api-key, and the first-start bootstrap.

The commands run in-process against their own SQLite file, never the test database.
``main()`` runs its own event loop, so these tests are plain functions.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import stat
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from supportdesk.auth.passwords import verify_password
from supportdesk.cli import main
from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.models import User
from supportdesk.services.bootstrap import BootstrapService
from tests.factories import Factory

ADMIN_EMAIL = "root@example.com"
ADMIN_PASSWORD = "a-long-admin-password"


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty SQLite file the CLI is pointed at; no .env, no key, nothing in the repo."""
    path = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SUPPORTDESK_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    # Unset, and recorded as unset: `serve` exports the key it resolves for uvicorn's
    # processes, and monkeypatch then removes it again after each test. (A bare delenv
    # of an absent variable records nothing to undo.)
    monkeypatch.setenv("SUPPORTDESK_SECRET_KEY", "")
    monkeypatch.delenv("SUPPORTDESK_SECRET_KEY")
    return path


@pytest.fixture
def migrated_file(db_file: Path) -> Path:
    assert main(["migrate"]) == 0
    return db_file


def rows(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql, params).fetchall()


def create_admin(email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> int:
    return main(["create-admin", "--email", email, "--password", password, "--name", "Root"])


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


# ----------------------------------------------------------------------- migrate


def test_migrate_creates_the_schema_in_an_empty_database(
    db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0

    tables = {
        name for (name,) in rows(db_file, "SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert {
        "alembic_version",
        "users",
        "projects",
        "project_agents",
        "tickets",
        "messages",
        "api_keys",
        "revoked_tokens",
        "settings",
        "outbox",
    } <= tables
    assert "latest revision" in capsys.readouterr().out


def test_migrate_creates_the_default_project(db_file: Path) -> None:
    main(["migrate"])

    assert rows(db_file, "SELECT id, name, slug, ticket_prefix FROM projects") == [
        (1, "SupportDesk", "supportdesk", "SUPP")
    ]


def test_migrate_twice_changes_nothing(migrated_file: Path) -> None:
    assert main(["migrate"]) == 0

    assert rows(migrated_file, "SELECT count(*) FROM projects") == [(1,)]
    assert len(rows(migrated_file, "SELECT version_num FROM alembic_version")) == 1


def test_migrate_generates_a_secret_key_beside_the_database(db_file: Path) -> None:
    main(["migrate"])

    key_file = db_file.with_name(db_file.name + ".secret")
    assert key_file.is_file()
    assert len(key_file.read_text().strip()) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_generated_secret_key_is_kept_across_commands(
    db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["migrate"])
    key_file = db_file.with_name(db_file.name + ".secret")
    first = key_file.read_text()
    monkeypatch.delenv("SUPPORTDESK_SECRET_KEY", raising=False)

    assert main(["migrate"]) == 0

    assert key_file.read_text() == first


def test_a_configured_secret_key_writes_no_key_file(
    db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPORTDESK_SECRET_KEY", "configured-secret-key-long-enough-for-hs256")

    assert main(["migrate"]) == 0

    assert not db_file.with_name(db_file.name + ".secret").exists()


# ------------------------------------------------------------------ create-admin


def test_create_admin_creates_a_super_admin(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert create_admin(email="Root@Example.com") == 0

    assert rows(migrated_file, "SELECT name, email, role, is_active FROM users") == [
        ("Root", ADMIN_EMAIL, "super_admin", 1)
    ]
    assert ADMIN_EMAIL in capsys.readouterr().out


def test_created_admin_password_verifies(migrated_file: Path) -> None:
    create_admin()

    [(password_hash,)] = rows(migrated_file, "SELECT password_hash FROM users")
    assert password_hash.startswith("$argon2")
    assert asyncio.run(verify_password(ADMIN_PASSWORD, password_hash))
    assert not asyncio.run(verify_password("not-the-password", password_hash))


def test_create_admin_with_a_taken_email_fails_clearly(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_admin()
    capsys.readouterr()

    code = create_admin(email=ADMIN_EMAIL.upper(), password="another-long-password")

    assert code != 0
    assert f"{ADMIN_EMAIL.upper()} already exists" in capsys.readouterr().err
    assert rows(migrated_file, "SELECT count(*) FROM users") == [(1,)]


def test_create_admin_with_a_short_password_fails(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = create_admin(password="short12")

    assert code != 0
    assert "at least 8 characters" in capsys.readouterr().err
    assert rows(migrated_file, "SELECT count(*) FROM users") == [(0,)]


# ---------------------------------------------------------------- create-api-key


def test_create_api_key_prints_the_raw_key_last(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["create-api-key", "--name", "CI", "--type", "internal", "--scope", "tickets:list"])

    assert code == 0
    raw_key = last_line(capsys.readouterr().out)
    assert raw_key.startswith("sdk_")
    digest = hashlib.sha256(raw_key.encode()).hexdigest()
    [(name, key_type, scopes, agent_id)] = rows(
        migrated_file,
        "SELECT name, type, scopes, agent_id FROM api_keys WHERE key_hash = ?",
        digest,
    )
    assert (name, key_type, agent_id) == ("CI", "internal", None)
    assert json.loads(scopes) == ["tickets:list"]


def test_create_api_key_stores_no_raw_key(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["create-api-key", "--name", "CI", "--type", "internal"])
    raw_key = last_line(capsys.readouterr().out)

    [stored] = rows(migrated_file, "SELECT * FROM api_keys")

    assert raw_key not in [str(value) for value in stored]


def test_create_api_key_takes_repeated_scopes(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(
        [
            "create-api-key",
            "--name",
            "Reports",
            "--type",
            "internal",
            "--scope",
            "tickets:list",
            "--scope",
            "tickets:read",
        ]
    )

    [(scopes,)] = rows(migrated_file, "SELECT scopes FROM api_keys")
    assert json.loads(scopes) == ["tickets:list", "tickets:read"]


def test_create_api_key_refuses_an_unknown_scope(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["create-api-key", "--name", "CI", "--type", "internal", "--scope", "root"])

    assert code != 0
    assert "The selected scopes.0 is invalid." in capsys.readouterr().err
    assert rows(migrated_file, "SELECT count(*) FROM api_keys") == [(0,)]


def test_create_api_key_without_scope_gets_every_scope(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["create-api-key", "--name", "All", "--type", "internal"]) == 0

    [(scopes,)] = rows(migrated_file, "SELECT scopes FROM api_keys")
    assert json.loads(scopes) == ["*"]


def test_external_key_without_agent_id_fails(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["create-api-key", "--name", "Agent", "--type", "external"])

    assert code != 0
    assert "agent_id" in capsys.readouterr().err
    assert rows(migrated_file, "SELECT count(*) FROM api_keys") == [(0,)]


def test_external_key_with_an_unknown_agent_id_fails(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["create-api-key", "--name", "Agent", "--type", "external", "--agent-id", "999"])

    assert code != 0
    assert "agent_id" in capsys.readouterr().err
    assert rows(migrated_file, "SELECT count(*) FROM api_keys") == [(0,)]


def test_external_key_for_an_existing_staff_user_is_linked_to_them(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_admin()
    [(admin_id,)] = rows(migrated_file, "SELECT id FROM users")
    capsys.readouterr()

    code = main(
        ["create-api-key", "--name", "Agent", "--type", "external", "--agent-id", str(admin_id)]
    )

    assert code == 0
    assert last_line(capsys.readouterr().out).startswith("sdk_")
    assert rows(migrated_file, "SELECT type, agent_id, scopes FROM api_keys") == [
        ("external", admin_id, '["*"]')
    ]


def test_create_api_key_rejects_an_unknown_type(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["create-api-key", "--name", "P", "--type", "project"])

    assert exit_info.value.code != 0
    assert rows(migrated_file, "SELECT count(*) FROM api_keys") == [(0,)]


# --------------------------------------------------------- bootstrap (for serve)


async def admins(database: Database) -> list[User]:
    async with database.transaction() as session:
        return list(await session.scalars(select(User).where(User.role == Role.SUPER_ADMIN)))


async def test_bootstrap_creates_an_admin_with_a_generated_password(database: Database) -> None:
    async with database.transaction() as session:
        generated = await BootstrapService(session).ensure_admin("first@example.com", None)

    assert generated
    [admin] = await admins(database)
    assert admin.email == "first@example.com"
    assert await verify_password(generated, admin.password_hash)


async def test_bootstrap_uses_the_configured_password(database: Database) -> None:
    async with database.transaction() as session:
        generated = await BootstrapService(session).ensure_admin(
            "first@example.com", ADMIN_PASSWORD
        )

    assert generated is None
    [admin] = await admins(database)
    assert await verify_password(ADMIN_PASSWORD, admin.password_hash)


async def test_bootstrap_does_nothing_once_a_user_exists(database: Database, make: Factory) -> None:
    await make.user("customer")

    async with database.transaction() as session:
        generated = await BootstrapService(session).ensure_admin("first@example.com", None)

    assert generated is None
    assert await admins(database) == []
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1


# ------------------------------------------------------------------------- serve


@pytest.fixture
def uvicorn_options(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What ``serve`` hands uvicorn, which is not started."""
    import uvicorn

    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options))
    return started


def test_serve_bounds_idle_slow_and_excess_connections_from_the_settings(
    db_file: Path, monkeypatch: pytest.MonkeyPatch, uvicorn_options: dict[str, Any]
) -> None:
    started = uvicorn_options
    monkeypatch.setenv("SUPPORTDESK_HTTP_KEEP_ALIVE_SECONDS", "3")
    monkeypatch.setenv("SUPPORTDESK_HTTP_GRACEFUL_SHUTDOWN_SECONDS", "20")
    monkeypatch.setenv("SUPPORTDESK_HTTP_LIMIT_CONCURRENCY", "250")

    assert main(["serve"]) == 0

    assert started["timeout_keep_alive"] == 3
    assert started["timeout_graceful_shutdown"] == 20
    assert started["limit_concurrency"] == 250


def test_serve_bounds_connections_by_default(
    db_file: Path, uvicorn_options: dict[str, Any]
) -> None:
    assert main(["serve"]) == 0
    started = uvicorn_options

    assert started["timeout_keep_alive"] == 5
    assert started["timeout_graceful_shutdown"] == 30
    assert started["limit_concurrency"] == 1000


def test_an_internal_key_acts_as_the_first_super_admin_by_default(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_admin()

    assert main(["create-api-key", "--name", "CI", "--type", "internal"]) == 0

    assert rows(
        migrated_file,
        "SELECT users.email FROM api_keys JOIN users ON users.id = api_keys.user_id",
    ) == [(ADMIN_EMAIL,)]


def test_an_internal_key_acts_as_the_user_named_with_user(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_admin()
    create_admin(email="ops@example.com")

    code = main(
        ["create-api-key", "--name", "CI", "--type", "internal", "--user", "OPS@example.com"]
    )

    assert code == 0
    assert rows(
        migrated_file,
        "SELECT users.email FROM api_keys JOIN users ON users.id = api_keys.user_id",
    ) == [("ops@example.com",)]


def test_create_api_key_refuses_an_unknown_user(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["create-api-key", "--name", "CI", "--type", "internal", "--user", "nobody@example.com"]
    )

    assert code != 0
    assert "No active staff user has this e-mail address." in capsys.readouterr().err
    assert rows(migrated_file, "SELECT count(*) FROM api_keys") == [(0,)]
