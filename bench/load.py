"""A lean HTTP/1.1 load generator, run in a process of its own.

Each of N connections is kept alive and sends one pre-encoded request after another,
cycling through a scenario's requests, and reads each response's status line and body
(Content-Length, or chunked). No HTTP library runs in the loop: only asyncio streams (on
uvloop when installed, as the servers measured use it).

A job has a warm-up, whose requests are not counted, then a measured phase of a fixed
duration. A phase stops sending when its time is up and waits for the requests still in
flight (each bounded by the per-request timeout), so no work of one phase is left running
on the server during the next. The CPU time of the server's processes (a process tree)
and of the database's PostgreSQL backends is read from /proc at the start and the end of
the measured phase.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import multiprocessing
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from types import TracebackType

import procfs

MAX_ERROR_TEXT = 300
# A connection idle this long is opened afresh before its next request: servers close
# idle keep-alive connections (uvicorn after 5 s), and one closed while the load
# generator waited (say, for a slow request of another connection to end a phase) would
# otherwise fail its next request.
MAX_IDLE = 2.0


@dataclass(frozen=True, slots=True)
class Job:
    host: str
    port: int
    requests: tuple[bytes, ...]  # complete HTTP/1.1 requests, sent in turn
    concurrency: int
    warmup: float  # seconds
    duration: float  # seconds
    timeout: float  # seconds, per request
    cpu_roots: tuple[int, ...]  # the server: these processes and their descendants
    database: str | None = None  # whose PostgreSQL backends to account for


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: int  # 2xx responses in the measured phase
    errors: int  # other responses, timeouts and transport errors
    first_error: str | None
    elapsed: float  # seconds, from the first request sent to the last answer
    p50_ms: float  # of the 2xx responses
    p99_ms: float
    server_cpu: float  # seconds
    postgres_cpu: float  # seconds
    client_cpu: float  # seconds, of this load process
    load_start: float  # one-minute load average
    load_end: float

    @property
    def requests(self) -> int:
        return self.ok + self.errors

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def server_cpu_ms(self) -> float:
        """Server CPU per request, milliseconds."""
        return self.server_cpu * 1000 / self.requests if self.requests else math.nan

    @property
    def postgres_cpu_ms(self) -> float:
        return self.postgres_cpu * 1000 / self.requests if self.requests else math.nan

    @property
    def client_cpu_ms(self) -> float:
        return self.client_cpu * 1000 / self.requests if self.requests else math.nan


def encode_request(
    method: str,
    path: str,
    *,
    host: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> bytes:
    """One HTTP/1.1 keep-alive request, ready to be written as is."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body is not None or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body or b'')}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


class ProtocolError(Exception):
    pass


@dataclass
class Response:
    status: int
    body: bytes
    close: bool  # the server will close the connection


async def read_response(reader: asyncio.StreamReader) -> Response:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ProtocolError(f"bad status line {lines[0]!r}")
    length: int | None = None
    chunked = close = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        match name.strip().lower():
            case "content-length":
                length = int(value)
            case "transfer-encoding":
                chunked = "chunked" in value.lower()
            case "connection":
                close = value.strip().lower() == "close"
    if chunked:
        body = await _read_chunked(reader)
    elif length is not None:
        body = await reader.readexactly(length)
    else:
        raise ProtocolError("a response without Content-Length or chunked encoding")
    return Response(int(parts[1]), body, close)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers are expected
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None

    def error(self, detail: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = detail[:MAX_ERROR_TEXT]


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self.idle_since = 0.0

    async def send(self, request: bytes) -> Response:
        if self.streams is not None and time.monotonic() - self.idle_since > MAX_IDLE:
            self.close()
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(request)
        response = await read_response(reader)
        self.idle_since = time.monotonic()
        if response.close:
            self.close()
        return response

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def _drive(
    connections: list[_Connection],
    requests: Iterator[bytes],
    seconds: float,
    request_timeout: float,
    tally: _Tally,
) -> float:
    """Send from every connection until ``seconds`` have passed; the elapsed time."""
    deadline = time.monotonic() + seconds

    async def client(connection: _Connection) -> None:
        while time.monotonic() < deadline:
            request = next(requests)
            started = time.perf_counter()
            try:
                async with asyncio.timeout(request_timeout):
                    response = await connection.send(request)
            except TimeoutError:
                connection.close()
                tally.error(f"no answer within {request_timeout:g} s")
                continue
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                connection.close()
                tally.error(f"{type(exc).__name__}: {exc}")
                continue
            except ProtocolError as exc:
                connection.close()
                tally.error(str(exc))
                continue
            latency = time.perf_counter() - started
            if 200 <= response.status < 300:
                tally.latencies.append(latency)
            else:
                text = response.body.decode("utf-8", "replace")
                tally.error(f"{response.status} {text}")

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for connection in connections:
            group.create_task(client(connection))
    return time.perf_counter() - started


def percentile_ms(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted latencies (seconds), in milliseconds."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


async def run_job(job: Job) -> Outcome:
    connections = [_Connection(job.host, job.port) for _ in range(job.concurrency)]
    requests = itertools.cycle(job.requests)
    try:
        if job.warmup > 0:
            await _drive(connections, requests, job.warmup, job.timeout, _Tally())
        tally = _Tally()
        load_start = procfs.load_average()
        server_before = procfs.tree_cpu(job.cpu_roots)
        postgres_before = procfs.postgres_backends_cpu(job.database) if job.database else {}
        client_before = _own_cpu()
        elapsed = await _drive(connections, requests, job.duration, job.timeout, tally)
        client_cpu = _own_cpu() - client_before
        server_after = procfs.tree_cpu(job.cpu_roots)
        postgres_after = procfs.postgres_backends_cpu(job.database) if job.database else {}
        load_end = procfs.load_average()
    finally:
        for connection in connections:
            connection.close()
    ordered = sorted(tally.latencies)
    return Outcome(
        ok=len(ordered),
        errors=tally.errors,
        first_error=tally.first_error,
        elapsed=elapsed,
        p50_ms=percentile_ms(ordered, 50),
        p99_ms=percentile_ms(ordered, 99),
        server_cpu=procfs.cpu_delta(server_before, server_after),
        postgres_cpu=procfs.cpu_delta(postgres_before, postgres_after),
        client_cpu=client_cpu,
        load_start=load_start,
        load_end=load_end,
    )


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _event_loop_runner() -> asyncio.Runner:
    try:
        import uvloop
    except ImportError:
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


def _serve(channel: Connection) -> None:
    """The load process: run the jobs it is sent until it is sent None."""
    while True:
        job = channel.recv()
        if job is None:
            return
        try:
            with _event_loop_runner() as runner:
                channel.send(runner.run(run_job(job)))
        except Exception as exc:  # reported to the parent, which fails loudly
            channel.send(f"{type(exc).__name__}: {exc}")


class LoadGenerator:
    """The load process, started once and handed one job at a time."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._channel, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), name="bench-load")

    def __enter__(self) -> LoadGenerator:
        self._process.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with contextlib.suppress(OSError):
            self._channel.send(None)
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def run(self, job: Job) -> Outcome:
        self._channel.send(job)
        answer = self._channel.recv()
        if isinstance(answer, str):
            raise RuntimeError(f"the load process failed: {answer}")
        assert isinstance(answer, Outcome)
        return answer
