"""Small pieces of the audio section: ffmpeg as the integration runs it, timed GETs, memory.

The cache's file of a message, ffmpeg's command lines (those of transcode.py, with the
project's binary), a GET timed to its first and last body byte, and hass's peak RSS.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import time
from typing import Self

import aiohttp

from custom_components.voicemail.const import DOMAIN
from custom_components.voicemail.helpers import message_digest
from custom_components.voicemail.transcode import decode_command, transcode_command
from scripts._bench.rig import BENCH_DIR, CONFIG_DIR, Rig, proc_status_kib
from scripts._dev.ffmpeg import ffmpeg_binary

WORK_DIR = BENCH_DIR / "audio"
SENDER = "Bench <+15550000>"


def cache_file(rig: Rig, message_id: str) -> Path:
    """Where the integration caches a message's MP3 (audio.audio_directory)."""
    return (
        CONFIG_DIR
        / ".cache"
        / DOMAIN
        / rig.entry_id
        / f"{message_digest(message_id)}.mp3"
    )


def mp3_command(source: Path, target: Path) -> list[str]:
    """Return the integration's transcode (transcode.async_transcode), project's ffmpeg."""
    return transcode_command(str(ffmpeg_binary()), source, target)


def pcm_command(source: Path) -> list[str]:
    """Return the integration's decode for speech-to-text (transcode.async_decode_pcm)."""
    return decode_command(str(ffmpeg_binary()), source)


async def run_ffmpeg(command: list[str]) -> tuple[float, bytes]:
    """Run ffmpeg to completion (stdout read, as the integration does); seconds, stdout."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"ffmpeg exited {process.returncode}: {err.decode()[-300:]}")
    return seconds, out


async def timed_get(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str]
) -> tuple[float, float, int]:
    """GET `url`: seconds to the first body byte, to the last one; the body's size."""
    started = time.perf_counter()
    async with http.get(url, headers=headers) as resp:
        if resp.status != 200:
            raise RuntimeError(f"GET {url}: {resp.status} {await resp.text()}")
        first = await resp.content.readany()
        first_at = time.perf_counter()
        size = len(first)
        while chunk := await resp.content.readany():
            size += len(chunk)
    return first_at - started, time.perf_counter() - started, size


async def wait_file(path: Path, timeout: float) -> float:
    """Poll (every 2 ms) until `path` exists; return perf_counter then."""
    deadline = time.perf_counter() + timeout
    while not path.exists():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{path} did not appear in {timeout:.0f} s")
        await asyncio.sleep(0.002)
    return time.perf_counter()


class PeakRss:
    """hass's peak RSS over a block, minus its RSS before: VmHWM after resetting it.

    Writing 5 to /proc/<pid>/clear_refs sets VmHWM to the current RSS (Linux >= 4.0; our
    own child). Where that is refused, VmRSS is sampled every 2 ms instead.
    """

    def __init__(self, pid: int) -> None:
        """Follow process `pid`."""
        self.pid = pid
        self.before = 0
        self.peak = 0
        self.method = "VmHWM reset by clear_refs"
        self._sampler: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        """Reset the high-water mark (or start sampling)."""
        self.before = proc_status_kib(self.pid, "VmRSS")
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5", encoding="ascii")
        except OSError:
            self.method = "VmRSS sampled every 2 ms"
            self._sampler = asyncio.create_task(self._sample())
        return self

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, proc_status_kib(self.pid, "VmRSS"))
            await asyncio.sleep(0.002)

    async def __aexit__(self, *exc: object) -> None:
        """Read the peak."""
        if self._sampler is not None:
            self._sampler.cancel()
        else:
            self.peak = proc_status_kib(self.pid, "VmHWM")

    @property
    def growth_kib(self) -> int:
        """Peak minus before, KiB."""
        return self.peak - self.before
