"""The `voicemail.stop_playback` action, against the ICWS simulator over loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

import custom_components.voicemail
from custom_components.voicemail.const import DOMAIN
from custom_components.voicemail.coordinator import VoicemailConfigEntry
from custom_components.voicemail.errors import ERRORS
from custom_components.voicemail.services import SERVICE_STOP_PLAYBACK
from tests.icws_simulator.fixtures import PASSWORD, USER
from tests.icws_simulator.responses import FAX_MESSAGE
from tests.icws_simulator.server import RunningSimulator
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import (
    STOP_PATH,
    async_call_action,
    async_setup_bob,
    async_start_playback,
    entity_id_of,
    message_ids,
)


async def _stop(
    hass: HomeAssistant, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run the action and return its response."""
    response = await async_call_action(hass, SERVICE_STOP_PLAYBACK, data)
    assert response is not None
    return response


@pytest.mark.parametrize("accounts", [1, 2], ids=["one_account", "two_accounts"])
async def test_nothing_playing_sends_nothing(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
    accounts: int,
) -> None:
    """No message id and nothing playing on one account or two: no stop request."""
    if accounts == 2:
        await async_setup_bob(hass, sim, init_integration)

    assert await _stop(hass) == {"stopped": []}

    assert sim.requests_to(STOP_PATH) == []


async def test_stop_what_is_playing(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
) -> None:
    """No message id while a message plays: that message is stopped."""
    playback = entity_id_of(hass, init_integration, Platform.SENSOR, "playback")
    newest = await async_start_playback(hass, sim, init_integration)
    assert hass.states.get(playback).state == "playing"

    assert await _stop(hass) == {"stopped": [newest]}

    [request] = sim.requests_to(STOP_PATH)
    assert request.status == 204
    assert newest in request.path
    assert hass.states.get(playback).state == "idle"


async def test_stop_a_message_that_does_not_play(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
) -> None:
    """A known message is stopped whether or not it plays (204), response or not."""
    oldest = message_ids(sim)[0]

    await hass.services.async_call(
        DOMAIN, SERVICE_STOP_PLAYBACK, {"message_id": oldest}, blocking=True
    )
    assert await _stop(
        hass,
        {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id, "message_id": oldest},
    ) == {"stopped": [oldest]}

    requests = sim.requests_to(STOP_PATH)
    assert [request.status for request in requests] == [204, 204]


async def test_unknown_message(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
) -> None:
    """A message id the account does not have: refused before any request."""
    with pytest.raises(ServiceValidationError) as exc_info:
        await _stop(hass, {"message_id": "imap://alice@voicestore/INBOX;uid=99"})

    assert exc_info.value.translation_domain == DOMAIN
    assert exc_info.value.translation_key == "unknown_message"
    assert exc_info.value.translation_placeholders == {
        "message_id": "imap://alice@voicestore/INBOX;uid=99"
    }
    assert sim.requests_to(STOP_PATH) == []


@pytest.mark.parametrize(
    "variant", [None, "invalidProperty", "missingRequiredParameter", "malformed"]
)
async def test_stop_refused(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
    variant: str | None,
) -> None:
    """400 (a fax; each body the stop page documents): the server's words reach the user."""
    if variant is None:
        [message_id] = message_ids(sim, kind="fax")
    else:
        message_id = message_ids(sim)[0]
        sim.inject_fault(STOP_PATH, 400, error_variant=variant)

    with pytest.raises(ServiceValidationError) as exc_info:
        await _stop(hass, {"message_id": message_id})

    assert exc_info.value.translation_key == "not_allowed"
    assert FAX_MESSAGE in exc_info.value.translation_placeholders["message"]
    [request] = sim.requests_to(STOP_PATH)
    assert request.status == 400


async def test_expired_session_is_renewed(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
) -> None:
    """A 401 on stop: the client logs in again and retries, the user sees success."""
    oldest = message_ids(sim)[0]
    sim.inject_fault(STOP_PATH, 401)
    sim.clear_requests()

    assert await _stop(hass, {"message_id": oldest}) == {"stopped": [oldest]}

    assert [r.status for r in sim.requests_to(STOP_PATH)] == [401, 204]
    assert sim.requests_to(r"^/icws/connection$", "POST")
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_changed_password_starts_reauth(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 401 and the new login refused: re-authenticate, and a reauth flow starts.

    The refused password is not sent again: the next action fails at once.
    """
    sim.inject_fault(STOP_PATH, 401)
    sim.add_user(USER, "a new password")

    with pytest.raises(HomeAssistantError) as exc_info:
        await _stop(hass, {"message_id": message_ids(sim)[0]})

    assert exc_info.value.translation_key == "reauth_required"
    await hass.async_block_till_done()
    sim.clear_requests()
    with pytest.raises(HomeAssistantError) as exc_info:
        await _stop(hass, {"message_id": message_ids(sim)[0]})
    assert exc_info.value.translation_key == "reauth_required"
    assert sim.requests == []
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "reauth"
    assert flow["context"]["entry_id"] == init_integration.entry_id
    assert PASSWORD not in caplog.text
    assert "a new password" not in caplog.text


async def test_session_refused_twice(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
) -> None:
    """401 again after a successful new login: session_expired, no reauth."""
    sim.inject_fault(STOP_PATH, 401, count=2)

    with pytest.raises(HomeAssistantError) as exc_info:
        await _stop(hass, {"message_id": message_ids(sim)[0]})

    assert exc_info.value.translation_key == "session_expired"
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_gone_creates_repair_issue(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """410 Gone: a failure, and a repair issue that tells the user."""
    sim.inject_fault(STOP_PATH, 410)

    with pytest.raises(HomeAssistantError) as exc_info:
        await _stop(hass, {"message_id": message_ids(sim)[0]})

    assert exc_info.value.translation_key == "resource_gone"
    assert (
        issue_registry.async_get_issue(
            DOMAIN, f"resource_gone_{init_integration.entry_id}"
        )
        is not None
    )


async def test_server_error(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
) -> None:
    """500: a failure that says the server failed."""
    sim.inject_fault(STOP_PATH, 500)

    with pytest.raises(HomeAssistantError) as exc_info:
        await _stop(hass, {"message_id": message_ids(sim)[0]})

    assert exc_info.value.translation_key == "server_error"
    assert "500" in exc_info.value.translation_placeholders["error"]


async def test_server_unreachable(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    icws_simulator: RunningSimulator,
) -> None:
    """The server is gone: a failure that says it cannot be reached."""
    await icws_simulator.stop()

    with pytest.raises(HomeAssistantError) as exc_info:
        await _stop(hass, {"message_id": message_ids(icws_simulator.sim)[0]})

    assert exc_info.value.translation_key == "cannot_connect"


async def test_timeout(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sim: IcwsSimulator,
) -> None:
    """The server answers stop too slowly: a failure that says so."""
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.voicemail.account.REQUEST_TIMEOUT", 0.5):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    sim.inject_fault(STOP_PATH, None, delay=2.5)

    with pytest.raises(HomeAssistantError) as exc_info:
        await _stop(hass, {"message_id": message_ids(sim)[0]})

    assert exc_info.value.translation_key == "timeout"


# --- Which account -----------------------------------------------------------------------


@pytest.fixture
async def second_account(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    sim: IcwsSimulator,
) -> MockConfigEntry:
    """Load bob's account next to alice's."""
    return await async_setup_bob(hass, sim, init_integration)


async def test_account_chosen_among_two(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    second_account: MockConfigEntry,
    sim: IcwsSimulator,
) -> None:
    """A message id is looked up in the account named, not in the other one."""
    alice_message = message_ids(sim)[0]

    with pytest.raises(ServiceValidationError) as exc_info:
        await _stop(
            hass,
            {
                ATTR_CONFIG_ENTRY_ID: second_account.entry_id,
                "message_id": alice_message,
            },
        )
    assert exc_info.value.translation_key == "unknown_message"

    assert await _stop(
        hass,
        {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id, "message_id": alice_message},
    ) == {"stopped": [alice_message]}


async def test_only_loaded_account_is_used(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    second_account: MockConfigEntry,
) -> None:
    """With one of two accounts unloaded, the id may be left out again."""
    assert await hass.config_entries.async_unload(second_account.entry_id)

    assert await _stop(hass) == {"stopped": []}


@pytest.mark.parametrize(
    ("entry_id", "translation_key"),
    [
        ("0123456789abcdef", "service_config_entry_not_found"),
        (None, "not_loaded"),
    ],
)
async def test_no_such_account(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    entry_id: str | None,
    translation_key: str,
) -> None:
    """An unknown account, or none loaded: translated validation errors."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    data = {} if entry_id is None else {ATTR_CONFIG_ENTRY_ID: entry_id}

    with pytest.raises(ServiceValidationError) as exc_info:
        await _stop(hass, data)

    assert exc_info.value.translation_key == translation_key


async def test_unloaded_account_named(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
) -> None:
    """An account that is set up but not loaded: Home Assistant's translated error."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED

    with pytest.raises(ServiceValidationError) as exc_info:
        await _stop(hass, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id})

    assert exc_info.value.translation_key == "service_config_entry_not_loaded"


async def test_texts_exist(hass: HomeAssistant) -> None:
    """Every error the action raises and every field it takes has its text."""
    integration = Path(custom_components.voicemail.__file__).parent
    strings = json.loads((integration / "strings.json").read_text())
    services = yaml.safe_load((integration / "services.yaml").read_text())
    raised = {key for row in ERRORS for key in (row.action_key, row.setup_key)} | {
        "not_loaded",
        "unknown_message",
    }

    assert raised <= set(strings["exceptions"])
    for service, spec in services.items():
        texts = strings["services"][service]
        assert texts["name"]
        assert texts["description"]
        assert set(spec["fields"]) == set(texts["fields"])
