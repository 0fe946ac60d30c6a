"""Fixtures shared by every test."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
import os
from pathlib import Path
import shutil
from unittest.mock import PropertyMock, patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from hypothesis import settings
import pytest
import pytest_asyncio
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    get_test_config_dir,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.voicemail.const import (
    CONF_MAX_BUTTONS,
    CONF_PLAY_TARGET,
    CONF_PLAYBACK_TIMEOUT,
    DEFAULT_MAX_BUTTONS,
    DEFAULT_PLAYBACK_TIMEOUT,
    DOMAIN,
)
from custom_components.voicemail.coordinator import VoicemailCoordinator
from tests.icws_simulator.fixtures import (  # noqa: F401
    PASSWORD,
    USER,
    client_session,
    icws_settings,
    icws_simulator,
    icws_tls_simulator,
)
from tests.icws_simulator.server import RunningSimulator
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import EventLog, SnapshotExtension, registered_entity_id
from tests.leaks import simulator_secrets

SIMULATOR_FIXTURES = ("icws_simulator", "icws_tls_simulator")

# 2-core CI machines make per-example deadlines flaky: CI runs without them.
settings.register_profile("ci", deadline=None, max_examples=200)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


@pytest.fixture
def hass_config_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Give each test its own configuration directory: the audio cache is written there.

    Not the plugin's `hass_tmp_config_dir`: that one is the test's `tmp_path`, which
    tests use for files of their own.
    """
    path = tmp_path_factory.mktemp("hass_config")
    shutil.copytree(get_test_config_dir(), path, symlinks=True, dirs_exist_ok=True)
    return str(path)


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create entities that are disabled by default as enabled (to test them)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Keep snapshots in tests/snapshots/."""
    return snapshot.use_extension(SnapshotExtension)


@pytest.fixture
def sim(icws_simulator: RunningSimulator) -> IcwsSimulator:  # noqa: F811
    """Return the running simulator's state and controls (`icws_simulator.sim`)."""
    return icws_simulator.sim


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
def coordinator(init_integration: MockConfigEntry) -> VoicemailCoordinator:
    """Return the coordinator of alice's loaded account."""
    coordinator: VoicemailCoordinator = init_integration.runtime_data
    return coordinator


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


@pytest_asyncio.fixture(autouse=True)
def simulator_guard(
    request: pytest.FixtureRequest,
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
) -> Generator[None]:
    """Unload our entries before a simulator stops, then check no secret was logged.

    Requesting the simulators here makes them stop after this teardown, so entries
    log out of a running server. Like `verify_cleanup`, this runs while the loop is
    stopped, hence sync with `run_until_complete`.
    """
    sims: list[IcwsSimulator] = [
        request.getfixturevalue(name).sim
        for name in SIMULATOR_FIXTURES
        if name in request.fixturenames
    ]
    yield
    if not sims:
        return
    asyncio.get_event_loop().run_until_complete(_async_unload_entries(hass))
    secrets = {secret for sim in sims for secret in simulator_secrets(sim)}
    logged = caplog.text
    leaked = sorted(secret for secret in secrets if secret in logged)
    assert not leaked, "secrets of the simulator's sessions were logged"


async def _async_unload_entries(hass: HomeAssistant) -> None:
    """Unload every loaded entry of ours."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
async def events(hass: HomeAssistant, init_integration: MockConfigEntry) -> EventLog:
    """Record the events of alice's event entity."""
    return EventLog(
        hass, registered_entity_id(hass, init_integration, Platform.EVENT, "events")
    )


@pytest.fixture
async def media_source_loaded(hass: HomeAssistant) -> None:
    """Load the media source integration (default_config does for a user)."""
    assert await async_setup_component(hass, "media_source", {})


SENTENCES = Path(__file__).parent.parent / "custom_sentences" / "en" / "voicemail.yaml"


@pytest.fixture
async def assist(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> MockConfigEntry:
    """Load the built-in agent, with custom_sentences/en/voicemail.yaml in the config dir."""
    target = Path(hass.config.config_dir) / "custom_sentences" / "en"
    await hass.async_add_executor_job(lambda: target.mkdir(parents=True))
    await hass.async_add_executor_job(shutil.copy, SENTENCES, target)
    for component in ("homeassistant", "intent", "conversation"):
        assert await async_setup_component(hass, component, {})
    await hass.async_block_till_done()
    return init_integration
