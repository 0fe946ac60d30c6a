"""The config flow and the server's ways.

A reverse proxy, a self-signed certificate, a refused password, and the web sessions
every attempt opens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import patch

import aiohttp
from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.aiohttp_client import async_create_clientsession
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voicemail.const import (
    CONF_BASE_PATH,
    CONF_PASSWORD_REFUSED,
    CONF_TRUSTED_CERTIFICATES,
    DOMAIN,
)
from custom_components.voicemail.icws import IcwsConnectionError
from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.fixtures import PASSWORD, USER
from tests.icws_simulator.server import RunningSimulator, start_simulator
from tests.icws_simulator.tls import generate_self_signed
from tests.integration_helpers import STRINGS, async_choose_where_to_play

LOGIN = "^/icws/connection$"


def _form(sim: RunningSimulator, **changes: Any) -> dict[str, Any]:
    """Return a correct user form for alice on `sim` (verification on), with changes."""
    return {
        CONF_HOST: sim.host,
        CONF_PORT: sim.port,
        CONF_SSL: sim.tls,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: USER,
        CONF_PASSWORD: PASSWORD,
        **changes,
    }


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    return str(result["flow_id"])


async def _reconfigure_to(
    hass: HomeAssistant, plain: RunningSimulator, tls: RunningSimulator
) -> tuple[MockConfigEntry, ConfigFlowResult]:
    """Add an entry on `plain` (verification off); reconfigure it to verify on `tls`."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="alice @ CIC-ICWS",
        unique_id="alice@cic-icws",
        data=_form(plain, **{CONF_VERIFY_SSL: False}),
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    typed = {
        CONF_HOST: tls.host,
        CONF_PORT: tls.port,
        CONF_SSL: True,
        CONF_VERIFY_SSL: True,
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    return entry, result


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(base_path="/api/icserver1")]
)
@pytest.mark.parametrize(
    "typed", ["/api/icserver1", "api/icserver1/", "/api/icserver1/icws"]
)
async def test_behind_a_reverse_proxy(
    hass: HomeAssistant, icws_simulator: RunningSimulator, typed: str
) -> None:
    """The base path a proxy serves ICWS under is asked for and stored as `/a/b`."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _form(icws_simulator, **{CONF_BASE_PATH: ""})
    )
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        flow_id, _form(icws_simulator, **{CONF_BASE_PATH: typed})
    )

    result = await async_choose_where_to_play(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_BASE_PATH] == "/api/icserver1"
    await hass.async_block_till_done()
    assert result["result"].runtime_data.last_update_success
    assert all(
        r.path.startswith("/api/icserver1/icws/")
        for r in icws_simulator.sim.requests
        if r.status is not None and r.status < 400
    )


async def test_trust_a_self_signed_certificate(
    hass: HomeAssistant, icws_tls_simulator: RunningSimulator
) -> None:
    """A self-signed certificate: its fingerprint is shown, trusted when asked.

    Verification stays on: exactly this certificate is accepted. Nothing was sent to
    the server before.
    """
    sim = icws_tls_simulator.sim
    fingerprint = icws_tls_simulator.certificate.sha256
    flow_id = await _start(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, _form(icws_tls_simulator)
    )

    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "certificate"
    assert result["menu_options"] == ["trust_certificate", "user"]
    assert result["description_placeholders"] == {
        "host": icws_tls_simulator.host,
        "fingerprint": fingerprint,
    }
    assert sim.requests_to(LOGIN, "POST") == []  # the password went nowhere

    result = await hass.config_entries.flow.async_configure(
        flow_id, {"next_step_id": "trust_certificate"}
    )

    result = await async_choose_where_to_play(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_VERIFY_SSL] is True
    assert result["data"][CONF_TRUSTED_CERTIFICATES] == {
        icws_tls_simulator.host: fingerprint
    }
    await hass.async_block_till_done()
    assert result["result"].runtime_data.last_update_success


async def test_back_from_the_certificate(
    hass: HomeAssistant, icws_tls_simulator: RunningSimulator
) -> None:
    """Back to the form: what was typed is still there (but the password)."""
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, _form(icws_tls_simulator))

    result = await hass.config_entries.flow.async_configure(
        flow_id, {"next_step_id": "user"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    suggested = {
        str(marker): (marker.description or {}).get("suggested_value")
        for marker in result["data_schema"].schema
    }
    assert suggested[CONF_PORT] == icws_tls_simulator.port
    assert suggested[CONF_USERNAME] == USER
    assert suggested[CONF_PASSWORD] is None
    texts = STRINGS["config"]["step"]["certificate"]
    assert set(texts["menu_options"]) >= {"trust_certificate", "user", "reconfigure"}


async def test_no_trust_offered_without_verification(
    hass: HomeAssistant, icws_tls_simulator: RunningSimulator
) -> None:
    """Verification off accepts any certificate: nothing to trust, no pin stored."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _form(icws_tls_simulator, **{CONF_VERIFY_SSL: False})
    )
    result = await async_choose_where_to_play(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_TRUSTED_CERTIFICATES not in result["data"]


async def test_reconfigure_to_a_self_signed_server(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    icws_tls_simulator: RunningSimulator,
) -> None:
    """Moving the entry to an HTTPS server with its own certificate: trust it there."""
    entry, result = await _reconfigure_to(hass, icws_simulator, icws_tls_simulator)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["trust_certificate", "reconfigure"]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "trust_certificate"}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PORT] == icws_tls_simulator.port
    assert entry.data[CONF_PASSWORD] == PASSWORD
    assert entry.data[CONF_TRUSTED_CERTIFICATES] == {
        icws_tls_simulator.host: icws_tls_simulator.certificate.sha256
    }


async def test_reconfigure_does_not_send_a_refused_password(
    hass: HomeAssistant, icws_simulator: RunningSimulator
) -> None:
    """A password the server refused is not sent by reconfigure: it asks for one.

    With the new password, the entry works again.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="alice @ CIC-ICWS",
        unique_id="alice@cic-icws",
        data={
            **_form(icws_simulator),
            CONF_PASSWORD: "old",
            CONF_PASSWORD_REFUSED: True,
        },
    )
    entry.add_to_hass(hass)
    connection = {
        CONF_HOST: icws_simulator.host,
        CONF_PORT: icws_simulator.port,
        CONF_SSL: False,
        CONF_VERIFY_SSL: True,
    }
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection
    )
    assert result["errors"] == {"base": "password_refused"}
    assert icws_simulator.sim.requests_to(LOGIN, "POST") == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**connection, CONF_PASSWORD: PASSWORD}
    )

    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PASSWORD] == PASSWORD
    assert CONF_PASSWORD_REFUSED not in entry.data


async def test_reauth_clears_the_refusal(
    hass: HomeAssistant, icws_simulator: RunningSimulator
) -> None:
    """A new password from the reauth flow: the entry may log in again."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="alice @ CIC-ICWS",
        unique_id="alice@cic-icws",
        data={
            **_form(icws_simulator),
            CONF_PASSWORD: "old",
            CONF_PASSWORD_REFUSED: True,
        },
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    assert result["reason"] == "reauth_successful"
    assert CONF_PASSWORD_REFUSED not in entry.data
    await hass.async_block_till_done()
    assert entry.runtime_data.last_update_success


async def test_every_attempt_closes_its_web_session(
    hass: HomeAssistant, icws_simulator: RunningSimulator
) -> None:
    """No attempt leaves a web session open until Home Assistant stops.

    Each attempt's session is closed after it, the entry's at its unload.
    """
    created: list[aiohttp.ClientSession] = []

    def recording(*args: Any, **kwargs: Any) -> aiohttp.ClientSession:
        session = async_create_clientsession(*args, **kwargs)
        created.append(session)
        return session

    with patch(
        "custom_components.voicemail.account.async_create_clientsession", recording
    ):
        flow_id = await _start(hass)
        for password in ("wrong", "also wrong", PASSWORD):
            result = await hass.config_entries.flow.async_configure(
                flow_id, _form(icws_simulator, **{CONF_PASSWORD: password})
            )
        result = await async_choose_where_to_play(hass, result)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        assert [session.closed for session in created] == [True, True, True, False]
        assert await hass.config_entries.async_unload(result["result"].entry_id)

    assert all(session.closed for session in created)


async def test_no_trust_offered_when_the_fingerprint_cannot_be_read(
    hass: HomeAssistant, icws_tls_simulator: RunningSimulator
) -> None:
    """The certificate is refused and cannot even be read: the plain error, no menu."""
    flow_id = await _start(hass)
    with patch(
        "custom_components.voicemail.icws.IcwsClient.certificate_fingerprint",
        side_effect=IcwsConnectionError("gone"),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, _form(icws_tls_simulator)
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "certificate_not_trusted"}


async def test_trusted_but_the_password_is_wrong(
    hass: HomeAssistant, icws_tls_simulator: RunningSimulator
) -> None:
    """The password is checked only once the certificate is trusted: then its error."""
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(
        flow_id, _form(icws_tls_simulator, **{CONF_PASSWORD: "wrong"})
    )

    result = await hass.config_entries.flow.async_configure(
        flow_id, {"next_step_id": "trust_certificate"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "invalid_auth"}


async def test_the_certificate_changed_before_it_was_trusted(
    hass: HomeAssistant, icws_tls_simulator: RunningSimulator, tmp_path: Path
) -> None:
    """The server's certificate changed between the offer and the trust: a new offer."""
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, _form(icws_tls_simulator))
    sim = icws_tls_simulator.sim
    await icws_tls_simulator.stop()
    other = generate_self_signed(("localhost",), ("127.0.0.1",), tmp_path)
    replaced = await start_simulator(
        sim, icws_tls_simulator.host, icws_tls_simulator.port, certificate=other
    )
    try:
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"next_step_id": "trust_certificate"}
        )
        assert result["type"] is FlowResultType.MENU
        assert result["description_placeholders"]["fingerprint"] == other.sha256
    finally:
        await replaced.stop()


async def test_back_to_reconfigure_from_the_certificate(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    icws_tls_simulator: RunningSimulator,
) -> None:
    """Back from the offer to the reconfigure form: what was typed, and why."""
    _, result = await _reconfigure_to(hass, icws_simulator, icws_tls_simulator)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "reconfigure"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "certificate_not_trusted"}
    suggested = {
        str(marker): (marker.description or {}).get("suggested_value")
        for marker in result["data_schema"].schema
    }
    assert suggested[CONF_PORT] == icws_tls_simulator.port
