"""A voicemail's audio in Home Assistant: fetched, transcoded by ffmpeg, cached, served.

The real integration, the real client and the simulator over loopback, and the real
ffmpeg of `scripts/setup` (Home Assistant's `ffmpeg` integration finds it on PATH).
"""

from __future__ import annotations

from pathlib import Path

from homeassistant.components import media_source
from homeassistant.components.media_source import Unresolvable
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest

from custom_components.voicemail import audio as audio_module
from custom_components.voicemail.audio import MAX_DOWNLOAD_BYTES, Transcript
from custom_components.voicemail.const import DOMAIN
from custom_components.voicemail.coordinator import VoicemailConfigEntry
from custom_components.voicemail.helpers import audio_url, message_digest
from custom_components.voicemail.media_source import format_seconds
from custom_components.voicemail.play import async_mark_played
from tests.audio import BROKEN
from tests.icws_simulator import IcwsSimulator, SimulatorSettings
from tests.icws_simulator.fixtures import USER

from .audio_helpers import (
    BOB,
    CAROL,
    async_add_spoken,
    cache_files,
    ffmpeg_children,
    media_id,
)
from .integration_helpers import MESSAGE_PATH, wait_until

pytestmark = pytest.mark.usefixtures("media_source_loaded")

BAD_INPUT = [
    ("corrupt", "audio_corrupt"),
    ("unknown", "audio_unsupported"),
    ("missing", "audio_missing"),
    ("too_large", "audio_too_large"),
    ("foreign", "audio_refused"),
    ("no_ffmpeg", "ffmpeg_missing"),
]


async def test_resolve_transcodes_once_and_keeps_the_file(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """Resolving gives the view's URL, an MP3 as `path`, and the duration learnt."""
    entry = init_integration
    sim.clear_requests()
    message_id = await async_add_spoken(hass, sim, entry, BOB.path.read_bytes())

    media = await media_source.async_resolve_media(
        hass, media_id(entry, message_id), None
    )

    assert media.url == audio_url(entry.entry_id, message_id)
    assert media.mime_type == "audio/mpeg"
    assert media.path is not None
    data = media.path.read_bytes()
    assert data[:3] == b"ID3" or data[0] == 0xFF
    assert entry.runtime_data.audio.seconds(message_id) == pytest.approx(
        BOB.seconds, abs=0.1
    )
    assert cache_files(entry) == [f"{message_digest(message_id)}.mp3"]
    assert (
        media.path.stat().st_mode & 0o777,
        media.path.parent.stat().st_mode & 0o777,
    ) == (
        0o600,
        0o700,
    )
    # Once cached, nothing is fetched again.
    again = await media_source.async_resolve_media(
        hass, media_id(entry, message_id), None
    )
    assert again.path == media.path
    assert len(sim.requests_to("/unified-messaging/attachments/")) == 1


async def test_browse_lists_accounts_then_messages_newest_first(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """Voicemail → account → messages; caller, time, duration; unread marked; no fax."""
    entry = init_integration
    message_id = await async_add_spoken(
        hass, sim, entry, BOB.path.read_bytes(), sender="Bob Smith <+15551234>"
    )
    root = await media_source.async_browse_media(hass, f"media-source://{DOMAIN}")
    assert [child.title for child in root.children or []] == [entry.title]

    account = await media_source.async_browse_media(
        hass, f"media-source://{DOMAIN}/{entry.entry_id}"
    )
    children = account.children or []
    voicemails = sorted(
        (vm for vm in entry.runtime_data.data.voicemails if vm.audio is not None),
        key=lambda vm: vm.received,
        reverse=True,
    )
    assert [child.media_content_id for child in children] == [
        media_id(entry, vm.message_id) for vm in voicemails
    ]
    assert all(child.can_play and not child.can_expand for child in children)
    # The new one is newest and unread; its audio was fetched on arrival: duration.
    assert children[0].media_content_id == media_id(entry, message_id)
    assert children[0].title.startswith("● Bob Smith · ")
    assert children[0].title.endswith(" · 0:08")
    # The others came with the first mailbox: no duration until they are played.
    oldest = next(
        c
        for c in children
        if c.media_content_id == media_id(entry, voicemails[-1].message_id)
    )
    assert oldest.title.count(" · ") == 1
    await media_source.async_resolve_media(hass, oldest.media_content_id, None)
    account = await media_source.async_browse_media(
        hass, f"media-source://{DOMAIN}/{entry.entry_id}"
    )
    seconds = entry.runtime_data.audio.seconds(voicemails[-1].message_id)
    assert seconds is not None
    assert seconds > 0
    assert (account.children or [])[-1].title.endswith(f" · {format_seconds(seconds)}")
    read = next(vm for vm in voicemails if vm.read)
    title = next(
        c.title
        for c in account.children or []
        if c.media_content_id == media_id(entry, read.message_id)
    )
    assert not title.startswith("●")


@pytest.mark.parametrize(("case", "key"), BAD_INPUT)
async def test_bad_audio_gives_a_translated_error_and_leaves_nothing(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    *,
    case: str,
    key: str,
) -> None:
    """Each failure has its translation key; no partial file, no ffmpeg left running."""
    entry = init_integration
    audio = {
        "corrupt": BROKEN[0].path.read_bytes(),
        "unknown": BROKEN[1].path.read_bytes(),
    }.get(case, BOB.path.read_bytes())
    if case == "missing":
        sim.inject_fault("/unified-messaging/attachments/", 404, count=None)
    elif case == "too_large":
        monkeypatch.setattr(audio_module, "MAX_DOWNLOAD_BYTES", len(audio) - 1)
    elif case == "foreign":
        # A server that hands out absolute URIs on a media host.
        sim.settings.attachment_uri_style = "foreign"
    elif case == "no_ffmpeg":
        manager = hass.data["ffmpeg"]
        monkeypatch.setattr(manager, "_bin", "/nonexistent/ffmpeg")
    # The fetch of the new voicemail fails first; asking again fails the same way.
    message_id = await async_add_spoken(hass, sim, entry, audio)

    with pytest.raises(Unresolvable) as caught:
        await media_source.async_resolve_media(hass, media_id(entry, message_id), None)

    assert caught.value.translation_key == key
    assert str(caught.value)
    assert cache_files(entry) == []
    assert ffmpeg_children() == []
    assert entry.runtime_data.audio.seconds(message_id) is None
    assert MAX_DOWNLOAD_BYTES > 32 * 1024 * 1024


async def test_a_fax_has_no_audio(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """A fax is not in the browser, and asking for its audio says why."""
    entry = init_integration
    fax = next(vm for vm in sim.voicemails(USER) if vm.kind == "fax")
    with pytest.raises(HomeAssistantError) as caught:
        await entry.runtime_data.audio.async_file(fax.message_id)
    assert caught.value.translation_key == "no_audio"


@pytest.mark.parametrize("identifier", ["nope/abc", "{entry}/0123456789ab"])
async def test_resolve_unknown_account_or_message(
    hass: HomeAssistant, init_integration: VoicemailConfigEntry, identifier: str
) -> None:
    """Translated Unresolvable errors."""
    with pytest.raises(Unresolvable) as caught:
        await media_source.async_resolve_media(
            hass,
            f"media-source://{DOMAIN}/{identifier.format(entry=init_integration.entry_id)}",
            None,
        )
    assert caught.value.translation_key in {
        "media_unknown_account",
        "media_unknown_message",
    }


async def test_deleting_a_message_removes_its_file_and_duration(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """The cache follows the mailbox."""
    entry = init_integration
    message_id = await async_add_spoken(hass, sim, entry, CAROL.path.read_bytes())
    await entry.runtime_data.audio.async_file(message_id)
    assert cache_files(entry)
    sim.remove_voicemail(USER, message_id)
    await wait_until(hass, lambda: not cache_files(entry))
    assert entry.runtime_data.audio.seconds(message_id) is None


async def test_deleted_while_fetching(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """A message deleted during its download: an error, and no file kept.

    The new voicemail's own fetch (NewVoicemailWorker) is under way when the caller
    asks; both learn that the message is gone, neither keeps a file.
    """
    entry = init_integration
    sim.settings.attachment_delay = 0.4
    message_id = await async_add_spoken(
        hass, sim, entry, BOB.path.read_bytes(), settle=False
    )
    await wait_until(
        hass, lambda: bool(sim.requests_to("/unified-messaging/attachments/"))
    )
    # A background task: wait_until settles tracked tasks, and this one is a fetch.
    task = hass.async_create_background_task(
        entry.runtime_data.audio.async_file(message_id), "fetch"
    )
    sim.remove_voicemail(USER, message_id)
    with pytest.raises(HomeAssistantError) as caught:
        await task
    assert caught.value.translation_key == "message_deleted"
    # The worker's fetch ends the same way, and removes what it wrote.
    await wait_until(hass, lambda: not entry.runtime_data.audio.busy)
    await wait_until(hass, lambda: cache_files(entry) == [])


async def test_pcm_for_speech_to_text(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """16 kHz 16-bit mono: two bytes per sample, the message's length."""
    entry = init_integration
    message_id = await async_add_spoken(hass, sim, entry, BOB.path.read_bytes())
    pcm = b"".join(
        [chunk async for chunk in entry.runtime_data.audio.async_pcm(message_id)]
    )
    assert len(pcm) / 32000 == pytest.approx(BOB.seconds, abs=0.1)


async def test_setup_forgets_audio_of_messages_gone_meanwhile(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """A message deleted while Home Assistant was down: its file goes at the next start."""
    entry = init_integration
    message_id = await async_add_spoken(hass, sim, entry, CAROL.path.read_bytes())
    path = await entry.runtime_data.audio.async_file(message_id)
    leftover = Path(path.parent, "0123.download.part")
    leftover.write_bytes(b"half")
    await hass.config_entries.async_unload(entry.entry_id)
    sim.remove_voicemail(USER, message_id)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert cache_files(entry) == []


async def test_removing_the_account_removes_its_audio(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """The cache directory goes with the account."""
    entry = init_integration
    message_id = await async_add_spoken(hass, sim, entry, CAROL.path.read_bytes())
    path = await entry.runtime_data.audio.async_file(message_id)
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert not path.parent.exists()


async def test_a_damaged_cached_file_is_a_translated_error(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """The cached MP3 was damaged on disk: decoding it says so."""
    entry = init_integration
    message_id = await async_add_spoken(hass, sim, entry, BOB.path.read_bytes())
    path = await entry.runtime_data.audio.async_file(message_id)
    await hass.async_add_executor_job(path.write_bytes, b"not an mp3")
    with pytest.raises(HomeAssistantError) as caught:
        _ = [chunk async for chunk in entry.runtime_data.audio.async_pcm(message_id)]
    assert caught.value.translation_key in {"audio_corrupt", "audio_unsupported"}
    assert ffmpeg_children() == []


async def test_a_transcript_of_a_message_that_is_gone_is_not_kept(
    hass: HomeAssistant, init_integration: VoicemailConfigEntry
) -> None:
    """An engine that answers after the message was deleted: nothing is stored."""
    audio = init_integration.runtime_data.audio
    audio.set_transcript("gone", Transcript("hello", "en-US", "stt.x"))
    assert audio.transcript("gone") is None


async def test_marking_played_read(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A message that is gone or read needs nothing; a refused mark only logs."""
    entry = init_integration
    sim.clear_requests()
    await async_mark_played(entry, "gone")
    read = next(vm for vm in entry.runtime_data.data.voicemails if vm.read)
    await async_mark_played(entry, read.message_id)
    assert sim.requests_to(MESSAGE_PATH, "PUT") == []
    unread = next(vm for vm in entry.runtime_data.data.voicemails if not vm.read)
    sim.inject_fault(MESSAGE_PATH, 500)
    await async_mark_played(entry, unread.message_id)
    assert "Could not mark a played voicemail read" in caplog.text


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(voicemail_mime_type=None)])
async def test_an_attachment_without_a_mime_type_is_audio(
    hass: HomeAssistant, sim: IcwsSimulator, init_integration: VoicemailConfigEntry
) -> None:
    """`mimeType` is optional (§10.7): a voicemail without one still plays."""
    entry = init_integration
    message_id = await async_add_spoken(hass, sim, entry, CAROL.path.read_bytes())
    assert entry.runtime_data.data.by_id[message_id].attachments[0].mime_type is None
    media = await media_source.async_resolve_media(
        hass, media_id(entry, message_id), None
    )
    assert media.path is not None
    assert entry.runtime_data.audio.seconds(message_id) == pytest.approx(
        CAROL.seconds, abs=0.1
    )
