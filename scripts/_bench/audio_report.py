"""The audio section's Markdown tables (scripts/_bench/audio.py measures)."""

from __future__ import annotations

import statistics

from scripts._bench.audio import AudioResult, Cached, Long, Uncached
from scripts._bench.audio_stt import SttSample
from scripts._bench.stats import Summary, ms

UNCACHED_TARGET = 1.5
CACHED_TARGET = 1.2
RSS_TARGET_COPIES = 2.0
"""RSS growth during a long fetch + transcode must stay below two copies of the WAV."""


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _row(name: str, summary: Summary, unit: str = "ms") -> str:
    return (
        f"| {name} | {summary.median:.3f} {unit} | {summary.p95:.3f} {unit} "
        f"| {summary.n} |"
    )


def _ratio_line(
    what: str, value: Summary, floor: tuple[float, float], target: float
) -> str:
    """`- what: floor ... ; ratio **x** median, p95 (target)`; floor = (median, p95)."""
    ratio = value.median / floor[0]
    return (
        f"- {what}: floor {floor[0]:.3f} ms median ({floor[1]:.3f} ms p95); "
        f"ratio **{ratio:.2f}x** median, {value.p95 / floor[1]:.2f}x p95 "
        f"(target <= {target}x: {_verdict(ratio <= target)})"
    )


def audio_markdown(result: AudioResult | None) -> list[str]:
    """Return the lines of section 5 (nothing when it did not run)."""
    if result is None:
        return []
    lines = ["## 5. Audio", ""]
    if result.uncached is not None:
        lines += _uncached(result.uncached)
    if result.cached is not None:
        lines += _cached(result.cached)
    if result.long is not None:
        lines += _long(result.long)
    lines += _stt(result.stt, result.stt_skipped)
    return lines


def _uncached(u: Uncached) -> list[str]:
    view, download, ffmpeg = ms(u.view), ms(u.download), ms(u.ffmpeg)
    floor = (download.median + ffmpeg.median, download.p95 + ffmpeg.p95)
    return [
        (
            f"Uncached (cached MP3 removed first), a seeded message: {u.audio_seconds:.2f}"
            f" s of audio, WAV {u.wav_bytes / 1024:.0f} KiB, MP3 {u.mp3_bytes / 1024:.0f}"
            " KiB; interleaved in random order per round."
        ),
        "",
        "| request | median | p95 | n |",
        "|---|---|---|---|",
        _row("view `GET /api/voicemail/audio/...` -> first body byte", view),
        _row(
            "floor: bare GET of the attachment from the simulator, to a file", download
        ),
        _row("floor: ffmpeg, the integration's MP3 command, to completion", ffmpeg),
        "",
        _ratio_line(
            "uncached, floor = bare download + ffmpeg",
            view,
            floor,
            UNCACHED_TARGET,
        ),
        f"- the integration adds {view.median - floor[0]:.3f} ms at the median",
        "",
    ]


def _cached(c: Cached) -> list[str]:
    rows = {
        "view (Bearer token), first byte": ms(c.view_first),
        "view (Bearer token), last byte": ms(c.view_last),
        "floor: `/local/` static file of the same size, first byte": ms(c.static_first),
        "floor: `/local/` static file of the same size, last byte": ms(c.static_last),
    }
    if c.static_auth_last:
        rows["(reference) the same `/local/` file, Bearer token sent, last byte"] = ms(
            c.static_auth_last
        )
    if c.api_last:
        rows["(reference) `GET /api/` with the Bearer token, last byte"] = ms(
            c.api_last
        )
    first, last = ms(c.view_first), ms(c.view_last)
    static_first, static_last = ms(c.static_first), ms(c.static_last)
    return [
        (
            f"Cached: the same message's MP3 ({c.mp3_bytes:,} bytes) against Home "
            "Assistant serving a copy of it from `www/`."
        ),
        "",
        "| request | median | p95 | n |",
        "|---|---|---|---|",
        *(_row(name, summary) for name, summary in rows.items()),
        "",
        _ratio_line(
            "first byte",
            first,
            (static_first.median, static_first.p95),
            CACHED_TARGET,
        ),
        _ratio_line(
            "last byte", last, (static_last.median, static_last.p95), CACHED_TARGET
        ),
        "",
    ]


def _long(lm: Long) -> list[str]:
    lines = [
        (
            f"A {lm.minutes:g}-minute voicemail ({lm.source} repeated) added to the "
            "simulator."
        ),
        "",
    ]
    u = lm.rounds
    if u is None:
        return [*lines, "- not measured", ""]
    seconds = u.audio_seconds
    view, floor = (
        Summary.of(u.view),
        Summary.of([d + f for d, f in zip(u.download, u.ffmpeg, strict=True)]),
    )
    wav_mib = u.wav_bytes / 1024 / 1024
    growth = max(u.rss_growth_kib) / 1024 if u.rss_growth_kib else 0.0
    bound = RSS_TARGET_COPIES * wav_mib
    lines += [
        "| what | seconds (median) | x real time | n |",
        "|---|---|---|---|",
        (
            "| arrival -> MP3 cached (new-message worker; the add uploads the WAV) "
            f"| {lm.arrival_cached:.3f} s | {seconds / lm.arrival_cached:.0f}x | 1 |"
        ),
        (
            f"| view, uncached -> first body byte | {view.median:.3f} s "
            f"| {seconds / view.median:.0f}x | {view.n} |"
        ),
        (
            "| floor: bare download + ffmpeg (integration's command), per round "
            f"| {floor.median:.3f} s | {seconds / floor.median:.0f}x | {floor.n} |"
        ),
        (
            "| ffmpeg alone (`-benchmark`, MP3_ARGS) "
            f"| {lm.ffmpeg_seconds:.3f} s | {seconds / lm.ffmpeg_seconds:.0f}x | 1 |"
        ),
        "",
        (
            f"- view / floor: **{view.median / floor.median:.2f}x** at the median "
            "(measured, no target)"
        ),
        (
            f"- memory: the WAV is {wav_mib:.1f} MiB ({seconds:.0f} s); hass's RSS grew "
            f"by at most **{growth:.1f} MiB** during an uncached fetch + transcode "
            f"(each of {len(u.rss_growth_kib)}: "
            + ", ".join(f"{g / 1024:.1f}" for g in u.rss_growth_kib)
            + f" MiB; at arrival {lm.arrival_rss_growth_kib / 1024:.1f} MiB; "
            f"{lm.rss_method}) (target < {RSS_TARGET_COPIES:g} x the WAV = "
            f"{bound:.1f} MiB: {_verdict(growth < bound)})"
        ),
        f"- ffmpeg's own peak RSS: {lm.ffmpeg_peak_rss_mib:.1f} MiB",
        "",
    ]
    return lines


def _stt(samples: list[SttSample], skipped: str) -> list[str]:
    if not samples:
        return [f"Transcription: not measured ({skipped or 'no samples'}).", ""]
    lines = [
        (
            "Transcription (stt_engine = stt.pocketsphinx): add -> `transcribed` at a "
            "WebSocket client; floor = bare download + ffmpeg MP3 transcode + ffmpeg "
            "decode of that MP3 to 16 kHz PCM + the recognizer's own time on that PCM."
        ),
        "",
        (
            "| file | audio | add -> transcribed | download | MP3 | PCM | engine | floor "
            "| overhead | transcript = bench's engine run |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in samples:
        floor = s.floor
        name = f"{s.file} (warm-up, not counted)" if s.warmup else s.file
        lines.append(
            f"| {name} | {s.audio_seconds:.2f} s | {s.total:.3f} s "
            f"| {s.download * 1000:.1f} ms | {s.transcode * 1000:.1f} ms "
            f"| {s.decode * 1000:.1f} ms | {s.engine:.3f} s | {floor:.3f} s "
            f"| {(s.total - floor) * 1000:.0f} ms "
            f"| {'yes' if s.transcript == s.engine_transcript else 'no'} |"
        )
    samples = [s for s in samples if not s.warmup] or samples
    totals = [s.total for s in samples]
    floors = [s.floor for s in samples]
    overheads = [t - f for t, f in zip(totals, floors, strict=True)]
    engines = [s.engine for s in samples]
    failed = sum(s.event != "transcribed" for s in samples)
    lines += [
        "",
        (
            f"- median: add -> transcribed {statistics.median(totals):.3f} s, floor "
            f"{statistics.median(floors):.3f} s (engine alone "
            f"{statistics.median(engines):.3f} s); overhead "
            f"**{statistics.median(overheads) * 1000:.0f} ms** median, "
            f"{max(overheads) * 1000:.0f} ms at most; total / floor "
            f"{statistics.median(totals) / statistics.median(floors):.2f}x "
            "(measured, no target)"
        ),
        f"- `transcription_failed` events: {failed}",
        f"- e.g. {samples[0].file}: hass heard {samples[0].transcript!r}",
        "",
    ]
    return lines
