"""Helpers for the integration tests: find entities, wait for pushed changes.

The simulator answers over real HTTP and the coordinator applies its events as they
arrive, so a test cannot know how many loop iterations that takes. `wait_until` is the
one wait helper: it re-checks a condition at every loop turn for a while, then whenever
a state, a registry or a coordinator's data changes. Its guard only keeps a broken test
from hanging; no assertion depends on timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
import json
from pathlib import Path
import threading
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_USERNAME,
    EVENT_STATE_CHANGED,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension

from custom_components.voicemail.const import CONF_PLAY_TARGET, DOMAIN
from custom_components.voicemail.helpers import message_digest
from custom_components.voicemail.services import (
    SERVICE_LIST,
    SERVICE_PLAY,
    SERVICE_STOP_PLAYBACK,
)
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.simulator import IcwsSimulator

HANG_GUARD = 30.0
SPIN_TURNS = 2_000
"""Loop turns `wait_until` re-checks at once, before it waits (a few ms of work)."""
TICK = 0.01
"""Real seconds between two checks of a waiting `wait_until`."""

# Paths of the requests the integration sends (regular expressions for `requests_to`).
LOGIN_PATH = "^/icws/connection$"
SUBSCRIPTION_PATH = "/messaging/subscriptions/unified-messaging/voicemail-messages$"
PLAY_PATH = r"/voicemail-message/play/start$"
STOP_PATH = r"/voicemail-message/play/stop$"
MESSAGE_PATH = r"^/icws/[^/]+/unified-messaging/[^/]+$"

STRINGS: dict[str, Any] = json.loads(
    (
        Path(__file__).parent.parent / "custom_components/voicemail/strings.json"
    ).read_text()
)


class SnapshotExtension(HomeAssistantSnapshotExtension):
    """Keep the `.ambr` files in `tests/snapshots/`, as Home Assistant core does."""

    snapshot_dirname = "snapshots"


def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Move the frozen clock on and run what became due (timers of the loop included).

    A test that takes `freezer` must request it before `init_integration`.
    """
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)


async def wait_until(hass: HomeAssistant, condition: Callable[[], bool]) -> None:
    """Return once `condition()` holds.

    Checked at every turn of the event loop for a while, then whenever a state, a
    registry or a coordinator's data changes, and every few milliseconds of the real
    clock (network answers and the simulator's state need no event of Home Assistant).
    The guard runs on the real clock too: a test's frozen clock stops the loop's timers.
    Once it holds, Home Assistant's tracked tasks are settled: a task that waits on a
    frozen clock meanwhile must be a background task, or this never returns.
    """
    for _ in range(SPIN_TURNS):
        if condition():
            await hass.async_block_till_done()
            return
        await asyncio.sleep(0)
    loop = asyncio.get_running_loop()
    done = asyncio.Event()

    @callback
    def _check(_event: Event | None = None) -> None:
        if condition():
            done.set()

    @callback
    def _give_up() -> None:
        done.set()

    ticker = _RealClockTicker(loop, _check, _give_up)
    unsubscribes = [
        hass.bus.async_listen(EVENT_STATE_CHANGED, _check),
        hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, _check),
        hass.bus.async_listen(ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, _check),
        *(
            entry.runtime_data.async_add_listener(_check)
            for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        ),
    ]
    try:
        ticker.start()
        _check()
        await done.wait()
    finally:
        ticker.stop()
        for unsubscribe in unsubscribes:
            unsubscribe()
    if not condition():
        raise AssertionError(
            f"wait_until: the condition did not hold in {HANG_GUARD} s"
        )
    await hass.async_block_till_done()


class _RealClockTicker(threading.Thread):
    """Calls `check` on the loop every `TICK` real seconds, `give_up` after HANG_GUARD."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        check: Callable[[], None],
        give_up: Callable[[], None],
    ) -> None:
        super().__init__(name="wait_until", daemon=True)
        self._loop = loop
        self._check = check
        self._give_up = give_up
        self._stopped = threading.Event()

    def run(self) -> None:
        for _ in range(int(HANG_GUARD / TICK)):
            if self._stopped.wait(TICK):
                return
            self._loop.call_soon_threadsafe(self._check)
        self._loop.call_soon_threadsafe(self._give_up)

    def stop(self) -> None:
        self._stopped.set()


def log_messages(caplog: pytest.LogCaptureFixture, level: int, text: str) -> list[str]:
    """Return the integration's log lines of one level that contain a text."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.voicemail")
        and record.levelno == level
        and text in record.getMessage()
    ]


async def async_report_playing(
    hass: HomeAssistant, sim: IcwsSimulator, entry: ConfigEntry, message_id: str
) -> None:
    """Make the server say that a message plays (no end of its own), and wait for it."""
    (session,) = sim.live_sessions(USER)
    session.push(sim.play_status_json(message_id, 0))
    await wait_until(hass, lambda: entry.runtime_data.data.playing == message_id)


async def async_call_action(
    hass: HomeAssistant, service: str, data: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """Run one of our actions; return its response when it has one."""
    response = await hass.services.async_call(
        DOMAIN,
        service,
        data or {},
        blocking=True,
        return_response=service in (SERVICE_PLAY, SERVICE_LIST, SERVICE_STOP_PLAYBACK),
    )
    return None if response is None else dict(response)


def message_ids(
    sim: IcwsSimulator, user: str = USER, kind: str = "voicemail"
) -> list[str]:
    """Return the ids of a user's messages of one kind (voicemail, fax), oldest first."""
    return [vm.message_id for vm in sim.voicemails(user) if vm.kind == kind]


async def async_set_play_target(
    hass: HomeAssistant, entry: ConfigEntry, target: str
) -> None:
    """Change the account's play target option and let the change settle."""
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_PLAY_TARGET: target}
    )
    await hass.async_block_till_done()


def entity_id_of(
    hass: HomeAssistant, entry: ConfigEntry, platform: Platform, key: str
) -> str | None:
    """Return the entity id of the account's entity `key` (None: not registered)."""
    return er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{entry.unique_id}_{key}"
    )


def registered_entity_id(
    hass: HomeAssistant, entry: ConfigEntry, platform: Platform, key: str
) -> str:
    """Return the entity id of the account's entity `key`, which must be registered."""
    entity_id = entity_id_of(hass, entry, platform, key)
    assert entity_id is not None, f"{platform} {key} is not registered"
    return entity_id


def button_id(
    hass: HomeAssistant, entry: ConfigEntry, message_id: str, kind: str
) -> str | None:
    """Return the entity id of a message's `stop` or `play` button (None: none)."""
    return entity_id_of(
        hass, entry, Platform.BUTTON, f"{message_digest(message_id)}_{kind}"
    )


async def async_setup_bob(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    alice: ConfigEntry,
    **options: Any,
) -> MockConfigEntry:
    """Add user bob (empty mailbox) to the simulator and load his account next to alice's."""
    sim.add_user("bob", "hunter2", display_name="Bob Example")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="bob @ CIC-ICWS",
        unique_id="bob@cic-icws",
        data={**alice.data, CONF_USERNAME: "bob", CONF_PASSWORD: "hunter2"},
        options={**alice.options, **options},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def async_start_playback(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    entry: ConfigEntry,
    message_id: str | None = None,
    user: str = USER,
) -> str:
    """Make the server play a message (as another phone client would) and wait for it.

    Without an id it plays the user's newest voicemail; returns the id that plays.
    """
    playing = message_ids(sim, user)[-1] if message_id is None else message_id
    sim.start_playback(
        sim.live_sessions(user)[0], sim.get_voicemail(user, playing), "1234"
    )
    await wait_until(hass, lambda: entry.runtime_data.data.playing == playing)
    return playing


async def async_empty_mailbox(
    hass: HomeAssistant, sim: IcwsSimulator, entry: ConfigEntry
) -> None:
    """Delete every message of alice's mailbox on the server and wait until it shows."""
    for vm in sim.voicemails(USER):
        sim.remove_voicemail(USER, vm.message_id)
    await wait_until(hass, lambda: not entry.runtime_data.data.voicemails)


class EventLog:
    """The events the entity fires, as (event_type, attributes), in order.

    It counts what an automation's state trigger sees: a new timestamp after a
    state that is not `unavailable` (writing the restored state after a setup is
    no event).
    """

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        """Record every state change of the entity that is an event."""
        self.fired: list[tuple[str, dict[str, Any]]] = []

        @callback
        def _record(event: Event[Any]) -> None:
            new_state = event.data["new_state"]
            old_state = event.data["old_state"]
            if (
                event.data["entity_id"] != entity_id
                or new_state is None
                or old_state is None
                or old_state.state == STATE_UNAVAILABLE
                or new_state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE)
                or old_state.state == new_state.state
            ):
                return
            attributes = dict(new_state.attributes)
            for common in ("event_types", "friendly_name"):
                attributes.pop(common)
            self.fired.append((attributes.pop("event_type"), attributes))

        self.unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, _record)

    def types(self) -> list[str]:
        """Return the event types fired so far."""
        return [event_type for event_type, _ in self.fired]


async def async_converse(hass: HomeAssistant, text: str) -> dict[str, Any]:
    """Say `text` to the built-in conversation agent; return its response as a dict."""
    result = await conversation.async_converse(
        hass, text, None, Context(), language="en"
    )
    return result.response.as_dict()


async def async_choose_where_to_play(
    hass: HomeAssistant,
    result: ConfigFlowResult,
    play: dict[str, Any] | None = None,
) -> ConfigFlowResult:
    """Answer the config flow's play step, shown after a login that worked."""
    assert result["type"] is FlowResultType.FORM, result
    assert result["step_id"] == "play", result
    assert result["errors"] == {}
    return await hass.config_entries.flow.async_configure(result["flow_id"], play or {})
