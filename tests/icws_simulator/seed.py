"""Realistic, deterministic mailboxes for the fixtures, the demo and benchmarks.

By default every seeded voicemail carries one of the spoken test voicemails of tests/audio
(real speech in the encodings a PureConnect server stores, README.md there), and its sender
and subject name the person who speaks in it. `audio="tone"` gives the earlier mailbox: random
callers, and the simulator's generated tone (attachments.default_audio) as every recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import functools
import itertools
import random
from typing import Literal

from tests.audio import VOICEMAILS  # plain data (manifest.json): no Home Assistant

from .simulator import IcwsSimulator

type SeedAudio = Literal["speech", "tone"]

FIRST_NAMES = (
    "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory",
    "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Yvonne", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Miller", "Garcia", "Martin", "Bernard", "Rossi", "Novak", "Keller", "Larsen",
)  # fmt: skip
COMPANIES = (
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Insurance",
    "City Dental",
    "Northwind",
)


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who speaks in a file of tests/audio: the name they give, and where they call from."""

    file: str
    name: str
    organisation: str


# The newest voicemail is Bob's, the one before it Alice's, and so on (then Bob's again).
SPEAKERS = (
    Speaker("bob_mulaw.wav", "Bob Smith", "City Dental"),
    Speaker("alice_alaw.wav", "Alice", "City Bank"),
    Speaker("carol_gsm610.wav", "Carol", "City Pharmacy"),
    Speaker("dave_pcm16.wav", "Dave", "City Garage"),
    Speaker("erin_mulaw.au", "Erin", "School Office"),
)


@dataclass(frozen=True, slots=True)
class SpokenRecording:
    """The bytes, Content-Type, file name and duration of one spoken voicemail."""

    audio: bytes
    mime_type: str
    file_name: str
    seconds: float


@functools.cache
def spoken_recording(file: str) -> SpokenRecording:
    """Return a file of tests/audio with its manifest data (read once: seeds share the bytes)."""
    voicemail = next(vm for vm in VOICEMAILS if vm.name == file)
    return SpokenRecording(
        audio=voicemail.path.read_bytes(),
        mime_type=voicemail.mime_type,
        file_name=f"VoiceMail{voicemail.path.suffix}",
        seconds=voicemail.seconds,
    )


def _caller(rng: random.Random, speaker: Speaker | None) -> tuple[str, str]:
    """Return the displayed name and the `from` of a message (random; the speaker's names).

    The same draws with or without a speaker: a speech mailbox and a tone mailbox of one seed
    differ only in who calls.
    """
    if rng.random() < 0.25:
        sender = f"+1555{rng.randrange(1000000, 9999999)}"
        return sender, sender
    if rng.random() < 0.3:
        company = rng.choice(COMPANIES)
        name = speaker.organisation if speaker is not None else company
        return name, f"{name} <+1800{rng.randrange(1000000, 9999999)}>"
    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    name = speaker.name if speaker is not None else person
    return name, f"{name} <{rng.randrange(1000, 9999)}>"


def seed_mailbox(
    sim: IcwsSimulator,
    user_id: str,
    count: int,
    *,
    seed: int = 1,
    faxes: int | None = None,
    now: datetime | None = None,
    unread_ratio: float = 0.4,
    audio: SeedAudio = "speech",
) -> None:
    """Add `count` messages (oldest first, dates spread over the past weeks).

    `faxes` of them (default: 1 per 8 messages, at least 1 when count >= 3) are faxes.
    The same seed gives the same senders, subjects, durations and order.
    `audio="speech"`: each voicemail is a recording of tests/audio (SPEAKERS, newest first),
    its caller the speaker (by name, organisation or bare number) and its duration the
    recording's; `"tone"`: random callers and durations, the generated default audio.
    """
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    if faxes is None:
        faxes = max(count // 8, 1 if count >= 3 else 0)
    fax_slots = set(rng.sample(range(count), min(faxes, count)))
    offsets = sorted((rng.uniform(0.02, 35.0) for _ in range(count)), reverse=True)
    spoken = count - len(fax_slots)
    # Oldest first, backwards through SPEAKERS: the newest voicemail gets SPEAKERS[0].
    speakers = itertools.islice(
        itertools.cycle(reversed(SPEAKERS)), (-spoken) % len(SPEAKERS), None
    )
    for index, days_ago in enumerate(offsets):
        received = now - timedelta(days=days_ago)
        received = received.replace(second=rng.randrange(60))
        is_fax = index in fax_slots
        speaker = next(speakers) if not is_fax and audio == "speech" else None
        name, sender = _caller(rng, speaker)
        read = days_ago > 3 and rng.random() > unread_ratio
        if is_fax:
            sim.add_voicemail(
                user_id,
                sender=sender,
                subject=f"Fax from {name} ({rng.randrange(1, 6)} pages)",
                received=received,
                read=read,
                kind="fax",
                duration=0.0,
            )
            continue
        duration = float(rng.randrange(4, 95))
        if speaker is None:
            sim.add_voicemail(
                user_id,
                sender=sender,
                subject=f"Voice mail from {name} ({int(duration)} s)",
                received=received,
                read=read,
                duration=duration,
            )
            continue
        recording = spoken_recording(speaker.file)
        sim.add_voicemail(
            user_id,
            sender=sender,
            subject=f"Voice mail from {name} ({round(recording.seconds)} s)",
            received=received,
            read=read,
            duration=recording.seconds,
            file_name=recording.file_name,
            audio=recording.audio,
            audio_mime=recording.mime_type,
        )


def demo_simulator(
    sim: IcwsSimulator,
    *,
    user: str = "alice",
    password: str = "secret",
    display_name: str = "Alice Example",
    voicemails: int = 12,
    seed: int = 1,
    audio: SeedAudio = "speech",
) -> None:
    """Add the demo user with a seeded mailbox and mark the baseline for `reset()`."""
    sim.add_user(user, password, display_name=display_name)
    seed_mailbox(sim, user, voicemails, seed=seed, audio=audio)
    sim.mark_baseline()
