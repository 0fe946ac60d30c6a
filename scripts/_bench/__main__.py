"""scripts/bench: run every measurement once against a real hass and the simulator; print.

Usage: scripts/bench [--quick] [--nice -10] [--action-reps 200] [--push-reps 40]
                     [--poll-reps 20] [--idle-seconds 60] [--sizes 10,1000,5000,10000]
                     [--setups 5] [--deltas 10] [--audio-reps 20] [--cached-reps 200]
                     [--long-minutes 10] [--long-reps 3] [--stt-reps 5]
                     [--sections action,push,idle,audio,scale]

Prints Markdown tables (also written to .dev/bench/results.md, raw samples to
.dev/bench/results.json). Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import asdict
from importlib import metadata
import json
import os
from pathlib import Path
import platform
import subprocess
import sys
import time
from typing import Any

import aiohttp

from custom_components.voicemail.const import DEFAULT_MAX_BUTTONS
from scripts._bench import measures
from scripts._bench.audio import measure_audio
from scripts._bench.load import LoadMonitor
from scripts._bench.report import Report
from scripts._bench.rig import BENCH_DIR, Rig, proc_status_kib, start_rig
from scripts._bench.watch import StateWatcher
from scripts._dev.config import REPO
from scripts._dev.entry import wait_entry_state

TOTAL_TIMEOUT = 15 * 60.0
SECTIONS = ("action", "push", "idle", "audio", "scale")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Benchmarks of the voicemail integration in a real Home Assistant.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="few repetitions (a trial run)"
    )
    parser.add_argument("--action-reps", type=int, default=200)
    parser.add_argument("--push-reps", type=int, default=40)
    parser.add_argument("--poll-reps", type=int, default=20)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--poll-idle-seconds", type=float, default=20.0)
    parser.add_argument(
        "--sizes",
        default="10,1000,5000,10000",
        help="mailbox sizes of the scale measurement, ascending",
    )
    parser.add_argument("--setups", type=int, default=5, help="setups per size")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help=(
            "scheduling priority of the bench, hass and the simulator (e.g. -10, needs "
            "root): on a machine busy with other work, keeps their time slices away "
            "from the measured paths"
        ),
    )
    parser.add_argument("--deltas", type=int, default=10, help="deltas per size")
    audio = parser.add_argument_group("5. audio")
    audio.add_argument("--audio-reps", type=int, default=20, help="uncached rounds")
    audio.add_argument("--cached-reps", type=int, default=200, help="cached rounds")
    audio.add_argument("--long-minutes", type=float, default=10.0)
    audio.add_argument(
        "--long-reps", type=int, default=3, help="uncached rounds, long message"
    )
    audio.add_argument("--stt-reps", type=int, default=5, help="transcriptions")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help="the sections to run, comma-separated (a subset for a trial)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.action_reps, args.push_reps, args.poll_reps = 30, 8, 4
        args.idle_seconds, args.poll_idle_seconds = 10.0, 5.0
        args.setups, args.deltas = 2, 3
        args.audio_reps, args.cached_reps, args.long_reps, args.stt_reps = 5, 30, 1, 2
    args.sizes = sorted(int(size) for size in args.sizes.split(","))
    args.sections = [name.strip() for name in args.sections.split(",")]
    if unknown := set(args.sections) - set(SECTIONS):
        parser.error(f"unknown sections {sorted(unknown)}: choose from {SECTIONS}")
    return args


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model, software versions, load."""
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    model = next(
        (
            line.partition(":")[2].strip()
            for line in cpuinfo.splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    meminfo = Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
    mem_kib = int(
        next(line for line in meminfo if line.startswith("MemTotal")).split()[1]
    )
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "cpu": model,
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "homeassistant": metadata.version("homeassistant"),
        "aiohttp": metadata.version("aiohttp"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "integration_changes": len(
            _git("status", "--porcelain", "--", "custom_components").splitlines()
        ),
    }


def _git(*args: str) -> str:
    """Output of a git command in the repository ("" when git is missing)."""
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return ""


def loadavg() -> str:
    """Return the 1, 5 and 15 minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])


async def set_messaging_version(rig: Rig, version: int) -> None:
    """Change the simulator's messaging feature and set the entry up again (new login)."""
    await rig.control.command("settings", messaging_version=version)
    sensor = await rig.entity_id(measures.VOICEMAILS_KEY)
    watcher = await StateWatcher.subscribe(rig.api, sensor)
    try:
        await rig.set_entry_enabled(False)
        await watcher.wait(lambda state: not measures.is_count(state), 60.0)
        await rig.set_entry_enabled(True)
        await watcher.wait(measures.is_count, 60.0)
    finally:
        await watcher.close()


async def run(args: argparse.Namespace) -> Report:
    """Start the rig, measure, stop."""
    report = Report(machine=machine(), args=vars(args))
    report.load_before = loadavg()
    async with aiohttp.ClientSession() as http:
        print("Starting the simulator and Home Assistant ...", flush=True)
        rig = await start_rig(http, args.sizes[0])
        monitor = LoadMonitor()
        try:
            report.hass_start_seconds = rig.hass_start_seconds
            await asyncio.sleep(5.0)  # let the start-up work settle
            monitor.start(_children(rig))
            await _measure(rig, args, report)
        finally:
            print("Stopping ...", flush=True)
            await rig.close()
        monitor.stop()
    report.others_cores = monitor.others_cores
    report.ours_cores = monitor.ours_cores
    if "scale" in args.sections:
        print("   live memory of the mailbox model (tracemalloc) ...", flush=True)
        report.model_memory = await _model_memory(args.sizes)
    report.load_after = loadavg()
    return report


def _children(rig: Rig) -> list[int]:
    return [pid for pid in (rig.hass.child.pid, rig.simulator.child.pid) if pid]


async def _model_memory(sizes: list[int]) -> list[dict[str, int]]:
    """Run scripts._bench.model_memory in a fresh process; its JSON lines."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "scripts._bench.model_memory",
        *(str(size) for size in sizes),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    if process.returncode:
        raise RuntimeError("scripts._bench.model_memory failed")
    return [json.loads(line) for line in out.decode().splitlines() if line]


async def _measure(rig: Rig, args: argparse.Namespace, report: Report) -> None:
    if "action" in args.sections:
        print(f"1. action overhead ({args.action_reps} rounds) ...", flush=True)
        report.action = await measures.measure_action(rig, args.action_reps)
    if "push" in args.sections:
        await _push(rig, args, report)
    if "idle" in args.sections:
        print(
            f"4. idle with server-sent events ({args.idle_seconds:.0f} s) ...",
            flush=True,
        )
        await asyncio.sleep(5.0)
        report.idle_sse = await measures.measure_idle(rig, args.idle_seconds)
    if "audio" in args.sections:
        print("5. audio ...", flush=True)
        await rig.refresh_websocket()
        report.audio = await measure_audio(rig, args)
    if "scale" in args.sections:
        await rig.refresh_websocket()
        await _scale(rig, args, report)


async def _push(rig: Rig, args: argparse.Namespace, report: Report) -> None:
    print(f"2. push latency, server-sent events ({args.push_reps}) ...", flush=True)
    sensor = await rig.entity_id(measures.VOICEMAILS_KEY)
    watcher = await StateWatcher.subscribe(rig.api, sensor)
    try:
        report.push_sse = await measures.push_samples(
            rig, watcher, args.push_reps, jitter=0.0, timeout=10.0
        )
        report.push_sse_idle = await measures.push_samples(
            rig, watcher, args.push_reps, jitter=measures.PUSH_JITTER, timeout=10.0
        )
    finally:
        await watcher.close()
    print("   the same without per-message buttons (max_buttons 0) ...", flush=True)
    await rig.api.set_options(rig.entry_id, {"max_buttons": 0})
    await asyncio.sleep(2.0)  # the options flow reloads the entry
    await wait_entry_state(rig.api, rig.entry_id, ("loaded",), timeout=60.0)
    watcher = await StateWatcher.subscribe(rig.api, sensor)
    try:
        report.push_sse_no_buttons = await measures.push_samples(
            rig, watcher, args.push_reps, jitter=0.0, timeout=10.0
        )
    finally:
        await watcher.close()
        await rig.api.set_options(rig.entry_id, {"max_buttons": DEFAULT_MAX_BUTTONS})
        await asyncio.sleep(2.0)
        await wait_entry_state(rig.api, rig.entry_id, ("loaded",), timeout=60.0)
    print("   floor: POST /api/states -> WebSocket client ...", flush=True)
    report.floor_hass_state = await measures.hass_state_samples(
        rig, args.push_reps, jitter=0.0
    )
    report.floor_hass_state_idle = await measures.hass_state_samples(
        rig, args.push_reps, jitter=measures.PUSH_JITTER
    )
    print("   floor: bare SSE client (entry disabled) ...", flush=True)
    await rig.set_entry_enabled(False)
    try:
        report.floor_bare_sse = await measures.bare_sse_samples(
            rig, args.push_reps, jitter=0.0
        )
        report.floor_bare_sse_idle = await measures.bare_sse_samples(
            rig, args.push_reps, jitter=measures.PUSH_JITTER
        )
    finally:
        await rig.set_entry_enabled(True)

    print(f"   short polling, messaging 1 ({args.poll_reps}) ...", flush=True)
    await set_messaging_version(rig, 1)
    try:
        watcher = await StateWatcher.subscribe(rig.api, sensor)
        try:
            report.push_poll = await measures.push_samples(
                rig, watcher, args.poll_reps, jitter=1.0, timeout=10.0
            )
        finally:
            await watcher.close()
        print(f"   idle while polling ({args.poll_idle_seconds:.0f} s) ...", flush=True)
        report.idle_poll = await measures.measure_idle(rig, args.poll_idle_seconds)
    finally:
        await set_messaging_version(rig, 2)


async def _scale(rig: Rig, args: argparse.Namespace, report: Report) -> None:
    print("3. scale ...", flush=True)
    await rig.set_entry_enabled(False)
    await asyncio.sleep(2.0)
    report.rss_baseline_kib = proc_status_kib(rig.hass_pid, "VmRSS")
    await rig.set_entry_enabled(True)
    for size in args.sizes:
        print(f"   {size} voicemails ...", flush=True)
        deltas = args.deltas * 2 if size == args.sizes[-1] else args.deltas
        report.scale.append(
            await measures.measure_scale_step(rig, size, args.setups, deltas)
        )


def main(argv: list[str] | None = None) -> int:
    """Entry point of scripts/bench."""
    args = parse_args(argv)
    started = time.monotonic()
    if args.nice:
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)  # inherited by hass, simulator

    async def bounded() -> Report:
        async with asyncio.timeout(TOTAL_TIMEOUT):
            return await run(args)

    report = asyncio.run(bounded())
    report.wall_seconds = time.monotonic() - started
    text = report.markdown()
    print()
    print(text)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "results.md").write_text(text, encoding="utf-8")
    (BENCH_DIR / "results.json").write_text(
        json.dumps(asdict(report), indent=1, default=str) + "\n", encoding="utf-8"
    )
    print(f"\n(written to {BENCH_DIR / 'results.md'} and results.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
