"""Repair issues the server causes, and their fix flows: nothing is sent until the user acts.

Through Home Assistant's own repairs API (the one the UI uses).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.voicemail.const import (
    CONF_PLAY_TARGET,
    CONF_TRUSTED_CERTIFICATES,
    DOMAIN,
)
from custom_components.voicemail.icws import Pacing, Phase
from custom_components.voicemail.issues import (
    async_create_issue,
    async_create_no_play_target_issue,
)
from custom_components.voicemail.options_flow import PLAY_SCHEMA
from custom_components.voicemail.play import async_play
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.server import RunningSimulator, start_simulator
from tests.icws_simulator.tls import generate_self_signed
from tests.integration_helpers import STRINGS, advance, wait_until

LOGIN = "^/icws/connection$"


async def _fix(
    hass: HomeAssistant,
    client: ClientSessionGenerator,
    issue_id: str,
    *answers: dict[str, Any],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Open an issue's fix flow, submit its form with each answer (default: one empty).

    Return the first form and what each submission answered.
    """
    assert await async_setup_component(hass, "repairs", {})
    http = await client()
    response = await http.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert response.status == 200, await response.text()
    shown: dict[str, Any] = await response.json()
    if shown["type"] != "form":
        return shown, [shown]
    results: list[dict[str, Any]] = []
    for answer in answers or ({},):
        response = await http.post(
            f"/api/repairs/issues/fix/{shown['flow_id']}", json=answer
        )
        assert response.status == 200, await response.text()
        results.append(await response.json())
    return shown, results


def _issue(
    issue_registry: ir.IssueRegistry, kind: str, entry: MockConfigEntry
) -> ir.IssueEntry | None:
    return issue_registry.async_get_issue(DOMAIN, f"{kind}_{entry.entry_id}")


async def test_another_logon_stops_until_the_user_reconnects(
    hass: HomeAssistant,
    *,
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    icws_simulator: RunningSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Another logon of the same user ends the session (`shouldReconnect: false`).

    The entities go unavailable, a repair issue says why, and no login is sent,
    however long we wait, until the user chooses to reconnect in its fix flow.
    """
    sim = icws_simulator.sim
    coordinator = init_integration.runtime_data
    logins = len(sim.requests_to(LOGIN, "POST"))

    sim.logon_elsewhere(USER)
    await wait_until(hass, lambda: not coordinator.last_update_success)
    issue = _issue(issue_registry, "stopped_by_server", init_integration)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_placeholders == {
        "title": init_integration.title,
        "reason": "AnotherLogOn",
    }
    advance(hass, freezer, Pacing().reconnect_max * 3)
    await hass.async_block_till_done()
    assert len(sim.requests_to(LOGIN, "POST")) == logins
    assert coordinator.connection.phase is Phase.STOPPED_BY_SERVER

    shown, [done] = await _fix(hass, hass_client, issue.issue_id)

    assert shown["step_id"] == "confirm"
    assert shown["description_placeholders"]["reason"] == "AnotherLogOn"
    assert done["type"] == "create_entry"
    await wait_until(hass, lambda: coordinator.last_update_success)
    assert len(sim.requests_to(LOGIN, "POST")) == logins + 1
    assert _issue(issue_registry, "stopped_by_server", init_integration) is None
    fix = STRINGS["issues"]["stopped_by_server"]["fix_flow"]["step"]["confirm"]
    assert "{reason}" in fix["description"]


async def test_a_refused_login_waits_for_the_user(
    hass: HomeAssistant,
    *,
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    icws_simulator: RunningSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """No licence any more: refused for good, one login; the fix flow tries again."""
    sim = icws_simulator.sim
    coordinator = init_integration.runtime_data
    sim.settings.sdk_license_error_status = 400
    sim.expire_sessions()
    await wait_until(hass, lambda: not coordinator.last_update_success)
    issue = _issue(issue_registry, "login_refused", init_integration)
    assert issue is not None
    assert "licen" in issue.translation_placeholders["error"].lower()
    logins = len(sim.requests_to(LOGIN, "POST"))
    advance(hass, freezer, Pacing().reconnect_max * 3)
    await hass.async_block_till_done()
    assert len(sim.requests_to(LOGIN, "POST")) == logins

    sim.settings.sdk_license_error_status = None  # the administrator fixed it
    _, [done] = await _fix(hass, hass_client, issue.issue_id)

    assert done["type"] == "create_entry"
    await wait_until(hass, lambda: coordinator.last_update_success)
    assert _issue(issue_registry, "login_refused", init_integration) is None


async def test_refused_at_setup_then_fixed(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    icws_simulator: RunningSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Refused already at setup: the entry is in error; the fix flow reloads it."""
    icws_simulator.sim.settings.sdk_license_error_status = 400
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert mock_config_entry.error_reason_translation_key == "login_refused"
    issue = _issue(issue_registry, "login_refused", mock_config_entry)
    assert issue is not None

    icws_simulator.sim.settings.sdk_license_error_status = None
    await _fix(hass, hass_client, issue.issue_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED


@pytest.fixture
def untrusted(tmp_path: Path) -> Any:
    """Return a second self-signed certificate for the same names (a new one)."""
    (tmp_path / "new").mkdir()
    return generate_self_signed(("localhost",), ("127.0.0.1",), tmp_path / "new")


async def test_trust_a_changed_certificate(
    hass: HomeAssistant,
    *,
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
    icws_tls_simulator: RunningSimulator,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    untrusted: Any,
) -> None:
    """A pinned certificate was replaced: a repair issue offers to trust the new one.

    Its fix flow shows the new fingerprint and trusts it when confirmed; the password
    was not sent meanwhile.
    """
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        data={
            **mock_config_entry.data,
            CONF_PORT: icws_tls_simulator.port,
            CONF_SSL: True,
            CONF_VERIFY_SSL: True,
            CONF_TRUSTED_CERTIFICATES: {
                icws_tls_simulator.host: icws_tls_simulator.certificate.sha256
            },
        },
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    coordinator = mock_config_entry.runtime_data
    sim = icws_tls_simulator.sim
    await icws_tls_simulator.stop()
    replaced = await start_simulator(
        sim, icws_tls_simulator.host, icws_tls_simulator.port, certificate=untrusted
    )
    try:
        logins = len(sim.requests_to(LOGIN, "POST"))
        await wait_until(hass, lambda: not coordinator.last_update_success)
        advance(hass, freezer, Pacing().reconnect_max)  # the next attempt
        await wait_until(
            hass,
            lambda: (
                _issue(issue_registry, "untrusted_certificate", mock_config_entry)
                is not None
            ),
        )
        issue = _issue(issue_registry, "untrusted_certificate", mock_config_entry)
        assert issue is not None
        assert issue.translation_placeholders["host"] == icws_tls_simulator.host
        assert len(sim.requests_to(LOGIN, "POST")) == logins  # nothing reached it

        shown, [done] = await _fix(hass, hass_client, issue.issue_id)

        assert shown["description_placeholders"]["fingerprint"] == untrusted.sha256
        assert done["type"] == "create_entry"
        await hass.async_block_till_done()
        assert mock_config_entry.data[CONF_TRUSTED_CERTIFICATES] == {
            icws_tls_simulator.host: untrusted.sha256
        }
        await wait_until(
            hass, lambda: mock_config_entry.state is ConfigEntryState.LOADED
        )
        assert mock_config_entry.runtime_data.last_update_success
        assert (
            _issue(issue_registry, "untrusted_certificate", mock_config_entry) is None
        )
    finally:
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
        await replaced.stop()


async def test_the_certificate_cannot_be_read_for_the_fix(
    hass: HomeAssistant,
    *,
    hass_client: ClientSessionGenerator,
    icws_simulator: RunningSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The fix flow reads the certificate when it opens: a server that is gone aborts it."""
    async_create_issue(
        hass,
        init_integration,
        "untrusted_certificate",
        {"host": "127.0.0.1"},
        data={"host": "127.0.0.1"},
    )
    await icws_simulator.stop()

    shown, _ = await _fix(
        hass, hass_client, f"untrusted_certificate_{init_integration.entry_id}"
    )

    assert shown["type"] == "abort"
    assert shown["reason"] == "cannot_connect"
    assert shown["description_placeholders"]["host"] == "127.0.0.1"
    assert shown["description_placeholders"]["error"]
    abort = STRINGS["issues"]["untrusted_certificate"]["fix_flow"]["abort"]
    assert "{error}" in abort["cannot_connect"]


async def test_play_with_nowhere_to_play_offers_to_choose(
    hass: HomeAssistant,
    *,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    icws_simulator: RunningSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Play with no target anywhere raises a repair; its form sets the target, Play works.

    Nothing chosen and a bad target are asked again; the options change without a
    reload, and the next Play rings the chosen phone.
    """
    sim = icws_simulator.sim
    coordinator = init_integration.runtime_data
    newest = coordinator.data.voicemails[0].message_id
    with pytest.raises(ServiceValidationError):
        await async_play(hass, init_integration, newest)
    issue = _issue(issue_registry, "no_play_target", init_integration)
    assert issue is not None
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders == {"title": init_integration.title}
    assert sim.requests_to("/voicemail-message/play/start$") == []

    shown, (nothing, typo, done) = await _fix(
        hass,
        hass_client,
        issue.issue_id,
        {},
        {CONF_PLAY_TARGET: "12\t34"},
        {CONF_PLAY_TARGET: " 1234 "},
    )

    assert shown["step_id"] == "play"
    assert shown["errors"] == {}
    assert shown["description_placeholders"] == {"title": init_integration.title}
    assert nothing["errors"] == {"base": "no_play_target_chosen"}
    assert typo["errors"] == {CONF_PLAY_TARGET: "invalid_play_target"}
    assert done["type"] == "create_entry"
    assert init_integration.options[CONF_PLAY_TARGET] == "1234"
    assert _issue(issue_registry, "no_play_target", init_integration) is None
    assert init_integration.runtime_data is coordinator

    await async_play(hass, init_integration, newest)
    assert sim.users[USER].playback.target == "1234"
    texts = STRINGS["issues"]["no_play_target"]["fix_flow"]
    assert set(texts["error"]) == {"no_play_target_chosen", "invalid_play_target"}
    fields = {str(marker) for marker in PLAY_SCHEMA.schema}
    assert set(texts["step"]["play"]["data"]) == fields
    assert set(texts["step"]["play"]["data_description"]) == fields


async def test_a_play_target_in_the_options_ends_the_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Setting a target in the options dialog (not in the repair) also ends the issue."""
    async_create_no_play_target_issue(hass, init_integration)
    form = await hass.config_entries.options.async_init(init_integration.entry_id)
    await hass.config_entries.options.async_configure(
        form["flow_id"],
        {**init_integration.options, CONF_PLAY_TARGET: "1234"},
    )
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    assert _issue(issue_registry, "no_play_target", init_integration) is None
