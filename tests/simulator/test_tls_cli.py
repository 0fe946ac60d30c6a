"""HTTPS mode with a self-signed certificate, and the command line entry point."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from pathlib import Path
import ssl
import sys

import aiohttp
from cryptography import x509
import pytest

# Module-level: this one wins over any `icws_tls_simulator` of tests/conftest.py.
from tests.icws_simulator.fixtures import icws_tls_simulator  # noqa: F401
from tests.icws_simulator.server import RunningSimulator

from .helpers import login, login_body, post_connection

ROOT = Path(__file__).parent.parent.parent


async def test_https_login_with_verification_off(
    icws_tls_simulator: RunningSimulator,  # noqa: F811
    client_session: aiohttp.ClientSession,
) -> None:
    """Self-signed: works with ssl=False; cookie gets Secure, HSTS is sent."""
    assert icws_tls_simulator.url.startswith("https://127.0.0.1:")
    async with post_connection(
        client_session, icws_tls_simulator.url, ssl=False
    ) as resp:
        assert resp.status == 201
        assert resp.headers["Set-Cookie"].endswith(
            "; Path=/icws/"
            + resp.headers["ININ-ICWS-Session-ID"]
            + "; HttpOnly; Secure"
        )
        assert resp.headers["Strict-Transport-Security"] == "max-age=31536000"


async def test_default_verification_refuses_the_certificate(
    icws_tls_simulator: RunningSimulator,  # noqa: F811
    client_session: aiohttp.ClientSession,
) -> None:
    """A default SSL context does not trust a self-signed certificate."""
    with pytest.raises(aiohttp.ClientConnectorCertificateError):
        await client_session.get(f"{icws_tls_simulator.url}/icws/connection/version")


async def test_trusting_the_certificate_verifies_names(
    icws_tls_simulator: RunningSimulator,  # noqa: F811
    client_session: aiohttp.ClientSession,
) -> None:
    """Trusting the certificate works for 127.0.0.1 and the *.test names it carries."""
    certificate = icws_tls_simulator.certificate
    assert certificate is not None
    context = certificate.client_context()
    for host in ("127.0.0.1", "primary.test", "localhost"):
        async with client_session.get(
            f"{icws_tls_simulator.url_for(host)}/icws/connection/version", ssl=context
        ) as resp:
            assert resp.status == 200
    cert = x509.load_pem_x509_certificate(certificate.pem.encode())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "backup.test" in names.get_values_for_type(x509.DNSName)
    with pytest.raises(aiohttp.ClientConnectorCertificateError):
        await client_session.get(
            f"{icws_tls_simulator.url_for('other.test')}/icws/connection/version",
            ssl=context,
        )
    assert isinstance(context, ssl.SSLContext)


@pytest.fixture
async def cli_process(
    socket_enabled: None,
) -> AsyncGenerator[tuple[asyncio.subprocess.Process, str]]:
    """Start `python -m tests.icws_simulator` on a free port; yield it and its URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.icws_simulator",
        "--port",
        "0",
        "--tls",
        "--voicemails",
        "3",
        "--user",
        "bob",
        "--password",
        "pw",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(60):
            first = (await process.stdout.readline()).decode()
            second = (await process.stdout.readline()).decode()
        assert first.startswith("ICWS simulator listening on https://127.0.0.1:"), first
        assert "user: bob" in second
        assert "password: pw" in second
        yield process, first.rsplit(" ", 1)[1].strip()
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


async def test_command_line_serves_a_seeded_mailbox(
    cli_process: tuple[asyncio.subprocess.Process, str],
    client_session: aiohttp.ClientSession,
) -> None:
    """One login and the snapshot over HTTPS; SIGTERM ends it cleanly."""
    process, url = cli_process
    async with post_connection(
        client_session, url, json=login_body("bob", "pw"), ssl=False
    ) as resp:
        assert resp.status == 201
    async with client_session.post(
        f"{url}/_simulator/voicemails", json={"user": "bob"}, ssl=False
    ) as resp:
        voicemails = (await resp.json())["voicemails"]
    assert len(voicemails) == 3
    process.terminate()
    assert await process.wait() == 0


async def test_login_helper_against_the_plain_fixture(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """The plain fixture serves HTTP on 127.0.0.1."""
    assert icws_simulator.url == f"http://127.0.0.1:{icws_simulator.port}"
    assert icws_simulator.certificate is None
    lg = await login(client_session, icws_simulator.url)
    assert "Secure" not in lg.headers["Set-Cookie"]
