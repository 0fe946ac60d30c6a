"""Fixtures shared by every test."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
import os
from pathlib import Path
import ssl
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from hypothesis import settings
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voicemail.const import (
    CONF_MAX_BUTTONS,
    CONF_PLAY_TARGET,
    CONF_PLAYBACK_TIMEOUT,
    DEFAULT_MAX_BUTTONS,
    DEFAULT_PLAYBACK_TIMEOUT,
    DOMAIN,
)
from tests.icws_simulator.fixtures import (  # noqa: F401
    PASSWORD,
    USER,
    client_session,
    icws_settings,
    icws_simulator,
    seed_fixture_mailbox,
)
from tests.icws_simulator.server import RunningSimulator, start_simulator
from tests.icws_simulator.settings import SimulatorSettings
from tests.icws_simulator.simulator import IcwsSimulator

SIMULATOR_FIXTURES = ("icws_simulator", "icws_tls_simulator")

# 2-core CI machines make per-example deadlines flaky: CI runs without them.
settings.register_profile("ci", deadline=None, max_examples=200)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


@pytest.fixture
def mock_config_entry(
    icws_simulator: RunningSimulator,  # noqa: F811
) -> MockConfigEntry:
    """Return a config entry for alice's account on the running simulator."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="alice @ CIC-ICWS",
        unique_id="alice@cic-icws",
        data={
            CONF_HOST: icws_simulator.host,
            CONF_PORT: icws_simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: True,
            CONF_USERNAME: USER,
            CONF_PASSWORD: PASSWORD,
        },
        options={
            CONF_PLAY_TARGET: "",
            CONF_MAX_BUTTONS: DEFAULT_MAX_BUTTONS,
            CONF_PLAYBACK_TIMEOUT: DEFAULT_PLAYBACK_TIMEOUT,
        },
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the integration with alice's account and return its entry."""
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    return mock_config_entry


@pytest.fixture(autouse=True)
def no_secrets_logged(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Generator[None]:
    """Check after each test that ran a simulator that no secret of it was logged."""
    sims: list[IcwsSimulator] = [
        request.getfixturevalue(name).sim
        for name in SIMULATOR_FIXTURES
        if name in request.fixturenames
    ]
    yield
    secrets: set[str] = set()
    for sim in sims:
        secrets |= {user.password for user in sim.users.values()}
        for session in sim.sessions.values():
            cookie = session.cookie_value
            secrets |= {session.session_id, session.csrf_token, cookie}
            secrets.add(cookie.partition("|")[0])
    logged = caplog.text
    leaked = sorted(secret for secret in secrets if secret in logged)
    assert not leaked, "secrets of the simulator's sessions were logged"


def _self_signed_context() -> ssl.SSLContext:
    """Return a server TLS context with a fresh self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cic-icws")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    with tempfile.TemporaryDirectory() as folder:
        cert_file = Path(folder, "cert.pem")
        key_file = Path(folder, "key.pem")
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
    return context


@pytest.fixture
async def icws_tls_simulator(
    socket_enabled: None,
    icws_settings: SimulatorSettings,  # noqa: F811
) -> AsyncGenerator[RunningSimulator]:
    """Run a simulator like `icws_simulator`, over HTTPS with a self-signed certificate."""
    sim = IcwsSimulator(icws_settings, tls=True)
    seed_fixture_mailbox(sim)
    running = await start_simulator(sim, "127.0.0.1", 0, _self_signed_context())
    try:
        yield running
    finally:
        await running.stop()
