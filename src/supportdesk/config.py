"""Runtime settings, read from the environment (prefix ``SUPPORTDESK_``) and ``.env``."""

from __future__ import annotations

import logging
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./supportdesk.db"
# Tokens are signed with HS256: a short key would make them guessable.
MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SUPPORTDESK_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = ""
    secret_key: SecretStr | None = None  # at least 32 characters; empty means unset
    jwt_ttl: int = Field(default=60, ge=1, description="Access-token lifetime, minutes.")
    jwt_refresh_ttl: int = Field(
        default=14 * 24 * 60, ge=1, description="Refresh window after issue, minutes."
    )
    auto_migrate: bool = True
    bootstrap_admin_email: str = "admin@support.local"
    bootstrap_admin_password: SecretStr | None = None
    attachments_dir: Path = Path("./attachments")
    max_attachment_mb: int = Field(default=10, ge=1)
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = "SupportDesk <support@localhost>"
    smtp_starttls: bool = True
    smtp_timeout: float = Field(default=10.0, gt=0, description="SMTP timeout, seconds.")
    # Background jobs (DESIGN.md §7): the outbox relay, event handlers and cron jobs.
    in_process_jobs: bool = True  # without a Redis URL, `serve` runs the jobs itself
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    outbox_batch_size: int = Field(default=100, ge=1, le=10_000)
    job_max_tries: int = Field(default=5, ge=1)
    job_retry_seconds: float = Field(
        default=10.0, ge=0, description="First retry delay; doubles with each try."
    )
    worker_health_check_seconds: int = Field(default=30, ge=1)
    log_level: str = "INFO"
    rate_limit_per_minute: int = Field(
        default=600,
        ge=1,
        description="Requests per minute per credential, or per client IP when anonymous.",
    )
    login_rate_limit_per_minute: int = Field(
        default=20,
        ge=1,
        description="Login attempts per minute per client IP and e-mail; sign-ups per IP.",
    )
    principal_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description=(
            "How long a server process reuses the user, key or project a credential was"
            " resolved to, seconds; 0 resolves every request. A change made through this"
            " process (logout, deactivation, role, revocation) applies at once; other"
            " processes see it within this time."
        ),
    )

    @field_validator("secret_key", mode="before")
    @classmethod
    def _secret_key_is_strong(cls, value: object) -> object:
        if value is None or value == "":
            return None
        raw = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        if len(raw) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(
                f"SUPPORTDESK_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters"
            )
        return value

    @cached_property
    def is_sqlite(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "sqlite"

    @property
    def max_attachment_bytes(self) -> int:
        return self.max_attachment_mb * 1024 * 1024

    def jwt_secret(self) -> str:
        if self.secret_key is None:
            raise RuntimeError("secret key not resolved; call resolve_secret_key() at start-up")
        return self.secret_key.get_secret_value()


def resolve_secret_key(settings: Settings) -> Settings:
    """Return settings with a secret key, generating one beside the SQLite file if unset.

    The key is persisted so every server process, and every restart, signs tokens alike.
    Outside SQLite there is no natural place to keep it, so it must be configured.
    """
    if settings.secret_key is not None:
        return settings
    if not settings.is_sqlite:
        raise RuntimeError("SUPPORTDESK_SECRET_KEY must be set when the database is not SQLite")
    database = make_url(settings.database_url).database or ""
    key_file = Path(f"{database}.secret") if database not in ("", ":memory:") else None
    if key_file is not None and key_file.exists():
        key = key_file.read_text().strip()
    else:
        key = secrets.token_urlsafe(48)
        if key_file is not None:
            key_file.write_text(key + "\n")
            key_file.chmod(0o600)
            log.warning("SUPPORTDESK_SECRET_KEY is unset: generated one, kept in %s", key_file)
    return settings.model_copy(update={"secret_key": SecretStr(key)})
