"""Run the Alembic migration tree programmatically (``supportdesk migrate``, ``serve``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config


def _alembic_ini() -> Path:
    # A source checkout keeps alembic.ini at its top; an installed image runs from there.
    for candidate in (Path(__file__).resolve().parents[3], Path.cwd()):
        if (candidate / "alembic.ini").is_file():
            return candidate / "alembic.ini"
    raise RuntimeError("alembic.ini not found; run SupportDesk from its project directory")


def upgrade_to_head(database_url: str) -> None:
    config = Config(str(_alembic_ini()))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")
