"""The stt entity: collects the PCM stream, then pocketsphinx transcribes it in the executor."""

from __future__ import annotations

from collections.abc import AsyncIterable
import logging
from typing import TYPE_CHECKING, override

from homeassistant.components import stt
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import LANGUAGE, TITLE
from .recognizer import Recognizer, raw_pcm

if TYPE_CHECKING:
    from . import PocketsphinxConfigEntry

_LOGGER = logging.getLogger(__name__)
# Cap of the audio one request may send: 10 minutes at 16 kHz 16-bit mono (19.2 MB).
MAX_AUDIO_BYTES = 10 * 60 * 16000 * 2


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PocketsphinxConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the one entity."""
    async_add_entities([PocketsphinxSttEntity(entry.entry_id, entry.runtime_data)])


class PocketsphinxSttEntity(stt.SpeechToTextEntity):
    """US English, WAV/PCM, 16 kHz, 16-bit, mono."""

    _attr_name = TITLE

    def __init__(self, unique_id: str, recognizer: Recognizer) -> None:
        """Use the entry's recognizer."""
        self._attr_unique_id = unique_id
        self._recognizer = recognizer

    @property
    @override
    def supported_languages(self) -> list[str]:
        """Return the one language of the packaged model."""
        return [LANGUAGE]

    @property
    @override
    def supported_formats(self) -> list[stt.AudioFormats]:
        """Return the supported container."""
        return [stt.AudioFormats.WAV]

    @property
    @override
    def supported_codecs(self) -> list[stt.AudioCodecs]:
        """Return the supported codec."""
        return [stt.AudioCodecs.PCM]

    @property
    @override
    def supported_bit_rates(self) -> list[stt.AudioBitRates]:
        """Return the supported sample width."""
        return [stt.AudioBitRates.BITRATE_16]

    @property
    @override
    def supported_sample_rates(self) -> list[stt.AudioSampleRates]:
        """Return the model's sample rate."""
        return [stt.AudioSampleRates.SAMPLERATE_16000]

    @property
    @override
    def supported_channels(self) -> list[stt.AudioChannels]:
        """Return mono."""
        return [stt.AudioChannels.CHANNEL_MONO]

    @override
    async def async_process_audio_stream(
        self, metadata: stt.SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> stt.SpeechResult:
        """Collect the whole stream, then transcribe it (error when it is too long or no PCM)."""
        audio = bytearray()
        async for chunk in stream:
            audio += chunk
            if len(audio) > MAX_AUDIO_BYTES:
                _LOGGER.warning("Audio longer than 10 minutes: not transcribed")
                return stt.SpeechResult(None, stt.SpeechResultState.ERROR)
        try:
            pcm = raw_pcm(bytes(audio))
        except ValueError as err:
            _LOGGER.warning("Audio is not 16 kHz 16-bit mono PCM: %s", err)
            return stt.SpeechResult(None, stt.SpeechResultState.ERROR)
        text = await self.hass.async_add_executor_job(self._recognizer.transcribe, pcm)
        return stt.SpeechResult(text, stt.SpeechResultState.SUCCESS)
