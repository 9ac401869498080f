"""The benchmark's databases and processes: seeded PostgreSQL databases, `supportdesk
serve`, the raw twins, and the `supportdesk` commands run beside them."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import procfs

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
# Fixed, so tokens stay valid from one server start to the next; only for these databases.
SECRET_KEY = "supportdesk-bench-secret-key-not-for-production-0123456789"
ADMIN_PASSWORD = "bench-admin-password"
# An administrator the benchmark makes itself when the bootstrap one cannot log in
# (seed-demo's users were there first, so `serve` did not create it).
BENCH_ADMIN_EMAIL = "bench-admin@bench.supportdesk.test"
READY_TIMEOUT = 300.0
STOP_TIMEOUT = 20.0
LOG_TAIL = 3000


def dsn(database: str) -> str:
    """The asyncpg DSN of a database."""
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def server_env(database: str, scratch: Path) -> dict[str, str]:
    """The environment of `supportdesk` commands run against a benchmark database."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SUPPORTDESK_") and name != "VIRTUAL_ENV"
    }
    # Run under `uv run`, this process's virtual environment leads PATH; the server
    # command (`python3 -m uv run …`) wants the python3 that has uv, not the venv's.
    venv_bin = str(Path(sys.prefix) / "bin")
    if sys.prefix != sys.base_prefix:
        env["PATH"] = os.pathsep.join(
            entry for entry in env.get("PATH", "").split(os.pathsep) if entry != venv_bin
        )
    env.update(
        SUPPORTDESK_DATABASE_URL=f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}",
        SUPPORTDESK_SECRET_KEY=SECRET_KEY,
        SUPPORTDESK_BOOTSTRAP_ADMIN_PASSWORD=ADMIN_PASSWORD,
        SUPPORTDESK_LOG_LEVEL="warning",
        # Limits far beyond what the benchmark sends: counted, never reached.
        SUPPORTDESK_RATE_LIMIT_PER_MINUTE="100000000",
        SUPPORTDESK_LOGIN_RATE_LIMIT_PER_MINUTE="100000000",
        # No Redis: the server runs the background jobs itself.
        SUPPORTDESK_REDIS_URL="",
        SUPPORTDESK_IN_PROCESS_JOBS="true",
        # Tokens outlive the longest run.
        SUPPORTDESK_JWT_TTL=str(24 * 60),
        SUPPORTDESK_ATTACHMENTS_DIR=str(scratch / "attachments"),
    )
    return env


def principal_cache_seconds() -> float:
    """How long the product reuses a resolved credential by default (0: it has no such
    cache), read from this checkout's settings; the twins do as it does."""
    from supportdesk.config import Settings

    field = Settings.model_fields.get("principal_cache_seconds")
    return float(field.default) if field is not None and field.default is not None else 0.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# ---------------------------------------------------------------------------- databases


async def ticket_count(database: str) -> int | None:
    """Tickets in a database; None when the database does not exist, 0 without tables."""
    try:
        connection = await asyncpg.connect(dsn(database))
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        count: int = await connection.fetchval("SELECT count(*) FROM tickets")
        return count
    except asyncpg.UndefinedTableError:
        return 0
    finally:
        await connection.close()


async def recreate_database(database: str) -> None:
    """Drop and create a database, unless someone else is connected to it."""
    connection = await asyncpg.connect(dsn("postgres"))
    try:
        others = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
        if others:
            raise SystemExit(
                f"error: {others} session(s) are connected to {database} (a seed in progress?); "
                "not dropping it"
            )
        quoted = '"' + database.replace('"', '""') + '"'
        await connection.execute(f"DROP DATABASE IF EXISTS {quoted}")
        await connection.execute(f"CREATE DATABASE {quoted}")
    finally:
        await connection.close()


async def postgres_version() -> str:
    connection = await asyncpg.connect(dsn("postgres"))
    try:
        version: str = await connection.fetchval("SHOW server_version")
        return version
    finally:
        await connection.close()


# ---------------------------------------------------------------------------- commands


@dataclass(frozen=True, slots=True)
class Commands:
    """How to run the product: `serve` and the other `supportdesk` commands."""

    serve: tuple[str, ...]  # e.g. python3 -m uv run supportdesk serve
    cwd: Path  # where they run (the repository, for `uv run`)

    @property
    def cli(self) -> tuple[str, ...]:
        """The same program without its `serve`: `supportdesk` for other commands."""
        return self.serve[:-1]

    def run(self, args: Sequence[str], env: dict[str, str], *, echo: bool = False) -> str:
        """Run a `supportdesk` command; its standard output, or exit with its output."""
        argv = [*self.cli, *args]
        if echo:
            print(f"  $ {' '.join(argv)}", flush=True)
            completed = subprocess.run(argv, cwd=self.cwd, env=env, check=False)  # noqa: S603
            if completed.returncode != 0:
                raise SystemExit(f"error: `{' '.join(argv)}` exited {completed.returncode}")
            return ""
        completed = subprocess.run(  # noqa: S603 (the command the user gave)
            argv, cwd=self.cwd, env=env, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            raise CommandFailed(argv, completed.returncode, completed.stdout + completed.stderr)
        return completed.stdout


class CommandFailed(Exception):
    def __init__(self, argv: Sequence[str], status: int, output: str) -> None:
        super().__init__(f"`{' '.join(argv)}` exited {status}: {output.strip()[-LOG_TAIL:]}")
        self.output = output


def last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        raise ValueError("the command printed nothing")
    return lines[-1]


# ---------------------------------------------------------------------------- processes


class Server:
    """A server process (and its children) in a process group of its own."""

    def __init__(
        self, name: str, argv: Sequence[str], env: dict[str, str], cwd: Path, log: Path
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = env
        self.cwd = cwd
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        # Processes of the server that exited while it started: uvicorn's supervisor
        # replaces a worker that does not answer its health check in time (5 s), as a
        # worker still importing the application on a busy machine may not.
        self.exited_while_starting = 0

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (the command the user gave)
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-LOG_TAIL:]
        except FileNotFoundError:
            return ""

    def wait_ready(self, port: int, path: str, timeout: float = READY_TIMEOUT) -> None:
        """Until ``path`` answers 200, or fail with the server's log."""
        deadline = time.monotonic() + timeout
        seen: set[int] = set()
        while time.monotonic() < deadline:
            assert self.process is not None
            alive = set(procfs.tree_cpu([self.process.pid]))
            seen |= alive
            self.exited_while_starting = len(seen - alive)
            if self.process.poll() is not None:
                raise SystemExit(
                    f"error: {self.name} exited {self.process.returncode} while starting:\n"
                    f"{self.log_tail()}"
                )
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                try:
                    connection.request("GET", path)
                    if connection.getresponse().status == 200:
                        return
                finally:
                    connection.close()
            time.sleep(0.2)
        raise SystemExit(f"error: {self.name} not ready after {timeout:g} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the server's process group, SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def product_server(
    commands: Commands, database: str, port: int, workers: int, scratch: Path
) -> Server:
    argv = [*commands.serve, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return Server(
        "supportdesk serve",
        argv,
        server_env(database, scratch),
        commands.cwd,
        scratch / f"serve-{database}.log",
    )


def twin_server(database: str, port: int, workers: int, scratch: Path) -> Server:
    bench = Path(__file__).resolve().parent
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "twins:create_app",
        "--factory",
        "--app-dir",
        str(bench),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    env = dict(os.environ)
    env.update(
        BENCH_TWIN_DSN=dsn(database),
        BENCH_TWIN_SECRET=SECRET_KEY,
        BENCH_TWIN_PRINCIPAL_CACHE_SECONDS=str(principal_cache_seconds()),
    )
    return Server("the raw twins", argv, env, bench, scratch / f"twins-{database}.log")
