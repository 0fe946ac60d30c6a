"""Fixtures of the end-to-end tests: one simulator and one `hass` process per test module.

The processes run in their own process groups and are stopped (SIGTERM, then SIGKILL) in the
fixture's finally, whatever the tests did; they also get SIGTERM if pytest itself dies.
tests/e2e/conftest.py and tests/browser/conftest.py import these fixtures by name.
Home Assistant runs on $HASS_PYTHON when set (another version, see scripts/test).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
import time

import aiohttp
import pytest

from scripts._dev.entry import EntryOutcome, ensure_entry, wait_entry_state
from scripts._dev.hass import HassProcess
from scripts._dev.hass_api import DEMO_USER, HassApi
from scripts._dev.processes import LOOPBACK, PortTakenError, free_ports
from scripts._dev.simulator import SimulatorControl, simulator_process
from tests.e2e.harness import (
    E2E_PASSWORD,
    E2E_USER,
    Stack,
    run_in_thread,
    sockets_enabled,
)

# Measurements of this run, printed at the end (measured, never asserted).
TIMINGS: list[tuple[str, float]] = []
REPORTS: list[tuple[str, str]] = []
"""Longer results to print at the end: (section title, text)."""


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override tests/conftest.py's: no in-process Home Assistant in the e2e tests."""


@pytest.fixture(autouse=True)
def simulator_guard() -> None:
    """Override tests/conftest.py's (it needs an in-process `hass`); see the module log check."""


@pytest.fixture(scope="module")
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Start the simulator (HTTPS) and Home Assistant on free loopback ports, onboard it.

    A test module may set MESSAGING_VERSION = 1 for a server without server-sent events.
    """
    name = request.module.__name__.rsplit(".", 1)[-1]
    running: Stack | None = None
    try:
        # Ports are chosen free, but another process may take one before we listen on
        # it (the machine is shared): then start again on other ports, at most 3 times.
        for attempt in range(3):
            running = _start_stack(
                tmp_path_factory.mktemp(name),
                messaging_version=getattr(request.module, "MESSAGING_VERSION", 2),
            )
            try:
                running.token = _wait_ready(running)
                break
            except PortTakenError:
                _stop(running)
                if attempt == 2:
                    raise
        assert running is not None
        started = f"{name}: simulator + Home Assistant {running.hass_version} start"
        TIMINGS.append((f"{started}, onboarding", running.timings["start"]))
        yield running
    finally:
        if running is not None:
            _stop(running)
            TIMINGS.extend(
                (f"{name}: hass spawn -> RUNNING", seconds)
                for seconds in running.hass.startup_seconds
            )


def _start_stack(work: Path, *, messaging_version: int) -> Stack:
    """Spawn both processes from the main thread (children die with the thread that forks)."""
    with sockets_enabled():
        sim_port, hass_port = free_ports(2)
    sim = simulator_process(
        sim_port,
        log_path=work / "simulator.log",
        tls=True,
        voicemails=8,
        messaging_version=messaging_version,
        user=E2E_USER,
        password=E2E_PASSWORD,
    )
    hass = HassProcess(
        work / "config", hass_port, host=LOOPBACK, log_path=work / "hass.console.log"
    )
    running = Stack(sim, hass, "", work)
    running.timings["spawned"] = time.monotonic()
    sim.child.start()
    hass.spawn()
    return running


def _wait_ready(running: Stack) -> str:
    """Wait until both answer and Home Assistant is onboarded and RUNNING; return a token."""

    async def ready() -> str:
        await running.sim.wait_ready()
        async with aiohttp.ClientSession() as session:
            api = await running.hass.ready(session, DEMO_USER)
            running.hass_version = (await api.get("/api/config"))["version"]
        assert api.token is not None
        return api.token

    with sockets_enabled():
        token = run_in_thread(ready)
    running.timings["start"] = time.monotonic() - running.timings["spawned"]
    return token


def _stop(running: Stack) -> None:
    running.hass.stop()
    running.sim.stop()


@pytest.fixture(scope="module")
def entry(stack: Stack) -> EntryOutcome:
    """Create the voicemail entry on the simulator through the config flow; wait until loaded."""
    with sockets_enabled():

        async def create() -> EntryOutcome:
            async with aiohttp.ClientSession() as session:
                api = stack.api(session)
                outcome = await ensure_entry(api, stack.connection)
                await wait_entry_state(api, outcome.entry_id, ("loaded",))
                return outcome

        return run_in_thread(create)


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """Return an HTTP client session of the test (sockets to 127.0.0.1 allowed)."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def api(stack: Stack, session: aiohttp.ClientSession) -> HassApi:
    """Home Assistant's REST API as the owner."""
    return stack.api(session)


@pytest.fixture
def control(stack: Stack, session: aiohttp.ClientSession) -> SimulatorControl:
    """Return the simulator's control API."""
    return stack.sim.control(session)


def log_sections(running: Stack) -> list[tuple[str, str]]:
    """Return the report sections of a failed test: the tails of both logs."""
    return [
        (
            f"Home Assistant {running.hass_version} log (tail)",
            running.hass.child.log_tail(80),
        ),
        ("ICWS simulator log (tail)", running.sim.child.log_tail(40)),
    ]


def print_timings(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the measured times and reports once (both conftests call this), then forget them."""
    for title, text in REPORTS:
        terminalreporter.section(title)
        terminalreporter.write_line(text)
    REPORTS.clear()
    if not TIMINGS:
        return
    terminalreporter.section("e2e timings (measured)")
    for what, seconds in TIMINGS:
        terminalreporter.write_line(f"{seconds:6.1f} s  {what}")
    TIMINGS.clear()
