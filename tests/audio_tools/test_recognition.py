"""pocketsphinx recognises the committed voicemails after transcoding to 16 kHz PCM."""

from __future__ import annotations

from pathlib import Path
import time

import pytest

from scripts._dev.components.dev_pocketsphinx.recognizer import Recognizer, raw_pcm
from scripts._dev.ffmpeg import decode_pcm, transcode
from tests.audio import VOICEMAILS, Voicemail, path
from tests.audio_tools.conftest import MEASUREMENTS

BYTES_PER_SECOND = 16000 * 2


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    """Return one pocketsphinx decoder for the module (the model loads in about 0.5 s)."""
    return Recognizer()


def _ids(voicemail: Voicemail) -> str:
    return voicemail.name


@pytest.mark.parametrize("voicemail", VOICEMAILS, ids=_ids)
def test_call_me_back_and_the_number(
    voicemail: Voicemail, recognizer: Recognizer
) -> None:
    """The words a decoder gets reliably: "call me back" and every digit of the number."""
    pcm = decode_pcm(voicemail.path)
    started = time.perf_counter()
    text = recognizer.transcribe(pcm)
    elapsed = time.perf_counter() - started
    seconds = len(pcm) / BYTES_PER_SECOND
    MEASUREMENTS.append(
        f"pocketsphinx {voicemail.name}: {elapsed / seconds:.2f} s per audio second "
        f"({seconds:.1f} s in {elapsed:.1f} s): {text!r}"
    )
    assert "call me back" in text
    assert " ".join(voicemail.phone_digits) in text
    assert len(voicemail.phone_digits) == 7


def test_silence_is_no_words(recognizer: Recognizer) -> None:
    """Two seconds of digital silence: no speech, no words."""
    assert recognizer.transcribe(bytes(2 * BYTES_PER_SECOND)) == ""


def test_audio_that_ends_in_speech(recognizer: Recognizer) -> None:
    """Cut on a frame boundary in the middle of the number: the words up to the cut count."""
    pcm = decode_pcm(path("dave_pcm16.wav"))
    # 5.76 s: a multiple of the 30 ms frame (960 bytes), inside "five five five, three ...".
    cut = pcm[: 960 * 192]
    assert "call me back" in recognizer.transcribe(cut)


def test_raw_pcm_takes_raw_or_a_16k_wav(tmp_path: Path) -> None:
    """Raw PCM passes through; a 16 kHz mono WAV gives its samples; other WAVs are refused."""
    assert raw_pcm(b"\x01\x02") == b"\x01\x02"
    wav = tmp_path / "message.wav"
    transcode(path("bob_mulaw.wav"), wav)
    assert raw_pcm(wav.read_bytes()) == decode_pcm(path("bob_mulaw.wav"))
    with pytest.raises(ValueError, match="not 16 kHz 16-bit mono"):
        raw_pcm(path("dave_pcm16.wav").read_bytes())
    with pytest.raises(ValueError, match="not a PCM WAV"):
        raw_pcm(path("bob_mulaw.wav").read_bytes())
