"""The development stt component, dev_pocketsphinx, inside a real Home Assistant test instance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from homeassistant.components import stt
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from scripts._dev.ffmpeg import decode_pcm, transcode
from tests.audio import path

DOMAIN = "dev_pocketsphinx"
ENTITY_ID = "stt.pocketsphinx"
# Home Assistant's own chunk size for audio posted to /api/stt (stt.AUDIO_CHUNK_SIZE).
CHUNK = 4096
METADATA = stt.SpeechMetadata(
    language="en-US",
    format=stt.AudioFormats.WAV,
    codec=stt.AudioCodecs.PCM,
    bit_rate=stt.AudioBitRates.BITRATE_16,
    sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
    channel=stt.AudioChannels.CHANNEL_MONO,
)

pytestmark = pytest.mark.usefixtures("dev_components")


async def _chunks(audio: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(audio), CHUNK):
        yield audio[start : start + CHUNK]


async def _set_up_from_yaml(hass: HomeAssistant) -> stt.SpeechToTextEntity:
    assert await async_setup_component(hass, DOMAIN, {DOMAIN: {}})
    await hass.async_block_till_done()
    entity = stt.async_get_speech_to_text_entity(hass, ENTITY_ID)
    assert entity is not None
    return entity


async def test_yaml_sets_up_one_entity_that_transcribes(hass: HomeAssistant) -> None:
    """`dev_pocketsphinx:` creates one entry and one entity; a voicemail streams through it."""
    entity = await _set_up_from_yaml(hass)
    entries = hass.config_entries.async_entries(DOMAIN)
    assert [entry.state for entry in entries] == [ConfigEntryState.LOADED]
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    assert state.state == STATE_UNKNOWN  # nothing transcribed yet
    assert entity.check_metadata(METADATA)
    for other in (
        {"language": "de-DE"},
        {"sample_rate": stt.AudioSampleRates.SAMPLERATE_8000},
        {"channel": stt.AudioChannels.CHANNEL_STEREO},
        {"codec": stt.AudioCodecs.OPUS},
    ):
        unsupported = stt.SpeechMetadata(**{**METADATA.__dict__, **other})
        assert not entity.check_metadata(unsupported), other

    pcm = decode_pcm(path("bob_mulaw.wav"))
    result = await entity.internal_async_process_audio_stream(METADATA, _chunks(pcm))

    assert result.result is stt.SpeechResultState.SUCCESS
    assert result.text is not None
    assert "call me back at five five five one two three four" in result.text
    # The entity's state is the time of the last transcription.
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    assert state.state not in {STATE_UNKNOWN, STATE_UNAVAILABLE}


async def test_http_api_takes_a_wav_file(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, tmp_path: Path
) -> None:
    """POST /api/stt/<entity>: Home Assistant's public API, with a 16 kHz WAV body."""
    await _set_up_from_yaml(hass)
    wav = tmp_path / "alice.wav"
    transcode(path("alice_alaw.wav"), wav)
    client = await hass_client()

    info = await client.get(f"/api/stt/{ENTITY_ID}")
    assert info.status == 200
    assert await info.json() == {
        "languages": ["en-US"],
        "formats": ["wav"],
        "codecs": ["pcm"],
        "sample_rates": [16000],
        "bit_rates": [16],
        "channels": [1],
    }
    response = await client.post(
        f"/api/stt/{ENTITY_ID}",
        data=wav.read_bytes(),
        headers={
            "X-Speech-Content": "format=wav; codec=pcm; sample_rate=16000; "
            "bit_rate=16; channel=1; language=en-US"
        },
    )
    assert response.status == 200
    body = await response.json()
    assert body["result"] == "success"
    assert "call me back at five five five nine eight seven six" in body["text"]


async def test_audio_that_is_not_16k_pcm_is_an_error(hass: HomeAssistant) -> None:
    """An 8 kHz WAV, or more than 10 minutes of audio: an error result, no transcription."""
    entity = await _set_up_from_yaml(hass)
    eight_khz = path("dave_pcm16.wav").read_bytes()
    result = await entity.internal_async_process_audio_stream(
        METADATA, _chunks(eight_khz)
    )
    assert (result.text, result.result) == (None, stt.SpeechResultState.ERROR)

    async def eleven_minutes() -> AsyncIterator[bytes]:
        for _ in range(11 * 60):
            yield bytes(32000)

    result = await entity.internal_async_process_audio_stream(
        METADATA, eleven_minutes()
    )
    assert (result.text, result.result) == (None, stt.SpeechResultState.ERROR)


async def test_config_flow_one_click_and_one_entry_only(hass: HomeAssistant) -> None:
    """The UI flow confirms, creates the entry; a second is refused; unloading removes it."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": "user"}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "user")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Pocketsphinx"
    await hass.async_block_till_done()
    assert stt.async_get_speech_to_text_entity(hass, ENTITY_ID) is not None

    again = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": "user"}
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "single_instance_allowed"

    (entry,) = hass.config_entries.async_entries(DOMAIN)

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert stt.async_get_speech_to_text_entity(hass, ENTITY_ID) is None


async def test_yaml_next_to_an_entry_imports_nothing(hass: HomeAssistant) -> None:
    """After a restart with `dev_pocketsphinx:` still in YAML: still one entry, loaded."""
    MockConfigEntry(domain=DOMAIN, title="Pocketsphinx").add_to_hass(hass)
    await _set_up_from_yaml(hass)
    entries = hass.config_entries.async_entries(DOMAIN)
    assert [entry.state for entry in entries] == [ConfigEntryState.LOADED]
