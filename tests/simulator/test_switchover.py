"""Switchover and alternate hosts, told apart by the Host header (PROTOCOL.md §2.1, §2.4; §9 point 10)."""

from __future__ import annotations

import aiohttp
import pytest

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .helpers import (
    Login,
    login,
    open_stream,
    poll,
    post_connection,
    status_of,
    subscribed,
)

REFUSING = SimulatorSettings(refusing_hosts={"primary.test": ("backup.test",)})


async def _post_login(
    client_session: aiohttp.ClientSession, url: str
) -> tuple[int, dict[str, object]]:
    async with post_connection(client_session, url) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_test_names_resolve_to_loopback_and_keep_the_host_header(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """`client_session` connects `*.test` names to 127.0.0.1; Host carries the name."""
    lg = await login(client_session, icws_simulator.url_for("backup.test"))
    assert lg.body["userID"] == "alice"
    record = icws_simulator.sim.requests[-1]
    assert record.host == f"backup.test:{icws_simulator.port}"
    assert icws_simulator.sim.sessions[lg.session_id].host == "backup.test"


async def test_other_names_do_not_resolve(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Only `*.test` and localhost resolve in tests."""
    with pytest.raises(aiohttp.ClientConnectorError):
        await client_session.get(f"http://cic-icws.example.com:{icws_simulator.port}/")


@pytest.mark.parametrize("icws_settings", [REFUSING])
async def test_refusing_host_answers_503_with_alternates(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """primary.test refuses (503 + alternateHostList); backup.test accepts."""
    status, body = await _post_login(
        client_session, icws_simulator.url_for("primary.test")
    )
    assert status == 503
    assert body == {
        "alternateHostList": ["backup.test"],
        "errorId": "error.server.notAcceptingConnections",
        "message": "This Session Manager is not currently accepting connections.",
    }
    status, body = await _post_login(
        client_session, icws_simulator.url_for("backup.test")
    )
    assert status == 201
    # The loopback address itself is not in the role map: it accepts.
    status, _ = await _post_login(client_session, icws_simulator.url)
    assert status == 201


async def test_switchover_at_runtime_and_back(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Live sessions get the state change then 401; logins move to the alternate host."""
    sim = icws_simulator.sim
    lg, _ = await subscribed(client_session, icws_simulator.url_for("primary.test"))
    assert sim.switchover(["backup.test"]) == 1
    assert await poll(client_session, lg) == [
        {
            "__type": "urn:inin.com:connection:connectionStateChangeMessage",
            "isDelta": True,
            "previousConnectionState": 1,
            "newConnectionState": 2,
            "reason": "Switchover",
            "shouldReconnect": True,
        }
    ]
    assert await status_of(client_session, lg, "GET", "messaging/messages") == 401
    assert (
        await status_of(
            client_session,
            lg,
            "PUT",
            "messaging/subscriptions/unified-messaging/voicemail-messages",
        )
        == 401
    )
    async with client_session.get(lg.url("connection"), headers=lg.auth()) as resp:
        state = await resp.json(content_type=None)
    assert state == {
        "connectionState": 2,
        "reason": "Switchover",
        "shouldReconnect": True,
    }
    status, body = await _post_login(
        client_session, icws_simulator.url_for("primary.test")
    )
    assert (status, body["alternateHostList"]) == (503, ["backup.test"])
    status, _ = await _post_login(client_session, icws_simulator.url_for("backup.test"))
    assert status == 201
    sim.switch_back()
    status, _ = await _post_login(
        client_session, icws_simulator.url_for("primary.test")
    )
    assert status == 201


async def test_switchover_ends_an_open_stream_after_the_message(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """An open SSE stream delivers the state change, then ends."""
    resp, reader = await open_stream(client_session, lg)
    async with resp:
        icws_simulator.sim.switchover(["backup.test"])
        message = await reader.next_message()
        assert message["newConnectionState"] == 2
        assert await reader.next_block() is None


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(deliver_queue_after_down=False)]
)
async def test_switchover_without_queue_delivery(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """With the setting off the session answers 401 at once."""
    icws_simulator.sim.switchover(["backup.test"])
    assert await status_of(client_session, lg, "GET", "messaging/messages") == 401


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(login_redirect_status=302, login_redirect_host="backup.test")],
)
async def test_login_redirect_setting(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Open question 12: a 3xx with Location and alternateHostList."""
    async with post_connection(
        client_session, icws_simulator.url_for("primary.test"), allow_redirects=False
    ) as resp:
        assert resp.status == 302
        assert resp.headers["Location"] == (
            f"http://backup.test:{icws_simulator.port}/icws/connection"
        )
        assert (await resp.json(content_type=None))["alternateHostList"] == [
            "backup.test"
        ]
    status, _ = await _post_login(client_session, icws_simulator.url_for("backup.test"))
    assert status == 201


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(alternate_host_list=("cic-icws",))]
)
async def test_alternate_host_list_on_success(lg: Login) -> None:
    """A successful login can list alternate hosts too (observed `["cic-icws"]`)."""
    assert lg.body["alternateHostList"] == ["cic-icws"]


async def test_switchover_to_the_same_address(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """`switchover(["127.0.0.1"])`: sessions go down, logins on 127.0.0.1 still work."""
    assert icws_simulator.sim.switchover(["127.0.0.1"]) == 1
    (message,) = await poll(client_session, lg)
    assert message["reason"] == "Switchover"
    fresh = await login(client_session, icws_simulator.url)
    assert fresh.session_id != lg.session_id
    status, _ = await _post_login(
        client_session, icws_simulator.url_for("primary.test")
    )
    assert status == 503
