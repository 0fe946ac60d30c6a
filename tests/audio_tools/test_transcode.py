"""Every committed voicemail transcodes to MP3 (playback) and 16 kHz PCM (speech-to-text)."""

from __future__ import annotations

from pathlib import Path
import wave

import pytest

from scripts._dev.ffmpeg import (
    decoded_seconds,
    ffmpeg_binary,
    probe,
    run_ffmpeg,
    transcode,
)
from tests.audio import VOICEMAILS, Voicemail


def _ids(voicemail: Voicemail) -> str:
    return voicemail.name


def test_ffmpeg_is_the_wheels_binary_with_the_codecs_we_need() -> None:
    """.venv/bin/ffmpeg (scripts/setup) encodes MP3 with LAME and decodes the telephony codecs."""
    binary = ffmpeg_binary()
    assert binary.name == "ffmpeg"
    assert "imageio_ffmpeg" in str(binary.resolve())
    encoders = run_ffmpeg("-encoders").decode()
    decoders = run_ffmpeg("-decoders").decode()
    assert " libmp3lame " in encoders
    assert " pcm_s16le " in encoders
    for codec in ("pcm_mulaw", "pcm_alaw", "gsm_ms", "mp3"):
        assert f" {codec} " in decoders, codec


@pytest.mark.parametrize("voicemail", VOICEMAILS, ids=_ids)
def test_transcode_keeps_the_duration(voicemail: Voicemail, tmp_path: Path) -> None:
    """MP3 and 16 kHz 16-bit mono PCM WAV, each within 0.1 s of the original."""
    mp3 = tmp_path / "message.mp3"
    transcode(voicemail.path, mp3)
    info = probe(mp3)
    assert (info.codec, info.sample_rate, info.channel_layout) == ("mp3", 16000, "mono")
    assert decoded_seconds(mp3) == pytest.approx(voicemail.seconds, abs=0.1)

    pcm = tmp_path / "message.wav"
    transcode(voicemail.path, pcm)
    with wave.open(str(pcm), "rb") as wav:
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (
            16000,
            2,
            1,
        )
        seconds = wav.getnframes() / wav.getframerate()
    assert seconds == pytest.approx(voicemail.seconds, abs=0.1)


def test_transcode_knows_only_mp3_and_wav(tmp_path: Path) -> None:
    """Another target suffix is a programming error, not a silent default."""
    with pytest.raises(ValueError, match=r"\.ogg"):
        transcode(VOICEMAILS[0].path, tmp_path / "message.ogg")
