"""The authenticated view that serves a voicemail's MP3 to browsers and media players.

`/api/voicemail/audio/<entry_id>/<digest>`: Home Assistant's authentication (a signed
path for media players, as the media source's resolve hands out), never the ICWS
session's URL or cookie. `FileResponse` gives `Content-Length`, `ETag` and HTTP Range
(206), which Safari needs. A request from the start of the file counts as playing the
message: it is marked read, as every other way of playing does (play.py).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from aiohttp import hdrs, web
from homeassistant.config_entries import ConfigEntryState
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .const import DOMAIN
from .helpers import AUDIO_PATH
from .play import async_mark_played
from .transcode import MP3_MIME

if TYPE_CHECKING:
    from .coordinator import VoicemailConfigEntry

URL_PATTERN: Final = f"{AUDIO_PATH}/{{entry_id}}/{{key}}"


def _from_start(request: web.Request) -> bool:
    """Tell whether a request asks for the file from its first byte."""
    ranges = request.http_range
    return ranges.start in (None, 0)


class VoicemailAudioView(HomeAssistantView):
    """Serves the MP3 of a voicemail of a loaded account."""

    url = URL_PATTERN
    name = "api:voicemail:audio"
    requires_auth = True

    async def get(
        self, request: web.Request, entry_id: str, key: str
    ) -> web.StreamResponse:
        """Fetch and transcode on first use; then serve the cached file."""
        hass = request.app[KEY_HASS]
        entry: VoicemailConfigEntry | None = hass.config_entries.async_get_entry(
            entry_id
        )
        if (
            entry is None
            or entry.domain != DOMAIN
            or entry.state is not ConfigEntryState.LOADED
        ):
            return self.json_message("No such voicemail account", HTTPStatus.NOT_FOUND)
        audio = entry.runtime_data.audio
        if (voicemail := audio.message_of(key)) is None:
            return self.json_message("No such voicemail", HTTPStatus.NOT_FOUND)
        try:
            path = await audio.async_file(voicemail.message_id)
        except HomeAssistantError as err:
            return self.json_message(str(err), HTTPStatus.BAD_GATEWAY)
        if _from_start(request) and not voicemail.read:
            entry.async_create_background_task(
                hass,
                async_mark_played(entry, voicemail.message_id),
                f"{DOMAIN} mark played read",
            )
        return web.FileResponse(
            path,
            headers={
                hdrs.CONTENT_TYPE: MP3_MIME,
                hdrs.CACHE_CONTROL: "private, max-age=3600",
            },
        )
