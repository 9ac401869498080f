"""What /proc says about this machine and its processes: CPU time, load, hardware.

Linux only. CPU time is user + system time in seconds, read from ``/proc/<pid>/stat``.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class ProcStat:
    pid: int
    ppid: int
    comm: str
    cpu_seconds: float  # utime + stime


def read_stat(pid: int) -> ProcStat | None:
    """One process's stat line, or None if it is gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name is in parentheses and may hold spaces: split after its last ")".
    open_at, close_at = raw.index("("), raw.rindex(")")
    fields = raw[close_at + 2 :].split()
    # fields[0] is the state (field 3); utime and stime are fields 14 and 15.
    ticks = int(fields[11]) + int(fields[12])
    return ProcStat(pid, int(fields[1]), raw[open_at + 1 : close_at], ticks / CLOCK_TICKS)


def all_stats() -> list[ProcStat]:
    stats = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = read_stat(int(entry.name))
            if stat is not None:
                stats.append(stat)
    return stats


def tree_cpu(roots: Iterable[int]) -> dict[int, float]:
    """CPU seconds of the root processes and all their descendants, by pid."""
    stats = all_stats()
    children: dict[int, list[ProcStat]] = {}
    for stat in stats:
        children.setdefault(stat.ppid, []).append(stat)
    by_pid = {stat.pid: stat for stat in stats}
    found: dict[int, float] = {}
    pending = [pid for pid in roots if pid in by_pid]
    while pending:
        pid = pending.pop()
        if pid in found:
            continue
        found[pid] = by_pid[pid].cpu_seconds
        pending.extend(child.pid for child in children.get(pid, ()))
    return found


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return ""


def postgres_backends_cpu(database: str) -> dict[int, float]:
    """CPU seconds of the PostgreSQL backends connected to one database, by pid.

    A backend's title reads ``postgres: [<cluster>:] <user> <database> <client> <state>``.
    """
    found: dict[int, float] = {}
    for stat in all_stats():
        if stat.comm != "postgres":
            continue
        words = _cmdline(stat.pid).split()
        if not words or words[0] != "postgres:":
            continue
        words = words[1:]
        if words and words[0].endswith(":"):  # the cluster name, e.g. "15/main:"
            words = words[1:]
        if len(words) >= 2 and words[1] == database:
            found[stat.pid] = stat.cpu_seconds
    return found


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings; processes started since count in full."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def load_average() -> float:
    """The one-minute load average."""
    return float((PROC / "loadavg").read_text().split()[0])


def cpu_model() -> str:
    for line in (PROC / "cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"
