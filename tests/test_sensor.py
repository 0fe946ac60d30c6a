"""Sensors of an account, against the ICWS simulator over loopback."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.voicemail.const import DOMAIN
from custom_components.voicemail.coordinator import VoicemailConfigEntry
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import entity_id_of, registered_entity_id, wait_until


def _state(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """Return the state of the account's sensor `key`."""
    state = hass.states.get(registered_entity_id(hass, entry, Platform.SENSOR, key))
    assert state is not None
    return state.state


def _playback(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Return the entity id of the account's playback sensor."""
    return registered_entity_id(hass, entry, Platform.SENSOR, "playback")


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sensors(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Counts, the server's waiting count and the playback state, on the account's device."""
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.voicemail.PLATFORMS", [Platform.SENSOR]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    # The waiting count comes in its own message, after the mailbox.
    await wait_until(
        hass,
        lambda: _state(hass, mock_config_entry, "messages_waiting") != "unknown",
    )

    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, mock_config_entry.unique_id), mock_config_entry.entry_id
    )
    assert device == snapshot(name="device")


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_counts_follow_the_mailbox(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
) -> None:
    """A new voicemail, one listened to and one deleted change the counts."""
    await wait_until(
        hass, lambda: _state(hass, init_integration, "messages_waiting") == "2"
    )
    assert _state(hass, init_integration, "voicemails") == "5"
    assert _state(hass, init_integration, "unread_voicemails") == "3"

    arrived = sim.add_voicemail(USER)
    await wait_until(hass, lambda: _state(hass, init_integration, "voicemails") == "6")
    assert _state(hass, init_integration, "unread_voicemails") == "4"
    await wait_until(
        hass, lambda: _state(hass, init_integration, "messages_waiting") == "3"
    )

    sim.set_read(USER, arrived.message_id, True)
    await wait_until(
        hass, lambda: _state(hass, init_integration, "unread_voicemails") == "3"
    )

    sim.remove_voicemail(USER, arrived.message_id)
    await wait_until(hass, lambda: _state(hass, init_integration, "voicemails") == "5")
    assert _state(hass, init_integration, "unread_voicemails") == "3"


async def test_playback(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
) -> None:
    """Idle, playing (with the message's id and caller), and idle again."""
    entity_id = _playback(hass, init_integration)
    assert hass.states.get(entity_id).state == "idle"
    assert "message_id" not in hass.states.get(entity_id).attributes
    vm = sim.add_voicemail(USER, sender="Erin Novak <4004>", duration=600.0)
    await wait_until(
        hass, lambda: vm.message_id in init_integration.runtime_data.data.by_id
    )

    # Played from the phone (another session of the same user).
    sim.start_playback(sim.live_sessions(USER)[0], vm, "4004")
    await wait_until(hass, lambda: hass.states.get(entity_id).state == "playing")
    attributes = hass.states.get(entity_id).attributes
    assert attributes["message_id"] == vm.message_id
    assert attributes["from"] == "Erin Novak <4004>"

    # Deleted while it plays: the server ends the playback.
    sim.remove_voicemail(USER, vm.message_id)
    await wait_until(hass, lambda: hass.states.get(entity_id).state == "idle")
    assert "message_id" not in hass.states.get(entity_id).attributes


async def test_playback_of_unknown_message(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
) -> None:
    """A playing message the mailbox does not list still shows its id."""
    entity_id = _playback(hass, init_integration)
    session = sim.live_sessions(USER)[0]
    session.push(sim.play_status_json("not-in-the-list", 0))

    await wait_until(hass, lambda: hass.states.get(entity_id).state == "playing")

    attributes = hass.states.get(entity_id).attributes
    assert attributes["message_id"] == "not-in-the-list"
    assert attributes["from"] is None


async def test_messages_waiting_is_disabled_by_default(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The server's waiting count repeats the unread count: it starts disabled."""
    entity_id = entity_id_of(
        hass, init_integration, Platform.SENSOR, "messages_waiting"
    )
    assert entity_id is not None
    entry = entity_registry.async_get(entity_id)
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(entity_id) is None
