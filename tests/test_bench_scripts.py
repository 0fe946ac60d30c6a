"""The benchmark's own pieces still run against the code they measure.

`scripts/bench` is not part of `scripts/test` (it takes minutes and wants a quiet
machine), so a rename in the integration could break it unnoticed until the next run.
This runs its in-process parts on small inputs (the mailbox's live memory, model_memory.py;
the audio section's ffmpeg floor and peak-memory probe, audio_pieces.py); the numbers
themselves are the benchmark's, not asserted here.
"""

from __future__ import annotations

import asyncio
import mmap
import os
from pathlib import Path

from scripts._bench.audio_pieces import PeakRss, mp3_command, pcm_command, run_ffmpeg
from scripts._bench.model_memory import measure
from tests.audio import VOICEMAILS


def test_model_memory_measures_a_small_mailbox() -> None:
    """Ten messages are parsed and indexed; live memory is some bytes, below the peak."""
    result = measure(10)
    assert result["voicemails"] == 10
    assert 0 < result["live"] <= result["peak"]
    assert result["event_bytes"] > 10 * 100


async def test_audio_floor_runs_the_integrations_ffmpeg_commands(
    tmp_path: Path,
) -> None:
    """The audio section's floor: ffmpeg with transcode.py's MP3 and PCM arguments works.

    On a spoken test voicemail: an MP3 comes out, and its decode is 16 kHz 16-bit mono PCM
    about as long as the recording (the seconds taken are the benchmark's, not checked).
    """
    spoken = VOICEMAILS[0]
    mp3 = tmp_path / "out.mp3"
    _, progress = await run_ffmpeg(mp3_command(spoken.path, mp3))
    assert b"progress=end" in progress
    assert mp3.read_bytes()[:3] in {b"ID3", b"\xff\xf3", b"\xff\xfb"}
    _, pcm = await run_ffmpeg(pcm_command(mp3))
    assert abs(len(pcm) / 32000 - spoken.seconds) < 0.5


async def test_peak_rss_sees_memory_taken_inside_the_block() -> None:
    """PeakRss of this process: 32 MiB touched and freed inside the block are seen.

    Fresh pages from an anonymous mmap: a bytearray may reuse heap memory that is
    already resident after earlier tests (glibc raises its mmap threshold once a large
    block was freed), and then nothing grows.
    """
    size = 32 * 1024 * 1024
    async with PeakRss(os.getpid()) as rss:
        block = mmap.mmap(-1, size)
        for offset in range(0, size, mmap.PAGESIZE):
            block[offset] = 1
        await asyncio.sleep(0.01)  # the sampler, where clear_refs is refused
        block.close()
    assert rss.growth_kib >= 16 * 1024
