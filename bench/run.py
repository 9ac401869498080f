"""Measure SupportDesk at 10k and at 1M tickets, and write bench/RESULTS.md.

    python3 -m uv run python bench/run.py [--sizes 10k,1m] [--rounds 3] [--duration 10]

For each size, the database `supportdesk_bench_<size>` is reused if it holds enough
tickets, else created and filled by `supportdesk seed-demo`. Then, round after round and
size after size, `supportdesk serve --workers 2` and the raw twins (bench/twins.py) are
started against it, credentials for every surface are made, the twins are checked
against the product, and every scenario (bench/scenarios.py) is driven by the load
generator (bench/load.py) for a warm-up and a measured duration. The report gives the
median of the rounds. `--tiny` is the continuous-integration smoke run: 100 tickets in
a fresh database, one short round. The exit status is 1 when any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import load
import prepare
import procfs
import report
import scenarios
import servers
import sqlcheck
import twincheck

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_SERVER_CMD = "python3 -m uv run supportdesk serve"
DEFAULT_OUTPUT = BENCH / "RESULTS.md"
WORKERS = 2
HOST = "127.0.0.1"


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _sizes(text: str) -> list[prepare.Size]:
    try:
        return [prepare.Size.parse(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
    )
    parser.add_argument(
        "--sizes", type=_sizes, default="10k,1m", help="database sizes (default 10k,1m)"
    )
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="CI smoke run: a fresh 100-ticket database, one round, 0.15 s per scenario",
    )
    parser.add_argument("--rounds", type=_positive_int, default=None, help="default 3 (tiny: 1)")
    parser.add_argument(
        "--duration",
        type=_positive_float,
        default=None,
        help="measured seconds per scenario, default 10 (tiny: 0.15)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="warm-up seconds per scenario, default 2 (tiny: 0)",
    )
    parser.add_argument(
        "--concurrency", type=_positive_int, default=None, help="connections, default 16 (tiny: 2)"
    )
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=30.0,
        help="seconds a request may take (default 30)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="measure the scenarios whose name contains this (repeatable)",
    )
    parser.add_argument(
        "--server-cmd",
        default=DEFAULT_SERVER_CMD,
        help="how to start `supportdesk serve`; the other commands are the same without `serve` "
        f"(default: {DEFAULT_SERVER_CMD})",
    )
    parser.add_argument(
        "--no-twins",
        action="store_true",
        help="measure the product only (say, a checkout whose JSON the twins do not match)",
    )
    parser.add_argument("--label", default="", help="named in the report's title")
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="the report (default bench/RESULTS.md)"
    )
    args = parser.parse_args(argv)
    if args.tiny:
        args.sizes = [prepare.TINY]
    defaults = (1, 0.15, 0.0, 2) if args.tiny else (3, 10.0, 2.0, 16)
    names = ("rounds", "duration", "warmup", "concurrency")
    for name, default in zip(names, defaults, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, default)
    serve = shlex.split(args.server_cmd)
    if not serve or serve[-1] != "serve":
        parser.error("--server-cmd must end with `serve`")
    return args


@dataclass
class SizeRun:
    size: prepare.Size
    section: report.SizeReport
    fixtures: scenarios.Fixtures | None = None
    credentials: scenarios.Credentials | None = None
    plan: list[scenarios.Scenario] = field(default_factory=list)  # in run order


@dataclass(frozen=True, slots=True)
class Context:
    commands: servers.Commands
    scratch: Path
    loader: load.LoadGenerator
    run: report.Run
    check_sql: bool  # the product in this process is the one measured
    twins: bool  # measure the twins too
    concurrency: int
    warmup: float
    duration: float
    timeout: float
    only: tuple[str, ...]


def _selected(scenario: scenarios.Scenario, only: Sequence[str]) -> bool:
    return not only or any(part in scenario.name for part in only)


def _first_start(state: SizeRun, context: Context, base_url: str, internal_key: str) -> None:
    """The database's facts, credentials and scenarios (once per size)."""
    database = state.size.database
    fx = asyncio.run(scenarios.discover(database))
    env = servers.server_env(database, context.scratch)
    creds = prepare.credentials(base_url, context.commands, env, fx, internal_key)
    cursor = prepare.rest_cursor(base_url, creds, fx)
    state.fixtures, state.credentials = fx, creds
    state.plan = [
        replace(s, twin=s.twin and context.twins)
        for s in scenarios.build(fx, creds, cursor)
        if _selected(s, context.only)
    ]
    section = state.section
    section.scenarios = [s.name for s in state.plan]
    section.skipped = {s.name: s.skipped for s in state.plan if s.skipped}
    section.twins = [s.name for s in state.plan if s.twin and not s.skipped]
    section.facts += [
        f"agent {fx.agent_email} (#{fx.agent_id}, {fx.agent_tickets:,} assigned tickets); "
        f"customer {fx.customer_email} (#{fx.customer_id}, {fx.customer_tickets:,} tickets); "
        f"project #{fx.project_id}",
        f"search word `{fx.search_word}`, ticket number `{fx.ticket_number}`; details cycle "
        f"through {len(fx.ticket_ids)} tickets (agent API: {len(fx.agent_ticket_ids)} of the "
        f"agent's); REST cursor {fx.cursor_depth:,} rows deep",
    ]


def _measure(
    context: Context,
    scenario: scenarios.Scenario,
    port: int,
    server: servers.Server,
    database: str,
) -> load.Outcome:
    job = load.Job(
        host=HOST,
        port=port,
        requests=scenario.requests(f"{HOST}:{port}"),
        concurrency=context.concurrency,
        warmup=context.warmup,
        duration=context.duration,
        timeout=context.timeout,
        cpu_roots=(server.pid,),
        database=database,
    )
    return context.loader.run(job)


def _print(label: str, name: str, target: str, outcome: load.Outcome) -> None:
    line = (
        f"  [{label}] {name} ({target}): {outcome.rps:.1f} req/s, p50 {outcome.p50_ms:.1f} ms, "
        f"p99 {outcome.p99_ms:.1f} ms, server CPU {outcome.server_cpu_ms:.1f} ms/req, "
        f"{outcome.requests} requests"
    )
    if outcome.errors:
        line += f", {outcome.errors} ERRORS, first: {(outcome.first_error or '')[:200]}"
    print(line, flush=True)


def _check_twin_sql(state: SizeRun, context: Context) -> None:
    """Compare the twins' statements with the product's, once a run (they do not depend
    on the data); a difference is reported, not fatal."""
    context.run.twin_sql.clear()
    if not context.check_sql:
        context.run.twin_sql.append(
            "The twins' SQL was not compared with the product's: `--server-cmd` runs "
            "another checkout than this one."
        )
        return
    assert state.fixtures is not None and state.credentials is not None
    fx = state.fixtures
    probes = [
        sqlcheck.Probe("GET", f"/api/tickets?per_page={scenarios.PER_PAGE}"),
        sqlcheck.Probe("GET", f"/api/tickets/{fx.ticket_ids[len(fx.ticket_ids) // 2]}"),
        sqlcheck.Probe("POST", "/api/tickets", scenarios.create_body(fx.project_id)),
    ]
    comparisons = asyncio.run(
        sqlcheck.compare(state.size.database, state.credentials.admin_token, probes)
    )
    lines = context.run.twin_sql
    for comparison in comparisons:
        probe = comparison.probe
        what = f"`{probe.method} {probe.path.split('?')[0]}`"
        if comparison.same:
            order = "in the same order" if comparison.same_order else "in another order"
            lines.append(
                f"- {what}: the twin sends the product's {len(comparison.product)} "
                f"statements (BEGIN/COMMIT aside), {order}."
            )
            continue
        print(f"  warning: the twin's SQL for {what} differs from the product's", flush=True)
        lines += [
            f"- {what}: **the twin's SQL differs from the product's** (bench/twins.py needs "
            "updating; its figures compare with an older query):",
            "",
            "  ```diff",
            *(f"  {line}" for line in comparison.diff()),
            "  ```",
        ]


def _check_twins(state: SizeRun, product_url: str, twin_url: str, first: bool) -> None:
    assert state.fixtures is not None and state.credentials is not None
    try:
        checked = twincheck.verify(product_url, twin_url, state.credentials, state.fixtures)
    except twincheck.TwinMismatch as exc:
        raise SystemExit(f"error: the twin answers otherwise than the product: {exc}") from exc
    if first:
        state.section.facts.append("twins answer the product's JSON: " + ", ".join(checked))


def measure_size(state: SizeRun, context: Context, round_number: int) -> None:
    """Start the servers on the size's database, and run every scenario once."""
    size = state.size
    print(f"\nround {round_number}, {size.label}: starting the servers", flush=True)
    begun = time.monotonic()
    product_port, twin_port = servers.free_port(), servers.free_port()
    product = servers.product_server(
        context.commands, size.database, product_port, WORKERS, context.scratch
    )
    twin = servers.twin_server(size.database, twin_port, WORKERS, context.scratch)
    product_url = f"http://{HOST}:{product_port}"
    wants_twin = context.twins and (
        state.credentials is None or any(s.twin and not s.skipped for s in state.plan)
    )
    key_command = None
    try:
        # Whatever can start at once does: the product, the twins, the key's command.
        if state.credentials is None:
            env = servers.server_env(size.database, context.scratch)
            key_command = prepare.internal_key_command(context.commands, env)
        product.start()
        if wants_twin:
            twin.start()
        product.wait_ready(product_port, "/ready")
        print(f"  product ready ({time.monotonic() - begun:.1f} s)", flush=True)
        if product.exited_while_starting:
            note = (
                f"round {round_number}: {product.exited_while_starting} process(es) of "
                "`supportdesk serve` exited while it started (uvicorn replaces a worker "
                "that does not answer its 5 s health check, as one still importing on a "
                f"busy machine may not); ready after {time.monotonic() - begun:.0f} s"
            )
            print(f"  {note}", flush=True)
            state.section.facts.append(note)
        if key_command is not None:
            internal_key = prepare.finished_key_command(key_command)
            _first_start(state, context, product_url, internal_key)
            if not context.run.twin_sql and any(s.twin for s in state.plan):
                _check_twin_sql(state, context)
            print(f"  credentials and fixtures ({time.monotonic() - begun:.1f} s)", flush=True)
        wanted = [s for s in state.plan if not s.skipped]
        if any(s.twin for s in wanted):
            twin.wait_ready(twin_port, "/health")
            _check_twins(state, product_url, f"http://{HOST}:{twin_port}", round_number == 1)
            print(f"  twins checked ({time.monotonic() - begun:.1f} s)", flush=True)
        for scenario in wanted:
            outcome = _measure(context, scenario, product_port, product, size.database)
            _print(size.label, scenario.name, report.PRODUCT, outcome)
            state.section.add(scenario.name, report.PRODUCT, outcome)
            if scenario.twin:
                outcome = _measure(context, scenario, twin_port, twin, size.database)
                _print(size.label, scenario.name, report.TWIN, outcome)
                state.section.add(scenario.name, report.TWIN, outcome)
    finally:
        if key_command is not None and key_command.poll() is None:
            key_command.kill()
            key_command.wait()
        twin.stop()
        product.stop()
        removed = asyncio.run(scenarios.remove_bench_tickets(size.database))
        if removed:
            print(f"  removed the {removed:,} tickets the create scenarios opened", flush=True)


def _checkout() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}{' with uncommitted changes' if dirty else ''}"


def header(args: argparse.Namespace, commands: servers.Commands) -> list[tuple[str, str]]:
    command = "python3 -m uv run python bench/run.py"
    if len(sys.argv) > 1:
        command += " " + shlex.join(sys.argv[1:])
    server = f"`{shlex.join([*commands.serve, '--workers', str(WORKERS)])}`"
    if args.server_cmd == DEFAULT_SERVER_CMD:
        server += f" (checkout {_checkout()})"
    return [
        ("command", f"`{command}`"),
        (
            "machine",
            f"{os.cpu_count()} CPUs ({procfs.cpu_model()}), PostgreSQL "
            f"{asyncio.run(servers.postgres_version())}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}",
        ),
        ("server", f"{server}, no Redis (jobs in-process), rate limits at 100,000,000/min"),
        (
            "load",
            f"{args.concurrency} keep-alive connections from one process (bench/load.py), "
            f"{args.warmup:g} s warm-up then {args.duration:g} s measured per scenario, "
            f"{args.timeout:g} s timeout per request; {args.rounds} round(s), sizes and "
            "scenarios interleaved; the tables show the median of the rounds",
        ),
    ]


NOTES = [
    "req/s counts every answer of the measured phase (errors too) over its duration, which "
    "runs until the requests in flight at its end are answered. p50 and p99 are of the 2xx "
    "answers. Server CPU is the user + system time of the server's processes (the command "
    "and all its children: uvicorn's workers) over the measured phase, per request; "
    "PostgreSQL CPU that of the backends connected to the database. The load average "
    "(one minute) is the range read at the start and the end of the measured phases. The "
    "client, the servers and PostgreSQL share the machine.",
]


def _terminate(signum: int, _: object) -> None:
    # As for Ctrl-C: unwind, so the servers and the load process are stopped on the way.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    started = time.monotonic()
    commands = servers.Commands(tuple(shlex.split(args.server_cmd)), REPO)
    title = "SupportDesk benchmark" + (f": {args.label}" if args.label else "")
    run = report.Run(title, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    with tempfile.TemporaryDirectory(prefix="supportdesk-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        states = []
        for size in args.sizes:
            prepare.ensure_database(size, commands, scratch, recreate=args.tiny)
            section = report.SizeReport(size.name, size.label, size.database, 0)
            states.append(SizeRun(size, section))
            run.sizes.append(section)
        run.header = [("date", run.started), *header(args, commands)]
        run.notes = NOTES
        with load.LoadGenerator() as loader:
            context = Context(
                commands,
                scratch,
                loader,
                run,
                args.server_cmd == DEFAULT_SERVER_CMD,
                not args.no_twins,
                args.concurrency,
                args.warmup,
                args.duration,
                args.timeout,
                tuple(args.only),
            )
            for round_number in range(1, args.rounds + 1):
                for state in states:
                    measure_size(state, context, round_number)
                    if state.fixtures is not None:
                        state.section.tickets = state.fixtures.tickets
    run.elapsed = time.monotonic() - started
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report.render(run))
    errors = run.errors()
    print(f"\nwrote {args.output} ({run.elapsed / 60:.1f} min)", flush=True)
    if errors:
        print(f"error: {len(errors)} scenario(s) had errors:", file=sys.stderr)
        for size_label, scenario, target, count, first in errors:
            print(f"  {size_label} {scenario} ({target}): {count}: {first}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
