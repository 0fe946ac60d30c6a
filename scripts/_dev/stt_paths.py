"""pocketsphinx on the committed voicemails, straight from the WAV or through an MP3: printed.

    .venv/bin/python -m scripts._dev.stt_paths [--bitrates 32 48 64] [--runs 3] [--shared]

Each file of tests/audio reaches the recognizer of dev_pocketsphinx as 16 kHz s16le mono PCM in
two ways: ffmpeg decodes the original (`wav`), or ffmpeg first makes an MP3 of it
(`ffmpeg -i in.wav -ac 1 -ar 16000 -b:a 32k out.mp3`, the playback format) and the PCM is
decoded from that (`mp3 32k`, ...). Printed per file and path: whether "call me back", the seven
digits of the number and the caller's name were recognised (in how many runs), the mean word
error rate against the spoken text, the median time of the transcription (loading the model is
not counted) and of the ffmpeg decode, and the distinct texts. Each run has a new recognizer
(its result is then the same every time); --shared uses one for all, as the stt entity does, and
shows how the words of one file depend on what that decoder heard before. Nothing is asserted;
tests/audio_tools asserts the WAV path.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
import re
import statistics
import tempfile
import time

from scripts._dev.components.dev_pocketsphinx.recognizer import Recognizer
from scripts._dev.ffmpeg import decode_pcm, run_ffmpeg
from tests.audio import VOICEMAILS, Voicemail

BYTES_PER_SECOND = 16000 * 2
_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class Result:
    """One file through one path: the text of every run, and the median times."""

    file: str
    path: str
    texts: list[str]
    errors: float
    call_me_back: int
    number: int
    name: int
    transcribe_seconds: float
    decode_seconds: float
    audio_seconds: float


def words(text: str) -> list[str]:
    """Return the lower-case words of `text`, punctuation dropped."""
    return _WORD.findall(text.lower())


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """Return (substitutions + deletions + insertions) / len(reference)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp))
            )
        previous = current
    return previous[-1] / max(len(reference), 1)


def make_mp3(source: Path, target: Path, kbps: int) -> None:
    """`ffmpeg -i source -ac 1 -ar 16000 -b:a <kbps>k target.mp3`."""
    run_ffmpeg(
        "-y", "-i", str(source), "-ac", "1", "-ar", "16000", "-b:a", f"{kbps}k", str(target)
    )  # fmt: skip


def measure(
    recognizer: Recognizer | None,
    voicemail: Voicemail,
    label: str,
    source: Path,
    runs: int,
) -> Result:
    """Decode `source` to PCM and transcribe it `runs` times; the medians of both.

    recognizer None: a new one for every run (loading it is not timed); a pocketsphinx
    decoder carries state from one transcription to the next, so a shared one need not give
    the same words twice.
    """
    decodes, transcriptions, texts = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        pcm = decode_pcm(source)
        decodes.append(time.perf_counter() - started)
        decoder = recognizer if recognizer is not None else Recognizer()
        started = time.perf_counter()
        texts.append(decoder.transcribe(pcm))
        transcriptions.append(time.perf_counter() - started)
    said = [" ".join(words(text)) for text in texts]
    name = voicemail.name.split("_")[0]  # bob_mulaw.wav: Bob says "this is Bob"
    number = " ".join(voicemail.phone_digits)
    return Result(
        file=voicemail.name,
        path=label,
        texts=texts,
        errors=statistics.mean(
            word_error_rate(words(voicemail.text), words(text)) for text in texts
        ),
        call_me_back=sum("call me back" in text for text in said),
        number=sum(number in text for text in said),
        name=sum(name in text.split() for text in said),
        transcribe_seconds=statistics.median(transcriptions),
        decode_seconds=statistics.median(decodes),
        audio_seconds=len(pcm) / BYTES_PER_SECOND,
    )


def table(results: list[Result]) -> str:
    """Return the results as a Markdown table."""

    def mark(hits: int, runs: int) -> str:
        if hits == runs:
            return "yes"
        return f"**{hits}/{runs}**" if hits else "**no**"

    lines = [
        "| file | path | call me back | number | name | WER | transcribe | ffmpeg | words |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines.extend(
        f"| {r.file} | {r.path} | {mark(r.call_me_back, len(r.texts))} "
        f"| {mark(r.number, len(r.texts))} | {mark(r.name, len(r.texts))} "
        f"| {r.errors:.0%} | {r.transcribe_seconds:.2f} s "
        f"({r.transcribe_seconds / r.audio_seconds:.2f} x) "
        f"| {r.decode_seconds * 1000:.0f} ms | {' / '.join(dict.fromkeys(r.texts))} |"
        for r in results
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Measure every committed voicemail through every path; print the table."""
    parser = argparse.ArgumentParser(prog="python -m scripts._dev.stt_paths")
    parser.add_argument("--bitrates", type=int, nargs="+", default=[32, 48, 64])
    parser.add_argument("--runs", type=int, default=3, help="repeats (medians)")
    parser.add_argument(
        "--shared",
        action="store_true",
        help="one recognizer for everything, as the stt entity has (default: a new one a run)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    first = Recognizer()
    print(f"model loaded in {time.perf_counter() - started:.2f} s", flush=True)
    recognizer = first if args.shared else None
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        for voicemail in VOICEMAILS:
            results.append(
                measure(recognizer, voicemail, "wav", voicemail.path, args.runs)
            )
            for kbps in args.bitrates:
                mp3 = Path(tmp) / f"{voicemail.path.stem}_{kbps}k.mp3"
                make_mp3(voicemail.path, mp3, kbps)
                label = f"mp3 {kbps}k ({mp3.stat().st_size // 1024} KiB)"
                results.append(measure(recognizer, voicemail, label, mp3, args.runs))
    print(table(results))


if __name__ == "__main__":
    main()
