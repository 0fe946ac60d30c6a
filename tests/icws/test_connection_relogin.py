"""Re-login: a lost session is replaced once, at once, by one login that actions share."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from custom_components.voicemail.icws import (
    ConnectionState,
    ConnectionStateChange,
    IcwsReconnectingError,
    IcwsServerError,
    IcwsSessionError,
    IcwsTimeoutError,
    Phase,
    PlayStatus,
    PlayStatusChange,
    VoicemailSnapshot,
)
from tests.icws_simulator import IcwsSimulator, SimulatorSettings

from .conftest import (
    LOGIN,
    MESSAGES,
    STOP,
    TEST_PACING,
    VOICEMAIL_SUBSCRIPTION,
    Connector,
    live_at_each_login,
    logins,
    newest_voicemail,
    stream_requests,
    until,
)

PLAY_START = "/voicemail-message/play/start$"
NO_LATE_RETRY = replace(TEST_PACING, reconnect_min=60.0, reconnect_max=120.0)
"""A backoff longer than any test: a login that is not immediate does not happen in it."""


def session_ids(sim: IcwsSimulator) -> list[str]:
    """Return the ids of the sessions the simulator created, oldest first."""
    return list(sim.sessions)


def on_session(path: str, session_id: str) -> bool:
    """Tell whether a request path belongs to a session."""
    return path.startswith(f"/icws/{session_id}/")


async def test_expired_session_is_replaced_by_one_login(
    sim: IcwsSimulator, start: Connector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session expires under the stream: one login, subscribed again, a new snapshot."""
    live = live_at_each_login(sim, monkeypatch)
    run = await start()
    sim.expire_sessions()
    snapshot = await run.recorder.next_of(VoicemailSnapshot)
    assert [v.message_id for v in snapshot.voicemails] == [
        vm.message_id for vm in sim.voicemails("alice")
    ]
    assert logins(sim) == 2
    assert live == [0, 0]
    assert len(run.recorder.sessions) == 2
    assert run.connection.stats.immediate_relogins == 1
    assert run.connection.stats.backoffs == 0
    _, second = session_ids(sim)
    assert on_session(stream_requests(sim)[-1].path, second)
    assert on_session(sim.requests_to(VOICEMAIL_SUBSCRIPTION, "PUT")[-1].path, second)


async def test_single_flight_after_an_expiry(
    sim: IcwsSimulator, start: Connector
) -> None:
    """20 stops and the stream meet the 401 together: exactly one login follows."""
    run = await start()
    message_id = newest_voicemail(sim)
    sim.expire_sessions()
    sim.clear_requests()
    await asyncio.gather(
        *(
            run.connection.request(lambda session: session.stop(message_id))
            for _ in range(20)
        )
    )
    assert logins(sim) == 1
    _, second = session_ids(sim)
    answered = [r for r in sim.requests_to(STOP) if r.status == 204]
    assert len(answered) == 20
    assert all(on_session(r.path, second) for r in answered)
    await run.recorder.next_of(VoicemailSnapshot)  # the new session is subscribed
    assert logins(sim) == 1
    assert len(sim.live_sessions()) == 1


async def test_401_on_an_action_replaces_the_session_and_retries_once(
    sim: IcwsSimulator, start: Connector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 401 (the session still alive on the server): logged out, one login, one retry."""
    live = live_at_each_login(sim, monkeypatch)
    run = await start()
    message_id = newest_voicemail(sim)
    sim.inject_fault(STOP, 401)
    await run.connection.request(lambda session: session.stop(message_id))
    first, second = session_ids(sim)
    stops = sim.requests_to(STOP)
    assert [(r.status, on_session(r.path, first)) for r in stops] == [
        (401, True),
        (204, False),
    ]
    assert on_session(stops[1].path, second)
    assert live == [0, 0]  # the old session was logged out before the new login
    assert not sim.sessions[first].alive
    assert logins(sim) == 2


async def test_second_401_is_a_session_error_and_no_third_login(
    sim: IcwsSimulator, start: Connector
) -> None:
    """Still 401 on the new session: IcwsSessionError; the next login waits by the policy."""
    # NO_LATE_RETRY: the allowance of one immediate re-login is spent by the first
    # 401, so the loss of the second session backs off for at least 30 s.
    run = await start(pacing=NO_LATE_RETRY)
    sim.inject_fault(STOP, 401, count=None)
    with pytest.raises(IcwsSessionError) as caught:
        await run.connection.request(
            lambda session: session.stop(newest_voicemail(sim))
        )
    assert type(caught.value) is IcwsSessionError
    await run.phase(Phase.BACKING_OFF)
    assert logins(sim) == 2
    assert run.connection.stats.immediate_relogins == 1
    assert not sim.live_sessions()
    requests = len(sim.requests)
    with pytest.raises(IcwsReconnectingError):
        await run.connection.request(lambda session: session.stop("any"))
    assert len(sim.requests) == requests
    assert logins(sim) == 2


async def test_action_during_a_reconnect_login(
    sim: IcwsSimulator, start: Connector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow re-login: the action waits for it, starts none; all on the new session."""
    live = live_at_each_login(sim, monkeypatch)
    run = await start()
    message_id = newest_voicemail(sim)
    sim.inject_fault(LOGIN, None, method="POST", delay=0.5)
    sim.expire_sessions()
    await until(lambda: logins(sim) == 2)  # the re-login arrived, the server holds it
    assert run.connection.phase is Phase.CONNECTING
    mark = len(sim.requests)
    await run.connection.request(lambda session: session.stop(message_id))
    stopped = await run.recorder.next_of(PlayStatusChange)
    assert stopped == PlayStatusChange(message_id, PlayStatus.STOPPED)
    assert logins(sim) == 2
    assert live == [0, 0]
    _, second = session_ids(sim)
    after = sim.requests[mark:]
    kinds = {(r.method, r.path.rsplit("/", 1)[-1]) for r in after}
    assert {
        ("PUT", "voicemail-messages"),
        ("PUT", "messages-waiting-indicator"),
        ("GET", "messages"),
        ("POST", "stop"),
    } <= kinds
    assert all(on_session(r.path, second) for r in after)
    assert [s.session_id for s in sim.live_sessions()] == [second]


async def test_play_right_after_a_silent_expiry(
    sim: IcwsSimulator, start: Connector
) -> None:
    """The play meets the 401, runs again once the new session is subscribed; stop works."""
    run = await start()
    message_id = newest_voicemail(sim)
    sim.expire_sessions()
    await run.connection.request(lambda session: session.play(message_id, "1234"))
    playing = await run.recorder.next_of(PlayStatusChange)
    assert playing == PlayStatusChange(message_id, PlayStatus.PLAYING)
    await run.connection.request(lambda session: session.stop(message_id))
    stopped = await run.recorder.next_of(PlayStatusChange)
    assert stopped == PlayStatusChange(message_id, PlayStatus.STOPPED)
    starts = sim.requests_to(PLAY_START)
    assert [r.status for r in starts] == [401, 204]
    _, second = session_ids(sim)
    subscribed = sim.requests.index(sim.requests_to(VOICEMAIL_SUBSCRIPTION, "PUT")[-1])
    assert on_session(starts[1].path, second)
    assert sim.requests.index(starts[1]) > subscribed
    assert logins(sim) == 2


@pytest.mark.parametrize("should_reconnect", [None, True])
async def test_down_message_that_allows_reconnecting(
    sim: IcwsSimulator, start: Connector, should_reconnect: bool | None
) -> None:
    """DOWN with shouldReconnect true or absent: heard, then one login at once."""
    run = await start()
    assert sim.disconnect_sessions(should_reconnect=should_reconnect) == 1
    down = await run.recorder.next_of(ConnectionStateChange)
    assert (down.new, down.should_reconnect) == (ConnectionState.DOWN, should_reconnect)
    await run.recorder.next_of(VoicemailSnapshot)
    assert logins(sim) == 2
    assert len(run.recorder.sessions) == 2
    assert run.connection.stats.immediate_relogins == 1
    assert run.connection.stats.backoffs == 0
    assert len(sim.live_sessions()) == 1


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(alternate_host_list=("backup.test",))]
)
async def test_switchover_while_running(sim: IcwsSimulator, start: Connector) -> None:
    """Switchover: DOWN heard, the login follows the 503 to the new active host."""
    run = await start(host="primary.test")
    sim.switchover(["backup.test"])
    down = await run.recorder.next_of(ConnectionStateChange)
    assert down == ConnectionStateChange(
        ConnectionState.UP, ConnectionState.DOWN, "Switchover", True
    )
    await run.recorder.next_of(VoicemailSnapshot)
    assert run.recorder.sessions[-1].host == run.client.host == "backup.test"
    assert logins(sim) == 3  # the first, the refused one on primary, the one on backup
    assert stream_requests(sim)[-1].host.startswith("backup.test:")


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(alternate_host_list=("primary.test", "backup.test"))],
)
async def test_relogin_tries_the_remembered_alternate_hosts(
    sim: IcwsSimulator, start: Connector
) -> None:
    """The host cannot be reached any more: the re-login goes to the remembered hosts."""
    run = await start(host="primary.test")
    sim.inject_fault(LOGIN, None, count=None, drop=True, host="primary.test")
    sim.expire_sessions()
    await run.recorder.next_of(VoicemailSnapshot)
    assert run.client.host == "backup.test"
    assert [r.host.partition(":")[0] for r in sim.requests_to(LOGIN)] == [
        "primary.test",
        "primary.test",
        "backup.test",
    ]
    assert sim.requests_to(MESSAGES)[-1].host.startswith("backup.test:")


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(messaging_version=1)])
async def test_a_failed_relogin_reaches_the_waiting_action(
    sim: IcwsSimulator, start: Connector
) -> None:
    """The re-login fails (500): the action that waits for it gets that failure."""
    run = await start(pacing=NO_LATE_RETRY, poll_interval=0.3)
    sim.inject_fault(LOGIN, 500, method="POST")
    sim.expire_sessions()
    with pytest.raises(IcwsReconnectingError) as caught:
        await run.connection.request(
            lambda session: session.stop(newest_voicemail(sim))
        )
    assert isinstance(caught.value.__cause__, IcwsServerError)
    assert caught.value.retry_in > 0
    phase, error = run.recorder.phases[-1]
    assert phase is Phase.BACKING_OFF
    assert isinstance(error, IcwsServerError)
    assert logins(sim) == 2
    run.connection.reconnect()  # the user does not want to wait
    await run.recorder.next_of(VoicemailSnapshot)
    assert logins(sim) == 3


async def test_an_action_that_waits_too_long_gets_a_typed_error(
    sim: IcwsSimulator, start: Connector
) -> None:
    """A login slower than ready_timeout: the waiting action gets IcwsTimeoutError."""
    sim.inject_fault(LOGIN, None, method="POST", delay=1.0)
    run = await start(ready=False, pacing=replace(TEST_PACING, ready_timeout=0.2))
    await until(lambda: logins(sim) == 1)
    with pytest.raises(IcwsTimeoutError):
        await run.connection.request(lambda session: session.stop("any"))
    assert not sim.requests_to(STOP)
    await run.recorder.next_of(VoicemailSnapshot)  # the login goes on
    assert logins(sim) == 1
