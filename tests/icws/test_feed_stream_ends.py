"""Streams that end: early, after a healthy life, after one event, on `retry:`, too big."""

from __future__ import annotations

import asyncio
from dataclasses import replace
import logging
import math
import time

import pytest

from custom_components.voicemail.icws import Phase, VoicemailSnapshot
from custom_components.voicemail.icws.feed import SHORT_STREAMS_TO_FALL_BACK
from tests.icws_simulator import IcwsSimulator, SimulatorSettings

from .conftest import (
    TEST_PACING,
    VOICEMAIL_SUBSCRIPTION,
    Connector,
    assert_new_voicemail_arrives,
    logins,
    poll_requests,
    resync_requests,
    stream_requests,
    until,
)


def opened(sim: IcwsSimulator) -> int:
    """Return how many event streams the simulator opened (answered 200)."""
    return sum(1 for r in stream_requests(sim) if r.status == 200)


# Every stream ends early (short_stream 5 s, each is cut after 0.05 s); the policy's
# first delay is 0.15..0.3 s; the stream is not tried again within the test.
EARLY = replace(
    TEST_PACING,
    short_stream=5.0,
    reconnect_min=0.3,
    reconnect_max=0.6,
    stream_retry=60.0,
)


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(stream_max_seconds=0.05)])
async def test_streams_ending_early_fall_back_to_polling_after_the_third(
    sim: IcwsSimulator, start: Connector
) -> None:
    """Early ends: the first reopened at once, the second after the policy, then polling."""
    run = await start(pacing=EARLY)
    await run.phase(Phase.POLLING)
    streams = stream_requests(sim)
    assert len(streams) == SHORT_STREAMS_TO_FALL_BACK == 3
    # The second early end waited reconnect_delay(0), at least half of 0.3 s.
    assert streams[2].received_at - streams[1].received_at >= EARLY.reconnect_min / 2
    assert run.connection.stats.stream_fallbacks == 1
    await assert_new_voicemail_arrives(sim, run.recorder)
    await asyncio.sleep(0.3)  # polling goes on; the stream waits for stream_retry
    assert len(stream_requests(sim)) == 3
    assert len(poll_requests(sim)) >= 2
    assert logins(sim) == 1


# A stream of 0.3 s is healthy (short_stream 0.1 s); a reopen by the policy would wait
# 30 s or more, so a reopen within the test is the immediate one.
HEALTHY = replace(
    TEST_PACING, short_stream=0.1, reconnect_min=60.0, reconnect_max=120.0
)


@pytest.mark.parametrize("abort", [False, True], ids=["clean", "aborted"])
async def test_healthy_stream_cut_is_reopened_at_once_and_resynced(
    sim: IcwsSimulator, start: Connector, abort: bool
) -> None:
    """A proxy's maximum stream duration: reopened at once, then DELETE + PUT."""
    sim.settings.stream_max_seconds = 0.3
    sim.settings.stream_cut_abort = abort
    run = await start(pacing=HEALTHY)
    snapshot = await run.recorder.next_of(VoicemailSnapshot)  # the resync's
    assert len(snapshot.voicemails) == len(sim.voicemails("alice"))
    second = stream_requests(sim)[1]
    delete = resync_requests(sim)[0]
    put = sim.requests_to(VOICEMAIL_SUBSCRIPTION, "PUT")[1]
    assert sim.requests.index(second) < sim.requests.index(delete)
    assert sim.requests.index(delete) < sim.requests.index(put)
    stats = run.connection.stats
    assert (stats.backoffs, stats.stream_fallbacks) == (0, 0)
    assert stats.resyncs >= 1
    assert run.connection.phase is Phase.STREAMING
    assert logins(sim) == 1


# Every stream is healthy (short_stream 0), so the reopen waits only for `retry:`.
CAPPED = replace(TEST_PACING, short_stream=0.0, max_server_retry=0.3)


@pytest.mark.parametrize("sent_by", ["setting", "raw-bytes"])
async def test_a_days_retry_is_capped(
    sim: IcwsSimulator, start: Connector, sent_by: str
) -> None:
    """`retry: 86400000` (a day) is honoured up to `max_server_retry` (0.3 s), no longer."""
    if sent_by == "setting":
        sim.settings.sse_retry_ms = 86_400_000
    run = await start(pacing=CAPPED)
    if sent_by == "raw-bytes":
        sim.write_stream_bytes("alice", b"retry: 86400000\n\n")
        # A message behind it: once it arrives, the retry line was read too.
        await assert_new_voicemail_arrives(sim, run.recorder)
    dropped = time.monotonic()
    assert sim.drop_event_streams() == 1
    await until(lambda: opened(sim) == 2)
    assert stream_requests(sim)[1].received_at - dropped >= CAPPED.max_server_retry
    await assert_new_voicemail_arrives(sim, run.recorder)
    assert logins(sim) == 1


# No stream lives long enough to be healthy (short_stream 10 s); while polling, the
# stream is tried again every 0.5 s.
ONE_EVENT = replace(TEST_PACING, short_stream=10.0, stream_retry=0.5)
WINDOW = 2.0


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(stream_max_events=1)])
async def test_streams_of_one_event_are_bounded(
    sim: IcwsSimulator, start: Connector
) -> None:
    """A stream that sends one event and closes: a handful of streams, then polling."""
    run = await start(pacing=ONE_EVENT)
    streams, polls = len(stream_requests(sim)), len(poll_requests(sim))
    began = time.monotonic()
    await asyncio.sleep(WINDOW)
    elapsed = time.monotonic() - began
    # Each try of the stream is at most three streams (the third early end falls back),
    # and tries start at least stream_retry apart: at most 3 * (2.0 / 0.5 + 1) = 15
    # streams in the window (more only if it ran longer), where reopening at once
    # would make hundreds.
    tries = math.ceil(elapsed / ONE_EVENT.stream_retry) + 1
    assert len(stream_requests(sim)) - streams <= SHORT_STREAMS_TO_FALL_BACK * tries
    assert len(poll_requests(sim)) > polls
    assert run.connection.stats.stream_fallbacks >= 1
    await assert_new_voicemail_arrives(sim, run.recorder)
    assert logins(sim) == 1


OVERSIZED = {
    "unfinished-line": b"data: " + b"x" * 100_000,
    "long-event": (b"data: " + b"y" * 1000 + b"\n") * 40,
}


@pytest.mark.parametrize("data", OVERSIZED.values(), ids=OVERSIZED.keys())
async def test_an_oversized_event_reopens_the_stream(
    sim: IcwsSimulator,
    start: Connector,
    caplog: pytest.LogCaptureFixture,
    data: bytes,
) -> None:
    """More than max_message_bytes in one line or event: the stream is reopened."""
    run = await start(max_message_bytes=16_384)
    assert sim.write_stream_bytes("alice", data) == 1
    await until(lambda: opened(sim) == 2)
    await run.recorder.next_of(VoicemailSnapshot)  # the resync after the reopen
    assert any(
        r.levelno == logging.WARNING
        and r.getMessage().startswith("Reopening the event stream")
        and "16384 bytes" in r.getMessage()
        for r in caplog.records
    )
    await assert_new_voicemail_arrives(sim, run.recorder)
    assert run.connection.phase is Phase.STREAMING
    assert logins(sim) == 1
