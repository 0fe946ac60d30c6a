"""Phases that wait for the user, and close(): nothing is sent that the user did not ask for."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from custom_components.voicemail.icws import (
    READY,
    ConnectionStateChange,
    IcwsAuthenticationError,
    IcwsClosedError,
    IcwsLoginRefusedError,
    IcwsSessionEndedError,
    Phase,
    VoicemailSnapshot,
)
from tests.icws_simulator import IcwsSimulator, SimulatorSettings

from .conftest import (
    LOGIN,
    STOP,
    TEST_PACING,
    VOICEMAIL_SUBSCRIPTION,
    Connector,
    logins,
    newest_voicemail,
    until,
)

WINDOW = 4 * TEST_PACING.reconnect_max
"""Well beyond the policy's longest delay (0.4 s): a login the policy would make shows."""
NO_LATE_RETRY = replace(TEST_PACING, reconnect_min=60.0, reconnect_max=120.0)


async def test_another_logon_stops_until_the_user_reconnects(
    sim: IcwsSimulator, start: Connector
) -> None:
    """AnotherLogOn, shouldReconnect false: STOPPED_BY_SERVER, no login until reconnect()."""
    run = await start()
    assert sim.logon_elsewhere("alice") == 1
    down = await run.recorder.next_of(ConnectionStateChange)
    assert (down.reason, down.should_reconnect) == ("AnotherLogOn", False)
    await run.phase(Phase.STOPPED_BY_SERVER)
    error = run.connection.error
    assert isinstance(error, IcwsSessionEndedError)
    assert error.reason == "AnotherLogOn"
    requests = len(sim.requests)
    await asyncio.sleep(WINDOW)
    with pytest.raises(IcwsSessionEndedError):
        await run.connection.request(lambda session: session.stop("any"))
    assert len(sim.requests) == requests
    assert logins(sim) == 1
    run.connection.reconnect()
    await run.recorder.next_of(VoicemailSnapshot)
    assert run.connection.phase in READY
    assert logins(sim) == 2


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(max_sessions_per_user=1)])
async def test_two_clients_of_one_user_do_not_evict_each_other(
    sim: IcwsSimulator, start: Connector
) -> None:
    """One session per user: the second login evicts the first, which stays stopped."""
    first = await start()
    second = await start()
    await first.phase(Phase.STOPPED_BY_SERVER)
    await asyncio.sleep(WINDOW)
    assert logins(sim) == 2
    assert first.connection.phase is Phase.STOPPED_BY_SERVER
    assert second.connection.phase in READY
    assert (first.connection.stats.logins, second.connection.stats.logins) == (1, 1)
    [live] = sim.live_sessions()
    assert live.session_id == list(sim.sessions)[1]


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(lockout_after_failures=2)])
async def test_changed_password_one_failed_login_then_silence(
    sim: IcwsSimulator, start: Connector
) -> None:
    """The password changed: one refused login; actions raise and send nothing; no lockout."""
    run = await start()
    message_id = newest_voicemail(sim)
    sim.add_user("alice", "changed")
    sim.expire_sessions()
    results = await asyncio.gather(
        *(
            run.connection.request(lambda session: session.stop(message_id))
            for _ in range(5)
        ),
        return_exceptions=True,
    )
    assert all(isinstance(r, IcwsAuthenticationError) for r in results)
    assert run.connection.phase is Phase.AUTH_FAILED
    assert logins(sim) == 2
    assert sim.failed_logins("alice") == 1
    requests = len(sim.requests)
    for _ in range(10):
        with pytest.raises(IcwsAuthenticationError):
            await run.connection.request(lambda session: session.stop(message_id))
    await asyncio.sleep(WINDOW)
    assert len(sim.requests) == requests
    assert sim.failed_logins("alice") == 1
    assert not sim.users["alice"].locked


async def test_refused_login_waits_for_the_user(
    sim: IcwsSimulator, start: Connector
) -> None:
    """A refusal for good (a session limit): REFUSED, no login until reconnect()."""
    run = await start()
    sim.settings.login_error = (
        400,
        "error.request.connection.sessionLimitReached",
        "The maximum number of sessions for this user has been reached.",
    )
    sim.expire_sessions()
    await run.phase(Phase.REFUSED)
    await asyncio.sleep(WINDOW)
    with pytest.raises(IcwsLoginRefusedError) as caught:
        await run.connection.request(lambda session: session.stop("any"))
    assert caught.value.error_id == "error.request.connection.sessionLimitReached"
    assert logins(sim) == 2
    sim.settings.login_error = None
    run.connection.reconnect()
    await run.recorder.next_of(VoicemailSnapshot)
    assert logins(sim) == 3


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(messaging_version=1)])
async def test_polling_session_replaced_then_logged_off_by_an_administrator(
    sim: IcwsSimulator, start: Connector
) -> None:
    """Polling: a 401 is replaced by one login; AdminLogoff (shouldReconnect false) stops."""
    run = await start()
    assert run.connection.phase is Phase.POLLING
    sim.expire_sessions()
    await run.recorder.next_of(VoicemailSnapshot)
    assert logins(sim) == 2
    sim.disconnect_sessions(reason="AdminLogoff", should_reconnect=False)
    down = await run.recorder.next_of(ConnectionStateChange)
    assert (down.reason, down.should_reconnect) == ("AdminLogoff", False)
    await run.phase(Phase.STOPPED_BY_SERVER)
    await asyncio.sleep(WINDOW)
    assert logins(sim) == 2


@pytest.mark.parametrize("relogin", [False, True], ids=["first", "relogin"])
async def test_close_during_a_slow_login_logs_out_its_session(
    sim: IcwsSimulator, start: Connector, relogin: bool
) -> None:
    """close() (unload) waits for the login under way and logs out what it made."""
    if relogin:
        run = await start()
        sim.inject_fault(LOGIN, None, method="POST", delay=0.5)
        sim.expire_sessions()
    else:
        sim.inject_fault(LOGIN, None, method="POST", delay=0.5)
        run = await start(ready=False)
    await until(lambda: logins(sim) == 1 + relogin)  # the server holds the login
    await run.connection.close()
    assert run.connection.phase is Phase.CLOSED
    assert run.task.done()
    made = list(sim.sessions.values())[-1]
    assert len(sim.sessions) == 1 + relogin
    assert not sim.live_sessions()
    logout = sim.requests_to(f"^/icws/{made.session_id}/connection$", "DELETE")
    assert [r.status for r in logout] == [200]
    assert logins(sim) == 1 + relogin


async def test_close_while_an_action_waits_for_its_401(
    sim: IcwsSimulator, start: Connector
) -> None:
    """A 401 that arrives after close() logs in no more: the action hears of the close."""
    run = await start()
    sim.inject_fault(STOP, 401, delay=0.5)
    stop = asyncio.create_task(
        run.connection.request(lambda session: session.stop(newest_voicemail(sim)))
    )
    await until(lambda: bool(sim.requests_to(STOP)))
    await run.connection.close()
    with pytest.raises(IcwsClosedError):
        await stop
    assert logins(sim) == 1
    assert not sim.live_sessions()


async def test_closed_connection_sends_nothing(
    sim: IcwsSimulator, start: Connector
) -> None:
    """After close(): actions raise IcwsClosedError without a request; close() again is fine."""
    run = await start()
    await run.connection.close()
    assert not sim.live_sessions()
    requests = len(sim.requests)
    with pytest.raises(IcwsClosedError):
        await run.connection.request(lambda session: session.stop("any"))
    run.connection.reconnect()
    await run.connection.close()
    assert len(sim.requests) == requests
    assert run.recorder.names()[-1] is Phase.CLOSED


async def test_close_while_backing_off(sim: IcwsSimulator, start: Connector) -> None:
    """close() cuts the policy's wait short; the failed session was logged out already."""
    sim.inject_fault(VOICEMAIL_SUBSCRIPTION, 500, method="PUT", count=None)
    run = await start(ready=False, pacing=NO_LATE_RETRY)
    await run.phase(Phase.BACKING_OFF)
    await run.connection.close()
    assert run.task.done()
    assert not sim.live_sessions()
    assert logins(sim) == 1
