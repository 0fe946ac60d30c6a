"""Assist: "read my latest voicemail" speaks the transcript, or says why there is none.

Through the built-in conversation agent with the repository's custom sentences, and
a test speech-to-text engine (tests/stt_engine.py) where one is needed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from homeassistant.core import HomeAssistant
import pytest

from custom_components.voicemail.coordinator import VoicemailConfigEntry
from tests.audio import VOICEMAILS
from tests.icws_simulator import IcwsSimulator
from tests.icws_simulator.fixtures import USER

from .integration_helpers import async_converse, async_empty_mailbox, wait_until
from .stt_engine import RecordingEngine, async_add_engine, async_use_engine

BOB = next(vm for vm in VOICEMAILS if vm.name == "bob_mulaw.wav")
NEWEST = datetime(2026, 11, 29, 17, 14, tzinfo=UTC)


async def _newest_from_bob(
    hass: HomeAssistant, sim: IcwsSimulator, entry: VoicemailConfigEntry
) -> str:
    vm = sim.add_voicemail(
        USER,
        sender="Bob Smith <+15551234>",
        received=NEWEST,
        audio=BOB.path.read_bytes(),
    )
    await wait_until(hass, lambda: vm.message_id in entry.runtime_data.data.by_id)
    await wait_until(hass, lambda: not entry.runtime_data.audio.busy)
    return vm.message_id


@pytest.mark.parametrize(
    "sentence",
    [
        "read my latest voicemail",
        "what does the last voicemail say",
        "read me my voicemail",
    ],
)
async def test_reads_the_transcript_made_on_arrival(
    hass: HomeAssistant, sim: IcwsSimulator, assist: VoicemailConfigEntry, sentence: str
) -> None:
    """A new voicemail was transcribed when it came: Assist reads that text."""
    engine = RecordingEngine("please call me back", ["en-US"])
    await async_add_engine(hass, engine)
    await async_use_engine(hass, assist)
    message_id = await _newest_from_bob(hass, sim, assist)
    await wait_until(
        hass, lambda: assist.runtime_data.audio.transcript(message_id) is not None
    )

    speech = (await async_converse(hass, sentence))["speech"]["plain"]["speech"]

    assert speech.startswith("The voicemail from Bob Smith ")
    assert speech.endswith(" says: please call me back")
    assert engine.calls == 1


async def test_transcribes_on_demand(
    hass: HomeAssistant, sim: IcwsSimulator, assist: VoicemailConfigEntry
) -> None:
    """No transcript yet, but an engine is set now: it is made, then read."""
    await _newest_from_bob(hass, sim, assist)
    engine = RecordingEngine("thanks bye", ["en-US"])
    await async_add_engine(hass, engine)
    await async_use_engine(hass, assist)

    speech = (await async_converse(hass, "read my latest voicemail"))["speech"][
        "plain"
    ]["speech"]

    assert speech.endswith(" says: thanks bye")
    assert engine.calls == 1


async def test_says_there_is_no_engine(
    hass: HomeAssistant, sim: IcwsSimulator, assist: VoicemailConfigEntry
) -> None:
    """Without an engine: who called, and where to set one."""
    await _newest_from_bob(hass, sim, assist)
    speech = (await async_converse(hass, "read my latest voicemail"))["speech"][
        "plain"
    ]["speech"]
    assert speech.startswith("The latest voicemail, from Bob Smith ")
    assert "no speech-to-text engine is set" in speech


async def test_says_when_nothing_was_heard(
    hass: HomeAssistant, sim: IcwsSimulator, assist: VoicemailConfigEntry
) -> None:
    """An engine that made out no words: said so, not an empty quote."""
    await async_add_engine(hass, RecordingEngine("", ["en-US"]))
    await _newest_from_bob(hass, sim, assist)
    await async_use_engine(hass, assist)
    speech = (await async_converse(hass, "read my latest voicemail"))["speech"][
        "plain"
    ]["speech"]
    assert "no words the speech-to-text engine could make out" in speech


async def test_an_engine_that_is_gone_is_an_error(
    hass: HomeAssistant, sim: IcwsSimulator, assist: VoicemailConfigEntry
) -> None:
    """The engine of the options was removed: the translated error is the answer."""
    await _newest_from_bob(hass, sim, assist)
    await async_use_engine(hass, assist)
    response = await async_converse(hass, "read my latest voicemail")
    assert response["response_type"] == "error"
    assert (
        "There is no speech-to-text engine stt.test_engine"
        in (response["speech"]["plain"]["speech"])
    )


async def test_an_empty_mailbox(
    hass: HomeAssistant, sim: IcwsSimulator, assist: VoicemailConfigEntry
) -> None:
    """Nothing to read."""
    await async_empty_mailbox(hass, sim, assist)
    speech = (await async_converse(hass, "read my latest voicemail"))["speech"][
        "plain"
    ]["speech"]
    assert speech == "You have no voicemails."
