"""pytest fixtures: a running simulator, its settings, and a client session.

`tests/conftest.py` imports them. Override `icws_settings` in a test module (or with
`@pytest.mark.parametrize("icws_settings", [...], indirect=True)`) to change the settings.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
import contextlib
from datetime import UTC, datetime
from pathlib import Path
import socket
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
import pytest

from .server import RunningSimulator, start_simulator
from .settings import SimulatorSettings
from .simulator import IcwsSimulator
from .state import MessageKind
from .tls import SelfSignedCertificate, generate_self_signed

USER = "alice"
PASSWORD = "secret"
DISPLAY_NAME = "Alice Example"


class LoopbackResolver(AbstractResolver):
    """Resolve `*.test` names and `localhost` to 127.0.0.1; refuse every other name.

    Tests may only open sockets to 127.0.0.1: with this resolver a client configured
    with host `primary.test` connects to the loopback simulator and sends
    `Host: primary.test`, which the simulator uses to tell the hosts apart.
    """

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Map the test names to 127.0.0.1."""
        name = host.lower().rstrip(".")
        if name == "localhost" or name.endswith(".test"):
            return [
                ResolveResult(
                    hostname=host,
                    host="127.0.0.1",
                    port=port,
                    family=socket.AF_INET,
                    proto=0,
                    flags=socket.AI_NUMERICHOST,
                )
            ]
        raise OSError(f"Cannot resolve {host!r} in tests (only *.test names resolve)")

    async def close(self) -> None:
        """Nothing to release."""


@contextlib.contextmanager
def handshake_errors_ignored() -> Iterator[None]:
    """Silence the loop's report of a TLS handshake a client aborted (bad certificate)."""
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if (
            context.get("message")
            == "Error on transport creation for incoming connection"
        ):
            return
        if previous is None:
            loop.default_exception_handler(context)
        else:
            previous(loop, context)

    loop.set_exception_handler(handler)
    try:
        yield
    finally:
        loop.set_exception_handler(previous)


# The fixture mailbox, oldest first: sender, subject, received (UTC), read, kind, duration.
FIXTURE_MAILBOX: tuple[tuple[str, str, datetime, bool, MessageKind, float], ...] = (
    ("Carol Jones <2002>", "Voice mail from Carol Jones", datetime(2026, 10, 30, 9, 15, 0, tzinfo=UTC), True, "voicemail", 12.0),
    ("Acme Corp <+18005550100>", "Fax from Acme Corp (2 pages)", datetime(2026, 11, 2, 14, 3, 27, tzinfo=UTC), False, "fax", 0.0),
    ("Dave Miller <3003>", "Voice mail from Dave Miller", datetime(2026, 11, 10, 17, 42, 5, tzinfo=UTC), True, "voicemail", 45.0),
    ("+15559876543", "Voice mail from +15559876543", datetime(2026, 11, 20, 8, 1, 59, tzinfo=UTC), False, "voicemail", 8.0),
    ("Bob Smith <+15551234>", "Voice mail from Bob Smith", datetime(2026, 11, 27, 16, 30, 0, tzinfo=UTC), False, "voicemail", 20.0),
)  # fmt: skip


def seed_fixture_mailbox(sim: IcwsSimulator) -> None:
    """User alice/secret with four voicemails (two unread) and one fax, oldest first."""
    sim.add_user(USER, PASSWORD, display_name=DISPLAY_NAME)
    for sender, subject, received, read, kind, duration in FIXTURE_MAILBOX:
        sim.add_voicemail(
            USER,
            sender=sender,
            subject=subject,
            received=received,
            read=read,
            kind=kind,
            duration=duration,
        )
    sim.mark_baseline()


@pytest.fixture
def icws_settings() -> SimulatorSettings:
    """Return the settings of `icws_simulator`; override this fixture to change them."""
    return SimulatorSettings()


@pytest.fixture
async def icws_simulator(
    socket_enabled: None, icws_settings: SimulatorSettings
) -> AsyncGenerator[RunningSimulator]:
    """Run a simulator on 127.0.0.1 (free port, plain HTTP) with alice/secret seeded."""
    sim = IcwsSimulator(icws_settings)
    seed_fixture_mailbox(sim)
    running = await start_simulator(sim, "127.0.0.1", 0)
    try:
        yield running
    finally:
        await running.stop()


TLS_NAMES = ("localhost", "primary.test", "backup.test", "icws.test")


@pytest.fixture
def icws_tls_separate_hosts() -> tuple[str, ...]:
    """Host names `icws_tls_simulator` serves with a second, unrelated certificate.

    Empty by default; override in a test module (e.g. `("backup.test",)`) to simulate a
    switchover to a host whose certificate the client has never seen.
    """
    return ()


@pytest.fixture
async def icws_tls_simulator(
    socket_enabled: None,
    icws_settings: SimulatorSettings,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> AsyncGenerator[RunningSimulator]:
    """Run a simulator like `icws_simulator`, over HTTPS with a self-signed certificate.

    `.certificate` names localhost, primary.test, backup.test, icws.test and 127.0.0.1;
    cookies carry `Secure`. A client that refuses the certificate aborts the handshake,
    which the server side reports to the loop's exception handler (a test failure under
    Home Assistant's harness): only that report is silenced while the fixture runs.
    Hosts named by `icws_tls_separate_hosts` get a second, independently self-signed
    certificate (SNI); `.certificates` maps every name to the certificate it presents.
    """
    try:
        separate = tuple(request.getfixturevalue("icws_tls_separate_hosts"))
    except pytest.FixtureLookupError:  # a conftest that does not import it
        separate = ()
    certificate = generate_self_signed(TLS_NAMES, ("127.0.0.1",), tmp_path)
    sni: dict[str, SelfSignedCertificate] = {}
    if separate:
        other = generate_self_signed(
            separate, (), tmp_path, common_name="CIC-ICWS-OTHER", file_stem="other"
        )
        sni = dict.fromkeys(separate, other)
    sim = IcwsSimulator(icws_settings, tls=True)
    seed_fixture_mailbox(sim)
    with handshake_errors_ignored():
        running = await start_simulator(
            sim, "127.0.0.1", 0, certificate=certificate, sni_certificates=sni
        )
        running.certificates = {
            **dict.fromkeys((*TLS_NAMES, "127.0.0.1"), certificate),
            **sni,
        }
        try:
            yield running
        finally:
            await running.stop()


@pytest.fixture
async def client_session(socket_enabled: None) -> AsyncGenerator[aiohttp.ClientSession]:
    """Open a ClientSession (DummyCookieJar; `*.test` names resolve to 127.0.0.1)."""
    connector = aiohttp.TCPConnector(resolver=LoopbackResolver())
    session = aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(), connector=connector
    )
    try:
        yield session
    finally:
        await session.close()
