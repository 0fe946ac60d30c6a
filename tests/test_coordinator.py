"""The coordinator: pushed mailbox changes, playback state, session loss, reconnects.

The connection's own rules (no login storms, stream fallback, ...) are proven against the
simulator in tests/icws/; these tests show what Home Assistant makes of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voicemail.const import CONF_PLAYBACK_TIMEOUT
from custom_components.voicemail.coordinator import VoicemailCoordinator
from custom_components.voicemail.icws import MessageState, Voicemail
from custom_components.voicemail.mailbox import VoicemailData
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.server import RunningSimulator
from tests.icws_simulator.simulator import IcwsSimulator
from tests.icws_simulator.state import Session
from tests.integration_helpers import (
    advance,
    async_report_playing,
    message_ids,
    wait_until,
)


def _session(sim: RunningSimulator) -> Session:
    """Return alice's one live session."""
    (session,) = sim.sim.live_sessions(USER)
    return session


# --- The data ------------------------------------------------------------------------


def _voicemail(message_id: str, received: datetime, *, read: bool = False) -> Voicemail:
    return Voicemail(
        message_id=message_id,
        state=MessageState.READ if read else MessageState.UNREAD,
        received=received,
        sender="Bob",
        subject="Voice mail from Bob",
    )


def test_data_newest_first() -> None:
    """Voicemails are ordered newest first, then by id; unread counts the unread."""
    day = datetime(2026, 11, 1, tzinfo=UTC)
    old = _voicemail("A", day, read=True)
    new_a = _voicemail("B", day + timedelta(days=1))
    new_b = _voicemail("C", day + timedelta(days=1))

    data = VoicemailData.build([old, new_a, new_b], None, 2)

    assert data.voicemails == (new_b, new_a, old)
    assert dict(data.by_id) == {"A": old, "B": new_a, "C": new_b}
    assert data.unread == 2
    assert data == VoicemailData.build([new_b, old, new_a], None, 2)


# --- Pushed changes -------------------------------------------------------------------


async def test_snapshot_at_setup(
    hass: HomeAssistant, sim: IcwsSimulator, coordinator: VoicemailCoordinator
) -> None:
    """Setup waits for the mailbox: all messages, newest first, and the waiting count."""
    data = coordinator.data
    stored = sorted(sim.voicemails(USER), key=lambda vm: vm.received, reverse=True)
    assert [vm.message_id for vm in data.voicemails] == [vm.message_id for vm in stored]
    assert data.playing is None
    await wait_until(hass, lambda: coordinator.data.messages_waiting is not None)
    assert coordinator.data.messages_waiting == sim.users[USER].unread_count()
    assert coordinator.session_info.user_id == USER


async def test_pushed_changes(
    hass: HomeAssistant, sim: IcwsSimulator, coordinator: VoicemailCoordinator
) -> None:
    """Added, changed and removed messages reach the data without polling."""
    requests_before = len(sim.requests)

    added = sim.add_voicemail(USER, sender="Erin <4004>")
    await wait_until(hass, lambda: added.message_id in coordinator.data.by_id)
    assert coordinator.data.voicemails[0].message_id == added.message_id

    sim.set_read(USER, added.message_id, True)
    await wait_until(hass, lambda: coordinator.data.by_id[added.message_id].read)

    oldest = message_ids(sim)[0]
    sim.remove_voicemail(USER, oldest)
    await wait_until(hass, lambda: oldest not in coordinator.data.by_id)

    assert coordinator.data.unread == sum(
        1 for vm in sim.voicemails(USER) if not vm.read
    )
    # Nothing was asked for: the server pushed it all on the open event stream.
    assert [r for r in sim.requests[requests_before:] if r.method != "GET"] == []


async def test_change_of_unknown_message_is_ignored(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    coordinator: VoicemailCoordinator,
) -> None:
    """A state change for a message the mailbox does not have adds nothing."""
    sim = icws_simulator.sim
    ghost = sim.add_voicemail(USER)
    await wait_until(hass, lambda: ghost.message_id in coordinator.data.by_id)
    # Forget it locally by replaying an older snapshot-free removal, then change it.
    sim.remove_voicemail(USER, ghost.message_id)
    await wait_until(hass, lambda: ghost.message_id not in coordinator.data.by_id)
    session = _session(icws_simulator)
    session.push(sim._delta_json(changed=[ghost]))
    sim.send_mwi(session, 42)
    await wait_until(hass, lambda: coordinator.data.messages_waiting == 42)

    assert ghost.message_id not in coordinator.data.by_id


# --- Playback ------------------------------------------------------------------------


async def test_playback_transitions(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    coordinator: VoicemailCoordinator,
) -> None:
    """PLAYING sets the message; STOPPED of another message does not end it; its own does."""
    sim = icws_simulator.sim
    first, second = message_ids(icws_simulator.sim)[-2:]
    session = _session(icws_simulator)

    sim.start_playback(session, sim.get_voicemail(USER, first), "1234")
    await wait_until(hass, lambda: coordinator.data.playing == first)

    # Another playback replaces it (the server ends the first one first).
    sim.start_playback(session, sim.get_voicemail(USER, second), "1234")
    await wait_until(hass, lambda: coordinator.data.playing == second)

    session.push(sim.play_status_json(first, 1))
    sim.send_mwi(session, 42)
    await wait_until(hass, lambda: coordinator.data.messages_waiting == 42)
    assert coordinator.data.playing == second

    sim.end_playback(sim.users[USER])
    await wait_until(hass, lambda: coordinator.data.playing is None)


async def test_playing_replaced_without_stop(
    icws_simulator: RunningSimulator, coordinator: VoicemailCoordinator
) -> None:
    """A PLAYING for another message ends the first even when no STOPPED came."""
    first, second = message_ids(icws_simulator.sim)[-2:]

    await async_report_playing(
        coordinator.hass, icws_simulator.sim, coordinator.config_entry, first
    )
    await async_report_playing(
        coordinator.hass, icws_simulator.sim, coordinator.config_entry, second
    )


async def test_playback_safety_timeout(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without a STOPPED, the playback ends after the configured timeout."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={**mock_config_entry.options, CONF_PLAYBACK_TIMEOUT: 120},
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    coordinator = mock_config_entry.runtime_data
    newest = message_ids(icws_simulator.sim)[-1]

    await async_report_playing(
        coordinator.hass, icws_simulator.sim, coordinator.config_entry, newest
    )

    advance(hass, freezer, 119)
    await hass.async_block_till_done()
    assert coordinator.data.playing == newest

    advance(hass, freezer, 1)
    await wait_until(hass, lambda: coordinator.data.playing is None)


# --- Actions -------------------------------------------------------------------------


async def test_play_and_stop(
    hass: HomeAssistant, sim: IcwsSimulator, coordinator: VoicemailCoordinator
) -> None:
    """Play goes to the target; stop ends it and says which message stopped.

    (Which target, when the caller names none: play.py, tests/test_play.py.)
    """
    newest = message_ids(sim)[-1]
    assert await coordinator.async_stop(None) == []

    await coordinator.async_play(newest, "5678")
    await wait_until(hass, lambda: coordinator.data.playing == newest)
    assert sim.users[USER].playback.target == "5678"

    assert await coordinator.async_stop(None) == [newest]
    assert coordinator.data.playing is None

    await coordinator.async_play(newest, "1234")
    await wait_until(hass, lambda: coordinator.data.playing == newest)
    assert sim.users[USER].playback.target == "1234"
    assert await coordinator.async_stop(newest) == [newest]
    assert coordinator.data.playing is None


async def test_stop_message_that_does_not_play(
    icws_simulator: RunningSimulator, coordinator: VoicemailCoordinator
) -> None:
    """Stopping a message that does not play asks the server and changes nothing here."""
    newest, older = (
        message_ids(icws_simulator.sim)[-1],
        message_ids(icws_simulator.sim)[0],
    )
    await async_report_playing(
        coordinator.hass, icws_simulator.sim, coordinator.config_entry, newest
    )

    assert await coordinator.async_stop(older) == [older]
    assert coordinator.data.playing == newest


async def test_mark_read_and_delete(
    hass: HomeAssistant, sim: IcwsSimulator, coordinator: VoicemailCoordinator
) -> None:
    """Read state and deletion go to the server, whose push updates the data."""
    newest = message_ids(sim)[-1]
    assert not coordinator.data.by_id[newest].read

    await coordinator.async_set_read(newest, True)
    await wait_until(hass, lambda: coordinator.data.by_id[newest].read)
    await coordinator.async_set_read(newest, False)
    await wait_until(hass, lambda: not coordinator.data.by_id[newest].read)

    await coordinator.async_delete(newest)
    await wait_until(hass, lambda: newest not in coordinator.data.by_id)
    assert newest not in {vm.message_id for vm in sim.voicemails(USER)}


@pytest.mark.parametrize(
    "action",
    [
        lambda c: c.async_play("nope", "1234"),
        lambda c: c.async_stop("nope"),
        lambda c: c.async_set_read("nope", True),
        lambda c: c.async_delete("nope"),
    ],
    ids=["play", "stop", "set_read", "delete"],
)
async def test_unknown_message(
    sim: IcwsSimulator,
    coordinator: VoicemailCoordinator,
    action: Callable[[VoicemailCoordinator], Awaitable[object]],
) -> None:
    """An id the mailbox does not have is refused before anything is sent."""
    sim.clear_requests()

    with pytest.raises(ServiceValidationError) as err:
        await action(coordinator)

    assert err.value.translation_key == "unknown_message"
    assert err.value.translation_placeholders == {"message_id": "nope"}
    assert [r for r in sim.requests if r.method != "GET"] == []
