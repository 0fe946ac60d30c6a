"""Transcoding (and optionally speech-to-text) speed on a long voicemail: measured and printed.

    .venv/bin/python -m scripts._dev.audio_bench [--minutes 10] [--stt]

A long message is made by concatenation: the audio data of a committed voicemail repeated in
one WAV of the same encoding (G.711 mu-law and GSM 6.10). ffmpeg transcodes it to MP3 and to
16 kHz PCM as the integration will; the numbers are the speed in times real time and ffmpeg's
peak resident memory (its own -benchmark report). tests/audio_tools/test_benchmark.py runs
the same at 10 minutes and prints; nothing here is asserted on time.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
import math
from pathlib import Path
import re
import resource
import struct
import subprocess
import tempfile
import time

from scripts._dev.components.dev_pocketsphinx.recognizer import Recognizer, raw_pcm
from scripts._dev.ffmpeg import ffmpeg_command, transcode_args

REPO = Path(__file__).resolve().parents[2]
SOURCES = (
    REPO / "tests" / "audio" / "bob_mulaw.wav",
    REPO / "tests" / "audio" / "carol_gsm610.wav",
)
WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_GSM = 0x0031
_MAXRSS = re.compile(r"bench: maxrss=(\d+)KiB")


@dataclass(frozen=True)
class Measurement:
    """One timed run."""

    label: str
    audio_seconds: float
    wall_seconds: float
    peak_rss_mib: float

    @property
    def speed(self) -> float:
        """Return the speed in times real time."""
        return self.audio_seconds / self.wall_seconds

    def __str__(self) -> str:
        """Return one line for the log."""
        return (
            f"{self.label}: {self.audio_seconds:.0f} s of audio in "
            f"{self.wall_seconds:.2f} s = {self.speed:.0f}x real time, "
            f"peak RSS {self.peak_rss_mib:.1f} MiB"
        )


def riff_chunks(data: bytes) -> dict[bytes, bytes]:
    """Return the chunks of a RIFF/WAVE file by id (the first of each id)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    chunks: dict[bytes, bytes] = {}
    offset = 12
    while offset + 8 <= len(data):
        chunk_id, size = struct.unpack_from("<4sI", data, offset)
        chunks.setdefault(chunk_id, data[offset + 8 : offset + 8 + size])
        offset += 8 + size + (size & 1)
    return chunks


def long_wav(source: Path, target: Path, seconds: float) -> float:
    """Write `target`: the audio data of WAV `source` repeated to last at least `seconds`.

    Same format chunk, so the same encoding; whole blocks only (GSM 6.10 has 65-byte blocks
    of 320 samples). Returns the duration of `target` in seconds.
    """
    chunks = riff_chunks(source.read_bytes())
    fmt = chunks[b"fmt "]
    fields: tuple[int, ...] = struct.unpack_from("<HHIIH", fmt)
    tag, _channels, rate, _byte_rate, block_align = fields
    # A GSM 6.10 block holds wSamplesPerBlock (320) samples, a PCM or G.711 block one frame.
    per_block: int = (
        struct.unpack_from("<H", fmt, 18)[0] if tag == WAVE_FORMAT_GSM else 1
    )
    data = chunks[b"data"]
    blocks = len(data) // block_align
    data = data[: blocks * block_align]
    copies = math.ceil(seconds * rate / (blocks * per_block))
    body = data * copies
    frames = blocks * per_block * copies
    parts = [b"WAVE", _chunk(b"fmt ", fmt)]
    if tag != WAVE_FORMAT_PCM:
        # Non-PCM WAV files carry the sample count in a fact chunk.
        parts.append(_chunk(b"fact", struct.pack("<I", frames)))
    parts.append(_chunk(b"data", body))
    payload = b"".join(parts)
    target.write_bytes(b"RIFF" + struct.pack("<I", len(payload)) + payload)
    return frames / rate


def _chunk(chunk_id: bytes, body: bytes) -> bytes:
    return chunk_id + struct.pack("<I", len(body)) + body + b"\0" * (len(body) & 1)


def measure_ffmpeg(label: str, args: list[str], audio_seconds: float) -> Measurement:
    """Run ffmpeg with `args`; return its wall time and its own peak RSS.

    The peak RSS is ffmpeg's `-benchmark` report (getrusage of itself). ffmpeg is started by
    a shell that waits for it: Linux counts the RSS a process had when it called exec, so
    ffmpeg started from this Python process directly, or through `exec`, reports Python's
    RSS (hundreds of MiB with Home Assistant imported) instead of its own.
    """
    command = ffmpeg_command("-nostats", "-benchmark", *args)
    # -benchmark reports at the info level: ffmpeg_command's "-loglevel error" is overridden.
    command[command.index("error")] = "info"
    started = time.perf_counter()
    result = subprocess.run(
        ["/bin/sh", "-c", '"$@"; status=$?; exit $status', "sh", *command],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise subprocess.CalledProcessError(
            result.returncode, command, stderr=result.stderr
        )
    peak = _MAXRSS.search(result.stderr)
    if peak is None:
        raise ValueError(f"no maxrss in ffmpeg's report: {result.stderr[-300:]}")
    return Measurement(label, audio_seconds, wall, int(peak[1]) / 1024)


def transcode_benchmark(
    workdir: Path, minutes: float = 10.0
) -> list[tuple[Measurement, Path]]:
    """Build the long messages in `workdir`, transcode each both ways; return what was measured.

    Each measurement comes with the file it wrote, for the caller to check.
    """
    results = []
    for source in SOURCES:
        long_message = workdir / f"long_{source.stem}.wav"
        seconds = long_wav(source, long_message, minutes * 60)
        for target in (
            long_message.with_suffix(".mp3"),
            long_message.with_name(f"{long_message.stem}_16k.wav"),
        ):
            label = f"{source.name} x{minutes:g} min -> {target.suffix[1:]}"
            args = transcode_args(long_message, target)
            results.append((measure_ffmpeg(label, args, seconds), target))
    return results


def stt_benchmark(wav: Path) -> Measurement:
    """Transcribe a 16 kHz PCM WAV with pocketsphinx in this process; wall time per audio."""
    pcm = raw_pcm(wav.read_bytes())
    recognizer = Recognizer()
    started = time.perf_counter()
    recognizer.transcribe(pcm)
    wall = time.perf_counter() - started
    # The peak RSS of this whole process: Python, the model, the decoder's search.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Measurement(f"pocketsphinx {wav.name}", len(pcm) / 32000, wall, peak)


def main() -> None:
    """Print the measurements."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--stt", action="store_true", help="also time pocketsphinx")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = transcode_benchmark(Path(tmp), args.minutes)
        for measurement, _output in results:
            print(measurement)
        if args.stt:
            print(stt_benchmark(results[-1][1]))


if __name__ == "__main__":
    main()
