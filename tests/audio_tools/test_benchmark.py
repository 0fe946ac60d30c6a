"""A 10-minute voicemail transcodes correctly; its speed and ffmpeg's memory are printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts._dev.audio_bench import long_wav, transcode_benchmark
from scripts._dev.ffmpeg import decoded_seconds, probe
from tests.audio import path
from tests.audio_tools.conftest import MEASUREMENTS


def test_long_wav_repeats_whole_blocks(tmp_path: Path) -> None:
    """The concatenated GSM 6.10 file decodes to the duration long_wav says."""
    target = tmp_path / "long.wav"
    seconds = long_wav(path("carol_gsm610.wav"), target, 30)
    assert 30 <= seconds < 40
    assert probe(target).codec == "gsm_ms"
    assert decoded_seconds(target) == pytest.approx(seconds, abs=0.01)


def test_ten_minute_voicemail(tmp_path: Path) -> None:
    """mu-law and GSM 6.10, 10 minutes each, to MP3 and 16 kHz PCM: durations kept."""
    results = transcode_benchmark(tmp_path, minutes=10)
    assert len(results) == 4
    for measurement, output in results:
        assert measurement.audio_seconds >= 600
        assert decoded_seconds(output) == pytest.approx(
            measurement.audio_seconds, abs=0.1
        )
        assert measurement.peak_rss_mib > 0
        MEASUREMENTS.append(f"ffmpeg {measurement}")
