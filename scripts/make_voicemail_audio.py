"""Speak the test voicemails and store them as PureConnect's Interaction Media Server does.

Run by hand, not in CI (the files it writes are committed):

    .venv/bin/python scripts/make_voicemail_audio.py

It needs Debian's `flite` (the speech) and `sox` (the telephony encodings, GSM 6.10 included:
the project's ffmpeg cannot encode GSM); as root it installs them with apt-get when missing.
It writes into tests/audio/: the voicemails (8 kHz mono WAV in G.711 mu-law, G.711 A-law,
GSM 6.10 and 16-bit PCM, and a Sun .au in mu-law), two broken files for bad-input tests,
manifest.json (read by tests/audio/__init__.py) and README.md.

Why flite's "rms" voice and not espeak-ng: after 8 kHz G.711 or GSM, pocketsphinx's US English
model recognised espeak-ng's voices (en-us, en, en-us+f3, at 130 and 150 words per minute)
hardly at all, and flite's rms voice almost word for word (awb, kal and slt lose the digits).
Both are Debian packages, and flite is deterministic: the same text gives the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
import os
from pathlib import Path
import shutil
import struct
import subprocess
import tempfile

AUDIO = Path(__file__).resolve().parents[1] / "tests" / "audio"
VOICE = "rms"
# Leading and trailing silence, in seconds, as a recording has before and after the caller speaks.
PADDING = ("0.25", "0.5")
TOOLS = {"flite": "flite", "sox": "sox", "soxi": "sox"}


@dataclass(frozen=True)
class Voicemail:
    """One message: its file, how it is encoded, and what is said."""

    name: str
    codec: str  # ffmpeg's codec name, which the tests compare with ffmpeg's report
    sox_args: tuple[str, ...]
    mime_type: str
    text: str


VOICEMAILS = (
    Voicemail(
        "bob_mulaw.wav",
        "pcm_mulaw",
        ("-e", "u-law"),
        "audio/wav",
        "Hi, this is Bob Smith from City Dental. Please call me back at five five five, "
        "one two three four. Thanks.",
    ),
    Voicemail(
        "alice_alaw.wav",
        "pcm_alaw",
        ("-e", "a-law"),
        "audio/wav",
        "Hello, it's Alice from the bank. Please call me back at five five five, "
        "nine eight seven six. Bye.",
    ),
    Voicemail(
        "carol_gsm610.wav",
        "gsm_ms",
        ("-e", "gsm-full-rate"),
        "audio/wav",
        "Good morning, this is Carol from the pharmacy. Your prescription is ready. "
        "Call me back at five five five, two four six eight.",
    ),
    Voicemail(
        "dave_pcm16.wav",
        "pcm_s16le",
        ("-e", "signed-integer", "-b", "16"),
        "audio/wav",
        "Hi, it's Dave from the garage. Please call me back at five five five, "
        "three one four two.",
    ),
    Voicemail(
        "erin_mulaw.au",
        "pcm_mulaw",
        ("-t", "au", "-e", "u-law"),
        "audio/basic",
        "This is Erin from the school office. Please call me back at five five five, "
        "seven zero zero two. Thank you.",
    ),
)

# Broken inputs: (name, what is wrong, made from which voicemail).
TRUNCATED = "corrupt_truncated_header.wav"
UNKNOWN_TAG = "unknown_encoding.wav"
# A WAVE format tag that no codec registers (GSM 6.10 is 0x0031).
UNKNOWN_FORMAT_TAG = 0xBEEF


def ensure_tools() -> None:
    """Install flite and sox with apt-get when missing (as root), else explain."""
    missing = sorted({pkg for tool, pkg in TOOLS.items() if not shutil.which(tool)})
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(f"install Debian's {' '.join(missing)} first")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True,
        env=env,
    )


def speak(voicemail: Voicemail, workdir: Path) -> Path:
    """Speak the text into AUDIO/<name> at 8 kHz mono in the voicemail's encoding."""
    spoken = workdir / "spoken.wav"
    subprocess.run(
        ["flite", "-voice", VOICE, "-t", voicemail.text, "-o", str(spoken)], check=True
    )
    target = AUDIO / voicemail.name
    # -R: repeatable (fixed dither seed); --comment "": no "Processed by SoX" in .au headers.
    subprocess.run(
        [
            "sox",
            "-R",
            str(spoken),
            "--comment",
            "",
            "-r",
            "8000",
            "-c",
            "1",
            *voicemail.sox_args,
            str(target),
            "pad",
            *PADDING,
        ],
        check=True,
    )
    return target


def seconds(path: Path) -> float:
    """Return the duration sox reads from the file's header."""
    out = subprocess.run(
        ["soxi", "-D", str(path)], check=True, capture_output=True, text=True
    ).stdout
    return round(float(out), 3)


def write_broken(source: Path) -> None:
    """Write the truncated-header WAV and the one with an unknown format tag."""
    data = source.read_bytes()
    # RIFF header and the start of the fmt chunk only: the format tag is cut off.
    (AUDIO / TRUNCATED).write_bytes(data[:22])
    tag_offset = data.index(b"fmt ") + 8
    (AUDIO / UNKNOWN_TAG).write_bytes(
        data[:tag_offset]
        + struct.pack("<H", UNKNOWN_FORMAT_TAG)
        + data[tag_offset + 2 :]
    )


def write_manifest(durations: dict[str, float]) -> None:
    """Write manifest.json and README.md."""
    broken = [
        {
            "name": TRUNCATED,
            "problem": "truncated header: 22 bytes, cut inside the fmt chunk",
        },
        {
            "name": UNKNOWN_TAG,
            "problem": f"WAVE format tag 0x{UNKNOWN_FORMAT_TAG:04X} (no such codec)",
        },
    ]
    manifest = {
        "voice": f"flite {VOICE}",
        "voicemails": [
            {
                "name": vm.name,
                "codec": vm.codec,
                "mime_type": vm.mime_type,
                "sample_rate": 8000,
                "channels": 1,
                "seconds": durations[vm.name],
                "text": vm.text,
            }
            for vm in VOICEMAILS
        ],
        "broken": broken,
    }
    (AUDIO / "manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )
    rows = [
        f"| `{vm.name}` | {vm.codec} | {vm.mime_type} | {durations[vm.name]:.2f} | "
        f"{vm.text} |"
        for vm in VOICEMAILS
    ]
    problems = [f"| `{b['name']}` | {b['problem']} |" for b in broken]
    (AUDIO / "README.md").write_text(
        README.format(rows="\n".join(rows), broken="\n".join(problems)),
        encoding="utf-8",
    )


README = """\
# Test voicemails

Spoken voicemails stored the way PureConnect's Interaction Media Server stores voicemail: 8 kHz
mono, in the encodings a PureConnect server is configured with. Written by
`scripts/make_voicemail_audio.py` (flite's "rms" voice, sox; run by hand, not in CI) together
with `manifest.json`, which `tests/audio/__init__.py` reads (`VOICEMAILS`, `BROKEN`, `path()`).
Every number in every message is spoken digit by digit after "call me back at", which
pocketsphinx recognises reliably after telephony encoding (tests/audio_tools).

| file | ffmpeg codec | mime type | seconds | spoken text |
| --- | --- | --- | --- | --- |
{rows}

Broken files for bad-input tests (ffmpeg refuses both):

| file | what is wrong |
| --- | --- |
{broken}

The toolchain (ffmpeg, pocketsphinx, the development stt component): docs/audio.md.
"""


def main() -> None:
    """Write every file."""
    ensure_tools()
    AUDIO.mkdir(parents=True, exist_ok=True)
    durations: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for voicemail in VOICEMAILS:
            target = speak(voicemail, Path(tmp))
            durations[voicemail.name] = seconds(target)
            size = target.stat().st_size
            print(f"{target.name}: {durations[voicemail.name]} s, {size} bytes")
    write_broken(AUDIO / VOICEMAILS[2].name)
    write_manifest(durations)


if __name__ == "__main__":
    main()
