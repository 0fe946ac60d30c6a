"""Offline US English speech recognition with pocketsphinx and the model inside its package.

Blocking (run it in an executor); no Home Assistant import, so tests and benchmarks use it too.
"""

from __future__ import annotations

import io
import threading
import wave

from pocketsphinx import Decoder, Segmenter  # type: ignore[import-untyped]  # no py.typed upstream

SAMPLE_RATE = 16000
SAMPLE_WIDTH = 2  # bytes: signed 16-bit little-endian
CHANNELS = 1


def raw_pcm(audio: bytes) -> bytes:
    """Return the samples of `audio`: raw 16 kHz 16-bit mono PCM, or such a WAV file.

    Home Assistant's voice pipeline streams raw PCM; a client of /api/stt may send a WAV file.
    Raise ValueError for a WAV that is broken or not 16 kHz 16-bit mono.
    """
    if audio[:4] != b"RIFF":
        return audio
    try:
        with wave.open(io.BytesIO(audio), "rb") as wav:
            shape = (wav.getframerate(), wav.getsampwidth(), wav.getnchannels())
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as err:
        raise ValueError(f"not a PCM WAV file: {err}") from err
    if shape != (SAMPLE_RATE, SAMPLE_WIDTH, CHANNELS):
        raise ValueError(
            f"WAV of {shape} (rate, width, channels), not 16 kHz 16-bit mono"
        )
    return frames


class Recognizer:
    """One pocketsphinx decoder with the en-us model (loading it takes about half a second)."""

    def __init__(self) -> None:
        """Load the acoustic model, the language model and the dictionary."""
        self._decoder = Decoder(samprate=SAMPLE_RATE, loglevel="ERROR")
        self._lock = threading.Lock()

    def transcribe(self, pcm: bytes) -> str:
        """Return the words spoken in `pcm` (16 kHz 16-bit mono), lower case; "" for none.

        Voice activity detection splits the audio into utterances first: the decoder then works
        on a few seconds at a time (a long voicemail does not grow one huge search), and the
        pauses between sentences do not derail the language model.
        """
        segmenter = Segmenter(sample_rate=SAMPLE_RATE)
        utterances = [segment.pcm for segment in segmenter.segment(io.BytesIO(pcm))]
        if segmenter.speech_frames:
            # The audio ended in speech on a frame boundary: Segmenter keeps that last part.
            utterances.append(b"".join(segmenter.speech_frames))
        words: list[str] = []
        with self._lock:
            for utterance in utterances:
                self._decoder.start_utt()
                self._decoder.process_raw(utterance, full_utt=True)
                self._decoder.end_utt()
                hypothesis = self._decoder.hyp()
                if hypothesis is not None and hypothesis.hypstr:
                    words.append(str(hypothesis.hypstr))
        return " ".join(words)
