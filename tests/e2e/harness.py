"""What the end-to-end tests share: the running processes and small waiting helpers.

The processes are started by scripts/_dev (the same code as scripts/develop); everything the
tests do to Home Assistant goes through its REST and WebSocket APIs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
import hashlib
from pathlib import Path
import threading
from typing import Any

import aiohttp
import pytest_socket

from custom_components.voicemail.const import DEFAULT_MAX_BUTTONS
from scripts._dev.entry import Connection
from scripts._dev.hass import HassProcess
from scripts._dev.hass_api import HassApi, HassWebSocket
from scripts._dev.processes import LOOPBACK
from scripts._dev.simulator import SimulatorControl, SimulatorProcess

# The simulator's account in the e2e tests: a password distinctive enough to search the logs.
E2E_USER = "alice"
E2E_PASSWORD = "e2e-Pa55-8b1f0c"  # noqa: S105  (a test value)
DOMAIN = "voicemail"

# Seconds: generous upper bounds for a 2-core machine, never the thing being tested.
EVENT_TIMEOUT = 30.0
RECONNECT_TIMEOUT = 120.0
# pocketsphinx on a voicemail of tests/audio, on a busy machine.
TRANSCRIBE_TIMEOUT = 120.0


@dataclass
class Stack:
    """A simulator and a Home Assistant process serving one test module."""

    sim: SimulatorProcess
    hass: HassProcess
    token: str
    work_dir: Path
    timings: dict[str, float] = field(default_factory=dict)
    hass_version: str = "?"

    @property
    def connection(self) -> Connection:
        """The config flow's input for the simulator (HTTPS, self-signed: verify off)."""
        return Connection(
            host=LOOPBACK,
            port=self.sim.port,
            ssl=True,
            verify_ssl=False,
            username=E2E_USER,
            password=E2E_PASSWORD,
        )

    def api(self, session: aiohttp.ClientSession) -> HassApi:
        """Return a REST client logged in as the owner."""
        return HassApi(session, self.hass.base_url, self.token)


def run_in_thread[T](make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a loop of its own in a thread: for module-scoped (sync) fixtures.

    The test's own event loop is function-scoped and not running while fixtures of a wider
    scope are set up; a separate thread leaves it and the plugin's loop checks untouched.
    """
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(make()))
        except BaseException as err:  # noqa: BLE001  (re-raised in the caller)
            error.append(err)

    thread = threading.Thread(target=target, name="e2e-fixture")
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


@contextmanager
def sockets_enabled() -> Iterator[None]:
    """Allow sockets (to 127.0.0.1, as the Home Assistant plugin configures) for a while.

    Module-scoped fixtures cannot request the function-scoped `socket_enabled` fixture.
    """
    pytest_socket.enable_socket()
    try:
        yield
    finally:
        pytest_socket.disable_socket(allow_unix_socket=True)


def digest(message_id: str) -> str:
    """Return the message part of a per-message button's unique id (docs/architecture.md)."""
    return hashlib.sha256(message_id.encode()).hexdigest()[:12]


def with_buttons(mailbox: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the simulator's messages that have Play and Stop buttons, newest first.

    The newest `DEFAULT_MAX_BUTTONS` (the options' default) voicemails; a fax has none.
    """
    voicemails = sorted(
        (vm for vm in mailbox if vm["kind"] != "fax"),
        key=lambda vm: (datetime.fromisoformat(vm["received"]), vm["message_id"]),
        reverse=True,
    )
    return voicemails[:DEFAULT_MAX_BUTTONS]


async def entry_entities(api: HassApi, entry_id: str) -> dict[str, dict[str, Any]]:
    """Return the entity registry entries of a config entry, by unique id."""
    async with await api.websocket() as ws:
        entries = await ws.command("config/entity_registry/list")
    return {e["unique_id"]: e for e in entries if e.get("config_entry_id") == entry_id}


def find_unique(entities: dict[str, dict[str, Any]], suffix: str) -> str:
    """Return the entity id whose unique id ends with `suffix` (exactly one)."""
    found = [str(e["entity_id"]) for uid, e in entities.items() if uid.endswith(suffix)]
    assert len(found) == 1, f"{suffix}: {found}"
    return found[0]


async def entities_with(
    api: HassApi, entry_id: str, *suffixes: str, timeout: float
) -> dict[str, dict[str, Any]]:
    """Wait until the entry has an entity for every unique-id suffix; return its entities.

    Per-message buttons follow the mailbox a moment after the counts do.
    """

    async def probe() -> dict[str, dict[str, Any]] | None:
        entities = await entry_entities(api, entry_id)
        if all(any(uid.endswith(s) for uid in entities) for s in suffixes):
            return entities
        return None

    return await wait_until(probe, timeout=timeout, what=f"entities {suffixes}")


async def wait_until[T](
    probe: Callable[[], Awaitable[T | None]], *, timeout: float, what: str
) -> T:
    """Poll until probe() returns something other than None."""
    async with asyncio.timeout(timeout):
        while (result := await probe()) is None:
            await asyncio.sleep(0.2)
    return result


async def wait_state_change(
    ws: HassWebSocket,
    subscription: int,
    accept: Callable[[dict[str, Any]], bool],
    *,
    timeout: float = EVENT_TIMEOUT,
    seen: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Read state_changed events until accept(data) is true; collect every event in seen."""
    async with asyncio.timeout(timeout):
        while True:
            event = await ws.next_event(subscription, timeout)
            data: dict[str, Any] = event["data"]
            if seen is not None:
                seen.append(data)
            if accept(data):
                return data


async def wait_state_changes(
    ws: HassWebSocket,
    subscription: int,
    accepts: list[Callable[[dict[str, Any]], bool]],
    *,
    timeout: float = EVENT_TIMEOUT,
) -> list[dict[str, Any]]:
    """Read state_changed events until each of `accepts` matched one, in any order.

    Return the first matching event data of each, in the order of `accepts`.
    """
    found: list[dict[str, Any] | None] = [None] * len(accepts)
    async with asyncio.timeout(timeout):
        while any(match is None for match in found):
            event = await ws.next_event(subscription, timeout)
            data: dict[str, Any] = event["data"]
            for index, accept in enumerate(accepts):
                if found[index] is None and accept(data):
                    found[index] = data
    return [match for match in found if match is not None]


def new_state_is(
    entity_id: str, predicate: Callable[[str], bool]
) -> Callable[[dict[str, Any]], bool]:
    """Accept a state_changed event of entity_id whose new state satisfies predicate."""

    def accept(data: dict[str, Any]) -> bool:
        new = data.get("new_state")
        return (
            data.get("entity_id") == entity_id
            and new is not None
            and predicate(new["state"])
        )

    return accept


async def play_requests(
    control: SimulatorControl, action: str = "start"
) -> list[dict[str, Any]]:
    """Return the play (`start`) or stop (`stop`) requests the simulator answered so far."""
    return [
        r
        for r in await control.requests()
        if r["method"] == "POST"
        and r["path"].endswith(f"/voicemail-message/play/{action}")
    ]


async def stop_requests(control: SimulatorControl) -> list[dict[str, Any]]:
    """Return the stop-playback requests the simulator answered so far."""
    return await play_requests(control, "stop")
