"""TLS: verification, pinned fingerprints, and a switchover to a host with another certificate."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import hashlib
from typing import Any

import aiohttp
import pytest

from custom_components.voicemail.icws import (
    IcwsCertificateError,
    IcwsClient,
    IcwsConnectionError,
    IcwsProtocolError,
    Phase,
    VoicemailSnapshot,
)
from tests.icws_simulator import IcwsSimulator
from tests.icws_simulator.fixtures import LoopbackResolver
from tests.icws_simulator.server import RunningSimulator

from .conftest import TEST_PACING, ClientFactory, Recorder, Secrets


@pytest.fixture
def icws_tls_separate_hosts() -> tuple[str, ...]:
    """Serve backup.test with a second, unrelated self-signed certificate."""
    return ("backup.test",)


@pytest.fixture
def tls(icws_tls_simulator: RunningSimulator, secrets: Secrets) -> RunningSimulator:
    """Return the HTTPS simulator, its secrets checked like the plain one's."""
    secrets.sims.append(icws_tls_simulator.sim)
    return icws_tls_simulator


def sha256(running: RunningSimulator, host: str) -> str:
    """Return the fingerprint of the certificate `host` presents."""
    return running.certificates[host].sha256


def tls_client(
    http: aiohttp.ClientSession,
    running: RunningSimulator,
    host: str = "127.0.0.1",
    **options: Any,
) -> IcwsClient:
    """Return alice's client of the HTTPS simulator (default options otherwise)."""
    return IcwsClient(
        http, host, port=running.port, username="alice", password="secret", **options
    )


def sent_to(sim: IcwsSimulator, host: str) -> list[str]:
    """Return the requests (method and path) that reached `host`."""
    return [
        f"{r.method} {r.path}" for r in sim.requests if r.host.partition(":")[0] == host
    ]


async def test_tls_certificate_checked_or_not(
    tls: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Self-signed certificate: refused with verification, accepted without."""
    sim = tls.sim
    strict = tls_client(client_session, tls, verify_ssl=True)
    assert strict.verifies_certificates
    with pytest.raises(IcwsCertificateError) as caught:
        await strict.login()
    assert "certificate" in str(caught.value)
    assert caught.value.host == "127.0.0.1"
    assert sim.requests == []
    lenient = tls_client(client_session, tls, verify_ssl=False)
    assert not lenient.verifies_certificates
    session = await lenient.login()
    await session.stop(sim.voicemails("alice")[-1].message_id)
    assert sim.requests[-1].status == 204
    await session.logout()


async def test_tls_verified_against_a_trusted_certificate(
    tls: RunningSimulator,
) -> None:
    """verify_ssl=True uses the session connector's context: an owner can trust its CA."""
    sim = tls.sim
    assert tls.certificate is not None
    connector = aiohttp.TCPConnector(ssl=tls.certificate.client_context())
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(), connector=connector
    ) as http:
        session = await tls_client(http, tls, verify_ssl=True).login()
        await session.stop(sim.voicemails("alice")[-1].message_id)
        assert sim.requests[-1].status == 204
        await session.logout()


async def test_a_pinned_certificate_is_trusted_for_its_host(
    tls: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """A fingerprint the user trusted: accepted for that host with verification on."""
    sim = tls.sim
    pins = {"PRIMARY.test": sha256(tls, "primary.test").upper()}
    client = tls_client(client_session, tls, "primary.test", trusted_certificates=pins)
    assert client.verifies_certificates
    session = await client.login()
    await session.stop(sim.voicemails("alice")[-1].message_id)
    assert sim.requests[-1].status == 204
    # The same certificate under another name is not pinned: refused, nothing sent.
    sim.clear_requests()
    other = tls_client(client_session, tls, "icws.test", trusted_certificates=pins)
    with pytest.raises(IcwsCertificateError) as caught:
        await other.login()
    assert caught.value.host == "icws.test"
    assert sim.requests == []


async def test_a_wrong_fingerprint_is_refused(
    tls: RunningSimulator, client_session: aiohttp.ClientSession, secrets: Secrets
) -> None:
    """A pinned fingerprint that is not the host's: refused before anything is sent."""
    pins = {"primary.test": sha256(tls, "backup.test")}
    client = tls_client(client_session, tls, "primary.test", trusted_certificates=pins)
    with pytest.raises(IcwsCertificateError) as caught:
        await client.login()
    assert caught.value.host == "primary.test"
    secrets.assert_absent(str(caught.value))
    assert tls.sim.requests == []


async def test_certificate_fingerprint_sends_no_credentials(
    tls: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """The fingerprint to show the user: read in the handshake, nothing is sent at all."""
    sim = tls.sim
    assert sha256(tls, "backup.test") != sha256(tls, "primary.test")
    lenient = tls_client(client_session, tls, "primary.test", verify_ssl=False)
    await lenient.login()
    sim.clear_requests()
    strict = tls_client(client_session, tls, "primary.test")
    for client in (strict, lenient):
        assert await client.certificate_fingerprint() == sha256(tls, "primary.test")
        assert await client.certificate_fingerprint("backup.test") == sha256(
            tls, "backup.test"
        )
    assert tls.certificate is not None
    assert (
        sha256(tls, "primary.test") == hashlib.sha256(tls.certificate.der).hexdigest()
    )
    assert sim.requests == []  # not a single request: no login, no cookie, no token


async def test_certificate_fingerprint_of_a_plain_server(
    make_client: ClientFactory,
) -> None:
    """A server without TLS has no certificate: a protocol error, not a crash."""
    with pytest.raises(IcwsProtocolError):
        await make_client().certificate_fingerprint()


async def test_certificate_fingerprint_of_an_unreachable_server(
    icws_simulator: RunningSimulator, make_client: ClientFactory
) -> None:
    """No server to show a certificate: a connection error naming the host."""
    client = make_client()
    await icws_simulator.stop()
    with pytest.raises(IcwsConnectionError) as caught:
        await client.certificate_fingerprint()
    assert "127.0.0.1" in str(caught.value)


async def test_a_pinned_connection_streams(
    tls: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """The event stream is opened with the pin too: the snapshot arrives over it."""
    pins = {"primary.test": sha256(tls, "primary.test")}
    client = tls_client(client_session, tls, "primary.test", trusted_certificates=pins)
    recorder = Recorder()
    connection = client.connection(recorder, TEST_PACING)
    task = asyncio.ensure_future(connection.run())
    try:
        snapshot = await recorder.next_of(VoicemailSnapshot)
        assert len(snapshot.voicemails) == len(tls.sim.voicemails("alice"))
        stream = tls.sim.requests_to("/messaging/messages$")[0]
        assert (stream.headers["Accept"], stream.status) == ("text/event-stream", 200)
        assert connection.phase is Phase.STREAMING
    finally:
        await connection.close()
    assert task.done()


# --- Switchover to a host with another certificate -------------------------------------


@pytest.fixture
async def ca_session(tls: RunningSimulator) -> AsyncIterator[aiohttp.ClientSession]:
    """Return a client session whose connector trusts the main certificate as its CA."""
    assert tls.certificate is not None
    connector = aiohttp.TCPConnector(
        ssl=tls.certificate.client_context(), resolver=LoopbackResolver()
    )
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(), connector=connector
    ) as http:
        yield http


@pytest.mark.parametrize("trust", ["pinned", "ca"])
async def test_switchover_to_an_unknown_certificate_sends_nothing_there(
    tls: RunningSimulator,
    client_session: aiohttp.ClientSession,
    ca_session: aiohttp.ClientSession,
    secrets: Secrets,
    trust: str,
) -> None:
    """backup.test presents a certificate never trusted: IcwsCertificateError, no request."""
    sim = tls.sim
    if trust == "pinned":
        pins = {h: sha256(tls, h) for h in ("primary.test", "icws.test")}
        client = tls_client(
            client_session, tls, "primary.test", trusted_certificates=pins
        )
    else:
        client = tls_client(ca_session, tls, "primary.test")
    first = await client.login()
    await first.logout()
    # icws.test would be trusted: the refused certificate ends the login at once.
    sim.switchover(["backup.test", "icws.test"])
    with pytest.raises(IcwsCertificateError) as caught:
        await client.login()
    assert caught.value.host == "backup.test"
    assert "backup.test" in str(caught.value)
    secrets.assert_absent(str(caught.value))
    assert sent_to(sim, "backup.test") == []
    assert sent_to(sim, "icws.test") == []
    assert [r.status for r in sim.requests_to("^/icws/connection$", "POST")] == [
        201,
        503,
    ]
    assert client.host == "primary.test"


async def test_switchover_with_both_certificates_pinned(
    tls: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Both hosts' fingerprints trusted: the login follows the switchover to backup.test."""
    sim = tls.sim
    pins = {h: sha256(tls, h) for h in ("primary.test", "backup.test")}
    client = tls_client(client_session, tls, "primary.test", trusted_certificates=pins)
    first = await client.login()
    sim.switchover(["backup.test"])
    second = await client.login()
    assert (first.host, second.host, client.host) == (
        "primary.test",
        "backup.test",
        "backup.test",
    )
    await second.stop(sim.voicemails("alice")[-1].message_id)
    assert sim.requests[-1].status == 204
    assert sent_to(sim, "backup.test")[0] == "POST /icws/connection"
