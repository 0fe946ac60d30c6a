"""A second, unrelated certificate for one host name (SNI): a switchover to an untrusted host."""

from __future__ import annotations

import asyncio
import hashlib
import ssl

import aiohttp
import pytest

# Module-level: this one wins over any `icws_tls_simulator` of tests/conftest.py.
from tests.icws_simulator.fixtures import icws_tls_simulator  # noqa: F401
from tests.icws_simulator.server import RunningSimulator


@pytest.fixture
def icws_tls_separate_hosts() -> tuple[str, ...]:
    """backup.test presents its own certificate."""
    return ("backup.test",)


async def _peer_der(running: RunningSimulator, server_name: str) -> bytes:
    """Return the certificate (DER) presented to a client naming `server_name` (SNI)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    _, writer = await asyncio.open_connection(
        "127.0.0.1", running.port, ssl=context, server_hostname=server_name
    )
    try:
        der: bytes = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    finally:
        writer.close()
        await writer.wait_closed()
    return der


async def _version(
    client_session: aiohttp.ClientSession, base: str, context: ssl.SSLContext
) -> int:
    async with client_session.get(
        f"{base}/icws/connection/version", ssl=context
    ) as resp:
        return resp.status


async def test_backup_host_presents_another_certificate(
    icws_tls_simulator: RunningSimulator,  # noqa: F811
    client_session: aiohttp.ClientSession,
) -> None:
    """Trusting the primary certificate works on primary.test, fails on backup.test."""
    primary = icws_tls_simulator.certificate
    assert primary is not None
    backup = icws_tls_simulator.certificates["backup.test"]
    assert icws_tls_simulator.certificates["primary.test"] is primary
    assert icws_tls_simulator.certificates["127.0.0.1"] is primary
    assert backup.sha256 != primary.sha256
    assert backup.sha256 == hashlib.sha256(backup.der).hexdigest()
    assert len(primary.sha256) == 64
    trusted = primary.client_context()
    assert (
        await _version(
            client_session, icws_tls_simulator.url_for("primary.test"), trusted
        )
        == 200
    )
    with pytest.raises(aiohttp.ClientConnectorCertificateError):
        await _version(
            client_session, icws_tls_simulator.url_for("backup.test"), trusted
        )
    for name, certificate in (("primary.test", primary), ("backup.test", backup)):
        der = await _peer_der(icws_tls_simulator, name)
        assert hashlib.sha256(der).hexdigest() == certificate.sha256
    # Trusting the backup's own certificate verifies its name.
    backup_url = icws_tls_simulator.url_for("backup.test")
    assert await _version(client_session, backup_url, backup.client_context()) == 200
