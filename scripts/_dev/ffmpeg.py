"""The project's ffmpeg: where it is, what it reports about a file, and the two transcodes.

scripts/setup installs the imageio-ffmpeg wheel (requirements/audio.txt), whose one static
ffmpeg binary it links as .venv/bin/ffmpeg. That is the path to give Home Assistant:

    ffmpeg:
      ffmpeg_bin: /path/to/checkout/.venv/bin/ffmpeg

(scripts/test puts .venv/bin on PATH, so there Home Assistant's default `ffmpeg` finds it too.)
The wheel ships no ffprobe: probe() reads what `ffmpeg -i` reports, and decoded_seconds() counts
the samples ffmpeg actually decodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import re
import subprocess
import sys

# Where scripts/setup links the binary: <venv>/bin/ffmpeg of the running interpreter.
FFMPEG_LINK = Path(sys.prefix) / "bin" / "ffmpeg"

# What speech-to-text takes (Home Assistant's stt: WAV/PCM, 16 kHz, 16-bit, mono).
STT_SAMPLE_RATE = 16000
# MP3 for playback: MPEG-2 Layer III at 16 kHz (every player has it; 8 kHz would be the
# non-standard MPEG 2.5), mono, 32 kbit/s: telephone speech loses nothing audible.
MP3_ARGS = (
    "-codec:a",
    "libmp3lame",
    "-ar",
    "16000",
    "-ac",
    "1",
    "-b:a",
    "32k",
    "-f",
    "mp3",
)
PCM_WAV_ARGS = (
    "-codec:a",
    "pcm_s16le",
    "-ar",
    str(STT_SAMPLE_RATE),
    "-ac",
    "1",
    "-f",
    "wav",
)
TRANSCODES = {".mp3": MP3_ARGS, ".wav": PCM_WAV_ARGS}

_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_AUDIO_STREAM = re.compile(
    r"Stream #0:0.*?: Audio: (?P<codec>\w+)"
    r"(?: \([^)]*?(?:/ 0x(?P<tag>[0-9A-Fa-f]+))?\))?"
    r".*?, (?P<rate>\d+) Hz, (?P<layout>[\w.()]+)"
)


class FfmpegError(RuntimeError):
    """ffmpeg refused the input or failed; the message holds its last words."""


@dataclass(frozen=True)
class AudioInfo:
    """What ffmpeg reports about the first audio stream of a file (ffprobe's job)."""

    codec: str  # "pcm_mulaw", "gsm_ms", ... ; "none" when ffmpeg knows no decoder
    format_tag: int | None  # WAVE format tag (or the .au encoding), as ffmpeg shows it
    sample_rate: int
    channel_layout: str  # "mono", "stereo", ...
    seconds: float | None  # the container's duration


def ffmpeg_binary() -> Path:
    """Return the path of the project's ffmpeg (.venv/bin/ffmpeg, linked by scripts/setup)."""
    if not FFMPEG_LINK.exists():
        raise FileNotFoundError(f"{FFMPEG_LINK} is missing: run scripts/setup")
    return FFMPEG_LINK


def ffmpeg_command(*args: str) -> list[str]:
    """Return the command line of a quiet ffmpeg run with `args`."""
    return [
        str(ffmpeg_binary()),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        *args,
    ]


def run_ffmpeg(*args: str) -> bytes:
    """Run ffmpeg quietly with `args`; return its standard output, raise FfmpegError."""
    result = subprocess.run(ffmpeg_command(*args), capture_output=True, check=False)
    if result.returncode != 0:
        raise FfmpegError(
            f"ffmpeg {' '.join(args)} exited {result.returncode}: "
            + result.stderr.decode("utf-8", "replace").strip()[-500:]
        )
    return result.stdout


def probe(path: Path) -> AudioInfo:
    """Return what ffmpeg's demuxer reports about `path` (raise FfmpegError when it cannot)."""
    result = subprocess.run(
        [str(ffmpeg_binary()), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        check=False,
    )
    # Without an output ffmpeg always exits 1; the report on standard error is what counts.
    report = result.stderr.decode("utf-8", "replace")
    stream = _AUDIO_STREAM.search(report)
    if stream is None:
        raise FfmpegError(f"ffmpeg found no audio stream in {path}: {report[-500:]}")
    duration = _DURATION.search(report)
    seconds = None
    if duration is not None:
        hours, minutes, secs = duration.groups()
        seconds = int(hours) * 3600 + int(minutes) * 60 + float(secs)
    tag = stream["tag"]
    return AudioInfo(
        codec=stream["codec"],
        format_tag=int(tag, 16) if tag else None,
        sample_rate=int(stream["rate"]),
        channel_layout=stream["layout"],
        seconds=seconds,
    )


def decode_pcm(source: Path | str, sample_rate: int = STT_SAMPLE_RATE) -> bytes:
    """Decode `source` to raw signed 16-bit little-endian mono PCM at `sample_rate`."""
    return run_ffmpeg(
        "-i", str(source), "-ac", "1", "-ar", str(sample_rate), "-f", "s16le", "-"
    )


def decoded_seconds(source: Path | str) -> float:
    """Return the duration of what ffmpeg decodes from `source`, from its sample count."""
    return len(decode_pcm(source, 8000)) / 2 / 8000


def transcode_args(source: Path | str, target: Path | str) -> list[str]:
    """Return ffmpeg's arguments of the transcode to `target`: by its suffix, .mp3 or .wav.

    .mp3: MP3_ARGS (playback); .wav: PCM_WAV_ARGS (16 kHz 16-bit mono, for speech-to-text).
    """
    suffix = Path(target).suffix
    if suffix not in TRANSCODES:
        raise ValueError(
            f"no transcode to {suffix!r} files (only {', '.join(TRANSCODES)})"
        )
    return ["-y", "-i", str(source), *TRANSCODES[suffix], str(target)]


def transcode(source: Path | str, target: Path | str) -> None:
    """Transcode `source` to `target`: MP3 or 16 kHz PCM WAV (see transcode_args)."""
    run_ffmpeg(*transcode_args(source, target))
