"""Playing a voicemail: one behaviour for every path (action, button, intent, LLM tool).

A message plays on a phone (ICWS play/start to a play target) or on media players (its
MP3, through a signed URL of Home Assistant's own view). Which one: what the caller
names, else the account's options (a media player if one is set, else the phone play
target). Afterwards the message is marked read, as a request of its own (the play
request carries the message's own state: the documentation leaves that field open).
The audio view marks it read the same way when a browser plays it from the start.
"""

from __future__ import annotations

from collections.abc import Sequence

from homeassistant.components.media_player.browse_media import (
    async_process_play_media_url,
)
from homeassistant.components.media_player.const import (
    ATTR_MEDIA_CONTENT_ID,
    ATTR_MEDIA_CONTENT_TYPE,
    DOMAIN as MEDIA_PLAYER_DOMAIN,
    SERVICE_PLAY_MEDIA,
    MediaType,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import CONF_PLAY_MEDIA_PLAYER, CONF_PLAY_TARGET, DOMAIN, LOGGER
from .coordinator import VoicemailConfigEntry
from .errors import icws_errors
from .helpers import audio_url
from .issues import async_create_no_play_target_issue


def default_media_players(entry: VoicemailConfigEntry) -> list[str]:
    """Return the media player of the options (none: the phone play target is used)."""
    player = entry.options.get(CONF_PLAY_MEDIA_PLAYER)
    return [player] if player else []


async def async_play(
    hass: HomeAssistant,
    entry: VoicemailConfigEntry,
    message_id: str,
    *,
    target: str | None = None,
    media_players: Sequence[str] = (),
    mark_read: bool = True,
) -> None:
    """Play a message where the caller says, else where the options say; mark it read.

    With nowhere to play, the error says where to choose it, and a repair issue offers
    to choose it right away.
    """
    coordinator = entry.runtime_data
    voicemail = coordinator.voicemail(message_id)
    players = list(media_players) or ([] if target else default_media_players(entry))
    phone = target or entry.options.get(CONF_PLAY_TARGET)
    if players:
        await _async_play_on_media_players(hass, entry, message_id, players)
    elif phone:
        async with icws_errors(hass, entry):
            await coordinator.async_play(message_id, phone)
    else:
        async_create_no_play_target_issue(hass, entry)
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_play_target",
            translation_placeholders={"title": entry.title},
        )
    if mark_read and not voicemail.read:
        async with icws_errors(hass, entry):
            await coordinator.async_set_read(message_id, True)


async def _async_play_on_media_players(
    hass: HomeAssistant,
    entry: VoicemailConfigEntry,
    message_id: str,
    players: list[str],
) -> None:
    """Hand the signed URL of the message's MP3 to media players."""
    for player in players:
        if hass.states.get(player) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_media_player",
                translation_placeholders={"entity_id": player},
            )
    await entry.runtime_data.audio.async_file(message_id)
    try:
        url = async_process_play_media_url(hass, audio_url(entry.entry_id, message_id))
    except HomeAssistantError as err:
        # Home Assistant knows no URL of its own (Settings → System → Network).
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="no_home_assistant_url"
        ) from err
    await hass.services.async_call(
        MEDIA_PLAYER_DOMAIN,
        SERVICE_PLAY_MEDIA,
        {
            ATTR_ENTITY_ID: players,
            ATTR_MEDIA_CONTENT_ID: url,
            ATTR_MEDIA_CONTENT_TYPE: MediaType.MUSIC,
        },
        blocking=True,
    )


async def async_mark_played(entry: VoicemailConfigEntry, message_id: str) -> None:
    """Mark a message read after a browser played it; a failure costs only the mark."""
    voicemail = entry.runtime_data.data.by_id.get(message_id)
    if voicemail is None or voicemail.read:
        return
    try:
        async with icws_errors(entry.runtime_data.hass, entry):
            await entry.runtime_data.async_set_read(message_id, True)
    except HomeAssistantError as err:
        LOGGER.warning("Could not mark a played voicemail read: %s", err)
