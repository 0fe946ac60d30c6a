"""5. Audio: the view's first byte (uncached, cached), a 10-minute message, transcription.

Against the rig's real hass, each number with its floor measured in the same run:

- uncached: the message's MP3 is removed from the rig's cache directory (a cache miss, as
  after eviction), then `GET /api/voicemail/audio/<entry>/<digest>` with the owner's Bearer
  token, timed to the first body byte; interleaved in random order with its floor, a bare
  client's download of the same attachment from the simulator (bare.py) + ffmpeg run by the
  bench with the integration's own command line (transcode.py: MP3_ARGS), to completion.
- cached: the view of a cached MP3 against Home Assistant's static `/local/` serving a copy
  of that very file (same size), first and last byte; for reference the same file with the
  Bearer token sent (Home Assistant validates any token it gets; `/local/` needs none) and
  `GET /api/` with the token (authentication + a small JSON answer).
- long: a 10-minute voicemail added to the simulator: arrival -> MP3 cached (the new-message
  worker), then uncached views with hass's peak RSS over its RSS before (VmHWM reset through
  /proc/<pid>/clear_refs), ffmpeg's own speed and peak RSS (audio_bench.measure_ffmpeg).
- transcription: stt_engine = stt.pocketsphinx, a spoken voicemail added -> the event
  entity's `transcribed` state at a WebSocket client; the floor's pieces (download, MP3
  transcode, PCM decode, the recognizer on that PCM) run afterwards in the bench process.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import random
import shutil
import time
from typing import Any

import aiohttp

from custom_components.voicemail.helpers import audio_url
from custom_components.voicemail.transcode import MP3_ARGS
from scripts._bench import bare
from scripts._bench.audio_pieces import (
    SENDER,
    WORK_DIR,
    PeakRss,
    cache_file,
    mp3_command,
    run_ffmpeg,
    timed_get,
    wait_file,
)
from scripts._bench.audio_stt import EVENTS_KEY, SttSample, transcription
from scripts._bench.rig import SIM_PASSWORD, SIM_USER, WWW_DIR, Rig
from scripts._dev.audio_bench import long_wav, measure_ffmpeg
from tests.audio import path as audio_path

LONG_SOURCE = "bob_mulaw.wav"


@dataclass
class Uncached:
    """Seconds per round: the view on a cache miss, and the floor's two parts."""

    audio_seconds: float
    wav_bytes: int
    mp3_bytes: int = 0
    view: list[float] = field(default_factory=list)
    download: list[float] = field(default_factory=list)
    ffmpeg: list[float] = field(default_factory=list)
    rss_growth_kib: list[int] = field(default_factory=list)
    """hass's peak RSS during each view request over its RSS before (long message only)."""


@dataclass
class Cached:
    """The view of a cached MP3 vs /local/ serving a copy of it: first and last byte."""

    mp3_bytes: int
    view_first: list[float] = field(default_factory=list)
    view_last: list[float] = field(default_factory=list)
    static_first: list[float] = field(default_factory=list)
    static_last: list[float] = field(default_factory=list)
    static_auth_last: list[float] = field(default_factory=list)
    """(reference) the `/local/` file with the Bearer token sent: its validation + static."""
    api_last: list[float] = field(default_factory=list)
    """(reference) `GET /api/` with the Bearer token: authentication + a small answer."""


@dataclass
class Long:
    """A long voicemail: arrival -> cached, uncached views with memory, ffmpeg alone."""

    minutes: float
    source: str
    arrival_cached: float = 0.0
    arrival_rss_growth_kib: int = 0
    rss_method: str = ""
    rounds: Uncached | None = None
    ffmpeg_seconds: float = 0.0
    ffmpeg_peak_rss_mib: float = 0.0


@dataclass
class AudioResult:
    """Everything the audio section measured."""

    uncached: Uncached | None = None
    cached: Cached | None = None
    long: Long | None = None
    stt: list[SttSample] = field(default_factory=list)
    stt_skipped: str = ""


async def uncached_rounds(
    rig: Rig,
    sim: tuple[aiohttp.ClientSession, bare.BareSession],
    message: dict[str, Any],
    reps: int,
    *,
    warmup: int,
    memory: bool = False,
) -> Uncached:
    """View on a cache miss vs bare download + ffmpeg, interleaved in random order."""
    sim_http, session = sim
    message_id: str = message["message_id"]
    cached = cache_file(rig, message_id)
    url = rig.hass.base_url + audio_url(rig.entry_id, message_id)
    auth = {"Authorization": f"Bearer {rig.api.token}"}
    download, mp3 = WORK_DIR / "floor.download", WORK_DIR / "floor.mp3"
    result = Uncached(
        audio_seconds=float(message["duration"]), wav_bytes=message["audio_bytes"]
    )

    async def view(keep: bool) -> None:
        cached.unlink(missing_ok=True)
        async with PeakRss(rig.hass_pid) as rss:
            first, _, _ = await timed_get(rig.http, url, auth)
        if keep:
            result.view.append(first)
            if memory:
                result.rss_growth_kib.append(rss.growth_kib)

    async def floor(keep: bool) -> None:
        started = time.perf_counter()
        await bare.download(
            sim_http,
            session,
            rig.sim_url,
            message_id=message_id,
            file_name=message["file_name"],
            target=download,
        )
        fetched = time.perf_counter() - started
        transcoded, _ = await run_ffmpeg(mp3_command(download, mp3))
        if keep:
            result.download.append(fetched)
            result.ffmpeg.append(transcoded)

    kinds: list[Callable[[bool], Awaitable[None]]] = [view, floor]
    for rnd in range(warmup + reps):
        random.shuffle(kinds)
        for kind in kinds:
            await kind(rnd >= warmup)
    result.mp3_bytes = cached.stat().st_size
    return result


async def cached_rounds(
    rig: Rig, message_id: str, reps: int, *, warmup: int = 20
) -> Cached:
    """Time the view of a cached MP3 vs /local/<copy of it>, interleaved, random order."""
    cached = cache_file(rig, message_id)
    static = WWW_DIR / f"bench-{cached.name}"
    shutil.copyfile(cached, static)
    result = Cached(mp3_bytes=cached.stat().st_size)
    view_url = rig.hass.base_url + audio_url(rig.entry_id, message_id)
    static_url = f"{rig.hass.base_url}/local/{static.name}"
    auth = {"Authorization": f"Bearer {rig.api.token}"}
    requests = {
        "view": (view_url, auth),
        "static": (static_url, {}),
        "static_auth": (static_url, auth),
        "api": (f"{rig.hass.base_url}/api/", auth),
    }
    order = list(requests)
    for rnd in range(warmup + reps):
        random.shuffle(order)
        for kind in order:
            first, last, size = await timed_get(rig.http, *requests[kind])
            if kind != "api" and size != result.mp3_bytes:
                raise RuntimeError(f"{kind}: {size} bytes, not {result.mp3_bytes}")
            if rnd < warmup:
                continue
            if kind in {"view", "static"}:
                getattr(result, f"{kind}_first").append(first)
            getattr(result, f"{kind}_last").append(last)
    return result


# ------------------------------------------------------------------ long message


async def long_message(
    rig: Rig,
    sim: tuple[aiohttp.ClientSession, bare.BareSession],
    minutes: float,
    reps: int,
) -> Long:
    """Add a long voicemail; arrival -> cached; uncached views with memory; ffmpeg alone."""
    result = Long(minutes=minutes, source=LONG_SOURCE)
    wav = WORK_DIR / "long.wav"
    seconds = await asyncio.to_thread(
        long_wav, audio_path(LONG_SOURCE), wav, minutes * 60
    )
    body = base64.b64encode(wav.read_bytes()).decode("ascii")
    async with PeakRss(rig.hass_pid) as rss:
        started = time.perf_counter()
        added = await rig.control.command(
            "add-voicemail",
            user=SIM_USER,
            sender=SENDER,
            read=False,
            duration=seconds,
            audio_base64=body,
            audio_mime="audio/wav",
        )
        cached_at = await wait_file(cache_file(rig, added["message_id"]), 120.0)
    result.arrival_cached = cached_at - started
    result.arrival_rss_growth_kib = rss.growth_kib
    result.rss_method = rss.method
    try:
        result.rounds = await uncached_rounds(
            rig, sim, added, reps, warmup=0, memory=True
        )
        out = WORK_DIR / "long.mp3"
        args = ["-y", "-i", str(wav), "-vn", *MP3_ARGS, "-f", "mp3", str(out)]
        alone = await asyncio.to_thread(measure_ffmpeg, "ffmpeg alone", args, seconds)
        result.ffmpeg_seconds = alone.wall_seconds
        result.ffmpeg_peak_rss_mib = alone.peak_rss_mib
    finally:
        await rig.control.command(
            "remove-voicemail", user=SIM_USER, message_id=added["message_id"]
        )
    return result


async def measure_audio(rig: Rig, args: Any) -> AudioResult:
    """Run the four audio measurements (the mailbox keeps its seeded messages)."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    result = AudioResult()
    # Looked up first: the rig's WebSocket connection is not read during the section.
    events = await rig.entity_id(EVENTS_KEY)
    messages = await rig.control.voicemails(SIM_USER)
    spoken = next(m for m in messages if m["kind"] == "voicemail" and m["audio_bytes"])
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as sim_http:
        session = await bare.login(sim_http, rig.sim_url, SIM_USER, SIM_PASSWORD)
        sim = (sim_http, session)
        try:
            print(f"   uncached first byte ({args.audio_reps}) ...", flush=True)
            result.uncached = await uncached_rounds(
                rig, sim, spoken, args.audio_reps, warmup=3
            )
            print(f"   cached first byte ({args.cached_reps}) ...", flush=True)
            result.cached = await cached_rounds(
                rig, spoken["message_id"], args.cached_reps
            )
            print(
                f"   {args.long_minutes:g}-minute message ({args.long_reps}) ...",
                flush=True,
            )
            result.long = await long_message(
                rig, sim, args.long_minutes, args.long_reps
            )
            print(f"   transcription ({args.stt_reps}) ...", flush=True)
            result.stt, result.stt_skipped = await transcription(
                rig, sim, args.stt_reps, events
            )
        finally:
            await bare.logout(sim_http, session)
    return result
