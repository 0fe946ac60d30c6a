"""Small shared pieces of the integration: message digests, the accounts of an action."""

from __future__ import annotations

import hashlib
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.service import async_get_config_entry

from .const import DOMAIN
from .coordinator import VoicemailConfigEntry

AUDIO_PATH: Final = "/api/voicemail/audio"
"""Where the audio view serves a message's MP3: `<AUDIO_PATH>/<entry_id>/<digest>`."""


def message_digest(message_id: str) -> str:
    """Return a short stable hash of a message id, for unique ids.

    ICWS message ids are long opaque strings (IMAP URIs on some servers) that do not
    belong in an entity's unique id.
    """
    return hashlib.sha256(message_id.encode()).hexdigest()[:12]


def audio_url(entry_id: str, message_id: str) -> str:
    """Return the (unsigned, relative) URL of a message's audio (audio/view.py)."""
    return f"{AUDIO_PATH}/{entry_id}/{message_digest(message_id)}"


@callback
def async_get_loaded_entries(
    hass: HomeAssistant, entry_id: str | None
) -> list[VoicemailConfigEntry]:
    """Return the loaded accounts an action is about: the one named, else all.

    With an id, Home Assistant's own helper checks that the entry exists, is ours and
    is loaded (and raises its own translated errors). Without one, every loaded
    account counts; with none loaded, a translated error says so.
    """
    if entry_id is not None:
        entry: VoicemailConfigEntry = async_get_config_entry(hass, DOMAIN, entry_id)
        return [entry]
    loaded: list[VoicemailConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    if not loaded:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="not_loaded"
        )
    return loaded
