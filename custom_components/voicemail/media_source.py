"""Voicemail in Home Assistant's media browser: Voicemail → account → messages.

Messages are listed newest first, titled with the caller, the time and the duration
("Bob Smith · Tue 27 Nov 14:55 · 0:42"); unread ones start with "● ". Faxes have no
audio and are not listed. Resolving a message fetches and transcodes its audio once
(audio.py) and hands out the URL of the audio view, with the cached file as
`PlayMedia.path` for integrations that read files (AI Task, notify attachments).
"""

from __future__ import annotations

from homeassistant.components.media_player.const import MediaClass, MediaType
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .coordinator import VoicemailConfigEntry
from .helpers import audio_url, message_digest
from .icws import Voicemail
from .intent import caller_name
from .transcode import MP3_MIME


async def async_get_media_source(hass: HomeAssistant) -> MediaSource:
    """Return the voicemail media source."""
    return VoicemailMediaSource(hass)


def format_seconds(seconds: float) -> str:
    """Format a duration as m:ss (h:mm:ss from an hour); a short message is 0:01."""
    total = max(1, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def media_title(voicemail: Voicemail, seconds: float | None) -> str:
    """Return a message's title: caller · day and time · duration (when known)."""
    when = f"{dt_util.as_local(voicemail.received):%a %d %b %H:%M}"
    parts = [caller_name(voicemail.sender), when]
    if seconds is not None:
        parts.append(format_seconds(seconds))
    return ("" if voicemail.read else "● ") + " · ".join(parts)


class VoicemailMediaSource(MediaSource):
    """The messages of every loaded voicemail account."""

    name = "Voicemail"

    def __init__(self, hass: HomeAssistant) -> None:
        """Initialize the source."""
        super().__init__(DOMAIN)
        self.hass = hass

    def _entry(self, entry_id: str) -> VoicemailConfigEntry:
        entry: VoicemailConfigEntry | None = self.hass.config_entries.async_get_entry(
            entry_id
        )
        if (
            entry is None
            or entry.domain != DOMAIN
            or entry.state is not ConfigEntryState.LOADED
        ):
            raise Unresolvable(
                translation_domain=DOMAIN, translation_key="media_unknown_account"
            )
        return entry

    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """Resolve a message to the audio view's URL (fetching the audio if needed)."""
        entry_id, _, key = item.identifier.partition("/")
        entry = self._entry(entry_id)
        audio = entry.runtime_data.audio
        if (voicemail := audio.message_of(key)) is None:
            raise Unresolvable(
                translation_domain=DOMAIN, translation_key="media_unknown_message"
            )
        try:
            path = await audio.async_file(voicemail.message_id)
        except HomeAssistantError as err:
            raise Unresolvable(
                translation_domain=err.translation_domain,
                translation_key=err.translation_key,
                translation_placeholders=err.translation_placeholders,
            ) from err
        return PlayMedia(
            audio_url(entry.entry_id, voicemail.message_id), MP3_MIME, path=path
        )

    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """Browse the accounts, or the messages of one."""
        if not item.identifier:
            return self._root()
        return self._account(self._entry(item.identifier.partition("/")[0]))

    def _root(self) -> BrowseMediaSource:
        entries: list[VoicemailConfigEntry] = (
            self.hass.config_entries.async_loaded_entries(DOMAIN)
        )
        return _directory(
            None,
            self.name or DOMAIN,
            MediaClass.DIRECTORY,
            [
                _directory(entry.entry_id, entry.title)
                for entry in sorted(entries, key=lambda e: e.title)
            ],
        )

    def _account(self, entry: VoicemailConfigEntry) -> BrowseMediaSource:
        coordinator = entry.runtime_data
        # The published mailbox is newest first already.
        return _directory(
            entry.entry_id,
            entry.title,
            MediaClass.MUSIC,
            [
                BrowseMediaSource(
                    domain=DOMAIN,
                    identifier=f"{entry.entry_id}/{message_digest(vm.message_id)}",
                    media_class=MediaClass.MUSIC,
                    media_content_type=MP3_MIME,
                    title=media_title(vm, coordinator.audio.seconds(vm.message_id)),
                    can_play=True,
                    can_expand=False,
                )
                for vm in coordinator.data.voicemails
                if vm.audio is not None
            ],
        )


def _directory(
    identifier: str | None,
    title: str,
    children_media_class: MediaClass | None = None,
    children: list[BrowseMediaSource] | None = None,
) -> BrowseMediaSource:
    """Return a browsable folder of the source (the root, or an account)."""
    return BrowseMediaSource(
        domain=DOMAIN,
        identifier=identifier,
        media_class=MediaClass.DIRECTORY,
        media_content_type=MediaType.MUSIC,
        title=title,
        can_play=False,
        can_expand=True,
        children_media_class=children_media_class,
        children=children,
    )
