"""ffmpeg, through Home Assistant's `ffmpeg` integration: transcode to MP3, decode to PCM.

The binary is the one the user configured (`get_ffmpeg_manager(hass).binary`). Every
process is waited for; one that is cancelled (a deleted message, an unload, a closed
request) is killed, so no ffmpeg outlives its caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from pathlib import Path
from typing import Final

from homeassistant.components.ffmpeg import get_ffmpeg_manager
from homeassistant.core import HomeAssistant

from .errors import AudioError

MP3_MIME: Final = "audio/mpeg"
MP3_ARGS: Final = ("-ac", "1", "-ar", "16000", "-c:a", "libmp3lame", "-b:a", "32k")
"""16 kHz mono, 32 kbit/s: every browser and cast device plays it, and the 8 kHz telephone
audio loses nothing a listener hears. Speech-to-text reads it as well as the original
(docs/audio.md: pocketsphinx heard "call me back" in every file, from WAV and MP3 alike,
and 32 kbit/s did no worse than 48 or 64)."""
PCM_ARGS: Final = ("-ac", "1", "-ar", "16000", "-f", "s16le", "-c:a", "pcm_s16le")
"""16 kHz 16-bit mono little-endian PCM: what `stt` engines take."""
PCM_CHUNK: Final = 16000 * 2 // 4
"""A quarter second of PCM."""
_STDERR_KEPT: Final = 4096


def _command(binary: str, source: Path, *output: str) -> list[str]:
    return [
        binary,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-i",
        str(source),
        "-vn",
        *output,
    ]


def transcode_command(binary: str, source: Path, target: Path) -> list[str]:
    """Return ffmpeg's command line of the MP3 transcode (with a progress report)."""
    return [
        *_command(binary, source, *MP3_ARGS, "-f", "mp3", "-progress", "pipe:1"),
        "-y",
        str(target),
    ]


def decode_command(binary: str, source: Path) -> list[str]:
    """Return ffmpeg's command line of the decode to PCM on its standard output."""
    return _command(binary, source, *PCM_ARGS, "pipe:1")


def _failure(stderr: bytes) -> AudioError:
    """Return the error for a failed ffmpeg: an unknown codec, or an unreadable file."""
    text = stderr.decode(errors="replace")
    key = (
        "audio_unsupported" if "decoder" in text or "codec" in text else "audio_corrupt"
    )
    return AudioError(
        key, text.strip().splitlines()[-1] if text.strip() else "ffmpeg failed"
    )


async def _start(hass: HomeAssistant, args: list[str]) -> asyncio.subprocess.Process:
    try:
        return await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as err:
        raise AudioError("ffmpeg_missing", str(err)) from err


async def _reap(proc: asyncio.subprocess.Process) -> None:
    """Kill a process that is still running and wait for it."""
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    await proc.wait()


async def async_transcode(hass: HomeAssistant, source: Path, target: Path) -> float:
    """Transcode `source` (any audio ffmpeg reads) to MP3 at `target`; return its seconds.

    The duration is what ffmpeg decoded (its last `out_time_us` progress report).
    Raises AudioError; `target` may then hold a partial file (the caller removes it).
    """
    binary = get_ffmpeg_manager(hass).binary
    proc = await _start(hass, transcode_command(binary, source, target))
    try:
        stdout, stderr = await proc.communicate()
    finally:
        await _reap(proc)
    if proc.returncode != 0:
        raise _failure(stderr[-_STDERR_KEPT:])
    microseconds = 0
    for line in stdout.decode(errors="replace").splitlines():
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().isdigit():
            microseconds = int(value)
    return microseconds / 1_000_000


async def async_decode_pcm(hass: HomeAssistant, source: Path) -> AsyncIterator[bytes]:
    """Yield `source` as 16 kHz 16-bit mono PCM, a quarter second at a time.

    Raises AudioError when ffmpeg fails (after the chunks it produced).
    """
    binary = get_ffmpeg_manager(hass).binary
    proc = await _start(hass, decode_command(binary, source))
    assert proc.stdout is not None and proc.stderr is not None
    stderr_task = asyncio.create_task(proc.stderr.read())
    try:
        while chunk := await proc.stdout.read(PCM_CHUNK):
            yield chunk
        await proc.wait()
        if proc.returncode != 0:
            raise _failure((await stderr_task)[-_STDERR_KEPT:])
    finally:
        await _reap(proc)
        stderr_task.cancel()
