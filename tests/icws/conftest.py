"""Helpers for the client tests: clients, running connections, the secrets check."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from dataclasses import dataclass
import logging
from typing import Any

import aiohttp
import pytest

from custom_components.voicemail.icws import (
    IcwsClient,
    IcwsConnection,
    IcwsError,
    IcwsEvent,
    IcwsSession,
    Pacing,
    Phase,
    SessionInfo,
    VoicemailDelta,
    VoicemailSnapshot,
)
from custom_components.voicemail.icws.phase import TRANSITIONS
from tests.icws_simulator import IcwsSimulator
from tests.icws_simulator.server import RunningSimulator
from tests.icws_simulator.state import RecordedRequest, Session, User

CLIENT_LOGGER = "custom_components.voicemail.icws"
PASSWORD = "secret"
HANG_GUARD = 20.0
"""Seconds: only against a hang (the test fails instead of waiting); never a measure."""


class Secrets:
    """Every secret a test handed out: checked against logs and error messages."""

    def __init__(self) -> None:
        """Start with the fixture user's password."""
        self.values: set[str] = {PASSWORD}
        self.sims: list[IcwsSimulator] = []

    def all(self) -> set[str]:
        """Return the passwords, session ids, CSRF tokens and cookies known so far."""
        values = set(self.values)
        for sim in self.sims:
            values.update(user.password for user in sim.users.values())
            for session in sim.sessions.values():
                values.update(
                    (
                        session.session_id,
                        session.csrf_token,
                        session.cookie_value,
                        f"icws_{session.session_id}={session.cookie_value}",
                    )
                )
        return {v for v in values if v}

    def assert_absent(self, text: str) -> None:
        """Fail when any secret occurs in `text`."""
        leaked = [secret for secret in self.all() if secret in text]
        assert not leaked, f"secret(s) {leaked!r} in {text!r}"


@pytest.fixture
def secrets() -> Secrets:
    """Collect the secrets of this test."""
    return Secrets()


@pytest.fixture(autouse=True)
def no_secrets_in_client_logs(
    caplog: pytest.LogCaptureFixture, secrets: Secrets
) -> Iterator[None]:
    """Capture the client's debug logs; at the end no line may contain a secret."""
    caplog.set_level(logging.DEBUG, logger=CLIENT_LOGGER)
    yield
    for record in caplog.get_records("call") + caplog.get_records("teardown"):
        if record.name.startswith(CLIENT_LOGGER):
            text = record.getMessage()
            if record.exc_info:
                text += logging.Formatter().formatException(record.exc_info)
            secrets.assert_absent(text)


type ClientFactory = Callable[..., IcwsClient]


@pytest.fixture
def make_client(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    secrets: Secrets,
) -> ClientFactory:
    """Build clients for the running simulator (plain HTTP, alice/secret, fast polling)."""
    secrets.sims.append(icws_simulator.sim)

    def factory(**overrides: Any) -> IcwsClient:
        options: dict[str, Any] = {
            "port": icws_simulator.port,
            "use_https": False,
            "username": "alice",
            "password": PASSWORD,
            "request_timeout": 5.0,
            "poll_interval": 0.05,
        }
        options.update(overrides)
        host = options.pop("host", icws_simulator.host)
        http = options.pop("session", client_session)
        secrets.values.add(options["password"])
        return IcwsClient(http, host, **options)

    return factory


TEST_PACING = Pacing(
    reconnect_min=0.05,
    reconnect_max=0.4,
    max_server_retry=0.5,
    healthy_after=1.0,
    short_stream=0.5,
    stream_retry=2.0,
    resync_interval=60.0,
    resync_spacing=0.05,
    ready_timeout=5.0,
)
"""The production pacing's shape on a fast clock (tests count requests, not seconds)."""


class Recorder:
    """A connection's listener, as the integration's coordinator is one: it records."""

    def __init__(self) -> None:
        """Start with nothing heard."""
        self.queue: asyncio.Queue[IcwsEvent] = asyncio.Queue()
        self.seen: list[IcwsEvent] = []
        self.phases: list[tuple[Phase, IcwsError | None]] = []
        self.sessions: list[SessionInfo] = []

    def on_event(self, event: IcwsEvent) -> None:
        """Queue a message of the channel."""
        self.queue.put_nowait(event)

    def on_phase(self, phase: Phase, error: IcwsError | None) -> None:
        """Record a phase."""
        self.phases.append((phase, error))

    def on_session(self, info: SessionInfo) -> None:
        """Record a new session."""
        self.sessions.append(info)

    async def next(self) -> IcwsEvent:
        """Return the next message (guarded against a hang)."""
        async with asyncio.timeout(HANG_GUARD):
            event = await self.queue.get()
        self.seen.append(event)
        return event

    async def next_of[T](self, kind: type[T]) -> T:
        """Return the next message of a type, skipping others (kept in `seen`)."""
        while True:
            event = await self.next()
            if isinstance(event, kind):
                return event

    def names(self) -> list[Phase]:
        """Return the phases so far, in order."""
        return [phase for phase, _ in self.phases]


@dataclass
class Running:
    """A connection that runs (as the integration runs it), with its recorder."""

    client: IcwsClient
    connection: IcwsConnection
    recorder: Recorder
    task: asyncio.Task[None]

    @property
    def session(self) -> IcwsSession:
        """The connection's live session (there must be one)."""
        session = self.connection.session
        assert session is not None
        return session

    async def phase(self, *phases: Phase) -> Phase:
        """Wait until the connection is in one of `phases`; return it."""
        await until(lambda: self.connection.phase in phases)
        return self.connection.phase


type Connector = Callable[..., Awaitable[Running]]


@pytest.fixture
async def connect(make_client: ClientFactory) -> AsyncGenerator[Connector]:
    """Start connections (client options as for `make_client`); closed at the end.

    `ready=True` (the default) waits for the first snapshot; `pacing` replaces the
    test pacing.
    """
    running: list[Running] = []

    async def start(
        *, ready: bool = True, pacing: Pacing = TEST_PACING, **options: Any
    ) -> Running:
        client = make_client(**options)
        recorder = Recorder()
        connection = client.connection(recorder, pacing)
        run = Running(
            client, connection, recorder, asyncio.create_task(connection.run())
        )
        running.append(run)
        if ready:
            await recorder.next_of(VoicemailSnapshot)
        return run

    yield start
    for run in running:
        await run.connection.close()
        assert run.task.done()


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop run until a condition holds (guarded against hangs).

    The one wait helper of the client tests: the client and the simulator share the
    event loop, so the condition is re-checked every few milliseconds.
    """
    async with asyncio.timeout(HANG_GUARD):
        while not condition():
            await asyncio.sleep(0.005)


def logins(sim: IcwsSimulator) -> int:
    """How many login requests the simulator received."""
    return len(sim.requests_to("^/icws/connection$", "POST"))


def login_times(sim: IcwsSimulator) -> list[float]:
    """When each login request arrived (the loop's clock)."""
    return [r.received_at for r in sim.requests_to("^/icws/connection$", "POST")]


# --- Helpers of the connection and feed tests (test_connection_*.py, test_feed_*.py) ---

LOGIN = "^/icws/connection$"
MESSAGES = "/messaging/messages$"
VOICEMAIL_SUBSCRIPTION = (
    "/messaging/subscriptions/unified-messaging/voicemail-messages$"
)
STOP = "/voicemail-message/play/stop$"


def stream_requests(sim: IcwsSimulator) -> list[RecordedRequest]:
    """Return the event-stream requests (`Accept: text/event-stream`) received."""
    return [
        r
        for r in sim.requests_to(MESSAGES, "GET")
        if "text/event-stream" in r.headers.get("Accept", "")
    ]


def poll_requests(sim: IcwsSimulator) -> list[RecordedRequest]:
    """Return the short polls (`GET messages` without the event-stream Accept)."""
    return [
        r
        for r in sim.requests_to(MESSAGES, "GET")
        if "text/event-stream" not in r.headers.get("Accept", "")
    ]


def resync_requests(sim: IcwsSimulator) -> list[RecordedRequest]:
    """Return the DELETEs of the voicemail subscription (each starts a resync)."""
    return sim.requests_to(VOICEMAIL_SUBSCRIPTION, "DELETE")


def newest_voicemail(sim: IcwsSimulator) -> str:
    """Return the id of alice's newest voicemail (not a fax)."""
    return next(
        vm.message_id
        for vm in reversed(sim.voicemails("alice"))
        if vm.kind == "voicemail"
    )


def live_at_each_login(
    sim: IcwsSimulator, monkeypatch: pytest.MonkeyPatch
) -> list[int]:
    """Record, whenever the server creates a session, how many of the user's were live."""
    counts: list[int] = []
    create = sim.create_session

    def watched(user: User, **options: Any) -> Session:
        counts.append(len(sim.live_sessions(user.user_id)))
        return create(user, **options)

    monkeypatch.setattr(sim, "create_session", watched)
    return counts


def policy_attempts(pacing: Pacing, window: float) -> int:
    """Return the most attempts the reconnect policy allows within `window` seconds.

    The first is at once; attempt n+1 waits at least half of `reconnect_delay(n)`
    (jitter only shortens, to no less than half). Slower machines make fewer.
    """
    attempts, elapsed = 1, 0.0
    while True:
        elapsed += pacing.reconnect_delay(attempts - 1, rand=lambda low, _high: low)
        if elapsed > window:
            return attempts
        attempts += 1


def assert_legal_run(run: Running) -> None:
    """Every transition the connection took is in TRANSITIONS; its loop did not crash."""
    previous = Phase.IDLE
    for phase in run.recorder.names():
        assert phase in TRANSITIONS[previous], f"{previous} -> {phase}"
        previous = phase
    if run.task.done() and not run.task.cancelled():
        assert run.task.exception() is None


@pytest.fixture
async def start(connect: Connector) -> AsyncGenerator[Connector]:
    """`connect`, and at the end `assert_legal_run` for every connection it started."""
    runs: list[Running] = []

    async def started(**options: Any) -> Running:
        run = await connect(**options)
        runs.append(run)
        return run

    yield started
    for run in runs:
        assert_legal_run(run)


async def assert_new_voicemail_arrives(sim: IcwsSimulator, recorder: Recorder) -> str:
    """Add a voicemail for alice: it arrives, in a delta or (during a resync) a snapshot.

    Returns its id. A message added between a resync's DELETE and PUT is only in the
    snapshot the PUT brings, which is fine: nothing is lost.
    """
    message_id = sim.add_voicemail("alice", sender="Eve <4004>").message_id
    while True:
        event = await recorder.next()
        if isinstance(event, VoicemailDelta) and message_id in {
            v.message_id for v in event.added
        }:
            return message_id
        if isinstance(event, VoicemailSnapshot) and message_id in {
            v.message_id for v in event.voicemails
        }:
            return message_id
