"""The state machine: only the transitions of TRANSITIONS, and every phase reachable."""

from __future__ import annotations

import pytest

from custom_components.voicemail.icws import (
    READY,
    IcwsAuthenticationError,
    IcwsLoginRefusedError,
    IcwsServerError,
    IcwsSessionEndedError,
    Phase,
    VoicemailSnapshot,
)
from custom_components.voicemail.icws.phase import TRANSITIONS
from tests.icws_simulator import IcwsSimulator

from .conftest import (
    LOGIN,
    ClientFactory,
    Connector,
    Recorder,
    Secrets,
    logins,
    stream_requests,
)

ILLEGAL = [
    (source, target)
    for source in Phase
    for target in Phase
    if source is not Phase.CLOSED
    and target is not source
    and target not in TRANSITIONS[source]
]


def test_every_phase_has_its_transitions() -> None:
    """TRANSITIONS names every phase; CLOSED is the end; every phase can close."""
    assert set(TRANSITIONS) == set(Phase)
    assert TRANSITIONS[Phase.CLOSED] == frozenset()
    assert all(Phase.CLOSED in TRANSITIONS[p] for p in Phase if p is not Phase.CLOSED)


def test_an_illegal_transition_raises(make_client: ClientFactory) -> None:
    """Each of the transitions outside TRANSITIONS is a bug: RuntimeError, nothing heard."""
    assert len(ILLEGAL) == 50
    for source, target in ILLEGAL:
        recorder = Recorder()
        connection = make_client().connection(recorder)
        connection.phase = source
        with pytest.raises(
            RuntimeError, match=f"No transition from {source} to {target}"
        ):
            connection.enter(target)
        assert connection.phase is source
        assert recorder.phases == []


def test_a_closed_connection_does_not_move(make_client: ClientFactory) -> None:
    """After CLOSED nothing moves (a cancelled task finishing a step is ignored)."""
    recorder = Recorder()
    connection = make_client().connection(recorder)
    connection.enter(Phase.CLOSED)
    connection.enter(Phase.CONNECTING)
    assert connection.phase is Phase.CLOSED
    assert recorder.names() == [Phase.CLOSED]


async def test_close_before_run_sends_nothing(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """IDLE -> CLOSED: a connection that never ran sends nothing, not even a logout."""
    recorder = Recorder()
    connection = make_client().connection(recorder)
    await connection.close()
    await connection.run()  # returns at once: closed
    assert recorder.names() == [Phase.CLOSED]
    assert sim.requests == []


async def test_the_connection_walks_every_phase(
    sim: IcwsSimulator, start: Connector, secrets: Secrets
) -> None:
    """One connection through every phase, each for its own reason; all transitions legal."""
    run = await start(ready=False)
    connection, recorder = run.connection, run.recorder
    await recorder.next_of(VoicemailSnapshot)
    assert recorder.names()[:3] == [
        Phase.CONNECTING,
        Phase.SUBSCRIBING,
        Phase.STREAMING,
    ]

    # A proxy starts refusing the stream: POLLING.
    sim.settings.stream_status = 502
    sim.drop_event_streams()
    await run.phase(Phase.POLLING)
    sim.settings.stream_status = None

    # The session expires and the re-login fails once: BACKING_OFF, then back.
    sim.inject_fault(LOGIN, 500, method="POST")
    sim.expire_sessions()
    await run.phase(Phase.BACKING_OFF)
    assert isinstance(connection.error, IcwsServerError)
    await recorder.next_of(VoicemailSnapshot)

    # Another logon: STOPPED_BY_SERVER until the user reconnects.
    sim.logon_elsewhere("alice")
    await run.phase(Phase.STOPPED_BY_SERVER)
    assert isinstance(connection.error, IcwsSessionEndedError)
    connection.reconnect()
    await recorder.next_of(VoicemailSnapshot)

    # The password changes: AUTH_FAILED until the user reconnects.
    sim.add_user("alice", "changed")
    sim.expire_sessions()
    await run.phase(Phase.AUTH_FAILED)
    assert isinstance(connection.error, IcwsAuthenticationError)
    sim.add_user("alice", "secret")
    connection.reconnect()
    await recorder.next_of(VoicemailSnapshot)

    # A refusal for good: REFUSED until the user reconnects.
    sim.settings.login_error = (403, "error.request.accessDenied", "Not allowed.")
    sim.expire_sessions()
    await run.phase(Phase.REFUSED)
    assert isinstance(connection.error, IcwsLoginRefusedError)
    sim.settings.login_error = None
    connection.reconnect()
    await recorder.next_of(VoicemailSnapshot)
    assert connection.phase in READY

    assert (
        repr(connection) == f"IcwsConnection({run.client!r}, phase={connection.phase})"
    )
    secrets.assert_absent(repr(connection))
    await connection.close()
    reached = {Phase.IDLE, *recorder.names()}
    assert reached == set(Phase)
    assert recorder.names()[-1] is Phase.CLOSED
    assert logins(sim) == 8
    assert len(sim.sessions) == 5  # refused: the 500, the password, the 403
    assert stream_requests(sim)
    assert not sim.live_sessions()
