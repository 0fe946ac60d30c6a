"""Helpers for the client tests: a client factory, an event reader, the secrets check."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from contextlib import suppress
import logging
from typing import Any

import aiohttp
import pytest

from custom_components.voicemail.icws import IcwsClient, IcwsEvent, VoicemailSnapshot
from tests.icws_simulator import IcwsSimulator
from tests.icws_simulator.server import RunningSimulator

CLIENT_LOGGER = "custom_components.voicemail.icws"
PASSWORD = "secret"


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


class EventReader:
    """Consumes `client.events()` in a task, like the integration's coordinator does."""

    def __init__(self, client: IcwsClient) -> None:
        """Start reading."""
        self.queue: asyncio.Queue[IcwsEvent | BaseException] = asyncio.Queue()
        self.seen: list[IcwsEvent] = []
        self.ended = asyncio.Event()
        self.task = asyncio.create_task(self._run(client))

    async def _run(self, client: IcwsClient) -> None:
        try:
            async for event in client.events():
                self.queue.put_nowait(event)
        except Exception as err:  # noqa: BLE001 - handed to the test
            self.queue.put_nowait(err)
        finally:
            self.ended.set()

    async def next(self) -> IcwsEvent:
        """Return the next event (an error of the iterator is raised here)."""
        async with asyncio.timeout(
            20
        ):  # only against a hang: the test fails, not waits
            item = await self.queue.get()
        if isinstance(item, BaseException):
            raise item
        self.seen.append(item)
        return item

    async def next_of[T](self, kind: type[T]) -> T:
        """Return the next event of a type, skipping others (kept in `seen`)."""
        while True:
            event = await self.next()
            if isinstance(event, kind):
                return event

    async def close(self) -> None:
        """Stop reading."""
        self.task.cancel()
        with suppress(asyncio.CancelledError):
            await self.task


type Readers = Callable[[IcwsClient], EventReader]


@pytest.fixture
async def readers() -> AsyncGenerator[Readers]:
    """Start `EventReader`s that are stopped at the end of the test."""
    started: list[EventReader] = []

    def start(client: IcwsClient) -> EventReader:
        reader = EventReader(client)
        started.append(reader)
        return reader

    yield start
    for reader in started:
        await reader.close()


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop run until the simulator reached a state (guarded against hangs)."""
    async with asyncio.timeout(20):
        while not condition():
            await asyncio.sleep(0.01)


def logins(sim: IcwsSimulator) -> int:
    """How many login requests the simulator received."""
    return len(sim.requests_to("^/icws/connection$", "POST"))


type Starter = Callable[..., Awaitable[tuple[IcwsClient, EventReader]]]


@pytest.fixture
def started(make_client: ClientFactory, readers: Readers) -> Starter:
    """Start clients (options as for `make_client`) that are logged in and subscribed.

    Each comes with its reader, which got the first snapshot already.
    """

    async def start(**options: Any) -> tuple[IcwsClient, EventReader]:
        client = make_client(**options)
        await client.login()
        await client.subscribe_voicemail()
        reader = readers(client)
        await reader.next_of(VoicemailSnapshot)
        return client, reader

    return start
