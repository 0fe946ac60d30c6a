"""The chaos soak, one minute of it (scripts/_soak).

A real Home Assistant and the simulator under a seeded random sequence of faults; every
check of the verdict must pass. `scripts/soak --seconds 600` is the long run
(RELIABILITY.md has its numbers).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts._soak.checks import table
from scripts._soak.run import Report, run
from scripts._soak.stack import SoakStack, spawn, stop
from tests.e2e.harness import run_in_thread, sockets_enabled
from tests.e2e.stack import REPORTS

SECONDS = 60.0
SEED = 20261201


@pytest.fixture
def soak_stack(tmp_path: Path) -> Iterator[SoakStack]:
    """Spawn the soak's processes from the main thread; stop them whatever happened."""
    with sockets_enabled():
        stack = spawn(tmp_path)
    try:
        yield stack
    finally:
        stop(stack)


def test_one_minute_of_faults(soak_stack: SoakStack) -> None:
    """Both sides agree after a minute of faults.

    Each event fired once, no login storm, one session at a time, no unhandled
    exception, flat memory and tasks.
    """
    with sockets_enabled():
        report: Report = run_in_thread(
            lambda: run(soak_stack, seconds=SECONDS, seed=SEED)
        )
    steps = ", ".join(f"{name} {count}" for name, count in report.steps.items())
    summary = (
        f"{table(report.checks)}\nsteps: {steps}\n"
        f"settled {report.settle_seconds:.1f} s after the last fault"
    )
    REPORTS.append((f"soak (seed {report.seed}, {report.seconds:.0f} s)", summary))

    assert report.ok, "\n" + table(report.checks)
    # The run did something: faults of many kinds, and another client's changes.
    assert len(report.steps) >= 8
    assert report.steps.get("add voicemail", 0) >= 1
