"""The audio of one account: fetched once, transcoded to MP3, cached, described.

`async_file()` is the one way to a message's audio, for the media source, the view,
the media players and the transcription: it downloads the attachment through the
connection (so a 401 costs one re-login, never a login of its own), transcodes it with
ffmpeg (transcode.py), and keeps the MP3 in the cache (audio_cache.py). What the audio tells (its duration)
and what was read from it (the transcript) are kept in a `Store`, so they survive a
restart and the cache's trimming; both go when the message goes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .audio_cache import AudioCache
from .const import DOMAIN, LOGGER
from .errors import AudioError, action_error
from .helpers import message_digest
from .icws import IcwsError, Voicemail
from .mailbox import DELETED, Change, VoicemailData
from .transcode import async_decode_pcm, async_transcode

if TYPE_CHECKING:
    from .coordinator import VoicemailCoordinator

MAX_DOWNLOAD_BYTES: Final = 64 * 1024 * 1024
"""The largest attachment fetched: an hour of 16-bit 8 kHz PCM is 58 MiB."""
MAX_CACHE_BYTES: Final = 256 * 1024 * 1024
"""MP3 files kept per account: about 12 hours of voicemail at 48 kbit/s."""
STORAGE_VERSION: Final = 1
STORAGE_SAVE_DELAY: Final = 5


@dataclass(frozen=True, slots=True)
class Transcript:
    """What a speech-to-text engine read from a voicemail."""

    text: str
    language: str
    engine: str


type AudioData = dict[str, dict[str, Any]]
"""Message key -> {"seconds": float, "transcript": {text, language, engine}}."""


def audio_directory(hass: HomeAssistant, entry_id: str) -> Path:
    """Return the cache directory of an account (not part of backups)."""
    return Path(hass.config.cache_path(DOMAIN, entry_id))


def audio_store(hass: HomeAssistant, entry_id: str) -> Store[AudioData]:
    """Return the store of an account's durations and transcripts."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.audio")


class VoicemailAudio:
    """The audio of one account's messages."""

    def __init__(self, hass: HomeAssistant, coordinator: VoicemailCoordinator) -> None:
        """Prepare; nothing is read or fetched yet (`async_setup`)."""
        self.hass = hass
        self.coordinator = coordinator
        entry_id = coordinator.config_entry.entry_id
        self.cache = AudioCache(audio_directory(hass, entry_id), MAX_CACHE_BYTES)
        self._store = audio_store(hass, entry_id)
        self._data: AudioData = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._indexed: VoicemailData | None = None
        self._by_key: dict[str, Voicemail] = {}
        self.listeners: list[Callable[[str], None]] = []
        """Told the message id when a duration or transcript is learned (websocket.py)."""

    async def async_load(self) -> None:
        """Load durations and transcripts; prepare the cache directory."""
        self._data = await self._store.async_load() or {}
        await self.hass.async_add_executor_job(self.cache.prepare)

    async def async_forget_gone(self) -> None:
        """Forget the files, durations and transcripts of messages no longer there."""
        present = {
            message_digest(vm.message_id) for vm in self.coordinator.data.voicemails
        }
        for key in set(self._data) - present:
            del self._data[key]
        for key in await self.hass.async_add_executor_job(self.cache.keys):
            if key not in present:
                await self.hass.async_add_executor_job(self.cache.remove, key)
        self._save()

    @property
    def busy(self) -> bool:
        """Whether some message's audio is being fetched or transcoded right now."""
        return any(lock.locked() for lock in self._locks.values())

    async def async_save(self) -> None:
        """Write durations and transcripts now (at unload: the next setup reads them)."""
        await self._store.async_save(self._data)

    # --- What is known -----------------------------------------------------------------

    def seconds(self, message_id: str) -> float | None:
        """Return the duration of a message's audio, once it was fetched."""
        seconds: float | None = self._data.get(message_digest(message_id), {}).get(
            "seconds"
        )
        return seconds

    def transcript(self, message_id: str) -> Transcript | None:
        """Return the stored transcript of a message."""
        stored = self._data.get(message_digest(message_id), {}).get("transcript")
        return None if stored is None else Transcript(**stored)

    def set_transcript(self, message_id: str, transcript: Transcript) -> None:
        """Keep a transcript (for as long as the message exists)."""
        if self.coordinator.data.by_id.get(message_id) is None:
            return
        self._learned(message_id, "transcript", asdict(transcript))

    def message_of(self, key: str) -> Voicemail | None:
        """Return the message whose file key this is.

        The digests are indexed once per published mailbox (a view request must not
        hash every id of a large mailbox).
        """
        data = self.coordinator.data
        if data is not self._indexed:
            self._by_key = {message_digest(vm.message_id): vm for vm in data.voicemails}
            self._indexed = data
        return self._by_key.get(key)

    # --- The audio ---------------------------------------------------------------------

    async def async_file(self, message_id: str) -> Path:
        """Return the MP3 of a message, fetching and transcoding it the first time.

        Raises a translated HomeAssistantError: the message is unknown or has no
        audio, the server did not give the file, ffmpeg could not read it.
        """
        voicemail = self.coordinator.voicemail(message_id)
        if voicemail.audio is None:
            raise AudioError("no_audio").to_ha()
        key = message_digest(message_id)
        async with self._locks.setdefault(key, asyncio.Lock()):
            if self.coordinator.data.by_id.get(message_id) is None:
                # Deleted while another caller fetched it.
                raise AudioError("message_deleted").to_ha()
            try:
                path = await self.hass.async_add_executor_job(self.cache.cached, key)
                if path is None:
                    path = await self._async_fetch(message_id, voicemail.audio.file_uri)
            except AudioError as err:
                raise err.to_ha() from err
            except IcwsError as err:
                raise action_error(err) from err
        if self.coordinator.data.by_id.get(message_id) is None:
            await self.async_remove(message_id)
            raise AudioError("message_deleted").to_ha()
        return path

    async def _async_fetch(self, message_id: str, file_uri: str) -> Path:
        """Download the attachment and transcode it; no partial file is left behind."""
        key = message_digest(message_id)
        run = self.hass.async_add_executor_job
        download, fd = await run(self.cache.open_part, key, "download")
        mp3 = self.cache.part(key, "mp3")
        try:
            try:

                async def sink(chunk: bytes) -> None:
                    await run(os.write, fd, chunk)

                await self.coordinator.connection.request(
                    lambda session: session.download(
                        file_uri, sink, max_bytes=MAX_DOWNLOAD_BYTES
                    )
                )
            finally:
                await run(os.close, fd)
            seconds = await async_transcode(self.hass, download, mp3)
            path = await run(self.cache.commit, key, mp3)
        finally:
            await run(self.cache.discard, download, mp3)
        self._learned(message_id, "seconds", round(seconds, 3))
        LOGGER.debug("Cached the audio of a voicemail (%.1f s)", seconds)
        return path

    async def async_pcm(self, message_id: str) -> AsyncIterator[bytes]:
        """Yield a message's audio as 16 kHz 16-bit mono PCM (for speech-to-text)."""
        path = await self.async_file(message_id)
        try:
            async for chunk in async_decode_pcm(self.hass, path):
                yield chunk
        except AudioError as err:
            raise err.to_ha() from err

    async def async_remove(self, message_id: str) -> None:
        """Forget a message's file, duration and transcript."""
        key = message_digest(message_id)
        self._locks.pop(key, None)
        self._data.pop(key, None)
        self._save()
        await self.hass.async_add_executor_job(self.cache.remove, key)

    @callback
    def async_on_changes(self, changes: list[Change]) -> None:
        """Remove what belonged to a deleted message."""
        for change in changes:
            if change.kind == DELETED:
                self.coordinator.config_entry.async_create_background_task(
                    self.hass,
                    self.async_remove(change.message_id),
                    name=f"{DOMAIN} remove audio",
                )

    def _learned(self, message_id: str, name: str, value: object) -> None:
        """Keep what a listing shows of a message; tell the listeners."""
        self._data.setdefault(message_digest(message_id), {})[name] = value
        self._save()
        for listener in list(self.listeners):
            listener(message_id)

    def _save(self) -> None:
        self._store.async_delay_save(lambda: self._data, STORAGE_SAVE_DELAY)


async def async_remove_audio(hass: HomeAssistant, entry_id: str) -> None:
    """Remove an account's cache and store (the account was removed)."""
    cache = AudioCache(audio_directory(hass, entry_id), MAX_CACHE_BYTES)
    await hass.async_add_executor_job(cache.clear)
    await audio_store(hass, entry_id).async_remove()
