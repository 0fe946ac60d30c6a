"""ffmpeg through Home Assistant's ffmpeg integration: no process outlives its caller."""

from __future__ import annotations

import asyncio
from pathlib import Path
import wave

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

from custom_components.voicemail.errors import AudioError
from custom_components.voicemail.transcode import async_decode_pcm, async_transcode

from .audio_helpers import ffmpeg_children

LONG = 3600
"""Seconds of audio: an hour of 8 kHz PCM takes ffmpeg well over the test's pause."""


@pytest.fixture
async def long_wav(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Write an hour of 8 kHz 16-bit silence; load the ffmpeg integration."""
    assert await async_setup_component(hass, "ffmpeg", {})
    path = tmp_path / "long.wav"

    def write() -> None:
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(8000)
            out.writeframes(bytes(8000 * 2 * LONG))

    await hass.async_add_executor_job(write)
    return path


async def test_a_cancelled_transcode_kills_ffmpeg(
    hass: HomeAssistant, long_wav: Path, tmp_path: Path
) -> None:
    """Cancelled mid-way (a deleted message, an unload): the process is gone."""
    task = asyncio.ensure_future(async_transcode(hass, long_wav, tmp_path / "out.mp3"))
    while not ffmpeg_children():
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ffmpeg_children() == []


async def test_a_pcm_reader_that_stops_early_kills_ffmpeg(
    hass: HomeAssistant, long_wav: Path
) -> None:
    """A speech-to-text engine that stops reading: ffmpeg does not run on."""
    stream = async_decode_pcm(hass, long_wav)
    first = await anext(stream)
    assert 0 < len(first) <= 8000
    await stream.aclose()
    assert ffmpeg_children() == []


async def test_decoding_a_broken_file_raises_after_nothing(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """Bytes that are no audio: the decoder's error, no chunk."""
    assert await async_setup_component(hass, "ffmpeg", {})
    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF\x00\x00")
    with pytest.raises(AudioError) as caught:
        _ = [chunk async for chunk in async_decode_pcm(hass, path)]
    assert caught.value.key == "audio_corrupt"
    assert ffmpeg_children() == []
