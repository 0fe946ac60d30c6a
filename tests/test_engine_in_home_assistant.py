"""What a user sees of the session engine.

Playback right after a silent expiry, actions while the account waits for a password
or reconnects, odd dates, a proxy that refuses the event stream.
"""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voicemail.const import CONF_MAX_BUTTONS
from custom_components.voicemail.coordinator import VoicemailConfigEntry
from custom_components.voicemail.icws import Phase
from custom_components.voicemail.services import SERVICE_PLAY, SERVICE_STOP_PLAYBACK
from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.server import RunningSimulator
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import (
    LOGIN_PATH,
    PLAY_PATH,
    STOP_PATH,
    async_call_action,
    async_set_play_target,
    button_id,
    message_ids,
    registered_entity_id,
    wait_until,
)


def _playback(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = registered_entity_id(hass, entry, Platform.SENSOR, "playback")
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def test_play_right_after_a_silent_expiry(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """After a silent expiry, a play runs on the new session once it is subscribed.

    It shows as playing, and a stop without an id stops it.
    """
    await async_set_play_target(hass, init_integration, "1234")
    newest = message_ids(sim)[-1]
    logins = len(sim.requests_to(LOGIN_PATH, "POST"))
    sim.expire_sessions()

    await async_call_action(hass, SERVICE_PLAY, {"message_id": newest})

    assert _playback(hass, init_integration) == "playing"
    assert len(sim.requests_to(LOGIN_PATH, "POST")) == logins + 1
    assert [r.status for r in sim.requests_to(PLAY_PATH)] == [401, 204]
    (session,) = sim.live_sessions(USER)
    assert session.voicemail_subscribed
    assert await async_call_action(hass, SERVICE_STOP_PLAYBACK) == {"stopped": [newest]}
    assert sim.requests_to(STOP_PATH)[-1].status == 204
    assert _playback(hass, init_integration) == "idle"


async def test_playing_shows_at_once(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """Playing shows as soon as the server accepted the play.

    Even when the server never sends a play status of its own; stopping without an id
    works then too.
    """
    await async_set_play_target(hass, init_integration, "1234")
    sim.settings.play_status_to_all_sessions = False
    newest = message_ids(sim)[-1]
    session = sim.live_sessions(USER)[0]
    sim.inject_fault(PLAY_PATH, 204)  # accepted, but nothing plays or reports

    await async_call_action(hass, SERVICE_PLAY, {"message_id": newest})

    assert _playback(hass, init_integration) == "playing"
    assert session.alive
    assert await async_call_action(hass, SERVICE_STOP_PLAYBACK) == {"stopped": [newest]}


async def test_nothing_is_sent_while_a_new_password_is_needed(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """The server refused the password: nothing is sent any more.

    Actions and intents say to re-authenticate; the buttons are unavailable.
    """
    await async_set_play_target(hass, init_integration, "1234")
    coordinator = init_integration.runtime_data
    sim.add_user(USER, "Ch4nged-Pa55")
    sim.expire_sessions()
    await wait_until(hass, lambda: coordinator.connection.phase is Phase.AUTH_FAILED)
    sim.clear_requests()
    newest = message_ids(sim)[-1]

    for service in (SERVICE_STOP_PLAYBACK, SERVICE_PLAY):
        with pytest.raises(HomeAssistantError) as err:
            await async_call_action(hass, service, {"message_id": newest})
        assert err.value.translation_key == "reauth_required"
    assert await async_setup_component(hass, "intent", {})
    response = await intent.async_handle(
        hass, "test", "VoicemailPlayNewest", {}, language="en"
    )
    assert response.response_type is intent.IntentResponseType.ERROR
    assert "Re-authenticate" in response.speech["plain"]["speech"]
    assert sim.requests == []
    # Buttons are unavailable meanwhile: Home Assistant does not press them at all.
    stop = button_id(hass, init_integration, newest, "stop")
    state = hass.states.get(stop or "")
    assert state is not None
    assert state.state == "unavailable"


async def test_actions_while_reconnecting(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    icws_simulator: RunningSimulator,
    init_integration: VoicemailConfigEntry,
) -> None:
    """The server is gone: an action fails at once with "being restored", no login."""
    coordinator = init_integration.runtime_data
    sim = icws_simulator.sim
    newest = message_ids(sim)[-1]
    await icws_simulator.stop()
    await wait_until(hass, lambda: coordinator.connection.phase is Phase.BACKING_OFF)

    with pytest.raises(HomeAssistantError) as err:
        await async_call_action(hass, SERVICE_STOP_PLAYBACK, {"message_id": newest})

    assert err.value.translation_key == "reconnecting"
    assert coordinator.connection.phase is Phase.BACKING_OFF


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(stream_status=502)], ids=["proxy_502"]
)
async def test_a_proxy_that_refuses_the_stream(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """A reverse proxy refuses the event stream: the account polls instead.

    Changes keep arriving.
    """
    coordinator = init_integration.runtime_data
    assert coordinator.connection.phase is Phase.POLLING
    added = sim.add_voicemail(USER, sender="Erin Stone <4004>").message_id

    await wait_until(hass, lambda: added in coordinator.data.by_id)

    assert coordinator.last_update_success
    assert coordinator.connection.stats.stream_fallbacks == 1


async def test_dotnet_min_date_in_a_zone_west_of_utc(
    hass: HomeAssistant, sim: IcwsSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A voicemail dated DateTime.MinValue breaks nothing in UTC-8.

    Every voicemail, later ones included, gets its buttons.
    """
    await hass.config.async_set_time_zone("America/Los_Angeles")
    odd = sim.add_voicemail(USER, raw={"dateReceived": "00010101T000000Z"})
    later = sim.add_voicemail(USER, received=datetime(2026, 11, 29, 8, 0, tzinfo=UTC))
    mock_config_entry.add_to_hass(hass)
    # Buttons for all six voicemails, the odd one (the oldest) too.
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**mock_config_entry.options, CONF_MAX_BUTTONS: 6}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = mock_config_entry.runtime_data

    assert coordinator.data.voicemails[0].message_id == later.message_id
    assert coordinator.data.voicemails[-1].message_id == odd.message_id
    await wait_until(
        hass, lambda: button_id(hass, mock_config_entry, later.message_id, "stop")
    )
    assert button_id(hass, mock_config_entry, odd.message_id, "stop") is not None
    await hass.services.async_call(
        Platform.BUTTON,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: button_id(hass, mock_config_entry, later.message_id, "stop")},
        blocking=True,
    )
    assert sim.requests_to(STOP_PATH)[-1].status == 204
