"""Runtime settings, read from the environment (prefix ``SUPPORTDESK_``) and ``.env``."""

from __future__ import annotations

import ipaddress
import json
import logging
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./supportdesk.db"
# Tokens are signed with HS256: a short key would make them guessable.
MIN_SECRET_KEY_LENGTH = 32
# Files one request (a new ticket, a message) may attach; with MAX_ATTACHMENT_MB, it
# bounds how large a multipart body may be.
MAX_ATTACHMENTS_PER_REQUEST = 10

ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


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
    max_body_kb: int = Field(
        default=1024,
        ge=1,
        description=(
            "Largest request body, KiB. A multipart body with attachments may be larger:"
            " see max_upload_body_bytes."
        ),
    )
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
    outbox_redeliver_seconds: float = Field(
        default=300.0,
        gt=0,
        description="An event handed to Redis and not handled this long after is queued again.",
    )
    worker_heartbeat_seconds: float = Field(
        default=10.0, gt=0, description="How often the worker records that it is running."
    )
    worker_stale_seconds: float = Field(
        default=60.0,
        gt=0,
        description="GET /ready answers 503 once the worker's last heartbeat is older.",
    )
    # uvicorn, per server process: slow or idle clients must not hold connections for long.
    http_keep_alive_seconds: int = Field(
        default=5, ge=1, description="An idle keep-alive connection is closed after this."
    )
    http_graceful_shutdown_seconds: int = Field(
        default=30, ge=0, description="On shutdown, requests in flight get this long to finish."
    )
    http_limit_concurrency: int = Field(
        default=1000,
        ge=1,
        description="Connections and requests one server process takes at once; more get 503.",
    )
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
    failed_login_rate_limit_per_minute: int = Field(
        default=60,
        ge=1,
        description="Failed logins per minute per client IP, whatever e-mails they name.",
    )
    # NoDecode: the environment gives a comma-separated list, read by the validator.
    trusted_proxies: Annotated[tuple[ProxyNetwork, ...], NoDecode] = Field(
        default=(),
        description=(
            "Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For is believed;"
            " none: the client address is the socket peer."
        ),
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

    # Webhooks (README "Webhooks"): where deliveries may go.
    webhook_allow_http: bool = Field(
        default=False, description="Accept http:// webhook URLs (https only otherwise)."
    )
    webhook_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description=(
            "Webhook hosts (names or addresses, comma-separated) delivered to even when they"
            " resolve to a loopback, private, link-local or multicast address."
        ),
    )
    webhook_concurrency: int = Field(
        default=10, ge=1, le=200, description="Webhook deliveries one worker sends at once."
    )

    @field_validator("webhook_allowed_hosts", mode="before")
    @classmethod
    def _host_names(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(host.strip().lower() for host in value.split(",") if host.strip())
        return value

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

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_networks(cls, value: object) -> object:
        """``10.0.0.1, 10.1.0.0/16`` (or a JSON list) as networks; a lone address is a /32."""
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else text.replace(",", " ").split()
        if not isinstance(value, list | tuple):
            return value
        networks = []
        for entry in value:
            try:
                networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
            except ValueError:
                raise ValueError(
                    f"SUPPORTDESK_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
                ) from None
        return tuple(networks)

    @cached_property
    def is_sqlite(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "sqlite"

    @property
    def max_attachment_bytes(self) -> int:
        return self.max_attachment_mb * 1024 * 1024

    @property
    def max_body_bytes(self) -> int:
        return self.max_body_kb * 1024

    @property
    def max_upload_body_bytes(self) -> int:
        """A multipart body carrying attachments: as many files as a request may carry,
        each as large as one may be, and the other fields' allowance for the rest."""
        return MAX_ATTACHMENTS_PER_REQUEST * self.max_attachment_bytes + self.max_body_bytes

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
