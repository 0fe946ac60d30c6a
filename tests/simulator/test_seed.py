"""The seeded demo mailbox serves the spoken test voicemails (tests/audio), or the tone."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest
from yarl import URL

from tests.audio import VOICEMAILS
from tests.icws_simulator import IcwsSimulator, StoredVoicemail
from tests.icws_simulator.attachments import FAX_PAGE, default_audio
from tests.icws_simulator.seed import SPEAKERS, SeedAudio, demo_simulator, seed_mailbox
from tests.icws_simulator.server import start_simulator

from .helpers import login, poll, subscribe

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
MANIFEST = {vm.name: vm for vm in VOICEMAILS}


def test_every_speaker_is_a_committed_voicemail() -> None:
    """One speaker per file of tests/audio, and the name each one says in it."""
    assert sorted(s.file for s in SPEAKERS) == sorted(MANIFEST)
    for speaker in SPEAKERS:
        assert speaker.name.lower() in MANIFEST[speaker.file].text.lower()


def test_voicemails_carry_the_speech_newest_bob_first() -> None:
    """Newest first Bob, Alice, Carol, Dave, Erin, then Bob again; sender and subject match."""
    sim = IcwsSimulator()
    sim.add_user("alice", "secret")
    seed_mailbox(sim, "alice", 12, seed=1, now=NOW)
    messages = sim.voicemails("alice")
    voicemails = [vm for vm in reversed(messages) if vm.kind == "voicemail"]
    assert len(voicemails) == 11
    for index, vm in enumerate(voicemails):
        speaker = SPEAKERS[index % len(SPEAKERS)]
        manifest = MANIFEST[speaker.file]
        assert vm.audio == manifest.path.read_bytes()
        assert vm.audio_mime == manifest.mime_type
        assert vm.file_name == "VoiceMail" + manifest.path.suffix
        assert vm.duration == manifest.seconds
        named = (speaker.name, speaker.organisation)
        caller = vm.sender.partition(" <")[0]
        assert caller in named or vm.sender.startswith("+1555")
        assert vm.subject == f"Voice mail from {caller} ({round(manifest.seconds)} s)"
    (fax,) = [vm for vm in messages if vm.kind == "fax"]
    assert fax.audio is None
    assert fax.subject.startswith("Fax from ")


def test_the_tone_mailbox_differs_only_in_who_calls() -> None:
    """`audio="tone"`: same ids, dates, states and faxes; random callers, no recordings."""
    speech, tone = IcwsSimulator(), IcwsSimulator()
    seeds: tuple[tuple[IcwsSimulator, SeedAudio], ...] = (
        (speech, "speech"),
        (tone, "tone"),
    )
    for sim, audio in seeds:
        sim.add_user("alice", "secret")
        seed_mailbox(sim, "alice", 40, seed=3, now=NOW, audio=audio)
    spoken, toned = speech.voicemails("alice"), tone.voicemails("alice")

    def shape(vm: StoredVoicemail) -> tuple[str, datetime, bool, str]:
        return (vm.message_id, vm.received, vm.read, vm.kind)

    assert [shape(vm) for vm in spoken] == [shape(vm) for vm in toned]
    assert [vm.subject for vm in spoken if vm.kind == "fax"] == [
        vm.subject for vm in toned if vm.kind == "fax"
    ]
    assert all(vm.audio is None and vm.audio_mime is None for vm in toned)
    assert all(vm.file_name in {"VoiceMail.wav", "Fax.tif"} for vm in toned)


@pytest.mark.parametrize("audio", ["speech", "tone"])
async def test_downloads_return_the_recordings(
    socket_enabled: None, client_session: aiohttp.ClientSession, audio: SeedAudio
) -> None:
    """A download of each seeded message's fileUri returns its file, with its mime type."""
    sim = IcwsSimulator()
    demo_simulator(sim, voicemails=12, audio=audio)
    running = await start_simulator(sim)
    try:
        lg = await login(client_session, running.url)
        await subscribe(client_session, lg)
        (snapshot,) = await poll(client_session, lg)
        items = {i["unifiedMessageId"]: i for i in snapshot["voicemailMessagesAdded"]}
        by_type: dict[str, int] = {}
        for vm in sim.voicemails("alice"):
            uri = items[vm.message_id]["attachments"][0]["fileUri"]
            url = URL(running.url + uri, encoded=True)
            async with client_session.get(url, headers=lg.auth()) as resp:
                assert resp.status == 200
                body = await resp.read()
                content_type = resp.headers["Content-Type"]
            if vm.kind == "fax":
                assert (body, content_type) == (FAX_PAGE, "image/tiff")
            elif audio == "tone":
                assert (body, content_type) == (default_audio(), "audio/wav")
            else:
                assert vm.audio is not None
                assert body == vm.audio
                assert any(body == m.path.read_bytes() for m in VOICEMAILS)
                assert content_type == vm.audio_mime
            by_type[content_type] = by_type.get(content_type, 0) + 1
    finally:
        await running.stop()
    if audio == "speech":
        assert by_type == {"audio/wav": 9, "audio/basic": 2, "image/tiff": 1}
    else:
        assert by_type == {"audio/wav": 11, "image/tiff": 1}
