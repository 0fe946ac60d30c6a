"""Diagnostics: useful for a bug report, free of secrets and personal data."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.server import RunningSimulator
from tests.integration_helpers import wait_until
from tests.leaks import simulator_secrets


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    icws_simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Server, state, counts and options; secrets and personal data redacted."""
    coordinator = init_integration.runtime_data
    await wait_until(hass, lambda: coordinator.data.messages_waiting is not None)

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    assert diagnostics == snapshot(exclude=props("port"))
    text = json.dumps(diagnostics)
    assert not [
        secret for secret in simulator_secrets(icws_simulator.sim) if secret in text
    ]
    assert USER not in text
    assert icws_simulator.host not in text


async def test_diagnostics_after_errors(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    icws_simulator: RunningSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Recent errors are listed with the server's address taken out."""
    coordinator = init_integration.runtime_data
    await icws_simulator.stop()
    await wait_until(hass, lambda: not coordinator.last_update_success)

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    assert diagnostics["state"]["available"] is False
    assert diagnostics["state"]["last_exception"] == "IcwsConnectionError"
    assert diagnostics["last_errors"] == [
        f"IcwsConnectionError: Cannot reach the ICWS server at **REDACTED**:{icws_simulator.port}"
    ]
    text = json.dumps(diagnostics)
    assert not [
        secret for secret in simulator_secrets(icws_simulator.sim) if secret in text
    ]
    assert icws_simulator.host not in text
