"""Logbook lines of the ICWS Voicemail integration: each names the caller.

The logbook shows an event entity's change as its event type alone ("Voicemail →
Received"), and a logbook platform can describe events on the bus, not state changes.
So the event entity fires `voicemail_event` with each of its events (event.py): the
event's data plus `entity_id` and `event_type`. This platform turns it into one line of
the entity, e.g. "New voicemail from Bob Smith". The entity's own row stays (the logbook
shows every change of an event entity's state, and no platform can hide one); it takes
the bus event's context, so the logbook names the caller as its cause.

The lines are English: Home Assistant's logbook has no translated descriptions (core's
are English too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from homeassistant.components.event import ATTR_EVENT_TYPE
from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.components.logbook.models import LazyEventPartialState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN, EVENT_VOICEMAIL
from .intent import caller_name
from .mailbox import (
    DELETED,
    PLAYBACK_STARTED,
    PLAYBACK_STOPPED,
    READ,
    RECEIVED,
    TRANSCRIBED,
    TRANSCRIPTION_FAILED,
)

EXCERPT_LENGTH: Final = 60
"""At most this many characters of a transcript are quoted (cut at a word)."""

# {what}: "voicemail from Bob Smith" (or "fax from ..."; "voicemail" when the caller is
# not known); {a_what}: the same with "the" (or "a"); {What}: capitalised.
MESSAGES: Final[Mapping[str, str]] = {
    RECEIVED: "New {what}",
    READ: "{What} marked as read",
    DELETED: "{What} deleted",
    PLAYBACK_STARTED: "Playing {a_what}{duration}",
    PLAYBACK_STOPPED: "Stopped playing {a_what}",
    TRANSCRIBED: "Transcribed {a_what}{quote}",
    TRANSCRIPTION_FAILED: "Could not transcribe {a_what}{reason}",
}
UNKNOWN_CALLER: Final = "Voicemail"
"""The name of a line whose caller is not known."""


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[
        [str, str, Callable[[LazyEventPartialState], dict[str, Any]]], None
    ],
) -> None:
    """Teach the logbook the integration's event."""
    async_describe_event(DOMAIN, EVENT_VOICEMAIL, _describe_voicemail_event)


@callback
def _describe_voicemail_event(event: LazyEventPartialState) -> dict[str, Any]:
    """Return the logbook line of one voicemail event: caller, then what happened."""
    data = event.data
    caller = caller_name(data.get("from") or "") or None
    noun = "fax" if data.get("fax") else "voicemail"
    what = noun if caller is None else f"{noun} from {caller}"
    kind = str(data.get(ATTR_EVENT_TYPE))
    template = MESSAGES.get(kind, "{What}: " + kind.replace("_", " "))
    message = template.format(
        what=what,
        What=what[0].upper() + what[1:],
        a_what=f"a {noun}" if caller is None else f"the {what}",
        duration=_duration(data.get("duration")),
        quote=_quote(data.get("transcript")),
        reason=f": {error}" if (error := data.get("error")) else "",
    )
    return {
        LOGBOOK_ENTRY_NAME: caller or UNKNOWN_CALLER,
        LOGBOOK_ENTRY_MESSAGE: message,
        LOGBOOK_ENTRY_ENTITY_ID: data.get(ATTR_ENTITY_ID),
    }


def _duration(seconds: float | None) -> str:
    """Return " (0:23)" for a duration in seconds; "" when it is not known."""
    if seconds is None:
        return ""
    minutes, rest = divmod(round(seconds), 60)
    return f" ({minutes}:{rest:02d})"


def _quote(transcript: str | None) -> str:
    """Return ': “the start of the transcript…”'; "" when there is no text."""
    text = " ".join((transcript or "").split())
    if not text:
        return ""
    if len(text) > EXCERPT_LENGTH:
        cut = text[: EXCERPT_LENGTH + 1].rsplit(" ", 1)[0]
        text = f"{cut[:EXCERPT_LENGTH].rstrip(' ,.;:!?')}…"
    return f": “{text}”"
