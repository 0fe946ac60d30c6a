"""Pocketsphinx speech-to-text for development: one offline stt entity, US English.

Not part of the voicemail integration: scripts/_dev links it into a configuration directory's
custom_components/ (see README.md beside this file), tests/audio_tools load it the same way.
"""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_IMPORT, ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .recognizer import Recognizer

type PocketsphinxConfigEntry = ConfigEntry[Recognizer]

# `dev_pocketsphinx:` in configuration.yaml creates the config entry (no options).
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)
PLATFORMS = [Platform.STT]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Import `dev_pocketsphinx:` from configuration.yaml as the config entry.

    Once the entry exists, single_config_entry (manifest.json) aborts every further import.
    """
    if DOMAIN in config:
        hass.async_create_task(
            hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_IMPORT}
            )
        )
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: PocketsphinxConfigEntry
) -> bool:
    """Load the model (in the executor: it reads ~40 MB) and add the stt entity."""
    entry.runtime_data = await hass.async_add_executor_job(Recognizer)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: PocketsphinxConfigEntry
) -> bool:
    """Remove the stt entity."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
