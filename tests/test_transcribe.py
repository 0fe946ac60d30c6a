"""Reading voicemail: speech-to-text of new voicemails, `voicemail.transcribe`, events.

A test stt entity (tests/stt_engine.py) records what the integration streams: 16 kHz
16-bit mono PCM of the real voicemail audio, decoded by the real ffmpeg.
"""

from __future__ import annotations

import asyncio

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest

from custom_components.voicemail.coordinator import VoicemailConfigEntry
from custom_components.voicemail.services import SERVICE_LIST, SERVICE_TRANSCRIBE
from tests.audio import BROKEN, VOICEMAILS
from tests.icws_simulator import IcwsSimulator
from tests.icws_simulator.fixtures import USER

from .integration_helpers import EventLog, entity_id_of, wait_until
from .stt_engine import ENGINE, RecordingEngine, async_add_engine, async_use_engine

BOB = next(vm for vm in VOICEMAILS if vm.name == "bob_mulaw.wav")
SAID = "please call me back"


@pytest.fixture
async def engine(hass: HomeAssistant) -> RecordingEngine:
    """Add an English engine that hears SAID."""
    engine = RecordingEngine(SAID, ["en-US", "de-DE"])
    await async_add_engine(hass, engine)
    return engine


async def _transcribe(hass: HomeAssistant, **data: str) -> dict[str, object]:
    response = await hass.services.async_call(
        "voicemail", SERVICE_TRANSCRIBE, data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def test_a_new_voicemail_is_transcribed_and_announced(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    engine: RecordingEngine,
    events: EventLog,
) -> None:
    """The engine hears the message's audio; `transcribed` fires with caller and text."""
    await async_use_engine(hass, init_integration)
    vm = sim.add_voicemail(
        USER, sender="Bob Smith <+15551234>", audio=BOB.path.read_bytes()
    )
    await wait_until(hass, lambda: "transcribed" in events.types())

    assert events.types() == ["received", "transcribed"]
    transcribed = events.fired[1][1]
    assert (transcribed["from"], transcribed["transcript"]) == (
        "Bob Smith <+15551234>",
        SAID,
    )
    assert transcribed["duration"] == pytest.approx(BOB.seconds, abs=0.1)
    assert engine.metadata is not None
    assert engine.metadata.language == "en-US"
    # 16 kHz, 2 bytes a sample: the whole message.
    assert len(engine.audio) / 32000 == pytest.approx(BOB.seconds, abs=0.1)
    response = await hass.services.async_call(
        "voicemail", SERVICE_LIST, {}, blocking=True, return_response=True
    )
    assert response is not None
    listed = next(v for v in response["voicemails"] if v["message_id"] == vm.message_id)
    assert listed["transcript"] == SAID


async def test_without_an_engine_new_voicemail_is_fetched_not_transcribed(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    engine: RecordingEngine,
    events: EventLog,
) -> None:
    """The audio is fetched at once (the duration is known), nothing is transcribed."""
    vm = sim.add_voicemail(USER, audio=BOB.path.read_bytes())
    audio = init_integration.runtime_data.audio
    await wait_until(hass, lambda: audio.seconds(vm.message_id) is not None)
    assert engine.calls == 0
    assert events.types() == ["received"]


async def test_a_failing_engine_fires_transcription_failed(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    events: EventLog,
) -> None:
    """The event says why (translated); the voicemail is still there."""
    await async_add_engine(hass, RecordingEngine(None, ["en-US"]))
    await async_use_engine(hass, init_integration)
    vm = sim.add_voicemail(USER, audio=BOB.path.read_bytes())
    await wait_until(hass, lambda: "transcription_failed" in events.types())
    failed = events.fired[-1][1]
    assert failed["message_id"] == vm.message_id
    assert "could not read this voicemail" in failed["error"]
    assert init_integration.runtime_data.audio.transcript(vm.message_id) is None


async def test_broken_audio_of_a_new_voicemail_fires_transcription_failed(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    engine: RecordingEngine,
    events: EventLog,
) -> None:
    """A corrupt WAV: the failure names the audio, the engine never hears it."""
    await async_use_engine(hass, init_integration)
    sim.add_voicemail(USER, audio=BROKEN[0].path.read_bytes())
    await wait_until(hass, lambda: "transcription_failed" in events.types())
    assert "damaged" in events.fired[-1][1]["error"]
    assert engine.calls == 0


async def test_the_transcribe_action(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    engine: RecordingEngine,
) -> None:
    """Any message, the engine named: text, language and engine; the text is kept."""
    vm = sim.add_voicemail(USER, audio=BOB.path.read_bytes())
    await wait_until(
        hass, lambda: vm.message_id in init_integration.runtime_data.data.by_id
    )
    result = await _transcribe(hass, message_id=vm.message_id, engine=ENGINE)
    assert result == {
        "message_id": vm.message_id,
        "text": SAID,
        "language": "en-US",
        "engine": ENGINE,
    }
    transcript = init_integration.runtime_data.audio.transcript(vm.message_id)
    assert transcript is not None
    assert transcript.text == SAID
    # Without a message id: the newest voicemail; the options' engine.
    await async_use_engine(hass, init_integration)
    assert (await _transcribe(hass))["message_id"] == vm.message_id


async def test_transcripts_survive_a_restart_and_go_with_the_message(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    engine: RecordingEngine,
) -> None:
    """Stored per account; a deleted message's transcript is forgotten."""
    entry = init_integration
    vm = sim.add_voicemail(USER, audio=BOB.path.read_bytes())
    await wait_until(hass, lambda: vm.message_id in entry.runtime_data.data.by_id)
    await _transcribe(hass, message_id=vm.message_id, engine=ENGINE)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    transcript = entry.runtime_data.audio.transcript(vm.message_id)
    assert transcript is not None
    assert transcript.text == SAID
    sim.remove_voicemail(USER, vm.message_id)
    await wait_until(hass, lambda: vm.message_id not in entry.runtime_data.data.by_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.audio.transcript(vm.message_id) is None


@pytest.mark.parametrize(
    ("case", "key"),
    [
        ("no_engine", "no_stt_engine"),
        ("missing", "stt_engine_missing"),
        ("language", "stt_unsupported"),
    ],
)
async def test_transcribe_errors(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    case: str,
    key: str,
) -> None:
    """Each refusal is a translated error, and nothing is sent to the ICWS server."""
    if case == "language":
        await async_add_engine(hass, RecordingEngine(SAID, ["fr-FR"]))
    vm = sim.add_voicemail(USER, audio=BOB.path.read_bytes())
    await wait_until(
        hass, lambda: vm.message_id in init_integration.runtime_data.data.by_id
    )
    await hass.async_block_till_done()
    sim.clear_requests()
    data = {"message_id": vm.message_id}
    if case != "no_engine":
        data["engine"] = ENGINE if case == "language" else "stt.nope"
    with pytest.raises(HomeAssistantError) as caught:
        await _transcribe(hass, **data)
    assert caught.value.translation_key == key
    assert isinstance(caught.value, ServiceValidationError) is (case != "language")
    assert sim.requests_to("/attachments/") == []


async def test_the_event_entity_offers_the_new_types(
    hass: HomeAssistant, init_integration: VoicemailConfigEntry
) -> None:
    """Automations can pick `transcribed` and `transcription_failed`."""
    entity_id = entity_id_of(hass, init_integration, Platform.EVENT, "events")
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    assert {"transcribed", "transcription_failed"} <= set(
        state.attributes["event_types"]
    )


async def test_a_burst_of_new_voicemails_is_one_task(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """Voicemails that come in one snapshot (after an outage) are fetched by one task."""
    audio = init_integration.runtime_data.audio
    sim.disconnect_sessions(USER)
    added = [
        sim.add_voicemail(USER, audio=BOB.path.read_bytes()).message_id
        for _ in range(4)
    ]
    workers: list[int] = []

    def fetched() -> bool:
        workers.append(
            sum(
                1
                for t in asyncio.all_tasks()
                if t.get_name() == "voicemail new voicemail"
            )
        )
        return all(audio.seconds(message_id) is not None for message_id in added)

    await wait_until(hass, fetched)
    assert max(workers) == 1
