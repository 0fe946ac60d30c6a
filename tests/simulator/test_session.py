"""Session checks, connection state, station and logout (PROTOCOL.md §2.2, §2.3; §9 points 3, 8)."""

from __future__ import annotations

import aiohttp
import pytest

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .helpers import (
    VOICEMAIL_SUB,
    Login,
    login,
    post_connection,
    set_station,
    status_of,
)

WWW_AUTHENTICATE = 'ICWS realm="ICWS" location="/ICWS/connection"'


async def _expect_401(resp: aiohttp.ClientResponse, code: int) -> dict[str, object]:
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"] == WWW_AUTHENTICATE
    body: dict[str, object] = await resp.json(content_type=None)
    assert body["errorCode"] == code
    assert body["message"]
    return body


async def test_a_valid_session_request_passes(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Cookie + CSRF header: the request goes through."""
    async with client_session.get(lg.url("connection"), headers=lg.auth()) as resp:
        assert resp.status == 200
        assert await resp.json(content_type=None) == {"connectionState": 1}


async def test_unknown_session_id_is_error_code_1(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """A made-up session id in the URL: 401 errorCode 1."""
    url = f"{icws_simulator.url}/icws/99999999/{VOICEMAIL_SUB}"
    async with client_session.put(url, headers=lg.auth()) as resp:
        body = await _expect_401(resp, 1)
    assert body["message"] == "This request requires a session ID!"


async def test_missing_or_wrong_cookie_is_error_code_4(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """No cookie, another session's cookie, or a wrong value: 401 errorCode 4."""
    other = await login(client_session, icws_simulator.url)
    bad_cookies = [
        None,
        other.cookie,
        f"icws_{lg.session_id}=00000000-0000-0000-0000-000000000000|languageId=en-us",
        lg.cookie.split("|")[0],  # without the languageId suffix
    ]
    for cookie in bad_cookies:
        headers = {"ININ-ICWS-CSRF-Token": lg.csrf}
        if cookie is not None:
            headers["Cookie"] = cookie
        async with client_session.put(lg.url(VOICEMAIL_SUB), headers=headers) as resp:
            await _expect_401(resp, 4)


async def test_cookie_among_other_cookies_is_found(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """The session cookie may come with other cookies."""
    headers = {"ININ-ICWS-CSRF-Token": lg.csrf, "Cookie": f"a=b; {lg.cookie}; c=d"}
    async with client_session.put(lg.url(VOICEMAIL_SUB), headers=headers) as resp:
        assert resp.status == 200


@pytest.mark.parametrize(
    ("icws_settings", "accepted"),
    [
        (SimulatorSettings(), False),
        (SimulatorSettings(accept_quoted_cookie=True), True),
    ],
    ids=["refused-by-default", "accept_quoted_cookie"],
)
async def test_quoted_cookie(
    client_session: aiohttp.ClientSession,
    lg: Login,
    accepted: bool,
) -> None:
    """`icws_1="...|languageId=en-us"` (how cookie jars re-quote it) counts as missing.

    With `accept_quoted_cookie=True` the value is unquoted and accepted.
    """
    name, _, value = lg.cookie.partition("=")
    headers = {"ININ-ICWS-CSRF-Token": lg.csrf, "Cookie": f'{name}="{value}"'}
    async with client_session.put(lg.url(VOICEMAIL_SUB), headers=headers) as resp:
        if accepted:
            assert resp.status == 200
        else:
            await _expect_401(resp, 4)


async def test_missing_or_wrong_csrf_is_error_code_2(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """No CSRF header, or another session's token: 401 errorCode 2."""
    other = await login(client_session, icws_simulator.url)
    for token in (None, other.csrf, ""):
        headers = {"Cookie": lg.cookie}
        if token is not None:
            headers["ININ-ICWS-CSRF-Token"] = token
        async with client_session.put(lg.url(VOICEMAIL_SUB), headers=headers) as resp:
            body = await _expect_401(resp, 2)
        assert (
            body["message"]
            == "An authentication token was expected in the request, but not found."
        )


async def test_get_messages_needs_only_the_cookie(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """GET messaging/messages works without CSRF, not without cookie."""
    assert (
        await status_of(client_session, lg, "GET", "messaging/messages", csrf=False)
        == 200
    )
    async with client_session.get(
        lg.url("messaging/messages"), headers={"ININ-ICWS-CSRF-Token": lg.csrf}
    ) as resp:
        await _expect_401(resp, 4)


async def test_logout_then_401(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """DELETE /connection answers 200; the session is gone afterwards."""
    assert await status_of(client_session, lg, "DELETE", "connection") == 200
    for method, path in (
        ("PUT", VOICEMAIL_SUB),
        ("GET", "messaging/messages"),
        ("DELETE", "connection"),
    ):
        async with client_session.request(
            method, lg.url(path), headers=lg.auth()
        ) as resp:
            body = await _expect_401(resp, -2147221499)
        assert body["errorId"] == "error.request.connection.authenticationFailure"
    # The previous connection still reports its state (DOC: "an existing or previous connection").
    async with client_session.get(lg.url("connection"), headers=lg.auth()) as resp:
        assert resp.status == 200
        state = await resp.json(content_type=None)
    assert state["connectionState"] == 2
    assert state["reason"] == "UserLogOff"
    assert state["shouldReconnect"] is False


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(logout_status=204, previous_connection_state_visible=False)],
)
async def test_logout_status_and_connection_state_are_settings(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """204 logout; GET /connection of an ended session answers 401."""
    assert await status_of(client_session, lg, "DELETE", "connection") == 204
    async with client_session.get(lg.url("connection"), headers=lg.auth()) as resp:
        await _expect_401(resp, -2147221499)


async def test_expired_sessions_get_401(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """`expire_sessions()` ends sessions; new logins work."""
    assert icws_simulator.sim.expire_sessions("alice") == 1
    async with client_session.put(lg.url(VOICEMAIL_SUB), headers=lg.auth()) as resp:
        await _expect_401(resp, -2147221499)
    async with client_session.get(
        lg.url("messaging/messages"), headers=lg.auth()
    ) as resp:
        await _expect_401(resp, -2147221499)
    fresh = await login(client_session, icws_simulator.url)
    assert await status_of(client_session, fresh, "PUT", VOICEMAIL_SUB) == 200
    assert icws_simulator.sim.expire_sessions() == 1
    assert icws_simulator.sim.expire_sessions() == 0


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(session_idle_timeout=0.0)])
async def test_idle_timeout_expires_sessions(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """With an idle timeout of 0 s any later request finds the session expired."""
    async with client_session.put(lg.url(VOICEMAIL_SUB), headers=lg.auth()) as resp:
        await _expect_401(resp, -2147221499)
    async with client_session.get(lg.url("connection"), headers=lg.auth()) as resp:
        assert (await resp.json(content_type=None))["reason"] == "SessionTimeout"


async def test_idle_timeout_default_is_none(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """By default sessions never expire by themselves."""
    assert icws_simulator.sim.settings.session_idle_timeout is None
    lg = await login(client_session, icws_simulator.url)
    icws_simulator.sim.expire_idle_sessions()
    assert icws_simulator.sim.live_sessions() == [
        icws_simulator.sim.sessions[lg.session_id]
    ]


async def test_station_put_get_delete(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """PUT /connection/station sets the station; GET reports it; stationless clears it."""
    async with client_session.get(
        lg.url("connection/station"), headers=lg.auth()
    ) as resp:
        assert resp.status == 400
        assert (await resp.json(content_type=None))["errorId"] == "-2147221496"
    await set_station(client_session, lg, "7001")
    async with client_session.get(
        lg.url("connection/station"), headers=lg.auth()
    ) as resp:
        assert await resp.json(content_type=None) == {"stationId": "7001"}
    async with client_session.put(
        lg.url("connection/station"),
        json={
            "__type": "urn:inin.com:connection:remoteNumberSettings",
            "remoteNumber": "+15550000",
        },
        headers=lg.auth(),
    ) as resp:
        assert resp.status == 200
    assert icws_simulator.sim.sessions[lg.session_id].station == "+15550000"
    assert (
        await status_of(
            client_session,
            lg,
            "PUT",
            "connection/station",
            json={"__type": "urn:inin.com:connection:stationlessSettings"},
        )
        == 200
    )
    assert icws_simulator.sim.sessions[lg.session_id].station is None
    for bad, prop in (
        ({"__type": "urn:inin.com:connection:workstationSettings"}, "workstation"),
        ({"__type": "nope"}, "__type"),
        ({}, "__type"),
    ):
        async with client_session.put(
            lg.url("connection/station"), json=bad, headers=lg.auth()
        ) as resp:
            assert resp.status == 400
            assert (await resp.json(content_type=None))["propertyName"] == prop
    assert await status_of(client_session, lg, "DELETE", "connection/station") == 204


async def test_heartbeat(client_session: aiohttp.ClientSession, lg: Login) -> None:
    """POST messaging/heartbeat answers 204 on a live session."""
    assert await status_of(client_session, lg, "POST", "messaging/heartbeat") == 204


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(max_sessions_per_user=1)])
async def test_session_limit_evicts_the_oldest(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """At the limit the oldest session gets a state change (AnotherLogOn) and then 401."""
    first = await login(client_session, icws_simulator.url)
    await login(client_session, icws_simulator.url)
    async with client_session.get(
        first.url("messaging/messages"), headers=first.auth()
    ) as resp:
        messages = await resp.json(content_type=None)
    assert (
        messages[-1]["__type"] == "urn:inin.com:connection:connectionStateChangeMessage"
    )
    assert messages[-1]["reason"] == "AnotherLogOn"
    assert messages[-1]["shouldReconnect"] is False
    async with client_session.get(
        first.url("messaging/messages"), headers=first.auth()
    ) as resp:
        await _expect_401(resp, -2147221499)


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(max_sessions_per_user=1, session_limit_evicts_oldest=False)],
)
async def test_session_limit_can_refuse(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Or the new login is refused with 400."""
    await login(client_session, icws_simulator.url)
    async with post_connection(
        client_session,
        icws_simulator.url,
        json={
            "__type": "urn:inin.com:connection:icAuthConnectionRequestSettings",
            "applicationName": "x",
            "userID": "alice",
            "password": "secret",
        },
    ) as resp:
        assert resp.status == 400
