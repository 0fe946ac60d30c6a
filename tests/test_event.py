"""The voicemail event entity, against the ICWS simulator over loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED, STATE_UNKNOWN, Platform
from homeassistant.core import CoreState, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.voicemail.coordinator import VoicemailConfigEntry
from custom_components.voicemail.icws import Pacing
from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.server import RunningSimulator, start_simulator
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import EventLog, registered_entity_id, wait_until

NEW_CALL = datetime(2026, 11, 28, 9, 14, 0, tzinfo=UTC)


def _event_entity(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    return registered_entity_id(hass, entry, Platform.EVENT, "events")


async def test_first_setup_fires_nothing(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """The first setup takes the mailbox as it is, and remembers every id."""
    entity_id = _event_entity(hass, init_integration)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == STATE_UNKNOWN
    assert state.attributes["event_types"] == [
        "received",
        "read",
        "deleted",
        "playback_started",
        "playback_stopped",
        "transcribed",
        "transcription_failed",
    ]

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    stored = hass_storage[f"voicemail.{init_integration.entry_id}.known_messages"]
    assert stored["version"] == 2
    assert stored["data"]["messages"] == {
        vm.message_id: vm.read
        for vm in sorted(sim.voicemails(USER), key=lambda vm: vm.message_id)
    }


async def test_new_voicemail(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    events: EventLog,
) -> None:
    """A voicemail that arrives fires `received` once, with what an automation needs."""
    vm = sim.add_voicemail(
        USER,
        sender="Erin Stone <4004>",
        subject="Voice mail from Erin Stone",
        received=NEW_CALL,
    )
    await wait_until(hass, lambda: bool(events.fired))

    assert events.fired == [
        (
            "received",
            {
                "message_id": vm.message_id,
                "from": "Erin Stone <4004>",
                "subject": "Voice mail from Erin Stone",
                "received": "2026-11-28T09:14:00+00:00",
                "read": False,
                "fax": False,
                "duration": None,
                "transcript": None,
            },
        )
    ]


async def test_reconnect_replays_nothing_known(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    events: EventLog,
) -> None:
    """A new session replays the whole mailbox: only the voicemail new to us fires."""
    old_session = sim.live_sessions(USER)[0]
    sim.disconnect_sessions(USER)
    # No session is subscribed now: the new voicemail reaches Home Assistant only in
    # the snapshot of the session the client opens next.
    vm = sim.add_voicemail(USER, sender="Erin Stone <4004>", received=NEW_CALL)
    await wait_until(hass, lambda: bool(events.fired))

    assert [s.session_id for s in sim.live_sessions(USER)] != [old_session.session_id]
    assert events.types() == ["received"]
    assert events.fired[0][1]["message_id"] == vm.message_id


async def test_safety_refresh_replays_nothing(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    events: EventLog,
) -> None:
    """A resync (here asked for by a manual refresh) brings the same snapshot: no event."""
    coordinator = init_integration.runtime_data
    await coordinator.async_refresh()
    await wait_until(hass, lambda: coordinator.connection.stats.resyncs == 1)

    assert coordinator.last_update_success
    assert len(sim.requests_to(r"/voicemail-messages$", "PUT")) == 2
    assert events.fired == []


async def test_voicemail_while_the_server_was_gone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    icws_simulator: RunningSimulator,
    init_integration: VoicemailConfigEntry,
    events: EventLog,
) -> None:
    """The server is gone, a voicemail arrives, the server is back: one `received`.

    The entity is unavailable in between; the event follows its available state, so
    that state triggers (which ignore changes from `unavailable`) see it.
    """
    coordinator = init_integration.runtime_data
    sim = icws_simulator.sim
    await icws_simulator.stop()
    await wait_until(hass, lambda: not coordinator.last_update_success)
    vm = sim.add_voicemail(USER, sender="Erin Stone <4004>", received=NEW_CALL)

    running = await start_simulator(sim, icws_simulator.host, icws_simulator.port)
    try:
        freezer.tick(timedelta(seconds=Pacing().reconnect_max))
        async_fire_time_changed(hass)
        await wait_until(hass, lambda: bool(events.fired))
    finally:
        assert await hass.config_entries.async_unload(init_integration.entry_id)
        await running.stop()

    assert [(t, a["message_id"]) for t, a in events.fired] == [
        ("received", vm.message_id)
    ]


async def test_read_and_deleted(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    events: EventLog,
) -> None:
    """Marking read fires `read`; deleting fires `deleted`; marking unread fires nothing."""
    newest = sim.voicemails(USER)[-1]
    oldest = sim.voicemails(USER)[0]

    sim.set_read(USER, newest.message_id, True)
    await wait_until(hass, lambda: len(events.fired) == 1)
    sim.set_read(USER, newest.message_id, False)
    sim.remove_voicemail(USER, oldest.message_id)
    await wait_until(hass, lambda: len(events.fired) == 2)

    assert events.types() == ["read", "deleted"]
    assert events.fired[0][1]["message_id"] == newest.message_id
    assert events.fired[0][1]["read"] is True
    assert events.fired[1][1] == {
        "message_id": oldest.message_id,
        "from": "Carol Jones <2002>",
        "subject": "Voice mail from Carol Jones",
        "received": "2026-10-30T09:15:00+00:00",
        "read": True,
        "fax": False,
        "duration": None,
        "transcript": None,
    }


async def test_playback(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    events: EventLog,
) -> None:
    """Playback started and stopped, also when one playback replaces another."""
    session = sim.live_sessions(USER)[0]
    first, second = sim.voicemails(USER)[-1], sim.voicemails(USER)[-2]

    sim.start_playback(session, first, "1234")
    await wait_until(hass, lambda: len(events.fired) == 1)
    sim.start_playback(session, second, "1234")
    await wait_until(hass, lambda: len(events.fired) == 3)
    sim.end_playback(session.user)
    await wait_until(hass, lambda: len(events.fired) == 4)

    assert [(t, a["message_id"]) for t, a in events.fired] == [
        ("playback_started", first.message_id),
        ("playback_stopped", first.message_id),
        ("playback_started", second.message_id),
        ("playback_stopped", second.message_id),
    ]
    assert events.fired[0][1]["from"] == "Bob Smith <+15551234>"


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(faxes_in_voicemail_list=False)]
)
async def test_playback_of_a_message_not_listed(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    events: EventLog,
) -> None:
    """A message the list does not show plays (and ends at once): only its id is known."""
    [fax] = [vm for vm in sim.voicemails(USER) if vm.kind == "fax"]

    sim.start_playback(sim.live_sessions(USER)[0], fax, "1234")
    await wait_until(hass, lambda: len(events.fired) == 2)

    assert events.fired == [
        ("playback_started", {"message_id": fax.message_id}),
        ("playback_stopped", {"message_id": fax.message_id}),
    ]


async def test_voicemail_that_came_while_away(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Unload, two voicemails arrive, set up again: one `received` each, oldest first.

    The events come after the entity wrote its restored state, so that state
    triggers (which ignore changes from `unavailable`) see them.
    """
    entity_id = _event_entity(hass, init_integration)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    first = sim.add_voicemail(USER, sender="Erin Stone <4004>", received=NEW_CALL)
    second = sim.add_voicemail(
        USER, sender="Frank Long <5005>", received=NEW_CALL.replace(minute=20)
    )
    events = EventLog(hass, entity_id)

    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await wait_until(hass, lambda: len(events.fired) == 2)

    assert [(t, a["message_id"]) for t, a in events.fired] == [
        ("received", first.message_id),
        ("received", second.message_id),
    ]
    # Set up once more without changes: nothing is new any more.
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert len(events.fired) == 2


async def test_catching_up_waits_for_home_assistant_to_start(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """While Home Assistant starts, automations are not listening yet: wait for them."""
    hass_storage[f"voicemail.{mock_config_entry.entry_id}.known_messages"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"voicemail.{mock_config_entry.entry_id}.known_messages",
        "data": {"message_ids": [vm.message_id for vm in sim.voicemails(USER)]},
    }
    new = sim.add_voicemail(USER, sender="Erin Stone <4004>", received=NEW_CALL)
    hass.set_state(CoreState.starting)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    events = EventLog(hass, _event_entity(hass, mock_config_entry))
    # Changes before the start wait for it too, in their order.
    was_read = sim.voicemails(USER)[-2].message_id
    sim.set_read(USER, was_read, True)
    later = sim.add_voicemail(
        USER, sender="Frank Long <5005>", received=NEW_CALL.replace(minute=20)
    )
    await wait_until(
        hass,
        lambda: later.message_id in mock_config_entry.runtime_data.data.by_id,
    )
    assert events.fired == []

    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await wait_until(hass, lambda: len(events.fired) == 3)

    assert [(t, a["message_id"]) for t, a in events.fired] == [
        ("received", new.message_id),
        ("read", was_read),
        ("received", later.message_id),
    ]
    # The old store (ids only) was migrated: read states are known from now on.
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    key = f"voicemail.{mock_config_entry.entry_id}.known_messages"
    assert hass_storage[key]["version"] == 2
    assert hass_storage[key]["data"]["messages"][was_read] is True


async def test_removing_the_account_forgets_the_ids(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """The known ids go with the account."""
    key = f"voicemail.{init_integration.entry_id}.known_messages"
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert key in hass_storage

    await hass.config_entries.async_remove(init_integration.entry_id)

    assert key not in hass_storage
