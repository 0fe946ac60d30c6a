"""Intents of the ICWS Voicemail integration, for Assist and other voice assistants.

Each intent is a thin adapter over the integration's actions: the actions choose the
account and the message, validate, and turn client errors into translated errors;
the intents only turn the outcome into something friendly to say. The spoken texts
are translated: they live in the `common` section of strings.json.

Home Assistant's built-in conversation agent needs sentences for these intents; an
integration cannot ship them, so the repository has `custom_sentences/en/` to copy.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime, timedelta
import re
from typing import Any, Final, override

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import intent, translation
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .services import (
    ATTR_MESSAGE_ID,
    SERVICE_LIST,
    SERVICE_PLAY,
    SERVICE_STOP_PLAYBACK,
    SERVICE_TRANSCRIBE,
)

INTENT_STOP_PLAYBACK: Final = "VoicemailStopPlayback"
INTENT_PLAY_NEWEST: Final = "VoicemailPlayNewest"
INTENT_COUNT: Final = "VoicemailCount"
INTENT_READ_LATEST: Final = "VoicemailReadLatest"

# "Alice Example <+15551234>": the name is what a person wants to hear.
_NAME_AND_ADDRESS = re.compile(r"^\s*(?P<name>[^<]*?)\s*<(?P<address>[^>]*)>\s*$")


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the voicemail intents."""
    intent.async_register(hass, StopPlaybackIntentHandler())
    intent.async_register(hass, PlayNewestIntentHandler())
    intent.async_register(hass, CountIntentHandler())
    intent.async_register(hass, ReadLatestIntentHandler())


def caller_name(sender: str) -> str:
    """Return what a voice should say of an ICWS `from`: the name, else the number."""
    if match := _NAME_AND_ADDRESS.match(sender):
        return match["name"].strip('" ') or match["address"].strip()
    return sender.strip()


async def async_speech(
    hass: HomeAssistant, language: str, key: str, **placeholders: Any
) -> str:
    """Return a translated spoken text (`common.intent_<key>` in strings.json)."""
    texts = await translation.async_get_translations(hass, language, "common", {DOMAIN})
    return texts[f"component.{DOMAIN}.common.intent_{key}"].format(**placeholders)


async def async_when(hass: HomeAssistant, language: str, received: datetime) -> str:
    """Say when a voicemail came: at 9:14, yesterday at 9:14, on May 2 at 9:14."""
    local = dt_util.as_local(received)
    today = dt_util.now().date()
    time = f"{local.hour}:{local.minute:02d}"
    if local.date() == today:
        return await async_speech(hass, language, "when_today", time=time)
    if local.date() == today - timedelta(days=1):
        return await async_speech(hass, language, "when_yesterday", time=time)
    date = f"{local:%B} {local.day}"
    return await async_speech(hass, language, "when_earlier", date=date, time=time)


async def _async_about(
    hass: HomeAssistant, language: str, voicemail: Mapping[str, Any]
) -> dict[str, str]:
    """Return the `caller` and `when` placeholders for a voicemail of an action's response."""
    received = dt_util.parse_datetime(voicemail["received"], raise_on_error=True)
    return {
        "caller": caller_name(voicemail["from"]),
        "when": await async_when(hass, language, received),
    }


class _VoicemailIntentHandler(intent.IntentHandler, ABC):
    """Runs one of the integration's actions and says how it went."""

    async def _async_call(
        self,
        intent_obj: intent.Intent,
        service: str,
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Run an action with the intent's context and return its response data."""
        response = await intent_obj.hass.services.async_call(
            DOMAIN,
            service,
            data or {},
            blocking=True,
            context=intent_obj.context,
            return_response=True,
        )
        return dict(response or {})

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Answer with the outcome, or with the action's translated error."""
        response = intent_obj.create_response()
        try:
            speech = await self._async_speech(intent_obj)
        except HomeAssistantError as err:
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE, str(err)
            )
        else:
            response.async_set_speech(speech)
        return response

    @abstractmethod
    async def _async_speech(self, intent_obj: intent.Intent) -> str:
        """Do the work and return what to say."""


class StopPlaybackIntentHandler(_VoicemailIntentHandler):
    """Stop whatever voicemail plays, on any account."""

    intent_type = INTENT_STOP_PLAYBACK
    description = "Stops the playback of voicemails on the phone"

    @override
    async def _async_speech(self, intent_obj: intent.Intent) -> str:
        result = await self._async_call(intent_obj, SERVICE_STOP_PLAYBACK)
        key = "stopped" if result["stopped"] else "nothing_playing"
        return await async_speech(intent_obj.hass, intent_obj.language, key)


class PlayNewestIntentHandler(_VoicemailIntentHandler):
    """Play the newest unread voicemail, else the newest one."""

    intent_type = INTENT_PLAY_NEWEST
    description = (
        "Plays the newest unread voicemail (or the newest one when all are read) "
        "on the phone"
    )

    @override
    async def _async_speech(self, intent_obj: intent.Intent) -> str:
        hass, language = intent_obj.hass, intent_obj.language
        played = (await self._async_call(intent_obj, SERVICE_PLAY))["voicemail"]
        return await async_speech(
            hass, language, "playing", **await _async_about(hass, language, played)
        )


class CountIntentHandler(_VoicemailIntentHandler):
    """Say how many voicemails there are, and from whom the latest new one is."""

    intent_type = INTENT_COUNT
    description = "Tells how many voicemails there are, how many are new (unread), and the latest new one's caller"

    @override
    async def _async_speech(self, intent_obj: intent.Intent) -> str:
        hass, language = intent_obj.hass, intent_obj.language
        voicemails = (await self._async_call(intent_obj, SERVICE_LIST))["voicemails"]
        unread = [voicemail for voicemail in voicemails if not voicemail["read"]]
        if not voicemails:
            return await async_speech(hass, language, "count_empty")
        if not unread:
            key = "count_no_new_one" if len(voicemails) == 1 else "count_no_new_other"
            return await async_speech(hass, language, key, total=len(voicemails))
        latest = unread[0]  # the list is newest first
        if len(voicemails) == 1:
            key = "count_only_new_one"
        elif len(unread) == len(voicemails):
            key = "count_all_new"
        else:
            key = "count_new_one" if len(unread) == 1 else "count_new_other"
        return await async_speech(
            hass,
            language,
            key,
            count=len(unread),
            total=len(voicemails),
            **await _async_about(hass, language, latest),
        )


class ReadLatestIntentHandler(_VoicemailIntentHandler):
    """Say what the newest voicemail says: its transcript, made now if need be."""

    intent_type = INTENT_READ_LATEST
    description = "Reads out the transcript of the newest voicemail"

    @override
    async def _async_speech(self, intent_obj: intent.Intent) -> str:
        hass, language = intent_obj.hass, intent_obj.language
        voicemails = (await self._async_call(intent_obj, SERVICE_LIST))["voicemails"]
        latest = next((vm for vm in voicemails if not vm["fax"]), None)
        if latest is None:
            return await async_speech(hass, language, "count_empty")
        about = await _async_about(hass, language, latest)
        text = latest["transcript"]
        if text is None:
            try:
                result = await self._async_call(
                    intent_obj,
                    SERVICE_TRANSCRIBE,
                    {ATTR_MESSAGE_ID: latest[ATTR_MESSAGE_ID]},
                )
            except ServiceValidationError as err:
                if err.translation_key != "no_stt_engine":
                    raise
                return await async_speech(hass, language, "read_no_engine", **about)
            text = result["text"]
        if not text:
            return await async_speech(hass, language, "read_nothing_heard", **about)
        return await async_speech(hass, language, "read", text=text, **about)
