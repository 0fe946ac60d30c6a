"""The config flow: user, reauth, reconfigure and options, against the simulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voicemail.config_flow import (
    REAUTH_SCHEMA,
    RECONFIGURE_SCHEMA,
    USER_SCHEMA,
)
from custom_components.voicemail.const import (
    CONF_MAX_BUTTONS,
    CONF_PLAY_MEDIA_PLAYER,
    CONF_PLAY_TARGET,
    CONF_PLAYBACK_TIMEOUT,
    DEFAULT_MAX_BUTTONS,
    DOMAIN,
)
from custom_components.voicemail.icws import IcwsClient
from custom_components.voicemail.options_flow import OPTIONS_SCHEMA, PLAY_SCHEMA
from tests.icws_simulator.fixtures import PASSWORD, USER
from tests.icws_simulator.server import RunningSimulator
from tests.integration_helpers import STRINGS, async_choose_where_to_play


def _user_input(sim: RunningSimulator, **changes: Any) -> dict[str, Any]:
    """Return a correct form for alice on `sim`, with changes."""
    return {
        CONF_HOST: sim.host,
        CONF_PORT: sim.port,
        CONF_SSL: sim.tls,
        CONF_VERIFY_SSL: not sim.tls,
        CONF_USERNAME: USER,
        CONF_PASSWORD: PASSWORD,
        **changes,
    }


def _suggested(result: FlowResult[Any, str], key: str) -> Any:
    """Return the value a form suggests for a field (None when it suggests nothing)."""
    for marker in result["data_schema"].schema:
        if marker == key:
            return (marker.description or {}).get("suggested_value")
    raise KeyError(key)


def _closed_port() -> int:
    """Return a loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _login_paths(sim: RunningSimulator) -> list[tuple[str, str]]:
    """Return the session lifecycle requests the simulator received."""
    return [
        (r.method, r.path)
        for r in sim.sim.requests
        if r.path == "/icws/connection" or r.path.endswith("/connection")
    ]


async def test_user_flow(hass: HomeAssistant, icws_simulator: RunningSimulator) -> None:
    """A correct form logs in, logs out again and creates the entry."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    defaults = {
        key: marker.default()
        for key, marker in ((str(m), m) for m in result["data_schema"].schema)
        if callable(marker.default)
    }
    assert defaults == {CONF_PORT: 8019, CONF_SSL: True, CONF_VERIFY_SSL: True}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(icws_simulator)
    )

    result = await async_choose_where_to_play(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "alice @ CIC-ICWS"
    assert result["data"] == _user_input(icws_simulator)
    assert result["options"] == {
        CONF_PLAY_TARGET: "",
        CONF_MAX_BUTTONS: 5,
        CONF_PLAYBACK_TIMEOUT: 600,
    }
    assert result["result"].unique_id == "alice@cic-icws"
    # The flow's own session was ended before the entry logged in.
    flow_session = next(iter(icws_simulator.sim.sessions.values()))
    assert not flow_session.alive
    assert [method for method, _ in _login_paths(icws_simulator)][:3] == [
        "POST",
        "DELETE",
        "POST",
    ]
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED


@contextmanager
def _as_it_is(sim: RunningSimulator) -> Iterator[None]:
    """Leave the server as it is."""
    yield


@contextmanager
def _server_too_old(sim: RunningSimulator) -> Iterator[None]:
    """Make the server's unified-messaging feature version 1, then upgrade it."""
    sim.sim.settings.unified_messaging_version = 1
    yield
    sim.sim.settings.unified_messaging_version = 2


@contextmanager
def _unexpected_client_error(sim: RunningSimulator) -> Iterator[None]:
    """Make the login fail with an error the client does not type."""
    with patch.object(IcwsClient, "login", side_effect=RuntimeError("boom")):
        yield


@pytest.mark.parametrize(
    ("bad_input", "server", "error"),
    [
        ({CONF_PASSWORD: "wrong"}, _as_it_is, "invalid_auth"),
        ({CONF_USERNAME: "mallory"}, _as_it_is, "invalid_auth"),
        ({CONF_PORT: None}, _as_it_is, "cannot_connect"),
        ({CONF_VERIFY_SSL: True}, _as_it_is, "certificate_not_trusted"),
        ({}, _server_too_old, "unsupported_server"),
        ({}, _unexpected_client_error, "unknown"),
    ],
)
async def test_user_flow_error_and_recovery(
    hass: HomeAssistant,
    icws_tls_simulator: RunningSimulator,
    caplog: pytest.LogCaptureFixture,
    *,
    bad_input: dict[str, Any],
    server: Callable[[RunningSimulator], AbstractContextManager[None]],
    error: str,
) -> None:
    """A failed login gets a translated error, keeps what was typed, and can be fixed."""
    if CONF_PORT in bad_input:
        bad_input = {CONF_PORT: _closed_port()}
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    bad = _user_input(icws_tls_simulator, **bad_input)

    with server(icws_tls_simulator):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], bad)
    if error == "certificate_not_trusted":
        # First the offer to trust it (tests/test_config_flow_server.py); back:
        assert result["type"] is FlowResultType.MENU
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "user"}
        )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert error in STRINGS["config"]["error"]
    for key in (CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL, CONF_USERNAME):
        assert _suggested(result, key) == bad[key]
    assert _suggested(result, CONF_PASSWORD) is None
    unexpected = "Unexpected error logging in to the ICWS server" in caplog.text
    assert unexpected is (error == "unknown")

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(icws_tls_simulator)
    )
    result = await async_choose_where_to_play(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_VERIFY_SSL] is False


async def test_user_flow_host_pasted_as_url(
    hass: HomeAssistant, icws_simulator: RunningSimulator
) -> None:
    """A URL pasted into the host field keeps only its host."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_USER},
        data=_user_input(
            icws_simulator, **{CONF_HOST: f" http://{icws_simulator.host}:8018/x "}
        ),
    )
    result = await async_choose_where_to_play(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HOST] == icws_simulator.host


async def test_certificate_text_tells_how_to_fix() -> None:
    """The certificate error names self-signed certificates and the way out."""
    text = STRINGS["config"]["error"]["certificate_not_trusted"]
    assert "self-signed" in text
    assert "turn off certificate verification" in text


async def test_user_flow_already_configured(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The same account cannot be added twice."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}, data=_user_input(icws_simulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A new password is checked, stored, and the entry set up again."""
    mock_config_entry.add_to_hass(hass)
    icws_simulator.sim.users[USER].password = "new secret"
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    placeholders = result["description_placeholders"]
    assert placeholders["username"] == USER
    assert placeholders["host"] == icws_simulator.host

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "new secret"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_PASSWORD] == "new secret"
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED


async def test_reconfigure(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The connection can be changed; a wrong port is reported and can be fixed."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert _suggested(result, CONF_HOST) == icws_simulator.host
    assert _suggested(result, CONF_PORT) == icws_simulator.port
    # The password may stay empty (the stored one is kept): it is never shown.
    assert _suggested(result, CONF_PASSWORD) is None

    wrong = {
        CONF_HOST: icws_simulator.host,
        CONF_PORT: _closed_port(),
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], wrong)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert _suggested(result, CONF_PORT) == wrong[CONF_PORT]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**wrong, CONF_PORT: icws_simulator.port}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data == {
        **_user_input(icws_simulator),
        CONF_VERIFY_SSL: False,
    }


async def test_reconfigure_other_account(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A host that serves another account (another server) is refused."""
    mock_config_entry.add_to_hass(hass)
    icws_simulator.sim.settings.ic_server = "CIC-OTHER"
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_HOST: icws_simulator.host,
            CONF_PORT: icws_simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: True,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert mock_config_entry.data[CONF_HOST] == icws_simulator.host


async def test_options(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
) -> None:
    """Options are shown with their values, stored, and the entry reloads."""
    coordinator = init_integration.runtime_data
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert _suggested(result, CONF_PLAY_TARGET) == ""
    assert _suggested(result, CONF_MAX_BUTTONS) == 5
    assert _suggested(result, CONF_PLAYBACK_TIMEOUT) == 600

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_PLAY_TARGET: " 1234 ", CONF_MAX_BUTTONS: 8, CONF_PLAYBACK_TIMEOUT: 120},
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        CONF_PLAY_TARGET: "1234",
        CONF_MAX_BUTTONS: 8,
        CONF_PLAYBACK_TIMEOUT: 120,
    }
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data is not coordinator


async def test_options_empty_play_target(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Clearing the play target stores an empty one: nothing is played."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_MAX_BUTTONS: 20, CONF_PLAYBACK_TIMEOUT: 600}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options[CONF_PLAY_TARGET] == ""


@pytest.mark.parametrize(
    ("section", "step", "schema"),
    [
        ("config", "user", USER_SCHEMA),
        ("config", "reauth_confirm", REAUTH_SCHEMA),
        ("config", "reconfigure", RECONFIGURE_SCHEMA),
        ("config", "play", PLAY_SCHEMA),
        ("options", "init", OPTIONS_SCHEMA),
    ],
)
def test_every_field_is_described(
    section: str, step: str, schema: probatio.Schema
) -> None:
    """Each form field has a label and a data_description."""
    texts = STRINGS[section]["step"][step]
    fields = {str(marker) for marker in schema.schema}
    assert set(texts["data"]) == set(texts["data_description"]) == fields


async def test_adding_asks_where_to_play(
    hass: HomeAssistant, icws_simulator: RunningSimulator
) -> None:
    """After the login, the play step: a bad target is asked again, a good one is stored."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}, data=_user_input(icws_simulator)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "play"
    assert result["description_placeholders"] == {"title": "alice @ CIC-ICWS"}
    assert hass.config_entries.async_entries(DOMAIN) == []

    typo = "12\n34"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_PLAY_TARGET: typo, CONF_PLAY_MEDIA_PLAYER: "media_player.kitchen"},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PLAY_TARGET: "invalid_play_target"}
    assert "invalid_play_target" in STRINGS["config"]["error"]
    # What was typed stays in the form.
    assert _suggested(result, CONF_PLAY_TARGET) == typo
    assert _suggested(result, CONF_PLAY_MEDIA_PLAYER) == "media_player.kitchen"
    assert hass.config_entries.async_entries(DOMAIN) == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_PLAY_TARGET: " 1234 ", CONF_PLAY_MEDIA_PLAYER: "media_player.kitchen"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"] == {
        CONF_PLAY_TARGET: "1234",
        CONF_PLAY_MEDIA_PLAYER: "media_player.kitchen",
        CONF_MAX_BUTTONS: DEFAULT_MAX_BUTTONS,
        CONF_PLAYBACK_TIMEOUT: 600,
    }
    await hass.async_block_till_done()


async def test_options_refuse_a_bad_play_target(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A play target over 64 characters is asked again; the options stay as they were."""
    mock_config_entry.add_to_hass(hass)
    before = dict(mock_config_entry.options)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    too_long = "1" * 65
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_PLAY_TARGET: too_long, CONF_MAX_BUTTONS: 3, CONF_PLAYBACK_TIMEOUT: 90},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PLAY_TARGET: "invalid_play_target"}
    assert "invalid_play_target" in STRINGS["options"]["error"]
    assert _suggested(result, CONF_PLAY_TARGET) == too_long
    assert _suggested(result, CONF_MAX_BUTTONS) == 3
    assert mock_config_entry.options == before
