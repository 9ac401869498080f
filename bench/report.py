"""The Markdown report: the medians of the rounds, per size, compared, and against the twins."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from load import Outcome

PRODUCT = "product"
TWIN = "twin"


@dataclass
class SizeReport:
    name: str  # 10k, 1m, tiny
    label: str  # 10k, 1M, tiny
    database: str
    tickets: int
    facts: list[str] = field(default_factory=list)  # fixtures, twin checks, …
    scenarios: list[str] = field(default_factory=list)  # names in run order
    skipped: dict[str, str] = field(default_factory=dict)  # name -> why
    twins: list[str] = field(default_factory=list)  # scenarios also run on a twin
    outcomes: dict[tuple[str, str], list[Outcome]] = field(default_factory=dict)

    def add(self, scenario: str, target: str, outcome: Outcome) -> None:
        self.outcomes.setdefault((scenario, target), []).append(outcome)


@dataclass
class Run:
    title: str
    started: str  # date and time, UTC
    elapsed: float = 0.0  # seconds
    header: list[tuple[str, str]] = field(default_factory=list)  # (what, value)
    notes: list[str] = field(default_factory=list)
    sizes: list[SizeReport] = field(default_factory=list)
    twin_sql: list[str] = field(default_factory=list)  # the SQL check, in Markdown

    def errors(self) -> list[tuple[str, str, str, int, str | None]]:
        """(size, scenario, target, errors, first error) of every scenario with errors."""
        found = []
        for size in self.sizes:
            for (scenario, target), outcomes in size.outcomes.items():
                count = sum(outcome.errors for outcome in outcomes)
                if count:
                    first = next((o.first_error for o in outcomes if o.first_error), None)
                    found.append((size.label, scenario, target, count, first))
        return found


def _median(outcomes: Sequence[Outcome], metric: Callable[[Outcome], float]) -> float:
    values = [metric(outcome) for outcome in outcomes]
    values = [value for value in values if not math.isnan(value)]
    return statistics.median(values) if values else math.nan


def _number(value: float, digits: int = 1) -> str:
    if math.isnan(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _ratio(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return "-"
    return f"{value:.2f}x" if value < 10 else f"{value:,.0f}x"


def _divide(top: float, bottom: float) -> float:
    return top / bottom if bottom and not math.isnan(bottom) else math.nan


def _load(outcomes: Sequence[Outcome]) -> str:
    low = min(min(o.load_start, o.load_end) for o in outcomes)
    high = max(max(o.load_start, o.load_end) for o in outcomes)
    return f"{low:.1f}-{high:.1f}"


def _size_table(size: SizeReport) -> list[str]:
    lines = [
        "| request | req/s | p50 ms | p99 ms | server CPU ms/req | PostgreSQL CPU ms/req "
        "| errors | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in size.scenarios:
        if name in size.skipped:
            lines.append(f"| {name} | skipped: {size.skipped[name]} | | | | | | |")
            continue
        outcomes = size.outcomes.get((name, PRODUCT), [])
        if not outcomes:
            continue
        errors = sum(o.errors for o in outcomes)
        lines.append(
            f"| {name} | {_number(_median(outcomes, lambda o: o.rps))} "
            f"| {_number(_median(outcomes, lambda o: o.p50_ms))} "
            f"| {_number(_median(outcomes, lambda o: o.p99_ms))} "
            f"| {_number(_median(outcomes, lambda o: o.server_cpu_ms))} "
            f"| {_number(_median(outcomes, lambda o: o.postgres_cpu_ms))} "
            f"| {'**' + str(errors) + '**' if errors else 0} | {_load(outcomes)} |"
        )
    return lines


def _comparison(small: SizeReport, large: SizeReport) -> list[str]:
    lines = [
        f"| request | p50 {small.label} | p50 {large.label} "
        f"| ratio p50 {large.label}/{small.label} | req/s ratio {large.label}/{small.label} |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in small.scenarios:
        left = small.outcomes.get((name, PRODUCT), [])
        right = large.outcomes.get((name, PRODUCT), [])
        if not left or not right:
            continue
        p50_small = _median(left, lambda o: o.p50_ms)
        p50_large = _median(right, lambda o: o.p50_ms)
        rps_ratio = _divide(_median(right, lambda o: o.rps), _median(left, lambda o: o.rps))
        lines.append(
            f"| {name} | {_number(p50_small)} | {_number(p50_large)} "
            f"| {_ratio(_divide(p50_large, p50_small))} | {_ratio(rps_ratio)} |"
        )
    return lines


def _twin_table(sizes: Sequence[SizeReport]) -> list[str]:
    lines = [
        "| request | tickets | product req/s | twin req/s | product/twin req/s "
        "| product CPU ms | twin CPU ms | product/twin CPU | client CPU ms (twin) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        for name in size.twins:
            product = size.outcomes.get((name, PRODUCT), [])
            twin = size.outcomes.get((name, TWIN), [])
            if not product or not twin:
                continue
            product_rps = _median(product, lambda o: o.rps)
            twin_rps = _median(twin, lambda o: o.rps)
            product_cpu = _median(product, lambda o: o.server_cpu_ms)
            twin_cpu = _median(twin, lambda o: o.server_cpu_ms)
            client_cpu = _median(twin, lambda o: o.client_cpu_ms)
            lines.append(
                f"| {name} | {size.label} | {_number(product_rps)} | {_number(twin_rps)} "
                f"| {_ratio(_divide(product_rps, twin_rps))} | {_number(product_cpu)} "
                f"| {_number(twin_cpu)} | {_ratio(_divide(product_cpu, twin_cpu))} "
                f"| {_number(client_cpu)} |"
            )
    return lines


def render(run: Run) -> str:
    out = [f"# {run.title}", ""]
    out += [f"- **{what}**: {value}" for what, value in run.header]
    out.append(f"- **run time**: {run.elapsed / 60:.1f} min")
    out.append("")
    out += run.notes
    for size in run.sizes:
        out += ["", f"## {size.label}: {size.tickets:,} tickets (`{size.database}`)", ""]
        out += [f"- {fact}" for fact in size.facts]
        out += ["", *_size_table(size)]
    measured = [size for size in run.sizes if any(k[1] == PRODUCT for k in size.outcomes)]
    if len(measured) >= 2:
        small, large = (
            min(measured, key=lambda s: s.tickets),
            max(measured, key=lambda s: s.tickets),
        )
        out += ["", f"## {small.label} → {large.label}", ""]
        out += [
            "Medians of the rounds; a ratio above 1x means slower at the larger size for "
            "p50, fewer requests per second for req/s below 1x.",
            "",
        ]
        out += _comparison(small, large)
    if any(size.twins for size in run.sizes):
        out += ["", "## Raw twins", ""]
        out += [
            "The same requests on `bench/twins.py`: asyncpg and `json` under uvicorn (2 "
            "workers, a pool each), the product's SQL and JSON, none of FastAPI, SQLAlchemy "
            "or pydantic. Administrators only. The twin checks the bearer token the cheap "
            "way: python-jose and the product's secret, then the product's user lookup "
            "(revocation included); a token it resolved in the last "
            "`principal_cache_seconds` (the product's default) is answered from its "
            "process's memory, as the product's principal cache answers it. CPU is the "
            "server processes' CPU per request; the client's is the load generator's, which "
            "shares the machine's two cores.",
            "",
        ]
        out += _twin_table(run.sizes)
        if run.twin_sql:
            out += ["", *run.twin_sql]
    errors = run.errors()
    out += ["", "## Errors", ""]
    if not errors:
        out.append("None: every measured request answered 2xx in time.")
    for size_label, scenario, target, count, first in errors:
        shown = (first or "").replace("\n", " ").replace("|", "\\|")
        out.append(f"- {size_label}, {scenario} ({target}): {count} errors; first: `{shown}`")
    out.append("")
    return "\n".join(out)
