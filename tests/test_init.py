"""Setting an account up, the errors setup reports, unloading and removing it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.voicemail.const import DOMAIN
from custom_components.voicemail.errors import icws_errors
from custom_components.voicemail.icws import IcwsUnsupportedServerError
from custom_components.voicemail.issues import (
    async_create_gone_issue,
    async_create_unsupported_issue,
)
from tests.icws_simulator.server import RunningSimulator
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import STRINGS

SUBSCRIPTION = "/messaging/subscriptions/unified-messaging/voicemail-messages"


def _our_tasks() -> list[asyncio.Task[object]]:
    """Return the running tasks of the integration's event stream."""
    return [
        task
        for task in asyncio.all_tasks()
        if task.get_name().startswith(f"{DOMAIN} ") and not task.done()
    ]


async def test_setup_and_unload(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Setup loads the mailbox; unloading logs out (that ends the subscriptions too)."""
    coordinator = init_integration.runtime_data
    assert len(coordinator.data.voicemails) == 5
    assert len(_our_tasks()) == 1
    (session,) = sim.live_sessions()
    session_id = session.session_id
    sim.clear_requests()

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()

    assert init_integration.state is ConfigEntryState.NOT_LOADED
    assert [(r.method, r.path) for r in sim.requests] == [
        ("DELETE", f"/icws/{session_id}/connection"),
    ]
    assert _our_tasks() == []
    assert sim.live_sessions() == []


async def test_the_counts_come_before_the_buttons(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Entities are added counts first, then the event, then the buttons newest first.

    Home Assistant's generated Overview lists a device's entities in this order.
    """
    ours = [
        state.entity_id
        for state in hass.states.async_all()
        if state.entity_id.split(".")[1].startswith("alice_cic_icws")
    ]
    domains = [entity_id.split(".")[0] for entity_id in ours]
    first_button = domains.index("button")
    assert set(domains[:first_button]) == {"sensor", "event"}
    assert domains.index("event") > max(
        i for i, domain in enumerate(domains) if domain == "sensor"
    )
    assert set(domains[first_button:]) == {"button"}


async def test_unload_against_a_silent_server(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A logout the server does not answer holds up the unload for one request timeout.

    The unload waits no longer than the timeout, and leaves no task behind.
    """
    sim.inject_fault("/connection$", None, method="DELETE", delay=30)
    init_integration.runtime_data.client.transport.request_timeout = 0.5
    started = asyncio.get_running_loop().time()

    assert await hass.config_entries.async_unload(init_integration.entry_id)

    assert asyncio.get_running_loop().time() - started < 5
    assert _our_tasks() == []


async def test_setup_over_https(
    hass: HomeAssistant,
    icws_tls_simulator: RunningSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A self-signed certificate is refused with verification and accepted without."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        data={
            **mock_config_entry.data,
            CONF_PORT: icws_tls_simulator.port,
            CONF_SSL: True,
        },
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.error_reason_translation_key == "certificate_not_trusted"

    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_VERIFY_SSL: False}
    )
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.LOADED


async def _unreachable(
    hass: HomeAssistant, sim: RunningSimulator, entry: MockConfigEntry
) -> None:
    """Stop the server."""
    await sim.stop()


async def _wrong_password(
    hass: HomeAssistant, sim: RunningSimulator, entry: MockConfigEntry
) -> None:
    """Store a password the server refuses."""
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PASSWORD: "wrong"}
    )


async def _too_old(
    hass: HomeAssistant, sim: RunningSimulator, entry: MockConfigEntry
) -> None:
    """Make the server's unified-messaging feature version 1."""
    sim.sim.settings.unified_messaging_version = 1


async def _subscription_fails(
    hass: HomeAssistant, sim: RunningSimulator, entry: MockConfigEntry
) -> None:
    """Make the server fail the voicemail subscription."""
    sim.sim.inject_fault(SUBSCRIPTION, 500, method="PUT")


async def _rejected_at_once(
    hass: HomeAssistant, sim: RunningSimulator, entry: MockConfigEntry
) -> None:
    """Answer the subscription of the new session 401 (a proxy that loses sessions)."""
    sim.sim.inject_fault(SUBSCRIPTION, 401, method="PUT")


@pytest.mark.parametrize(
    ("cause", "state", "key"),
    [
        (_unreachable, ConfigEntryState.SETUP_RETRY, "cannot_connect"),
        (_wrong_password, ConfigEntryState.SETUP_ERROR, "invalid_auth"),
        (_too_old, ConfigEntryState.SETUP_ERROR, "unsupported_server"),
        (_subscription_fails, ConfigEntryState.SETUP_RETRY, "cannot_connect"),
        (_rejected_at_once, ConfigEntryState.SETUP_RETRY, "cannot_connect"),
    ],
)
async def test_setup_error(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    *,
    cause: Callable[
        [HomeAssistant, RunningSimulator, MockConfigEntry], Awaitable[None]
    ],
    state: ConfigEntryState,
    key: str,
) -> None:
    """Setup fails with a translated reason, logged out, with no task left.

    Refused credentials start reauth; a server too old for voicemail raises a repair
    issue.
    """
    mock_config_entry.add_to_hass(hass)
    await cause(hass, icws_simulator, mock_config_entry)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is state
    assert mock_config_entry.error_reason_translation_key == key
    assert key in STRINGS["exceptions"]
    # Every session was logged out; a session refused at once is not replaced at
    # once (no login storm): one login, then the setup retries later.
    assert icws_simulator.sim.live_sessions() == []
    assert len(icws_simulator.sim.requests_to("^/icws/connection$", "POST")) <= 1
    assert _our_tasks() == []
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    reauth = [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert reauth is (key == "invalid_auth")
    issue = issue_registry.async_get_issue(
        DOMAIN, f"unsupported_server_{mock_config_entry.entry_id}"
    )
    assert (issue is not None) is (key == "unsupported_server")


async def test_unsupported_server_issue(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The repair issue names the feature and versions, and goes once upgraded."""
    await _too_old(hass, icws_simulator, mock_config_entry)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)

    issue_id = f"unsupported_server_{mock_config_entry.entry_id}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "unsupported_server"
    assert issue.translation_placeholders == {
        "title": mock_config_entry.title,
        "feature": "unified-messaging",
        "version": "1",
        "required": "2",
    }
    assert issue.severity is ir.IssueSeverity.ERROR
    assert not issue.is_fixable
    assert set(STRINGS["issues"]["unsupported_server"]) == {"title", "description"}

    icws_simulator.sim.settings.unified_messaging_version = 2
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_remove_entry_removes_issues(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Removing an account forgets its repair issues."""
    async_create_gone_issue(hass, init_integration)
    async_create_unsupported_issue(
        hass, init_integration, IcwsUnsupportedServerError("unified-messaging", None, 2)
    )
    issue = issue_registry.async_get_issue(
        DOMAIN, f"unsupported_server_{init_integration.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["version"] == "none"
    assert len(issue_registry.issues) == 2

    await hass.config_entries.async_remove(init_integration.entry_id)

    assert len(issue_registry.issues) == 0


async def test_remove_stale_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Only devices that are not the account's own can be removed."""
    assert await async_setup_component(hass, "config", {})
    own = device_registry.async_get_device_by_identifier(
        (DOMAIN, "alice@cic-icws"), init_integration.entry_id
    )
    assert own is not None
    assert own.name == "alice @ CIC-ICWS"
    stale = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, "bob@cic-icws")},
    )
    client = await hass_ws_client(hass)

    for device, removable in ((own, False), (stale, True)):
        response = await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": init_integration.entry_id,
                "device_id": device.id,
            }
        )
        response = await client.receive_json()
        assert response["success"] is removable

    assert device_registry.async_get(own.id) is not None
    assert device_registry.async_get(stale.id) is None


async def test_stop_gone_raises_repair_issue(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A stop answered 410 Gone leaves a repair issue that says what happened."""
    sim.inject_fault("/voicemail-message/play/stop$", 410)
    coordinator = init_integration.runtime_data
    newest = coordinator.data.voicemails[0].message_id

    with pytest.raises(HomeAssistantError) as err:
        async with icws_errors(hass, init_integration):
            await coordinator.async_stop(newest)

    assert err.value.translation_key == "resource_gone"
    issue = issue_registry.async_get_issue(
        DOMAIN, f"resource_gone_{init_integration.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "resource_gone"
    assert issue.translation_placeholders == {"title": init_integration.title}
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable
    assert set(STRINGS["issues"]["resource_gone"]) == {"title", "description"}

    # The server offers stop again (the fault was one answer): the issue goes away.
    async with icws_errors(hass, init_integration):
        await coordinator.async_stop(newest)
    assert (
        issue_registry.async_get_issue(
            DOMAIN, f"resource_gone_{init_integration.entry_id}"
        )
        is None
    )
