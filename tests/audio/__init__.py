"""The committed test voicemails (README.md beside this file; scripts/make_voicemail_audio.py).

    from tests.audio import VOICEMAILS, BROKEN, path

VOICEMAILS lists every spoken voicemail with its codec, mime type, duration and text; BROKEN
the two files ffmpeg must refuse; path(name) is a file's absolute path.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
from pathlib import Path

AUDIO_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Voicemail:
    """One committed voicemail file (an entry of manifest.json)."""

    name: str
    codec: str  # ffmpeg's name of the codec: pcm_mulaw, pcm_alaw, gsm_ms, pcm_s16le
    mime_type: str
    sample_rate: int
    channels: int
    seconds: float
    text: str

    @property
    def path(self) -> Path:
        """Return the file's absolute path."""
        return AUDIO_DIR / self.name

    @property
    def phone_digits(self) -> list[str]:
        """Return the spoken digits of the call-back number: ["five", "five", ...]."""
        spoken = self.text.lower().split("call me back at ", 1)[1]
        number = spoken.split(".", 1)[0].replace(",", "")
        return number.split()


@dataclass(frozen=True)
class Broken:
    """A deliberately broken file and what is wrong with it."""

    name: str
    problem: str

    @property
    def path(self) -> Path:
        """Return the file's absolute path."""
        return AUDIO_DIR / self.name


_MANIFEST = json.loads((AUDIO_DIR / "manifest.json").read_text(encoding="utf-8"))
VOICEMAILS: tuple[Voicemail, ...] = tuple(
    Voicemail(**entry) for entry in _MANIFEST["voicemails"]
)
BROKEN: tuple[Broken, ...] = tuple(Broken(**entry) for entry in _MANIFEST["broken"])


def path(name: str) -> Path:
    """Return the absolute path of the committed file `name`."""
    target = AUDIO_DIR / name
    if not target.is_file():
        raise FileNotFoundError(target)
    return target
