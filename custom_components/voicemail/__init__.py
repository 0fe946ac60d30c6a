"""The ICWS Voicemail integration: voicemail of a Genesys PureConnect server."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .account import async_create_client
from .audio import VoicemailAudio, async_remove_audio
from .card import async_register_card
from .const import DOMAIN, ISSUE_NO_PLAY_TARGET
from .coordinator import VoicemailConfigEntry, VoicemailCoordinator
from .event import async_load_known, known_messages_store
from .issues import async_delete_issues
from .options_flow import has_play_target
from .services import async_setup_services
from .transcribe import NewVoicemailWorker
from .views import VoicemailAudioView
from .websocket import async_setup_websocket

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS: list[Platform] = [Platform.SENSOR, Platform.EVENT, Platform.BUTTON]
"""Set up in this order, one after the other: Home Assistant's generated Overview lists
a device's entities in the order they were added, so the counts come before the
per-message buttons (which button.py adds newest first)."""


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, the audio view and the card: with or without accounts."""
    async_setup_services(hass)
    hass.http.register_view(VoicemailAudioView())
    async_setup_websocket(hass)
    await async_register_card(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: VoicemailConfigEntry) -> bool:
    """Log in, wait for the mailbox, and set up the entities."""
    known = await async_load_known(known_messages_store(hass, entry.entry_id))
    coordinator = VoicemailCoordinator(
        hass, entry, async_create_client(hass, entry.data), known
    )
    # Before the first mailbox: a voicemail that came while Home Assistant was down
    # is new in it, and is fetched and transcribed like any other.
    coordinator.audio = VoicemailAudio(hass, coordinator)
    await coordinator.audio.async_load()
    coordinator.change_listeners.append(coordinator.audio.async_on_changes)
    coordinator.change_listeners.append(
        NewVoicemailWorker(hass, coordinator).async_on_changes
    )
    try:
        await coordinator.async_config_entry_first_refresh()
    except BaseException:
        # Log out before the entry's web session is closed.
        await coordinator.async_shutdown()
        raise
    await coordinator.audio.async_forget_gone()
    entry.runtime_data = coordinator
    if has_play_target(entry.options):
        # The options now say where voicemail plays (reloaded after the options flow).
        async_delete_issues(hass, entry, (ISSUE_NO_PLAY_TARGET,))
    for platform in PLATFORMS:
        await hass.config_entries.async_forward_entry_setups(entry, [platform])
    return True


async def async_unload_entry(hass: HomeAssistant, entry: VoicemailConfigEntry) -> bool:
    """Unload the entities, then end the ICWS session."""
    if unload_ok := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        # Explicitly, so that the logout runs before the entry's web session closes.
        await entry.runtime_data.async_shutdown()
        await entry.runtime_data.audio.async_save()
    return unload_ok


async def async_remove_entry(hass: HomeAssistant, entry: VoicemailConfigEntry) -> None:
    """Forget the repair issues, known message ids and audio of a removed account."""
    async_delete_issues(hass, entry)
    await known_messages_store(hass, entry.entry_id).async_remove()
    await async_remove_audio(hass, entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: VoicemailConfigEntry, device_entry: dr.DeviceEntry
) -> bool:
    """Allow removing stale devices: every device but the account's own."""
    return (DOMAIN, entry.unique_id) not in device_entry.identifiers
