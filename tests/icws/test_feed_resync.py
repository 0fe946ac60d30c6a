"""Resyncs (DELETE then PUT) and subscription states: fresh snapshots, never a lost session."""

from __future__ import annotations

import asyncio
from dataclasses import replace
import time

import pytest

from custom_components.voicemail.icws import (
    MessageWaiting,
    Phase,
    SubscriptionState,
    SubscriptionStateChange,
    VoicemailDelta,
    VoicemailSnapshot,
)
from tests.icws_simulator import IcwsSimulator, SimulatorSettings
from tests.icws_simulator.settings import FaultedPut, RepeatedPut

from .conftest import (
    MESSAGES,
    TEST_PACING,
    VOICEMAIL_SUBSCRIPTION,
    Connector,
    Running,
    assert_new_voicemail_arrives,
    logins,
    policy_attempts,
    resync_requests,
    stream_requests,
    until,
)

MWI_SUBSCRIPTION = (
    "/messaging/subscriptions/unified-messaging/messages-waiting-indicator$"
)


def puts(sim: IcwsSimulator) -> list[int | None]:
    """Return the statuses of the voicemail subscription PUTs so far."""
    return [r.status for r in sim.requests_to(VOICEMAIL_SUBSCRIPTION, "PUT")]


def phases_since_ready(run: Running, ready_at: int) -> list[Phase]:
    """Return the phases the connection entered after the first `ready_at` ones."""
    return run.recorder.names()[ready_at:]


@pytest.mark.parametrize("repeated", ["snapshot", "nothing", "error"])
async def test_a_resync_gets_a_fresh_snapshot(
    sim: IcwsSimulator, start: Connector, repeated: RepeatedPut
) -> None:
    """Whatever a repeated PUT does, DELETE then PUT brings a new snapshot."""
    sim.settings.repeated_subscription_put = repeated
    run = await start()
    sim.add_voicemail("alice", sender="Eve <4004>")
    run.connection.feed.request_resync()
    snapshot = await run.recorder.next_of(VoicemailSnapshot)
    assert len(snapshot.voicemails) == len(sim.voicemails("alice")) == 6
    assert len(resync_requests(sim)) == 1
    assert puts(sim) == [200, 200]
    assert run.connection.stats.resyncs == 1
    assert run.recorder.names()[-1] is Phase.STREAMING


async def test_a_resync_answered_without_snapshot_keeps_the_session(
    sim: IcwsSimulator, start: Connector
) -> None:
    """The PUT answers 200 and sends nothing: not a failure; no retry loop, no new phase."""
    run = await start()
    ready_at = len(run.recorder.phases)
    sim.inject_fault(VOICEMAIL_SUBSCRIPTION, 200, method="PUT")
    run.connection.feed.request_resync()
    await until(lambda: len(puts(sim)) == 2)
    await asyncio.sleep(10 * TEST_PACING.resync_spacing)
    assert len(puts(sim)) == 2
    assert phases_since_ready(run, ready_at) == []
    run.connection.feed.request_resync()  # the next one works again
    await run.recorder.next_of(VoicemailSnapshot)
    assert phases_since_ready(run, ready_at) == []
    assert logins(sim) == 1


async def test_a_failed_resync_is_retried_by_the_policy(
    sim: IcwsSimulator, start: Connector
) -> None:
    """The PUT fails twice (500): retried with the policy's waits; STREAMING throughout."""
    run = await start()
    ready_at = len(run.recorder.phases)
    sim.inject_fault(VOICEMAIL_SUBSCRIPTION, 500, method="PUT", count=2)
    run.connection.feed.request_resync()
    await run.recorder.next_of(VoicemailSnapshot)
    assert puts(sim) == [200, 500, 500, 200]
    times = [r.received_at for r in sim.requests_to(VOICEMAIL_SUBSCRIPTION, "PUT")]
    for attempt, (earlier, later) in enumerate(zip(times[1:], times[2:], strict=False)):
        low = TEST_PACING.reconnect_delay(attempt, rand=lambda low, _high: low)
        assert later - earlier >= low
    assert run.connection.stats.resyncs == 3
    assert phases_since_ready(run, ready_at) == []
    assert logins(sim) == 1


async def test_a_failed_delete_does_not_stop_the_resync(
    sim: IcwsSimulator, start: Connector
) -> None:
    """The resync's DELETE fails (500): the PUT still goes out and brings the snapshot."""
    run = await start()
    ready_at = len(run.recorder.phases)
    sim.inject_fault(VOICEMAIL_SUBSCRIPTION, 500, method="DELETE")
    run.connection.feed.request_resync()
    await run.recorder.next_of(VoicemailSnapshot)
    assert [r.status for r in resync_requests(sim)] == [500]
    assert puts(sim) == [200, 200]
    assert phases_since_ready(run, ready_at) == []


async def test_a_401_on_the_resync_replaces_the_session(
    sim: IcwsSimulator, start: Connector
) -> None:
    """The resync's DELETE meets a 401: the session is lost, replaced by one login."""
    run = await start()
    sim.inject_fault(VOICEMAIL_SUBSCRIPTION, 401, method="DELETE")
    run.connection.feed.request_resync()
    await run.recorder.next_of(VoicemailSnapshot)
    assert len(run.recorder.sessions) == 2
    assert run.connection.stats.immediate_relogins == 1
    assert logins(sim) == 2
    assert len(sim.live_sessions()) == 1


SPACED = replace(TEST_PACING, resync_spacing=0.5)


async def test_resyncs_are_spaced_and_merged(
    sim: IcwsSimulator, start: Connector
) -> None:
    """A burst of requests makes one resync; a steady stream, one per resync_spacing."""
    run = await start(pacing=SPACED)
    feed = run.connection.feed
    for _ in range(10):
        feed.request_resync()
    await run.recorder.next_of(VoicemailSnapshot)
    await asyncio.sleep(2 * SPACED.resync_spacing)
    assert len(resync_requests(sim)) == 1
    began = time.monotonic()
    for _ in range(20):  # one request every 0.05 s for a second
        feed.request_resync()
        await asyncio.sleep(0.05)
    await asyncio.sleep(SPACED.resync_spacing)
    elapsed = time.monotonic() - began
    # The first at once, then at most one per 0.5 s: in 1.5 s 4 of the 20 asked for
    # (more only if the window ran longer).
    steady = len(resync_requests(sim)) - 1
    assert 2 <= steady <= elapsed // SPACED.resync_spacing + 1
    assert run.connection.phase is Phase.STREAMING


SAFETY_NET = replace(TEST_PACING, resync_interval=0.3)


async def test_a_resync_every_resync_interval(
    sim: IcwsSimulator, start: Connector
) -> None:
    """The safety net: a fresh snapshot every resync_interval, the session kept."""
    began = time.monotonic()
    run = await start(pacing=SAFETY_NET)
    await asyncio.sleep(1.0)
    elapsed = time.monotonic() - began
    # Each waits a whole resync_interval after the one before: 3 in about 1.0 s.
    assert 1 <= len(resync_requests(sim)) <= elapsed // SAFETY_NET.resync_interval
    await run.recorder.next_of(VoicemailSnapshot)
    assert run.connection.phase is Phase.STREAMING
    assert logins(sim) == 1


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(sse_replay_queued=False)])
async def test_voicemail_added_while_no_stream_is_open_arrives_by_the_resync(
    sim: IcwsSimulator, start: Connector
) -> None:
    """A server that drops what it queued between streams: the reopen's resync has it."""
    run = await start()
    sim.inject_fault(MESSAGES, None, method="GET", delay=0.5)
    sim.drop_event_streams()
    await until(lambda: len(stream_requests(sim)) == 2)  # the reopen, held 0.5 s
    added = sim.add_voicemail("alice", sender="Eve <4004>").message_id
    while True:
        event = await run.recorder.next()
        assert not (
            isinstance(event, VoicemailDelta)
            and added in {v.message_id for v in event.added}
        ), "the simulator should have dropped the delta"
        if isinstance(event, VoicemailSnapshot):
            break
    assert added in {v.message_id for v in event.voicemails}
    assert len(resync_requests(sim)) == 1
    assert logins(sim) == 1


# Resubscribing while faulted waits by this policy: 0.05, 0.1, 0.2, 0.4 s... at least.
FAULTS = replace(TEST_PACING, reconnect_min=0.1, reconnect_max=0.8)


@pytest.mark.parametrize("faulted_put", ["state_message", "error"])
async def test_a_faulted_mailbox_store_is_resubscribed_with_backoff(
    sim: IcwsSimulator, start: Connector, faulted_put: FaultedPut
) -> None:
    """Faulted (state 3): resubscribed by the policy, never in a loop; restored: snapshot."""
    sim.settings.faulted_subscription_put = faulted_put
    run = await start(pacing=FAULTS)
    ready_at = len(run.recorder.phases)
    before = len(puts(sim))
    faulted = time.monotonic()
    assert sim.fault_mailbox_store("alice") == 1
    state = await run.recorder.next_of(SubscriptionStateChange)
    assert (state.subscription, state.state, state.message) == (
        "voicemail",
        SubscriptionState.FAULTED,
        "The mailbox store is unavailable.",
    )
    await asyncio.sleep(1.5)
    resubscribed = len(puts(sim)) - before
    elapsed = time.monotonic() - faulted
    # Resyncing every resync_spacing (0.05 s) would make 30 in 1.5 s; the policy 6.
    assert 2 <= resubscribed <= policy_attempts(FAULTS, elapsed)
    sim.restore_mailbox_store("alice")
    snapshot = await run.recorder.next_of(VoicemailSnapshot)
    assert len(snapshot.voicemails) == len(sim.voicemails("alice"))
    restored = len(puts(sim))
    await asyncio.sleep(0.5)
    assert len(puts(sim)) <= restored + 1  # at most the resync already under way
    await assert_new_voicemail_arrives(sim, run.recorder)
    assert phases_since_ready(run, ready_at) == []
    assert logins(sim) == 1


@pytest.mark.parametrize("status", [400, 403, 404, 410, 500])
async def test_refused_messages_waiting_subscription(
    sim: IcwsSimulator, start: Connector, status: int
) -> None:
    """The messages-waiting PUT refused: the voicemail list works all the same."""
    sim.settings.mwi_subscription_status = status
    run = await start()
    assert [r.status for r in sim.requests_to(MWI_SUBSCRIPTION, "PUT")] == [status]
    assert run.connection.feed.mwi_available is False
    assert run.connection.phase is Phase.STREAMING
    await assert_new_voicemail_arrives(sim, run.recorder)
    assert not any(isinstance(e, MessageWaiting) for e in run.recorder.seen)
    assert logins(sim) == 1


async def test_faulted_messages_waiting_indicator(
    sim: IcwsSimulator, start: Connector
) -> None:
    """The indicator faulted: heard; voicemail goes on, no resync; restored: the count."""
    run = await start()
    assert await run.recorder.next_of(MessageWaiting) == MessageWaiting(2)
    sim.fault_mwi("alice")
    state = await run.recorder.next_of(SubscriptionStateChange)
    assert (state.subscription, state.state) == ("mwi", SubscriptionState.FAULTED)
    await assert_new_voicemail_arrives(sim, run.recorder)
    sim.restore_mwi("alice")
    assert await run.recorder.next_of(MessageWaiting) == MessageWaiting(3)
    assert resync_requests(sim) == []
    assert run.connection.phase is Phase.STREAMING
    assert logins(sim) == 1
