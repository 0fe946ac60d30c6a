"""How busy the machine was with other work while the bench ran (from /proc/stat)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import os
from pathlib import Path

from scripts._bench.rig import proc_cpu_seconds


def _machine_busy_seconds() -> tuple[float, float]:
    """Return (busy, total) CPU seconds of all cores since boot."""
    fields = [
        int(value)
        for value in Path("/proc/stat")
        .read_text(encoding="ascii")
        .split("\n")[0]
        .split()[1:]
    ]
    idle = fields[3] + fields[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields[:8]) - idle) / tick, sum(fields[:8]) / tick


@dataclass
class LoadMonitor:
    """CPU the rest of the machine used between start() and stop()."""

    pids: tuple[int, ...] = ()
    _busy: float = 0.0
    _total: float = 0.0
    _ours: float = 0.0
    others_cores: float = 0.0
    """Average number of cores busy with processes that are not the bench's."""
    ours_cores: float = 0.0

    def start(self, pids: Iterable[int]) -> None:
        """Start counting; `pids` are the bench's running children (hass, simulator)."""
        self.pids = tuple(pids)
        self._busy, self._total = _machine_busy_seconds()
        times = os.times()
        # The running children's CPU so far; after they end and are waited for, all
        # of it (and that of children started later) is in children_user/_system.
        self._ours = (
            times.user
            + times.system
            + times.children_user
            + times.children_system
            + sum(_cpu(pid) for pid in self.pids)
        )

    def stop(self) -> None:
        """Stop counting (after every child has ended) and compute the averages."""
        busy, total = _machine_busy_seconds()
        cores = os.cpu_count() or 1
        wall = (total - self._total) / cores
        if wall <= 0:
            return
        times = os.times()
        ours = (
            times.user + times.system + times.children_user + times.children_system
        ) - self._ours
        self.ours_cores = ours / wall
        self.others_cores = max(0.0, (busy - self._busy) - ours) / wall


def _cpu(pid: int) -> float:
    try:
        return proc_cpu_seconds(pid)
    except FileNotFoundError:
        return 0.0
