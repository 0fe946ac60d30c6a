"""Actions of the ICWS Voicemail integration."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.components.media_player.const import DOMAIN as MEDIA_PLAYER_DOMAIN
from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import probatio

from .const import DOMAIN
from .coordinator import VoicemailConfigEntry
from .errors import icws_errors
from .helpers import async_get_loaded_entries
from .icws import Voicemail
from .play import async_play
from .transcribe import async_transcribe

if TYPE_CHECKING:
    from .audio import VoicemailAudio

SERVICE_STOP_PLAYBACK = "stop_playback"
SERVICE_PLAY = "play"
SERVICE_MARK_READ = "mark_read"
SERVICE_MARK_UNREAD = "mark_unread"
SERVICE_DELETE = "delete"
SERVICE_LIST = "list"
SERVICE_TRANSCRIBE = "transcribe"
ATTR_MESSAGE_ID = "message_id"
ATTR_TARGET = "target"
ATTR_MEDIA_PLAYER = "media_player"
ATTR_MARK_READ = "mark_read"
ATTR_UNREAD_ONLY = "unread_only"
ATTR_LIMIT = "limit"
ATTR_ENGINE = "engine"

STOP_PLAYBACK_SCHEMA = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_MESSAGE_ID): cv.string,
    }
)
PLAY_SCHEMA = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_MESSAGE_ID): cv.string,
        probatio.Optional(ATTR_TARGET): cv.string,
        probatio.Optional(ATTR_MEDIA_PLAYER): probatio.All(
            cv.ensure_list, [cv.entity_domain(MEDIA_PLAYER_DOMAIN)]
        ),
        probatio.Optional(ATTR_MARK_READ, default=True): cv.boolean,
    }
)
MESSAGE_SCHEMA = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Required(ATTR_MESSAGE_ID): cv.string,
    }
)
TRANSCRIBE_SCHEMA = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_MESSAGE_ID): cv.string,
        probatio.Optional(ATTR_ENGINE): cv.entity_domain("stt"),
    }
)
LIST_SCHEMA = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_UNREAD_ONLY, default=False): cv.boolean,
        probatio.Optional(ATTR_LIMIT): probatio.All(
            probatio.Coerce(int), probatio.Range(min=1)
        ),
    }
)


def voicemail_data(voicemail: Voicemail, audio: VoicemailAudio) -> dict[str, Any]:
    """Describe a voicemail as actions and events show it: small, no secret.

    `duration` (seconds) is known once the audio was fetched; `transcript` once a
    speech-to-text engine read it (None until then).
    """
    transcript = audio.transcript(voicemail.message_id)
    return {
        ATTR_MESSAGE_ID: voicemail.message_id,
        "from": voicemail.sender,
        "subject": voicemail.subject,
        "received": voicemail.received.isoformat(),
        "read": voicemail.read,
        "fax": voicemail.is_fax,
        "duration": audio.seconds(voicemail.message_id),
        "transcript": None if transcript is None else transcript.text,
    }


@callback
def _async_entries(call: ServiceCall) -> list[VoicemailConfigEntry]:
    """Return the account the call names, else every loaded one."""
    return async_get_loaded_entries(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))


@callback
def _async_entry_of_message(call: ServiceCall) -> VoicemailConfigEntry:
    """Return the named account, else the loaded one that has the call's message.

    When no account has it, the coordinator refuses the id with a translated error.
    """
    entries = _async_entries(call)
    message_id: str = call.data[ATTR_MESSAGE_ID]
    return next(
        (e for e in entries if message_id in e.runtime_data.data.by_id), entries[0]
    )


def _async_newest(
    call: ServiceCall, *, unread_first: bool
) -> tuple[VoicemailConfigEntry, Voicemail]:
    """Return the newest voicemail (not a fax) of the accounts of a call.

    `unread_first`: the newest unread one if there is any.
    """
    candidates = [
        (entry, voicemail)
        for entry in _async_entries(call)
        for voicemail in entry.runtime_data.data.voicemails
        if not voicemail.is_fax
    ]
    if not candidates:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_voicemail"
        )
    return max(
        candidates,
        key=lambda item: (
            unread_first and not item[1].read,
            item[1].received,
            item[1].message_id,
        ),
    )


async def _async_stop_playback(call: ServiceCall) -> ServiceResponse:
    """Stop a voicemail's playback: the one given, or whatever plays.

    A message id the account does not have is refused before any request. A known
    one is stopped whether or not it plays (the server answers 204 either way).
    Without an account and a message id, every account stops what it plays.
    """
    message_id: str | None = call.data.get(ATTR_MESSAGE_ID)
    if message_id is not None:
        entries = [_async_entry_of_message(call)]
    else:
        entries = _async_entries(call)
    stopped: list[str] = []
    for entry in entries:
        async with icws_errors(call.hass, entry):
            stopped += await entry.runtime_data.async_stop(message_id)
    return {"stopped": [*stopped]}


async def _async_play(call: ServiceCall) -> ServiceResponse:
    """Play a voicemail on a phone or media players and mark it read (play.py).

    Without a message id: the newest unread voicemail of all accounts (or of the
    one named), else the newest one.
    """
    message_id: str | None = call.data.get(ATTR_MESSAGE_ID)
    if message_id is not None:
        entry = _async_entry_of_message(call)
        voicemail = entry.runtime_data.voicemail(message_id)
    else:
        entry, voicemail = _async_newest(call, unread_first=True)
    await async_play(
        call.hass,
        entry,
        voicemail.message_id,
        target=call.data.get(ATTR_TARGET),
        media_players=call.data.get(ATTR_MEDIA_PLAYER, ()),
        mark_read=call.data[ATTR_MARK_READ],
    )
    data = voicemail_data(voicemail, entry.runtime_data.audio)
    return {"voicemail": {**data, ATTR_CONFIG_ENTRY_ID: entry.entry_id}}


async def _async_set_read(call: ServiceCall, *, read: bool) -> None:
    """Mark a voicemail read or unread."""
    entry = _async_entry_of_message(call)
    async with icws_errors(call.hass, entry):
        await entry.runtime_data.async_set_read(call.data[ATTR_MESSAGE_ID], read)


async def _async_delete(call: ServiceCall) -> None:
    """Delete a voicemail, stopping its playback first."""
    entry = _async_entry_of_message(call)
    message_id: str = call.data[ATTR_MESSAGE_ID]
    coordinator = entry.runtime_data
    async with icws_errors(call.hass, entry):
        if coordinator.data.playing == message_id:
            await coordinator.async_stop(message_id)
        await coordinator.async_delete(message_id)


async def _async_transcribe(call: ServiceCall) -> ServiceResponse:
    """Transcribe a voicemail (without an id: the newest one) and keep the text."""
    message_id: str | None = call.data.get(ATTR_MESSAGE_ID)
    if message_id is not None:
        entry = _async_entry_of_message(call)
    else:
        entry, voicemail = _async_newest(call, unread_first=False)
        message_id = voicemail.message_id
    transcript = await async_transcribe(
        call.hass, entry.runtime_data, message_id, call.data.get(ATTR_ENGINE)
    )
    return {
        ATTR_MESSAGE_ID: message_id,
        "text": transcript.text,
        "language": transcript.language,
        ATTR_ENGINE: transcript.engine,
    }


async def _async_list(call: ServiceCall) -> ServiceResponse:
    """Return the voicemails of all accounts (or of the one named), newest first."""
    unread_only: bool = call.data[ATTR_UNREAD_ONLY]
    items = sorted(
        (
            (entry, voicemail)
            for entry in _async_entries(call)
            for voicemail in entry.runtime_data.data.voicemails
            if not (unread_only and voicemail.read)
        ),
        key=lambda item: (item[1].received, item[1].message_id),
        reverse=True,
    )
    return {
        "voicemails": [
            {
                **voicemail_data(voicemail, entry.runtime_data.audio),
                "playing": entry.runtime_data.data.playing == voicemail.message_id,
                ATTR_CONFIG_ENTRY_ID: entry.entry_id,
            }
            for entry, voicemail in items[: call.data.get(ATTR_LIMIT)]
        ]
    }


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (from `async_setup`, once)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_STOP_PLAYBACK,
        _async_stop_playback,
        schema=STOP_PLAYBACK_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_PLAY,
        _async_play,
        schema=PLAY_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    for service, read in ((SERVICE_MARK_READ, True), (SERVICE_MARK_UNREAD, False)):
        hass.services.async_register(
            DOMAIN, service, partial(_async_set_read, read=read), schema=MESSAGE_SCHEMA
        )
    hass.services.async_register(
        DOMAIN, SERVICE_DELETE, _async_delete, schema=MESSAGE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_TRANSCRIBE,
        _async_transcribe,
        schema=TRANSCRIBE_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_LIST,
        _async_list,
        schema=LIST_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
