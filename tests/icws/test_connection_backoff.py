"""Backing off: failures wait by the one reconnect policy; no login storm, nothing lost."""

from __future__ import annotations

import asyncio
from dataclasses import replace
import time

import pytest

from custom_components.voicemail.icws import (
    READY,
    IcwsConnectionError,
    IcwsEvent,
    IcwsProtocolError,
    IcwsReconnectingError,
    IcwsServerError,
    Phase,
    VoicemailSnapshot,
)
from tests.icws_simulator import IcwsSimulator, SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .conftest import (
    LOGIN,
    MESSAGES,
    TEST_PACING,
    VOICEMAIL_SUBSCRIPTION,
    Connector,
    live_at_each_login,
    login_times,
    logins,
    policy_attempts,
    until,
)

EVERY_SESSION_REQUEST = r"^/icws/\d+/(?!connection$)"
"""Every request on a session but its logout (a balancer without affinity, say)."""
MWI_SUBSCRIPTION = "/unified-messaging/messages-waiting-indicator$"
FAILURES = {
    "subscribe-500": (VOICEMAIL_SUBSCRIPTION, 500, "PUT"),
    "subscribe-401": (VOICEMAIL_SUBSCRIPTION, 401, "PUT"),
    "subscribe-mwi-401": (MWI_SUBSCRIPTION, 401, "PUT"),
    "every-request-401": (EVERY_SESSION_REQUEST, 401, None),
}


def assert_spaced_by_the_policy(times: list[float], first_attempt: int = 0) -> None:
    """Each login waited at least half the policy's delay after the one before."""
    for attempt, (earlier, later) in enumerate(
        zip(times, times[1:], strict=False), start=first_attempt
    ):
        low = TEST_PACING.reconnect_delay(attempt, rand=lambda low, _high: low)
        assert later - earlier >= low, (attempt, later - earlier, low)


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
async def test_new_session_failing_before_delivering_backs_off(
    sim: IcwsSimulator,
    start: Connector,
    monkeypatch: pytest.MonkeyPatch,
    failure: tuple[str, int, str | None],
) -> None:
    """Sessions that fail before delivering anything: logins spaced by the policy."""
    path, status, method = failure
    live = live_at_each_login(sim, monkeypatch)
    sim.inject_fault(path, status, method=method, count=None)
    run = await start(ready=False)
    await until(lambda: logins(sim) >= 6)
    assert_spaced_by_the_policy(login_times(sim))
    assert run.connection.stats.immediate_relogins == 0
    assert set(live) == {0}  # each failed session was logged out before the next login
    assert run.connection.phase not in READY
    sim.clear_faults()
    await run.recorder.next_of(VoicemailSnapshot)
    assert len(sim.live_sessions()) == 1


async def test_the_immediate_relogin_is_spent_once(
    sim: IcwsSimulator, start: Connector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 401 storm after a working session: one login at once, then the policy's spacing."""
    run = await start()
    live = live_at_each_login(sim, monkeypatch)
    sim.inject_fault(EVERY_SESSION_REQUEST, 401, count=None)
    sim.expire_sessions()
    await until(lambda: logins(sim) >= 6)
    assert run.connection.stats.immediate_relogins == 1
    # The second login is the immediate one; the new session fails before delivering,
    # so from then on every login waits by the policy.
    assert_spaced_by_the_policy(login_times(sim)[1:])
    assert set(live) == {0}


async def test_the_allowance_returns_after_a_healthy_session(
    sim: IcwsSimulator, start: Connector
) -> None:
    """Lost again at once: by the policy; lost after `healthy_after`: at once again."""
    run = await start()
    stats = run.connection.stats
    sim.expire_sessions()
    await run.recorder.next_of(VoicemailSnapshot)
    assert (stats.immediate_relogins, stats.backoffs) == (1, 0)
    sim.expire_sessions()  # this session delivered moments ago: not healthy yet
    await run.recorder.next_of(VoicemailSnapshot)
    assert (stats.immediate_relogins, stats.backoffs) == (1, 1)
    await asyncio.sleep(TEST_PACING.healthy_after)  # the session stays healthy
    sim.expire_sessions()
    await run.recorder.next_of(VoicemailSnapshot)
    assert (stats.immediate_relogins, stats.backoffs) == (2, 1)
    assert logins(sim) == 4


async def test_server_restart_loses_every_session(
    sim: IcwsSimulator, start: Connector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart (1 s of 503): READY again after it, few logins, nothing of the mailbox lost."""
    run = await start()
    live = live_at_each_login(sim, monkeypatch)
    restarted = time.monotonic()
    assert sim.restart(downtime=1.0) == 1
    added = sim.add_voicemail("alice", sender="Eve <4004>")  # no session to tell
    snapshot = await run.recorder.next_of(VoicemailSnapshot)
    elapsed = time.monotonic() - restarted
    assert added.message_id in {v.message_id for v in snapshot.voicemails}
    assert run.connection.phase in READY
    assert 503 in [r.status for r in sim.requests_to(LOGIN)]  # it did try while down
    # Every login after the restart but the first waited by the policy.
    assert 2 <= logins(sim) <= 1 + policy_attempts(TEST_PACING, elapsed)
    assert set(live) == {0}
    assert len(sim.live_sessions()) == 1


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(messaging_version=1)])
async def test_poll_errors_back_off_then_recover(
    sim: IcwsSimulator, start: Connector
) -> None:
    """A 500, or a poll answer that is no array: back off, log in again, go on."""
    run = await start()
    first = next(iter(sim.sessions.values()))
    sim.inject_fault(MESSAGES, 500)
    await run.recorder.next_of(VoicemailSnapshot)
    sim.inject_fault(MESSAGES, 200, body={"__type": "not a list"})
    await run.recorder.next_of(VoicemailSnapshot)
    failures = [
        type(error)
        for phase, error in run.recorder.phases
        if phase is Phase.BACKING_OFF
    ]
    assert failures == [IcwsServerError, IcwsProtocolError]
    assert logins(sim) == 3
    assert not first.alive
    assert len(sim.live_sessions()) == 1


async def test_unreachable_server_backs_off(
    icws_simulator: RunningSimulator, start: Connector
) -> None:
    """The server goes away: BACKING_OFF; actions fail at once; attempts by the policy."""
    run = await start()
    stopped = time.monotonic()
    await icws_simulator.stop()
    await run.phase(Phase.BACKING_OFF)
    with pytest.raises(IcwsReconnectingError) as caught:
        await run.connection.request(lambda session: session.stop("any"))
    assert isinstance(caught.value.__cause__, IcwsConnectionError)
    assert "Cannot reach the ICWS server at 127.0.0.1" in str(caught.value.__cause__)
    await until(lambda: run.connection.stats.backoffs >= 4)
    elapsed = time.monotonic() - stopped
    assert run.connection.stats.logins <= 1 + policy_attempts(TEST_PACING, elapsed)


# Four failures in a row make the policy's next delay 0.05 * 2**4 = 0.8 s (0.4..0.8).
LONG_MEMORY = replace(TEST_PACING, reconnect_max=10.0)


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(messaging_version=1)])
async def test_a_healthy_session_starts_the_policy_over(
    sim: IcwsSimulator, start: Connector
) -> None:
    """Failures before a session that stayed healthy are forgotten: the shortest wait."""
    sim.inject_fault(VOICEMAIL_SUBSCRIPTION, 500, method="PUT", count=4)
    run = await start(pacing=LONG_MEMORY)
    assert run.connection.stats.backoffs == 4
    await asyncio.sleep(LONG_MEMORY.healthy_after)  # the fifth session stays healthy
    sim.inject_fault(MESSAGES, 500)  # then a poll fails: no 401, a plain failure
    await run.phase(Phase.BACKING_OFF)
    with pytest.raises(IcwsReconnectingError) as caught:
        await run.connection.request(lambda session: session.stop("any"))
    assert caught.value.retry_in <= LONG_MEMORY.reconnect_min
    await run.recorder.next_of(VoicemailSnapshot)
    assert logins(sim) == 6


async def test_a_bug_in_the_listener_backs_off_and_starts_over(
    sim: IcwsSimulator,
    start: Connector,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unexpected exception following the session: logged, backed off, not the end."""
    run = await start()
    heard = run.recorder.on_event

    def broken(event: IcwsEvent) -> None:
        monkeypatch.setattr(run.recorder, "on_event", heard)  # only once
        raise ValueError("a bug")

    monkeypatch.setattr(run.recorder, "on_event", broken)
    sim.add_voicemail("alice", sender="Eve <4004>")
    await run.recorder.next_of(VoicemailSnapshot)  # the next session's
    phase, error = next(p for p in run.recorder.phases if p[0] is Phase.BACKING_OFF)
    assert str(error) == "Unexpected error: ValueError"
    assert "Unexpected error following the ICWS session" in caplog.text
    assert logins(sim) == 2
    assert len(sim.live_sessions()) == 1
