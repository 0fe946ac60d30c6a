"""Per-voicemail buttons, against the ICWS simulator over loopback."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.voicemail.const import (
    CONF_MAX_BUTTONS,
    CONF_PLAY_TARGET,
    DEFAULT_MAX_BUTTONS,
    DOMAIN,
)
from custom_components.voicemail.coordinator import VoicemailConfigEntry
from custom_components.voicemail.helpers import message_digest
from custom_components.voicemail.icws import Pacing
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.server import RunningSimulator
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import (
    PLAY_PATH,
    STOP_PATH,
    advance,
    button_id,
    entity_id_of,
    wait_until,
)

NOW = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)  # after the fixture mailbox, its year


@pytest.fixture
def frozen_clock(freezer: FrozenDateTimeFactory) -> None:
    """Freeze the clock in the fixture mailbox's year (names add the year of other years).

    Timers then wait for `advance`: only for tests that look at the buttons of setup.
    """
    freezer.move_to(NOW)


async def _setup(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    *,
    platforms: list[Platform] | None = None,
    **options: Any,
) -> None:
    """Set up the account with changed options (and only some platforms)."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={**entry.options, **options})
    with patch("custom_components.voicemail.PLATFORMS", platforms or [Platform.BUTTON]):
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def _press(hass: HomeAssistant, entity_id: str | None) -> None:
    assert entity_id is not None
    await hass.services.async_call(
        Platform.BUTTON, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


def _ids(sim: RunningSimulator) -> list[str]:
    """Alice's voicemail ids (not the fax), newest first."""
    messages = sorted(sim.sim.voicemails(USER), key=lambda vm: vm.received)
    return [vm.message_id for vm in reversed(messages) if vm.kind == "voicemail"]


def _buttons(entity_registry: er.EntityRegistry, entry: MockConfigEntry) -> list[str]:
    """Return the unique ids of the account's buttons, in the order of the registry."""
    return [
        registry_entry.unique_id
        for registry_entry in er.async_entries_for_config_entry(
            entity_registry, entry.entry_id
        )
        if registry_entry.domain == Platform.BUTTON
    ]


def _unique_ids(entry: MockConfigEntry, *message_ids: str) -> list[str]:
    """Return the unique ids of the messages' buttons: per message play, then stop."""
    return [
        f"{entry.unique_id}_{message_digest(message_id)}_{kind}"
        for message_id in message_ids
        for kind in ("play", "stop")
    ]


@pytest.mark.usefixtures("frozen_clock")
async def test_buttons(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """A stop and a play button per message, named after caller and time."""
    await _setup(hass, mock_config_entry, **{CONF_PLAY_TARGET: "+15550001"})

    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)


async def test_buttons_are_created_newest_first(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    icws_simulator: RunningSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """The registry and the state machine get the newest voicemail's buttons first."""
    await _setup(hass, mock_config_entry)

    expected = _unique_ids(mock_config_entry, *_ids(icws_simulator))
    assert _buttons(entity_registry, mock_config_entry) == expected
    assert hass.states.async_entity_ids(Platform.BUTTON) == [
        entity_registry.async_get_entity_id(Platform.BUTTON, DOMAIN, unique_id)
        for unique_id in expected
    ]


async def test_a_fax_gets_no_buttons_and_takes_no_place(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    icws_simulator: RunningSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """Four buttons' worth of messages: the four voicemails, the fax among them has none."""
    [fax] = [m for m in icws_simulator.sim.voicemails(USER) if m.kind == "fax"]
    await _setup(hass, mock_config_entry, **{CONF_MAX_BUTTONS: 4})

    newest_four = _ids(icws_simulator)
    assert len(newest_four) == 4
    assert newest_four[-1] != fax.message_id
    assert _buttons(entity_registry, mock_config_entry) == _unique_ids(
        mock_config_entry, *newest_four
    )
    assert button_id(hass, mock_config_entry, fax.message_id, "play") is None
    assert button_id(hass, mock_config_entry, fax.message_id, "stop") is None

    # A fax that arrives adds no button and pushes none out.
    icws_simulator.sim.add_voicemail(USER, kind="fax", received=NOW)
    await wait_until(
        hass, lambda: len(mock_config_entry.runtime_data.data.voicemails) == 6
    )
    await hass.async_block_till_done()
    assert _buttons(entity_registry, mock_config_entry) == _unique_ids(
        mock_config_entry, *newest_four
    )


async def test_five_buttons_by_default(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    icws_simulator: RunningSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """Without the option, the five newest of seven voicemails get buttons."""
    for day in (21, 22, 23):
        icws_simulator.sim.add_voicemail(
            USER, received=datetime(2026, 11, day, 12, 0, tzinfo=UTC)
        )
    mock_config_entry.add_to_hass(hass)
    options = dict(mock_config_entry.options)
    del options[CONF_MAX_BUTTONS]
    hass.config_entries.async_update_entry(mock_config_entry, options=options)
    with patch("custom_components.voicemail.PLATFORMS", [Platform.BUTTON]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    voicemails = _ids(icws_simulator)
    assert DEFAULT_MAX_BUTTONS == 5
    assert len(voicemails) == 7
    assert _buttons(entity_registry, mock_config_entry) == _unique_ids(
        mock_config_entry, *voicemails[:5]
    )


@pytest.mark.parametrize(
    ("time_zone", "bob", "eve"),
    [
        # Bob called on 2026-11-27 16:30 UTC, Eve on 2025-12-31 23:30 UTC.
        ("US/Pacific", "27 Nov 08:30", "31 Dec 2025 15:30"),
        ("Europe/Berlin", "27 Nov 17:30", "1 Jan 00:30"),
    ],
)
@pytest.mark.usefixtures("frozen_clock")
async def test_names_are_short_in_the_local_time(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    icws_simulator: RunningSimulator,
    *,
    time_zone: str,
    bob: str,
    eve: str,
) -> None:
    """Action, caller's name, day and time there; the year only when it is not this one."""
    await hass.config.async_set_time_zone(time_zone)
    new_year = icws_simulator.sim.add_voicemail(
        USER,
        sender="Eve Example <+15550123>",
        received=datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
    )
    await _setup(hass, mock_config_entry, **{CONF_MAX_BUTTONS: 10})
    [bob_id, *_] = _ids(icws_simulator)

    def name(message_id: str, kind: str) -> str:
        state = hass.states.get(button_id(hass, mock_config_entry, message_id, kind))
        assert state is not None
        return str(state.attributes["friendly_name"])

    assert name(bob_id, "play") == f"alice @ CIC-ICWS Play · Bob Smith · {bob}"
    assert name(bob_id, "stop") == f"alice @ CIC-ICWS Stop · Bob Smith · {bob}"
    assert (
        name(new_year.message_id, "play")
        == f"alice @ CIC-ICWS Play · Eve Example · {eve}"
    )


async def test_stop_button(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    icws_simulator: RunningSimulator,
) -> None:
    """Stop sends the stop request with the session's CSRF token and cookie: 204."""
    newest = _ids(icws_simulator)[0]

    await _press(hass, button_id(hass, init_integration, newest, "stop"))

    [request] = icws_simulator.sim.requests_to(STOP_PATH, "POST")
    assert request.status == 204
    assert request.body == b""
    session = next(
        s
        for s in icws_simulator.sim.sessions.values()
        if request.path.startswith(f"/icws/{s.session_id}/")
    )
    assert request.headers["ININ-ICWS-CSRF-Token"] == session.csrf_token
    assert request.headers["Cookie"] == (
        f"icws_{session.session_id}={session.cookie_value}"
    )
    assert request.path == (
        f"/icws/{session.session_id}/unified-messaging/{newest}"
        "/voicemail-message/play/stop"
    )


async def test_message_id_is_percent_encoded(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
) -> None:
    """An IMAP-style id (`/ ; : @ =`) reaches the server percent-encoded, unchanged."""
    message_id = "imap://alice@voicestore:993/INBOX;uidvalidity=7/;uid=574/;section=1"
    sim.add_voicemail(USER, message_id=message_id)
    await wait_until(
        hass, lambda: button_id(hass, init_integration, message_id, "stop") is not None
    )
    stop = button_id(hass, init_integration, message_id, "stop")
    assert hass.states.get(stop).attributes["message_id"] == message_id

    await _press(hass, stop)

    [request] = sim.requests_to(STOP_PATH)
    assert request.status == 204
    assert request.path.split("/")[4] == (
        "imap%3A%2F%2Falice%40voicestore%3A993%2FINBOX%3Buidvalidity%3D7%2F"
        "%3Buid%3D574%2F%3Bsection%3D1"
    )


async def test_buttons_follow_the_mailbox(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    icws_simulator: RunningSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """Buttons come with new voicemails and go with deleted ones and the window."""
    await _setup(hass, mock_config_entry, **{CONF_MAX_BUTTONS: 2})
    newest, second, third, *_ = _ids(icws_simulator)

    def buttons() -> set[str]:
        return set(_buttons(entity_registry, mock_config_entry))

    def unique_ids(*message_ids: str) -> set[str]:
        return set(_unique_ids(mock_config_entry, *message_ids))

    assert buttons() == unique_ids(newest, second)
    second_stop = button_id(hass, mock_config_entry, second, "stop")
    assert hass.states.get(second_stop) is not None

    # A new voicemail pushes the second newest out of the window.
    arrived = icws_simulator.sim.add_voicemail(
        USER, received=datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    )
    await wait_until(hass, lambda: buttons() == unique_ids(arrived.message_id, newest))
    assert hass.states.get(second_stop) is None

    # Deleting one brings the next one back into the window.
    icws_simulator.sim.remove_voicemail(USER, arrived.message_id)
    await wait_until(hass, lambda: buttons() == unique_ids(newest, second))
    assert hass.states.get(second_stop) is not None

    # A deletion outside the window changes no button.
    icws_simulator.sim.remove_voicemail(USER, third)
    await wait_until(
        hass,
        lambda: third not in mock_config_entry.runtime_data.data.by_id,
    )
    assert buttons() == unique_ids(newest, second)


async def test_stale_buttons_removed_at_setup(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Buttons of a voicemail deleted while Home Assistant was off are removed.

    A button of the account that is not a per-message button stays.
    """
    mock_config_entry.add_to_hass(hass)
    stale, other = (
        entity_registry.async_get_or_create(
            Platform.BUTTON,
            DOMAIN,
            f"{mock_config_entry.unique_id}_{key}",
            config_entry=mock_config_entry,
        )
        for key in (f"{message_digest('gone')}_stop", "mark_all_read")
    )

    await _setup(hass, mock_config_entry)

    assert entity_registry.async_get(stale.entity_id) is None
    assert entity_registry.async_get(other.entity_id) is not None


async def test_play_with_nowhere_to_play_says_where_to_set_it(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    icws_simulator: RunningSimulator,
) -> None:
    """Without a play target Play is not greyed out: pressing it says where to set one."""
    newest = _ids(icws_simulator)[0]
    play = button_id(hass, init_integration, newest, "play")
    assert hass.states.get(play).state != STATE_UNAVAILABLE

    with pytest.raises(ServiceValidationError) as err:
        await _press(hass, play)

    assert err.value.translation_key == "no_play_target"
    assert icws_simulator.sim.requests_to(PLAY_PATH) == []
    assert (
        ir.async_get(hass).async_get_issue(
            DOMAIN, f"no_play_target_{init_integration.entry_id}"
        )
        is not None
    )


async def test_play_and_stop(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    icws_simulator: RunningSimulator,
) -> None:
    """Play plays the message to the play target; stop stops it."""
    await _setup(
        hass,
        mock_config_entry,
        platforms=[Platform.BUTTON, Platform.SENSOR],
        **{CONF_PLAY_TARGET: "+15550001"},
    )
    newest = _ids(icws_simulator)[0]
    playback = entity_id_of(hass, mock_config_entry, Platform.SENSOR, "playback")

    await _press(hass, button_id(hass, mock_config_entry, newest, "play"))

    [request] = icws_simulator.sim.requests_to(PLAY_PATH)
    assert request.json()["playTarget"] == {
        "__type": "urn:inin.com:unifiedMessaging:voicemailPlayTarget",
        "target": "+15550001",
    }
    await wait_until(hass, lambda: hass.states.get(playback).state == "playing")

    await _press(hass, button_id(hass, mock_config_entry, newest, "stop"))

    assert hass.states.get(playback).state == "idle"


@pytest.mark.parametrize(
    ("fault", "translation_key"), [(400, "not_allowed"), (500, "server_error")]
)
async def test_press_fails(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    icws_simulator: RunningSimulator,
    fault: int,
    translation_key: str,
) -> None:
    """A press raises the action's translated errors (the server refuses: 400; 500)."""
    icws_simulator.sim.inject_fault(STOP_PATH, fault, error_variant="invalidProperty")
    newest = _ids(icws_simulator)[0]

    with pytest.raises(HomeAssistantError) as exc_info:
        await _press(hass, button_id(hass, init_integration, newest, "stop"))

    assert exc_info.value.translation_key == translation_key


async def test_not_exposed_to_assistants(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    icws_simulator: RunningSimulator,
) -> None:
    """Per-message buttons are not exposed to voice assistants by default."""
    assert await async_setup_component(hass, "homeassistant", {})
    stop = button_id(hass, init_integration, _ids(icws_simulator)[0], "stop")

    assert not async_should_expose(hass, "conversation", stop)


async def test_buttons_follow_the_connection(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: VoicemailConfigEntry,
    icws_simulator: RunningSimulator,
) -> None:
    """Buttons go unavailable with the account and come back with it, once each."""
    coordinator = init_integration.runtime_data
    stop = button_id(hass, init_integration, _ids(icws_simulator)[0], "stop")
    assert stop is not None
    states: list[str] = []
    async_track_state_change_event(
        hass, stop, lambda event: states.append(event.data["new_state"].state)
    )

    # The new session cannot subscribe once: the connection backs off, then is back.
    icws_simulator.sim.inject_fault(
        "/messaging/subscriptions/unified-messaging/voicemail-messages$",
        500,
        method="PUT",
    )
    icws_simulator.sim.expire_sessions()
    await wait_until(hass, lambda: len(states) == 1)
    advance(hass, freezer, Pacing().reconnect_min)
    await wait_until(hass, lambda: len(states) == 2)
    assert coordinator.last_update_success

    # A later update leaves the buttons as they are.
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert states == [STATE_UNAVAILABLE, STATE_UNKNOWN]
