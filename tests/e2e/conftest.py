"""Fixtures of the end-to-end tests (tests/e2e/stack.py) and their report hooks."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from tests.e2e.harness import Stack
from tests.e2e.stack import (  # noqa: F401  (fixtures: pytest finds them by name)
    api,
    auto_enable_custom_integrations,
    control,
    entry,
    log_sections,
    print_timings,
    session,
    simulator_guard,
    stack,
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the tails of Home Assistant's and the simulator's logs to a failed test."""
    report = yield
    running: Stack | None = getattr(item, "funcargs", {}).get("stack")
    if report.failed and running is not None:
        report.sections.extend(log_sections(running))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the measured start-up times."""
    print_timings(terminalreporter)
