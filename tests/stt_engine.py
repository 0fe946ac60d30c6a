"""A speech-to-text entity for the tests, as core's stt tests make one.

It records the audio it is given and answers a fixed text (or fails), so a test sees
exactly what the integration streams: its metadata and its PCM bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterable

from homeassistant.components.stt import (
    DOMAIN as STT_DOMAIN,
    AudioBitRates,
    AudioChannels,
    AudioCodecs,
    AudioFormats,
    AudioSampleRates,
    SpeechMetadata,
    SpeechResult,
    SpeechResultState,
    SpeechToTextEntity,
)
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_config_flow,
    mock_integration,
    mock_platform,
)

from custom_components.voicemail.const import CONF_STT_ENGINE

TEST_DOMAIN = "test_stt"
ENGINE = "stt.test_engine"


class RecordingEngine(SpeechToTextEntity):
    """Answers `text` (None: fails) for audio it keeps; speaks `languages`."""

    _attr_name = "Test engine"
    _attr_unique_id = "test_engine"

    def __init__(self, text: str | None, languages: list[str]) -> None:
        """Set what it answers and what it speaks."""
        self.text = text
        self.languages = languages
        self.audio = b""
        self.metadata: SpeechMetadata | None = None
        self.calls = 0

    @property
    def supported_languages(self) -> list[str]:
        """Return the languages it speaks."""
        return self.languages

    @property
    def supported_formats(self) -> list[AudioFormats]:
        """Return the formats it takes."""
        return [AudioFormats.WAV]

    @property
    def supported_codecs(self) -> list[AudioCodecs]:
        """Return the codecs it takes."""
        return [AudioCodecs.PCM]

    @property
    def supported_bit_rates(self) -> list[AudioBitRates]:
        """Return the sample sizes it takes."""
        return [AudioBitRates.BITRATE_16]

    @property
    def supported_sample_rates(self) -> list[AudioSampleRates]:
        """Return the sample rates it takes."""
        return [AudioSampleRates.SAMPLERATE_16000]

    @property
    def supported_channels(self) -> list[AudioChannels]:
        """Return the channel counts it takes."""
        return [AudioChannels.CHANNEL_MONO]

    async def async_process_audio_stream(
        self, metadata: SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> SpeechResult:
        """Keep the audio; answer the text."""
        self.calls += 1
        self.metadata = metadata
        self.audio = b"".join([chunk async for chunk in stream])
        if self.text is None:
            return SpeechResult(None, SpeechResultState.ERROR)
        return SpeechResult(self.text, SpeechResultState.SUCCESS)


class _Flow(ConfigFlow):
    """The test domain's (unused) config flow: entries need a handler to load."""


async def async_add_engine(
    hass: HomeAssistant, engine: RecordingEngine
) -> MockConfigEntry:
    """Set up a config entry of the test domain with this engine as its stt entity."""

    async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, [STT_DOMAIN])
        return True

    async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        return await hass.config_entries.async_unload_platforms(entry, [STT_DOMAIN])

    async def async_setup_platform(
        hass: HomeAssistant,
        entry: ConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        async_add_entities([engine])

    mock_integration(
        hass,
        MockModule(
            TEST_DOMAIN,
            async_setup_entry=async_setup_entry,
            async_unload_entry=async_unload_entry,
        ),
    )
    mock_platform(
        hass,
        f"{TEST_DOMAIN}.{STT_DOMAIN}",
        MockPlatform(async_setup_entry=async_setup_platform),
    )
    mock_platform(hass, f"{TEST_DOMAIN}.config_flow")
    entry = MockConfigEntry(domain=TEST_DOMAIN)
    entry.add_to_hass(hass)
    with mock_config_flow(TEST_DOMAIN, _Flow):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert engine.entity_id == ENGINE
    return entry


async def async_use_engine(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Make the test engine the account's speech-to-text engine (its options)."""
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_STT_ENGINE: ENGINE}
    )
    await hass.async_block_till_done()
