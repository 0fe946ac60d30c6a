"""The four measurements. Each returns plain data (seconds, KiB, counts) for the report."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import random
import time
from typing import Any

import aiohttp

from scripts._bench import bare
from scripts._bench.rig import (
    NOOP_SCRIPT,
    SIM_PASSWORD,
    SIM_USER,
    Rig,
    proc_cpu_seconds,
    proc_status_kib,
)
from scripts._bench.watch import StateWatcher

# The voicemail count sensor (unique id <account>_voicemails).
VOICEMAILS_KEY = "voicemails"
PROBE_ENTITY = "sensor.bench_probe"
# "From idle" push samples and their floors: a random pause (up to this many seconds) before
# each sample, so that every process starts asleep, as when a voicemail arrives in real life.
# Waking idle CPUs of a virtual machine costs about 0.5 ms per process on the path.
PUSH_JITTER = 0.02


async def _timed(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def a_voicemail_id(rig: Rig) -> str:
    """Return the id of a voicemail (not a fax: stopping a fax is refused)."""
    for message in await rig.control.voicemails(SIM_USER):
        if message["kind"] == "voicemail":
            message_id: str = message["message_id"]
            return message_id
    raise RuntimeError("the simulator's mailbox has no voicemail")


# ------------------------------------------------------------------ 1. action overhead


@dataclass
class ActionResult:
    """Seconds per request of each kind, measured interleaved in random order."""

    action: list[float] = field(default_factory=list)
    action_no_request: list[float] = field(default_factory=list)
    """stop_playback without a message id while nothing plays: no ICWS request."""
    noop: list[float] = field(default_factory=list)
    noop_script: list[float] = field(default_factory=list)
    bare_stop: list[float] = field(default_factory=list)


async def measure_action(rig: Rig, reps: int, warmup: int = 20) -> ActionResult:
    """voicemail.stop_playback through the REST API vs a no-op action + a bare stop.

    Every round sends each request once, in a random order, so that drift and
    background work (the recorder's commits, other load) hit all of them alike.
    """
    message_id = await a_voicemail_id(rig)
    sim_http = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
    try:
        session = await bare.login(sim_http, rig.sim_url, SIM_USER, SIM_PASSWORD)
        kinds: dict[str, Callable[[], Awaitable[Any]]] = {
            "action": lambda: rig.api.call_service(
                "voicemail", "stop_playback", {"message_id": message_id}
            ),
            "action_no_request": lambda: rig.api.call_service(
                "voicemail", "stop_playback"
            ),
            "noop": lambda: rig.api.call_service("system_log", "clear"),
            "noop_script": lambda: rig.api.call_service(
                "script", NOOP_SCRIPT.partition(".")[2]
            ),
            "bare_stop": lambda: bare.stop(sim_http, session, message_id),
        }
        result = ActionResult()
        order = list(kinds)
        for rnd in range(warmup + reps):
            random.shuffle(order)
            for kind in order:
                seconds = await _timed(kinds[kind])
                if rnd >= warmup:
                    getattr(result, kind).append(seconds)
        await bare.logout(sim_http, session)
    finally:
        await sim_http.close()
    return result


# ------------------------------------------------------------------ 2. push latency


async def push_samples(
    rig: Rig,
    watcher: StateWatcher,
    reps: int,
    *,
    jitter: float,
    timeout: float,
) -> list[float]:
    """Seconds from sending add-voicemail to the count sensor's new state at a WS client.

    After each sample the message is removed again (and that change awaited), so the
    mailbox keeps its size. `jitter`: a random pause before each add (up to this many
    seconds), so that samples do not lock onto the phase of a polling loop.
    """
    samples: list[float] = []
    for _ in range(reps):
        if jitter:
            await asyncio.sleep(random.uniform(0.0, jitter))
        waiter = asyncio.create_task(watcher.wait_changed(timeout))
        await asyncio.sleep(0)  # the waiter is reading the WebSocket
        started = time.perf_counter()
        added = await rig.control.command(
            "add-voicemail", user=SIM_USER, sender="Bench <+15550000>", read=False
        )
        samples.append(await waiter - started)
        waiter = asyncio.create_task(watcher.wait_changed(timeout))
        await asyncio.sleep(0)
        await rig.control.command(
            "remove-voicemail", user=SIM_USER, message_id=added["message_id"]
        )
        await waiter
    return samples


async def bare_sse_samples(rig: Rig, reps: int, *, jitter: float) -> list[float]:
    """Seconds from sending add-voicemail to the event at a bare SSE client.

    `jitter`: the same random pause before each sample as the push samples get, so that
    both start from an idle machine alike (waking idle CPUs costs time on a VM).
    """
    samples: list[float] = []
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        session = await bare.login(http, rig.sim_url, SIM_USER, SIM_PASSWORD)
        stream = await bare.BareEventStream.open(http, session)
        try:
            for _ in range(reps):
                await asyncio.sleep(random.uniform(0.0, jitter))
                reader = asyncio.create_task(_voicemail_event(stream))
                await asyncio.sleep(0)
                started = time.perf_counter()
                added = await rig.control.command(
                    "add-voicemail",
                    user=SIM_USER,
                    sender="Bench <+15550000>",
                    read=False,
                )
                samples.append(await reader - started)
                reader = asyncio.create_task(_voicemail_event(stream))
                await rig.control.command(
                    "remove-voicemail", user=SIM_USER, message_id=added["message_id"]
                )
                await reader
        finally:
            stream.close()
            await bare.logout(http, session)
    return samples


async def _voicemail_event(stream: bare.BareEventStream) -> float:
    """perf_counter when the next voicemail-list event was complete (mwi ones skipped)."""
    while True:
        at, event = await stream.next_event(10.0)
        if b"voicemailMessagesMessage" in event:
            return at


async def hass_state_samples(rig: Rig, reps: int, *, jitter: float) -> list[float]:
    """Seconds from POST /api/states (a new state) to that state at a WS client."""
    await rig.api.request(
        "POST", f"/api/states/{PROBE_ENTITY}", {"state": "0"}, expect=(200, 201)
    )
    watcher = await StateWatcher.subscribe(rig.api, PROBE_ENTITY)
    samples: list[float] = []
    try:
        for value in range(1, reps + 1):
            await asyncio.sleep(random.uniform(0.0, jitter))
            waiter = asyncio.create_task(watcher.wait_changed(10.0))
            await asyncio.sleep(0)
            started = time.perf_counter()
            await rig.api.request(
                "POST",
                f"/api/states/{PROBE_ENTITY}",
                {"state": str(value)},
                expect=(200, 201),
            )
            samples.append(await waiter - started)
    finally:
        await watcher.close()
    return samples


# ------------------------------------------------------------------ 3. scale


@dataclass
class ScaleStep:
    """One mailbox size: setup times, memory, delta latency."""

    voicemails: int
    sensor_value: str | None = None
    setup: list[float] = field(default_factory=list)
    """Enable request sent -> the count sensor's state at a WS client, seconds."""
    enabled: list[float] = field(default_factory=list)
    """Enable request sent -> Home Assistant's answer (entry set up), seconds."""
    rss_before_kib: int = 0
    rss_kib: list[int] = field(default_factory=list)
    """VmRSS of hass 1 s after each setup."""
    hwm_after_kib: int = 0
    delta: list[float] = field(default_factory=list)


async def measure_scale_step(
    rig: Rig, voicemails: int, setups: int, deltas: int
) -> ScaleStep:
    """Restart the simulator with `voicemails`, set the entry up `setups` times."""
    step = ScaleStep(voicemails)
    sensor = await rig.entity_id(VOICEMAILS_KEY)
    await rig.set_entry_enabled(False)
    await rig.restart_simulator(voicemails)
    await asyncio.sleep(2.0)
    step.rss_before_kib = proc_status_kib(rig.hass_pid, "VmRSS")
    watcher = await StateWatcher.subscribe(rig.api, sensor)
    try:
        for attempt in range(setups):
            if attempt:
                await rig.set_entry_enabled(False)
                await watcher.wait(lambda state: not is_count(state), 60.0)
            started = time.perf_counter()
            shown = asyncio.create_task(watcher.wait(is_count, 120.0))
            await rig.set_entry_enabled(True)
            step.enabled.append(time.perf_counter() - started)
            step.setup.append(await shown - started)
            step.sensor_value = watcher.state
            await asyncio.sleep(1.0)
            step.rss_kib.append(proc_status_kib(rig.hass_pid, "VmRSS"))
        step.hwm_after_kib = proc_status_kib(rig.hass_pid, "VmHWM")
        if deltas:
            step.delta = await push_samples(
                rig, watcher, deltas, jitter=0.02, timeout=30.0
            )
    finally:
        await watcher.close()
    return step


def is_count(state: str | None) -> bool:
    """Whether the count sensor shows a count (not unavailable, not gone)."""
    return state is not None and state.isdigit()


# ------------------------------------------------------------------ 4. idle


@dataclass
class IdleResult:
    """Requests the simulator answered and hass CPU seconds over a quiet window."""

    seconds: float
    requests: list[str]
    cpu_seconds: float


async def measure_idle(rig: Rig, seconds: float) -> IdleResult:
    """Clear the simulator's request log, wait, count; hass CPU from /proc."""
    await rig.control.command("clear-requests")
    cpu = proc_cpu_seconds(rig.hass_pid)
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    elapsed = time.perf_counter() - started
    cpu = proc_cpu_seconds(rig.hass_pid) - cpu
    requests = [f"{r['method']} {r['path']}" for r in await rig.control.requests()]
    return IdleResult(elapsed, requests, cpu)
