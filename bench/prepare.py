"""Before measuring: a seeded database, and the credentials every surface takes."""

from __future__ import annotations

import asyncio
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
import servers
from scenarios import DEMO_PASSWORD, Credentials, Fixtures

HTTP_TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class Size:
    """A database size: its name (``10k``, ``1m``, ``tiny``) and its tickets."""

    name: str
    tickets: int
    projects: int

    @property
    def database(self) -> str:
        return f"supportdesk_bench_{self.name}"

    @property
    def label(self) -> str:
        return {"10k": "10k", "1m": "1M"}.get(self.name, self.name)

    @classmethod
    def parse(cls, text: str) -> Size:
        """``10k``, ``1m``, ``250k`` or a plain number of tickets."""
        name = text.strip().lower()
        multiplier = {"k": 1_000, "m": 1_000_000}.get(name[-1:], 1)
        digits = name[:-1] if multiplier > 1 else name
        if not digits.isdigit() or int(digits) < 1:
            raise ValueError(f"not a size: {text!r} (10k, 1m, 250k or a number of tickets)")
        return cls(name, int(digits) * multiplier, 40)


TINY = Size("tiny", 100, 4)
SEED = 1


def ensure_database(
    size: Size, commands: servers.Commands, scratch: Path, *, recreate: bool
) -> None:
    """Reuse the size's database if it holds enough tickets; else create and seed it."""
    count = None if recreate else asyncio.run(servers.ticket_count(size.database))
    if count is not None and count >= size.tickets:
        print(f"{size.database}: {count:,} tickets, reused", flush=True)
        return
    found = "recreated" if recreate else "missing" if count is None else f"{count:,} tickets"
    print(f"{size.database}: {found}; creating it with {size.tickets:,} tickets", flush=True)
    asyncio.run(servers.recreate_database(size.database))
    env = servers.server_env(size.database, scratch)
    # seed-demo migrates the new database and creates the bootstrap administrator first.
    commands.run(
        [
            "seed-demo",
            "--tickets",
            str(size.tickets),
            "--projects",
            str(size.projects),
            "--seed",
            str(SEED),
        ],
        env,
        echo=True,
    )


def _login(client: httpx.Client, email: str, password: str) -> str | None:
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    if response.status_code != 200:
        return None
    token: str = response.json()["access_token"]
    return token


def _required_login(client: httpx.Client, email: str, password: str) -> str:
    token = _login(client, email, password)
    if token is None:
        raise SystemExit(f"error: {email} cannot log in with the demo password")
    return token


def admin_token(client: httpx.Client, commands: servers.Commands, env: dict[str, str]) -> str:
    """The bootstrap administrator's token, or a benchmark administrator's.

    `serve` and `seed-demo` create the bootstrap administrator in an empty database,
    with the benchmark's password. A database filled otherwise gets an administrator of
    the benchmark's own, made once with `supportdesk create-admin`.
    """
    email = env.get("SUPPORTDESK_BOOTSTRAP_ADMIN_EMAIL", "admin@support.local")
    token = _login(client, email, servers.ADMIN_PASSWORD)
    if token is not None:
        return token
    token = _login(client, servers.BENCH_ADMIN_EMAIL, servers.ADMIN_PASSWORD)
    if token is not None:
        return token
    commands.run(
        [
            "create-admin",
            "--email",
            servers.BENCH_ADMIN_EMAIL,
            "--password",
            servers.ADMIN_PASSWORD,
            "--name",
            "Benchmark administrator",
        ],
        env,
    )
    return _required_login(client, servers.BENCH_ADMIN_EMAIL, servers.ADMIN_PASSWORD)


def internal_key_command(commands: servers.Commands, env: dict[str, str]) -> subprocess.Popen[str]:
    """`supportdesk create-api-key` for an internal key with every scope, started (it can
    run while the server starts)."""
    argv = [*commands.cli, "create-api-key", "--type", "internal", "--name", "bench"]
    return subprocess.Popen(  # noqa: S603 (the command the user gave)
        argv,
        cwd=commands.cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finished_key_command(process: subprocess.Popen[str]) -> str:
    """The key `create-api-key` printed last, once it is done."""
    output, _ = process.communicate(timeout=HTTP_TIMEOUT)
    if process.returncode != 0:
        raise SystemExit(f"error: create-api-key exited {process.returncode}: {output[-2000:]}")
    return servers.last_line(output)


def credentials(
    base_url: str,
    commands: servers.Commands,
    env: dict[str, str],
    fx: Fixtures,
    internal_key: str,
) -> Credentials:
    """Tokens of an administrator, the agent and the customer; the agent's external key
    (through the internal API) and the project's key pair (through the portal)."""
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT, trust_env=False) as client:
        admin = admin_token(client, commands, env)
        response = client.post(
            "/api/v1/internal/api-keys",
            json={"name": "bench-agent", "type": "external", "agent_id": fx.agent_id},
            headers={"X-API-KEY": internal_key},
        )
        if response.status_code != 201:
            raise SystemExit(
                f"error: the agent's API key: {response.status_code} {response.text[:300]}"
            )
        agent_key: str = response.json()["data"]["key"]
        response = client.post(
            f"/api/admin/projects/{fx.project_id}/api-keys",
            json={"name": "bench"},
            headers={"Authorization": f"Bearer {admin}"},
        )
        if response.status_code != 201:
            raise SystemExit(
                f"error: the project key pair: {response.status_code} {response.text[:300]}"
            )
        pair = response.json()
        return Credentials(
            admin_token=admin,
            agent_token=_required_login(client, fx.agent_email, DEMO_PASSWORD),
            customer_token=_required_login(client, fx.customer_email, DEMO_PASSWORD),
            internal_key=internal_key,
            agent_key=agent_key,
            project_key=pair["api_key"],
            project_secret=pair["api_secret"],
        )


def rest_cursor(base_url: str, creds: Credentials, fx: Fixtures) -> str | None:
    """The REST list's own next_cursor for the row ``fx.cursor_depth`` deep.

    Asked for with the row's timestamp as a bare cursor (rows strictly older), so the
    cursor is encoded as the product encodes it.
    """
    if fx.cursor_created_at is None or fx.cursor_depth < 1:
        return None
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT, trust_env=False) as client:
        response = client.get(
            "/api/v1/tickets",
            params={"limit": 1, "cursor": fx.cursor_created_at.isoformat()},
            headers={"Authorization": f"Bearer {creds.internal_key}"},
        )
    if response.status_code != 200:
        # A server that cannot page from a bare timestamp (an older checkout) is measured
        # without the deep cursor scenario.
        print(f"  the REST cursor: {response.status_code} {response.text[:300]}; skipped")
        return None
    cursor: str | None = response.json()["meta"]["next_cursor"]
    return cursor
