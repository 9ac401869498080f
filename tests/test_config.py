"""Settings: what SupportDesk accepts from its environment."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from supportdesk.config import Settings, resolve_secret_key


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_an_empty_secret_key_counts_as_unset() -> None:
    assert _settings(secret_key="").secret_key is None


def test_a_short_secret_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        _settings(secret_key="too-short")


def test_a_long_enough_secret_key_is_kept() -> None:
    key = "k" * 32

    settings = _settings(secret_key=key)

    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == key


def test_without_sqlite_a_secret_key_must_be_configured() -> None:
    settings = _settings(database_url="postgresql+asyncpg://postgres@127.0.0.1/none")

    with pytest.raises(RuntimeError, match="SUPPORTDESK_SECRET_KEY"):
        resolve_secret_key(settings)
