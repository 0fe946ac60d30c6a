"""Fixtures of the real-browser tests: the e2e stack (tests/e2e/stack.py) and a Chromium page.

One simulator and one Home Assistant per test module, as in tests/e2e; each test gets a fresh
Chromium process on the module's own profile directory (created empty for the module), so the
login and the browser's cache carry over from test to test as they would for a user, while
every test runs on its own event loop. A failed test gets the tails of both logs, and a
screenshot plus the page's accessibility tree (what the user saw) are written next to them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from pathlib import Path
import time

import aiohttp
from playwright.async_api import Page, expect
import pytest

from tests.browser.ui import chromium
from tests.e2e.harness import EVENT_TIMEOUT, Stack, run_in_thread, sockets_enabled
from tests.e2e.stack import (  # noqa: F401  (fixtures: pytest finds them by name)
    TIMINGS,
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

REPORT = pytest.StashKey[pytest.TestReport]()

# A user's patience, not the thing tested: what the page shows is waited for up to this long.
expect.set_options(timeout=EVENT_TIMEOUT * 1000)


@pytest.fixture(scope="module")
def ui_stack(stack: Stack) -> Stack:  # noqa: F811  (the e2e fixture, imported above)
    """Return the stack as scripts/develop leaves it: no onboarding entries that fail here."""

    async def tidy() -> list[str]:
        async with aiohttp.ClientSession() as client_session:
            return await stack.hass.remove_failed_onboarding_entries(
                stack.api(client_session)
            )

    with sockets_enabled():
        run_in_thread(tidy)
    return stack


@pytest.fixture(scope="module")
def profile(ui_stack: Stack) -> Path:
    """Chromium's user data directory of this module, empty at first."""
    folder = ui_stack.work_dir / "chromium-profile"
    folder.mkdir()
    return folder


@pytest.fixture
async def page(
    request: pytest.FixtureRequest, ui_stack: Stack, profile: Path
) -> AsyncIterator[Page]:
    """Yield a page of a headless Chromium; on failure save its screenshot and text."""
    started = time.monotonic()
    async with chromium(profile) as context:
        TIMINGS.append(("browser: Chromium launch", time.monotonic() - started))
        tab = context.pages[0] if context.pages else await context.new_page()
        yield tab
        report = request.node.stash.get(REPORT, None)
        if report is not None and report.failed:
            base = failure_path(ui_stack, request.node)
            base.parent.mkdir(exist_ok=True)
            await tab.screenshot(path=base.with_suffix(".png"), full_page=True)
            base.with_suffix(".txt").write_text(
                f"{tab.url}\n\n{await tab.locator('body').aria_snapshot()}\n",
                encoding="utf-8",
            )
    TIMINGS.append((f"browser: {request.node.name}", time.monotonic() - started))


def failure_path(running: Stack, item: pytest.Item) -> Path:
    """Where a failed test's screenshot (.png) and page text (.txt) go."""
    return running.work_dir / "failures" / item.name


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep the test's outcome for the page fixture; attach the logs to a failure."""
    report = yield
    if report.when != "call":
        return report
    item.stash[REPORT] = report
    running: Stack | None = getattr(item, "funcargs", {}).get("ui_stack")
    if report.failed and running is not None:
        report.sections.extend(log_sections(running))
        base = failure_path(running, item)
        report.sections.append(
            (
                "Browser",
                (
                    f"screenshot {base.with_suffix('.png')}\n"
                    f"page text  {base.with_suffix('.txt')} (written when the page closes)"
                ),
            )
        )
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the measured times."""
    print_timings(terminalreporter)
