"""Reading a voicemail: speech-to-text through an `stt` entity, and the new-message worker.

`async_transcribe()` streams a message's audio (16 kHz 16-bit mono PCM, decoded by
ffmpeg from the cached MP3) to a speech-to-text entity, in the language of Home
Assistant that the engine supports, and keeps the transcript (audio.py's store).

`NewVoicemailWorker` follows the coordinator's changes: each voicemail that arrives
has its audio fetched at once (so its duration is known and a play starts at once),
one at a time, and, when the options name an engine, is transcribed: the event entity
then fires `transcribed` (or `transcription_failed`, with the translated reason).
"""

from __future__ import annotations

import asyncio
from collections import deque

from homeassistant.components.stt import (
    DOMAIN as STT_DOMAIN,
    AudioBitRates,
    AudioChannels,
    AudioCodecs,
    AudioFormats,
    AudioSampleRates,
    SpeechMetadata,
    SpeechResultState,
    async_get_speech_to_text_entity,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import language as language_util

from .audio import Transcript
from .const import CONF_STT_ENGINE, DOMAIN, LOGGER
from .coordinator import VoicemailCoordinator
from .mailbox import RECEIVED, TRANSCRIBED, TRANSCRIPTION_FAILED, Change


def pcm_metadata(language: str) -> SpeechMetadata:
    """Return what the audio path sends: raw 16 kHz 16-bit mono PCM (as Assist does)."""
    return SpeechMetadata(
        language=language,
        format=AudioFormats.WAV,
        codec=AudioCodecs.PCM,
        bit_rate=AudioBitRates.BITRATE_16,
        sample_rate=AudioSampleRates.SAMPLERATE_16000,
        channel=AudioChannels.CHANNEL_MONO,
    )


def configured_engine(coordinator: VoicemailCoordinator) -> str | None:
    """Return the speech-to-text entity of the options (None: transcribe nothing)."""
    engine: str | None = coordinator.config_entry.options.get(CONF_STT_ENGINE)
    return engine or None


async def async_transcribe(
    hass: HomeAssistant,
    coordinator: VoicemailCoordinator,
    message_id: str,
    engine: str | None = None,
) -> Transcript:
    """Transcribe a message with `engine` (None: the options' engine); keep the text.

    Raises a translated error: no engine set, an engine that does not exist, speaks
    none of Home Assistant's language or does not take 16 kHz PCM, or that failed.
    """
    coordinator.voicemail(message_id)
    engine = engine or configured_engine(coordinator)
    if engine is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_stt_engine"
        )
    entity = (
        async_get_speech_to_text_entity(hass, engine)
        if STT_DOMAIN in hass.config.components
        else None
    )
    if entity is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="stt_engine_missing",
            translation_placeholders={"engine": engine},
        )
    wanted = hass.config.language
    languages = language_util.matches(
        wanted, entity.supported_languages, country=hass.config.country
    )
    metadata = pcm_metadata(languages[0] if languages else wanted)
    if not languages or not entity.check_metadata(metadata):
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="stt_unsupported",
            translation_placeholders={"engine": engine, "language": wanted},
        )
    audio = coordinator.audio
    result = await entity.internal_async_process_audio_stream(
        metadata, audio.async_pcm(message_id)
    )
    if result.result is not SpeechResultState.SUCCESS or result.text is None:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="stt_failed",
            translation_placeholders={"engine": engine},
        )
    transcript = Transcript(result.text.strip(), metadata.language, engine)
    audio.set_transcript(message_id, transcript)
    return transcript


class NewVoicemailWorker:
    """Fetches (and transcribes) each new voicemail, one at a time, in the background.

    One task drains a queue of message ids: a burst of new voicemails (a reconnect
    after a long outage brings them all in one snapshot) costs one task, not one each.
    """

    def __init__(self, hass: HomeAssistant, coordinator: VoicemailCoordinator) -> None:
        """Follow one account; nothing runs until a voicemail arrives."""
        self.hass = hass
        self.coordinator = coordinator
        self._queue: deque[str] = deque()
        self._task: asyncio.Task[None] | None = None

    @callback
    def async_on_changes(self, changes: list[Change]) -> None:
        """Queue each voicemail that arrived; start the drain if it is not running."""
        self._queue.extend(
            change.message_id
            for change in changes
            if change.kind == RECEIVED
            and change.voicemail is not None
            and change.voicemail.audio is not None
        )
        if self._queue and (self._task is None or self._task.done()):
            self._task = self.coordinator.config_entry.async_create_background_task(
                self.hass, self._async_drain(), name=f"{DOMAIN} new voicemail"
            )

    async def _async_drain(self) -> None:
        while self._queue:
            await self._async_process(self._queue.popleft())

    async def _async_process(self, message_id: str) -> None:
        coordinator = self.coordinator
        engine = configured_engine(coordinator)
        try:
            await coordinator.audio.async_file(message_id)
            if engine is None:
                return
            await async_transcribe(self.hass, coordinator, message_id, engine)
        except HomeAssistantError as err:
            if engine is None or coordinator.data.by_id.get(message_id) is None:
                # Playing it will tell (and try again); a deleted one is gone.
                LOGGER.debug("The audio of a new voicemail was not fetched: %s", err)
                return
            LOGGER.warning("A new voicemail could not be transcribed: %s", err)
            coordinator.async_publish_change(
                TRANSCRIPTION_FAILED, message_id, error=str(err)
            )
            return
        coordinator.async_publish_change(TRANSCRIBED, message_id)
