"""The results of one bench run and their Markdown tables."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scripts._bench.audio import AudioResult
from scripts._bench.audio_report import audio_markdown
from scripts._bench.measures import PUSH_JITTER, ActionResult, IdleResult, ScaleStep
from scripts._bench.stats import Summary, ms

ACTION_TARGET = 1.2
PUSH_TARGET = 1.5
POLL_FACTOR_TARGET = 10.0
SETUP_TARGET_SECONDS = 3.0
IDLE_REQUESTS_TARGET = 2.0


def _row(name: str, summary: Summary, unit: str = "ms") -> str:
    return (
        f"| {name} | {summary.median:.3f} {unit} | {summary.p95:.3f} {unit} "
        f"| {summary.n} |"
    )


def _median_int(values: list[int]) -> int:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares line: (slope, intercept)."""
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


@dataclass
class Report:
    """Everything one run measured (raw samples in seconds, memory in KiB)."""

    machine: dict[str, Any]
    args: dict[str, Any]
    load_before: str = ""
    load_after: str = ""
    wall_seconds: float = 0.0
    hass_start_seconds: float = 0.0
    action: ActionResult | None = None
    push_sse: list[float] = field(default_factory=list)
    push_sse_no_buttons: list[float] = field(default_factory=list)
    push_sse_idle: list[float] = field(default_factory=list)
    floor_bare_sse_idle: list[float] = field(default_factory=list)
    floor_hass_state_idle: list[float] = field(default_factory=list)
    push_poll: list[float] = field(default_factory=list)
    floor_bare_sse: list[float] = field(default_factory=list)
    floor_hass_state: list[float] = field(default_factory=list)
    idle_sse: IdleResult | None = None
    idle_poll: IdleResult | None = None
    rss_baseline_kib: int = 0
    scale: list[ScaleStep] = field(default_factory=list)
    model_memory: list[dict[str, int]] = field(default_factory=list)
    audio: AudioResult | None = None
    others_cores: float = 0.0
    ours_cores: float = 0.0

    def markdown(self) -> str:
        """All tables."""
        m = self.machine
        lines = [
            "## Machine and run",
            "",
            (
                f"- {m['cores']} cores, {m['memory_gib']} GiB, CPU `{m['cpu']}`, "
                f"Linux {m['kernel']}"
            ),
            (
                f"- Python {m['python']}, Home Assistant {m['homeassistant']}, "
                f"aiohttp {m['aiohttp']}"
            ),
            (
                f"- commit {m['commit']}; files of custom_components changed and not "
                f"committed: {m['integration_changes']}"
            ),
            f"- load average before / after: {self.load_before} / {self.load_after}",
            (
                f"- CPU used during the measurements: by the bench, hass and the "
                f"simulator {self.ours_cores:.2f} cores, by other processes "
                f"{self.others_cores:.2f} cores (average); scheduling priority "
                f"{self.args.get('nice', 0)}"
            ),
            (
                f"- hass start to RUNNING (with onboarding): {self.hass_start_seconds:.1f} s;"
                f" whole run {self.wall_seconds:.0f} s"
            ),
            "",
        ]
        lines += self._action()
        lines += self._push()
        lines += self._scale()
        lines += self._idle()
        lines += audio_markdown(self.audio)
        return "\n".join(lines) + "\n"

    def _action(self) -> list[str]:
        if self.action is None:
            return []
        a = self.action
        action, noop = ms(a.action), ms(a.noop)
        script, stop = ms(a.noop_script), ms(a.bare_stop)
        limit_median = noop.median + stop.median
        limit_p95 = noop.p95 + stop.p95
        ratio = action.median / limit_median
        return [
            "## 1. Action overhead (interleaved, random order per round)",
            "",
            "| request | median | p95 | n |",
            "|---|---|---|---|",
            _row(
                "`voicemail.stop_playback` via `POST /api/services` (end to end)",
                action,
            ),
            _row("no-op action `system_log.clear` via `POST /api/services`", noop),
            _row(
                "(reference) `voicemail.stop_playback` without id, nothing playing: "
                "no ICWS request",
                ms(a.action_no_request),
            ),
            _row("(reference) `script.noop`, empty sequence, same API", script),
            _row("bare aiohttp `POST .../play/stop` to the simulator", stop),
            "",
            (
                f"- limit = no-op action + bare stop: {limit_median:.3f} ms median, "
                f"{limit_p95:.3f} ms p95"
            ),
            (
                f"- ratio action / limit: **{ratio:.2f}x** median, "
                f"{action.p95 / limit_p95:.2f}x p95 (target <= {ACTION_TARGET}x: "
                f"{_verdict(ratio <= ACTION_TARGET)})"
            ),
            f"- the integration adds {action.median - limit_median:.3f} ms at the median",
            "",
        ]

    def _push(self) -> list[str]:
        if not self.push_sse:
            return []
        lines = [
            (
                "## 2. Push latency: voicemail added in the simulator -> count sensor at a "
                "WebSocket client"
            ),
            "",
            (
                "Back to back: each sample starts as soon as the previous one ended (every "
                "process awake). From idle: a random pause of up to "
                f"{PUSH_JITTER * 1000:.0f} ms before each sample, floors "
                "alike."
            ),
            "",
            "| path | median | p95 | n |",
            "|---|---|---|---|",
            _row("integration, SSE, back to back (end to end)", ms(self.push_sse)),
        ]
        if self.push_sse_no_buttons:
            lines.append(
                _row(
                    "(reference) the same, per-message buttons off (`max_buttons` 0)",
                    ms(self.push_sse_no_buttons),
                )
            )
        lines += [
            _row(
                "floor: bare SSE client, add -> event, back to back",
                ms(self.floor_bare_sse),
            ),
            _row(
                "floor: `POST /api/states` -> WebSocket client, back to back",
                ms(self.floor_hass_state),
            ),
        ]
        if self.push_sse_idle:
            lines += [
                _row(
                    "integration, SSE, from idle (end to end)", ms(self.push_sse_idle)
                ),
                _row("floor: bare SSE client, from idle", ms(self.floor_bare_sse_idle)),
                _row(
                    "floor: `POST /api/states` -> WebSocket client, from idle",
                    ms(self.floor_hass_state_idle),
                ),
            ]
        if self.push_poll:
            lines.append(
                _row(
                    "integration, short polling 1 s (messaging 1), from idle",
                    ms(self.push_poll),
                )
            )
        lines.append("")
        for name, push, bare, state in (
            ("back to back", self.push_sse, self.floor_bare_sse, self.floor_hass_state),
            (
                "from idle",
                self.push_sse_idle,
                self.floor_bare_sse_idle,
                self.floor_hass_state_idle,
            ),
        ):
            if not push:
                continue
            sse, floor_b, floor_s = ms(push), ms(bare), ms(state)
            floor_median = floor_b.median + floor_s.median
            floor_p95 = floor_b.p95 + floor_s.p95
            ratio = sse.median / floor_median
            lines.append(
                f"- {name}: floor = bare SSE + Home Assistant's own delivery "
                f"{floor_median:.3f} ms median ({floor_p95:.3f} ms p95); SSE / floor "
                f"**{ratio:.2f}x** median, {sse.p95 / floor_p95:.2f}x p95 (target <= "
                f"{PUSH_TARGET}x: {_verdict(ratio <= PUSH_TARGET)})"
            )
        if self.push_poll:
            reference = ms(self.push_sse_idle or self.push_sse)
            factor = ms(self.push_poll).median / reference.median
            lines.append(
                f"- polling / SSE (from idle): **{factor:.0f}x** slower at the median "
                f"(target >= {POLL_FACTOR_TARGET:.0f}x: "
                f"{_verdict(factor >= POLL_FACTOR_TARGET)})"
            )
        return [*lines, ""]

    def _scale(self) -> list[str]:
        if not self.scale:
            return []
        base = self.rss_baseline_kib
        lines = [
            "## 3. Scale: mailbox size",
            "",
            (
                "Setup: `config_entries/disable` with `disabled_by: null` (enable) sent over the "
                "WebSocket API -> the count sensor's state at a WebSocket client (sensor shown),"
                " and -> Home Assistant's answer, which comes when the entry's setup is "
                "complete (entry set up). Both include login, subscribe, the snapshot, "
                "parsing and the entities. Memory: VmRSS of `hass` 1 s after each setup "
                "(median); growth over the baseline with the entry disabled "
                f"({base / 1024:.1f} MiB); sizes in ascending order in one process. "
                "Delta: one voicemail added -> count sensor at a WebSocket client."
            ),
            "",
            (
                "| voicemails | sensor | sensor shown, median | p95 | entry set up, median "
                "| p95 | RSS | growth | per voicemail | VmHWM | delta median | delta p95 |"
            ),
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for step in self.scale:
            setup = Summary.of(step.setup)
            enabled = Summary.of(step.enabled)
            rss = _median_int(step.rss_kib)
            growth = rss - base
            delta = ms(step.delta) if step.delta else None
            lines.append(
                f"| {step.voicemails:,} | {step.sensor_value} | {setup.median:.3f} s "
                f"| {setup.p95:.3f} s (n={setup.n}) | {enabled.median:.3f} s "
                f"| {enabled.p95:.3f} s "
                f"| {rss / 1024:.1f} MiB | {growth / 1024:+.1f} MiB "
                f"| {growth / step.voicemails:.2f} KiB | {step.hwm_after_kib / 1024:.1f} MiB "
                f"| {delta.median if delta else 0:.1f} ms | {delta.p95 if delta else 0:.1f} ms |"
            )
        largest = self.scale[-1]
        slowest = max(Summary.of(largest.setup).p95, Summary.of(largest.enabled).p95)
        lines += [
            "",
            (
                f"- {largest.voicemails:,} voicemails: sensor shown after "
                f"{Summary.of(largest.setup).median:.2f} s, entry set up after "
                f"{Summary.of(largest.enabled).median:.2f} s (median); slowest p95 "
                f"{slowest:.2f} s (target < {SETUP_TARGET_SECONDS:.0f} s: "
                f"{_verdict(slowest < SETUP_TARGET_SECONDS)})"
            ),
        ]
        if len(self.scale) >= 3:
            sizes = [float(step.voicemails) for step in self.scale]
            growths = [float(_median_int(step.rss_kib) - base) for step in self.scale]
            slope, intercept = _fit(sizes, growths)
            worst = max(
                abs(g - (intercept + slope * n))
                for n, g in zip(sizes, growths, strict=True)
            )
            lines.append(
                f"- RSS growth, least-squares line over the sizes: {intercept / 1024:+.1f} MiB"
                f" + {slope:.2f} KiB per voicemail; largest deviation from the line "
                f"{worst / 1024:.1f} MiB"
            )
        for row in self.model_memory:
            lines.append(
                f"- live memory of the mailbox as the coordinator holds it (tracemalloc, "
                f"fresh process), {row['voicemails']:,} voicemails: "
                f"{row['live'] / row['voicemails']:.0f} B per voicemail live, peak while "
                f"parsing the {row['event_bytes'] / 1024:.0f} KiB snapshot "
                f"{row['peak'] / 1024 / 1024:.1f} MiB"
            )
        return [*lines, ""]

    def _idle(self) -> list[str]:
        if self.idle_sse is None and self.idle_poll is None:
            return []
        lines = ["## 4. Idle cost", ""]
        for name, idle in (
            ("server-sent events", self.idle_sse),
            ("short polling (reference)", self.idle_poll),
        ):
            if idle is None:
                continue
            per_minute = 60.0 / idle.seconds
            requests = len(idle.requests) * per_minute
            counts = Counter(idle.requests)
            what = ", ".join(f"{n}x {r}" for r, n in counts.most_common(3)) or "none"
            line = (
                f"- {name}: **{requests:.1f} requests/min** to the simulator ({what}), "
                f"hass CPU {idle.cpu_seconds * per_minute:.2f} s/min "
                f"(window {idle.seconds:.0f} s)"
            )
            if name == "server-sent events":
                line += (
                    f" (target <= {IDLE_REQUESTS_TARGET:.0f}/min: "
                    f"{_verdict(requests <= IDLE_REQUESTS_TARGET)})"
                )
            lines.append(line)
        return [*lines, ""]
