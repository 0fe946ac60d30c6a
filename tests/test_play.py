"""Playing, one behaviour for every path: on a phone or on media players, then read.

A media player gets an absolute, signed URL of Home Assistant's own audio view; the test
fetches that URL without credentials, as a cast device would.
"""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.components.button import SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.voicemail.const import CONF_PLAY_MEDIA_PLAYER, CONF_PLAY_TARGET
from custom_components.voicemail.coordinator import VoicemailConfigEntry
from custom_components.voicemail.helpers import audio_url
from custom_components.voicemail.services import SERVICE_PLAY
from tests.audio import VOICEMAILS
from tests.icws_simulator import IcwsSimulator
from tests.icws_simulator.fixtures import USER

from .integration_helpers import (
    MESSAGE_PATH,
    PLAY_PATH,
    async_call_action,
    button_id,
    wait_until,
)

KITCHEN = "media_player.kitchen"
BOB = next(vm for vm in VOICEMAILS if vm.name == "bob_mulaw.wav")


@pytest.fixture
async def speaker(hass: HomeAssistant) -> list[ServiceCall]:
    """Give HA a URL and add a media player whose `play_media` calls are recorded."""
    await async_process_ha_core_config(hass, {"internal_url": "http://ha.local:8123"})
    hass.states.async_set(KITCHEN, "idle")
    return async_mock_service(hass, "media_player", "play_media")


async def _new_voicemail(
    hass: HomeAssistant, sim: IcwsSimulator, entry: VoicemailConfigEntry
) -> str:
    vm = sim.add_voicemail(USER, audio=BOB.path.read_bytes())
    await wait_until(hass, lambda: vm.message_id in entry.runtime_data.data.by_id)
    return vm.message_id


async def _assert_plays_on_the_speaker(
    hass: HomeAssistant,
    calls: list[ServiceCall],
    entry: VoicemailConfigEntry,
    message_id: str,
    client: ClientSessionGenerator,
) -> None:
    """Check the player got a signed absolute URL that serves the MP3 without credentials."""
    [call] = calls
    assert call.data[ATTR_ENTITY_ID] == [KITCHEN]
    assert call.data["media_content_type"] == "music"
    url = URL(call.data["media_content_id"])
    assert (url.scheme, url.host, url.port) == ("http", "ha.local", 8123)
    assert url.path == audio_url(entry.entry_id, message_id)
    assert "authSig" in url.query
    resp = await (await client()).get(url.path_qs)
    assert resp.status == HTTPStatus.OK
    assert resp.headers["Content-Type"] == "audio/mpeg"


async def test_play_on_a_media_player(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    speaker: list[ServiceCall],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """`voicemail.play` with `media_player`: the MP3 plays there, the phone is not called."""
    entry = init_integration
    message_id = await _new_voicemail(hass, sim, entry)
    sim.clear_requests()

    response = await async_call_action(
        hass, SERVICE_PLAY, {"message_id": message_id, "media_player": KITCHEN}
    )

    await _assert_plays_on_the_speaker(
        hass, speaker, entry, message_id, hass_client_no_auth
    )
    assert sim.requests_to(PLAY_PATH) == []
    assert sim.get_voicemail(USER, message_id).read
    assert response is not None
    assert response["voicemail"]["duration"] == pytest.approx(BOB.seconds, abs=0.1)


async def test_the_options_media_player_is_where_play_buttons_play(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    speaker: list[ServiceCall],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """With a media player in the options, the Play button plays there and marks read."""
    entry = init_integration
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_PLAY_MEDIA_PLAYER: KITCHEN}
    )
    await hass.async_block_till_done()
    message_id = await _new_voicemail(hass, sim, entry)
    await wait_until(
        hass, lambda: button_id(hass, entry, message_id, "play") is not None
    )
    play = button_id(hass, entry, message_id, "play")
    assert play is not None
    assert hass.states.get(play).state != "unavailable"

    await hass.services.async_call(
        Platform.BUTTON, SERVICE_PRESS, {ATTR_ENTITY_ID: play}, blocking=True
    )

    await _assert_plays_on_the_speaker(
        hass, speaker, entry, message_id, hass_client_no_auth
    )
    assert sim.get_voicemail(USER, message_id).read


async def test_a_target_given_plays_on_the_phone_even_with_a_media_player_option(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    speaker: list[ServiceCall],
) -> None:
    """What the caller names wins over the options."""
    entry = init_integration
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_PLAY_MEDIA_PLAYER: KITCHEN}
    )
    await hass.async_block_till_done()
    message_id = await _new_voicemail(hass, sim, entry)
    sim.clear_requests()
    await async_call_action(
        hass, SERVICE_PLAY, {"message_id": message_id, "target": "1234"}
    )
    assert len(sim.requests_to(PLAY_PATH)) == 1
    assert speaker == []


async def test_the_play_button_marks_read_like_the_action(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """On the phone: play/start, then a mark-read request of its own."""
    entry = init_integration
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_PLAY_TARGET: "1234"}
    )
    await hass.async_block_till_done()
    message_id = await _new_voicemail(hass, sim, entry)
    await wait_until(
        hass, lambda: button_id(hass, entry, message_id, "play") is not None
    )
    sim.clear_requests()
    await hass.services.async_call(
        Platform.BUTTON,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: button_id(hass, entry, message_id, "play")},
        blocking=True,
    )
    assert len(sim.requests_to(PLAY_PATH)) == 1
    [read] = sim.requests_to(MESSAGE_PATH, "PUT")
    assert read.json() == {"state": 1}
    assert sim.get_voicemail(USER, message_id).read


async def test_unknown_media_player(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    speaker: list[ServiceCall],
) -> None:
    """A media player that does not exist: a translated error, nothing fetched."""
    message_id = await _new_voicemail(hass, sim, init_integration)
    sim.clear_requests()
    with pytest.raises(ServiceValidationError) as caught:
        await async_call_action(
            hass,
            SERVICE_PLAY,
            {"message_id": message_id, "media_player": "media_player.nope"},
        )
    assert caught.value.translation_key == "unknown_media_player"
    assert sim.requests_to("/attachments/") == []


async def test_no_home_assistant_url(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """Without a URL of Home Assistant a media player could fetch from: said so."""
    hass.states.async_set(KITCHEN, "idle")
    hass.config.api = None  # no internal or external URL is configured either
    message_id = await _new_voicemail(hass, sim, init_integration)
    with pytest.raises(HomeAssistantError) as caught:
        await async_call_action(
            hass, SERVICE_PLAY, {"message_id": message_id, "media_player": KITCHEN}
        )
    assert caught.value.translation_key == "no_home_assistant_url"
    assert not sim.get_voicemail(USER, message_id).read
