"""Reverse proxies, load balancers, restarts and forced logoffs in front of the server."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from yarl import URL

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.server import RunningSimulator
from tests.icws_simulator.settings import EmptyPoll

from .helpers import (
    VOICEMAIL_SUB,
    Login,
    login,
    open_stream,
    poll,
    post_connection,
    set_state,
    status_of,
    subscribe,
)

BASE = SimulatorSettings(base_path="/api/icserver1")


@pytest.mark.parametrize("icws_settings", [BASE])
async def test_base_path_serves_icws_below_the_prefix(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Prefix needed (else a proxy's HTML 404); cookie Path and Location carry it."""
    base = f"{icws_simulator.url}/api/icserver1"
    lg = await login(client_session, base)
    set_cookie = lg.headers["Set-Cookie"]
    assert f"Path=/api/icserver1/icws/{lg.session_id};" in set_cookie
    assert lg.headers["Location"] == f"/api/icserver1/icws/{lg.session_id}/connection"
    await subscribe(client_session, lg)
    assert (await poll(client_session, lg))[0]["isDelta"] is False
    async with post_connection(client_session, icws_simulator.url) as resp:
        assert resp.status == 404
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    async with client_session.get(f"{icws_simulator.url}/_simulator/state") as resp:
        assert resp.status == 200
    assert icws_simulator.sim.requests[0].path == "/api/icserver1/icws/connection"


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(
            base_path="/api/icserver1/", base_path_rewrites_cookie_path=False
        )
    ],
)
async def test_base_path_without_cookie_path_rewrite(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """A proxy that does not rewrite: the cookie Path and Location stay `/icws/<id>`."""
    lg = await login(client_session, f"{icws_simulator.url}/api/icserver1")
    assert f"Path=/icws/{lg.session_id};" in lg.headers["Set-Cookie"]
    assert lg.headers["Location"] == f"/icws/{lg.session_id}/connection"
    assert await status_of(client_session, lg, "GET", "connection") == 200


async def test_dot_ids_work_when_percent_encoded(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Messages `.` and `..` are reached with `%2E` / `%2E%2E` segments."""
    sim = icws_simulator.sim
    sim.add_voicemail("alice", message_id=".")
    sim.add_voicemail("alice", message_id="..")
    for message_id, encoded in ((".", "%2E"), ("..", "%2E%2E")):
        url = lg.url(f"unified-messaging/{encoded}")
        assert await status_of(client_session, lg, "PUT", url, json={"state": 1}) == 204
        assert sim.get_voicemail("alice", message_id).read
    await subscribe(client_session, lg)
    (snapshot,) = await poll(client_session, lg)
    uris = {
        i["unifiedMessageId"]: i["attachments"][0]["fileUri"]
        for i in snapshot["voicemailMessagesAdded"]
    }
    assert uris["."] == "/icws/unified-messaging/attachments/%2E/VoiceMail.wav"
    assert uris[".."] == "/icws/unified-messaging/attachments/%2E%2E/VoiceMail.wav"


async def test_literal_dots_reach_nothing_without_normalisation(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Without a proxy a literal `.` segment is a message id the mailbox lacks (400)."""
    url = lg.url("unified-messaging/.")
    assert await status_of(client_session, lg, "PUT", url, json={"state": 1}) == 400


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(normalize_dot_segments=True)]
)
async def test_normalize_dot_segments(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """A proxy resolves literal dots: `{id}/..` hits another resource; `%2E` is kept."""
    sim = icws_simulator.sim
    sim.add_voicemail("alice", message_id="..")
    literal = URL(f"{lg.url('unified-messaging')}/..", encoded=True)
    # /icws/<id>/unified-messaging/.. -> /icws/<id>/ : not found
    assert await status_of(client_session, lg, "PUT", literal, json={"state": 1}) == 404
    dotted = URL(f"{lg.url('x')}/../{VOICEMAIL_SUB}", encoded=True)
    assert await status_of(client_session, lg, "PUT", dotted) == 200
    encoded = lg.url("unified-messaging/%2E%2E")
    assert await status_of(client_session, lg, "PUT", encoded, json={"state": 1}) == 204
    assert sim.requests[-2].path.endswith(f"/x/../{VOICEMAIL_SUB}")


AFFINITY = SimulatorSettings(affinity_cookie="SERVERID")


def _with_affinity(lg: Login, value: str | None) -> dict[str, str]:
    headers = lg.auth()
    if value is not None:
        headers["Cookie"] += f"; SERVERID={value}"
    return headers


@pytest.mark.parametrize("icws_settings", [AFFINITY])
async def test_affinity_cookie(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Set on responses lacking it; session requests without the value answer 401."""
    sim = icws_simulator.sim
    lg = await login(client_session, icws_simulator.url)
    async with post_connection(client_session, icws_simulator.url) as resp:
        cookies = resp.headers.getall("Set-Cookie")
    assert cookies[0].startswith("icws_")
    assert cookies[1] == "SERVERID=node1; Path=/"
    url = lg.url("connection")
    async with client_session.get(url, headers=_with_affinity(lg, None)) as resp:
        assert resp.status == 401
        assert (await resp.json(content_type=None))["errorCode"] == 1
        assert resp.headers["Set-Cookie"] == "SERVERID=node1; Path=/"
    async with client_session.get(url, headers=_with_affinity(lg, "node7")) as resp:
        assert resp.status == 401
    async with client_session.get(url, headers=_with_affinity(lg, "node1")) as resp:
        assert resp.status == 200
        assert "Set-Cookie" not in resp.headers
    assert sim.requests[-1].cookies == {
        f"icws_{lg.session_id}": lg.cookie.partition("=")[2],
        "SERVERID": "node1",
    }


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(affinity_cookie="SERVERID", affinity_cookie_rotate_every=3)],
)
async def test_affinity_cookie_rotates(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Every third response sets a new value; afterwards only that one is accepted."""
    lg = await login(client_session, icws_simulator.url)  # response 1
    url = lg.url("connection")
    async with client_session.get(url, headers=_with_affinity(lg, "node1")) as resp:
        assert resp.status == 200  # response 2
    async with client_session.get(url, headers=_with_affinity(lg, "node1")) as resp:
        assert resp.status == 200  # response 3: the balancer moves on
        assert resp.headers["Set-Cookie"] == "SERVERID=node2; Path=/"
    async with client_session.get(url, headers=_with_affinity(lg, "node1")) as resp:
        assert resp.status == 401
    async with client_session.get(url, headers=_with_affinity(lg, "node2")) as resp:
        assert resp.status == 200


async def test_restart_ends_sessions_silently_with_downtime(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Streams aborted, no message, 503 during downtime, then 401 code 1; mailbox kept."""
    sim = icws_simulator.sim
    await subscribe(client_session, lg)
    resp, reader = await open_stream(client_session, lg)
    async with resp:
        await reader.next_message()
        sim.add_voicemail("alice", sender="queued <1>")
        assert sim.restart(downtime=0.2) == 1
        with pytest.raises(aiohttp.ClientPayloadError):
            await reader.next_block()
    async with post_connection(client_session, icws_simulator.url) as down:
        assert down.status == 503
        assert await down.json(content_type=None) == {
            "errorId": "error.server.unavailable",
            "message": "The server is not available.",
        }
    await asyncio.sleep(0.2)
    async with client_session.get(
        lg.url("messaging/messages"), headers=lg.auth(csrf=False)
    ) as old:
        assert old.status == 401
        assert (await old.json(content_type=None))["errorCode"] == 1
    lg2 = await login(client_session, icws_simulator.url)
    assert lg2.session_id != lg.session_id
    assert len(sim.voicemails("alice")) == 6


async def test_restart_control_command(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """`/_simulator/restart {downtime}` does the same over HTTP."""
    async with client_session.post(
        f"{icws_simulator.url}/_simulator/restart", json={"downtime": 0}
    ) as resp:
        assert await resp.json() == {"ended": 1}
    assert await status_of(client_session, lg, "GET", "connection") == 401


async def test_logon_elsewhere(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """AnotherLogOn with shouldReconnect false, then 401."""
    assert icws_simulator.sim.logon_elsewhere("alice") == 1
    assert await poll(client_session, lg) == [
        {
            "__type": "urn:inin.com:connection:connectionStateChangeMessage",
            "isDelta": True,
            "previousConnectionState": 1,
            "newConnectionState": 2,
            "reason": "AnotherLogOn",
            "shouldReconnect": False,
        }
    ]
    assert await set_state(client_session, lg, "x", 1) == 401


async def test_disconnect_without_should_reconnect(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """`should_reconnect=None` leaves the field out (in process and over HTTP)."""
    sim = icws_simulator.sim
    for via_http in (False, True):
        lg = await login(client_session, icws_simulator.url)
        if via_http:
            async with client_session.post(
                f"{icws_simulator.url}/_simulator/disconnect-sessions",
                json={"reason": "AdminLogoff", "should_reconnect": None},
            ) as resp:
                assert await resp.json() == {"disconnected": 1}
        else:
            sim.disconnect_sessions(reason="AdminLogoff", should_reconnect=None)
        (message,) = await poll(client_session, lg)
        assert message["reason"] == "AdminLogoff"
        assert "shouldReconnect" not in message


EMPTY_POLLS: list[tuple[EmptyPoll, int, bytes]] = [
    ("array", 200, b"[]"),
    ("empty_200", 200, b""),
    ("204", 204, b""),
]


@pytest.mark.parametrize("case", EMPTY_POLLS)
async def test_empty_poll_answer(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    lg: Login,
    case: tuple[EmptyPoll, int, bytes],
) -> None:
    """Nothing queued: `[]`, an empty 200, or 204; queued messages still come as arrays."""
    answer, status, body = case
    icws_simulator.sim.settings.empty_poll_answer = answer
    url = lg.url("messaging/messages")
    async with client_session.get(url, headers=lg.auth(csrf=False)) as resp:
        assert (resp.status, await resp.read()) == (status, body)
    await subscribe(client_session, lg)
    assert (await poll(client_session, lg))[0]["isDelta"] is False
