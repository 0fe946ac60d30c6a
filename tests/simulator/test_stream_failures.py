"""Event streams that fail or misbehave, as behind proxies (PROTOCOL.md §12, open question 14)."""

from __future__ import annotations

import asyncio
import json
import math

import aiohttp
import pytest

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .helpers import (
    ICWS_JSON,
    SSE,
    Login,
    eventually,
    open_stream,
    poll,
    request_stream,
    subscribe,
    subscribed_stream,
)

UM = "urn:inin.com:unifiedMessaging"


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(stream_status=401)])
async def test_stream_status_401_refuses_only_the_stream(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """401 with WWW-Authenticate and errorCode 4 for the stream; polling still works."""
    await subscribe(client_session, lg)
    async with await request_stream(client_session, lg) as resp:
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"] == (
            'ICWS realm="ICWS" location="/ICWS/connection"'
        )
        body = await resp.json(content_type=None)
    assert body["errorCode"] == 4
    messages = await poll(client_session, lg)
    assert messages[0]["__type"] == f"{UM}:voicemailMessagesMessage"


@pytest.mark.parametrize("status", [502, 504])
async def test_stream_status_from_a_proxy_is_html(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    lg: Login,
    status: int,
) -> None:
    """502/504 with a proxy's HTML page; the request is recorded with that status."""
    icws_simulator.sim.settings.stream_status = status
    async with await request_stream(client_session, lg) as resp:
        assert resp.status == status
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        assert f"<h1>{status} " in await resp.text()
    assert icws_simulator.sim.requests_to("messaging/messages$")[-1].status == status
    assert await poll(client_session, lg) == []


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(stream_header_delay=0.3)])
async def test_stream_header_delay(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Headers come only after the delay; the request is recorded (no status) meanwhile."""
    loop = asyncio.get_running_loop()
    await subscribe(client_session, lg)
    started = loop.time()
    pending = asyncio.ensure_future(request_stream(client_session, lg))
    await eventually(
        lambda: bool(icws_simulator.sim.requests_to("messaging/messages$"))
    )
    assert icws_simulator.sim.requests_to("messaging/messages$")[-1].status is None
    assert not pending.done()
    resp = await pending
    async with resp:
        assert loop.time() - started >= 0.3
        assert resp.status == 200
        reader_block = await resp.content.readuntil(b"\n\n")
    assert reader_block.startswith(b"data: {")


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(stream_header_delay=math.inf)]
)
async def test_stream_header_delay_forever_keeps_the_queue(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """`inf`: no headers ever; a client that gives up and polls still gets its messages."""
    await subscribe(client_session, lg)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await request_stream(client_session, lg)
    messages = await poll(client_session, lg)
    assert messages[0]["isDelta"] is False


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(stream_max_events=1)])
async def test_stream_max_events_closes_cleanly(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """One event, then a clean end; the rest stays queued for the next request."""
    resp, reader = await subscribed_stream(client_session, lg, mwi=True)
    async with resp:
        first = await reader.next_message()
        assert await reader.next_block() is None
    assert first["isDelta"] is False
    assert [m["__type"] for m in await poll(client_session, lg)] == [f"{UM}:mwiMessage"]


@pytest.mark.parametrize("abort", [False, True])
async def test_stream_max_seconds(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    lg: Login,
    abort: bool,
) -> None:
    """The stream is cut after `stream_max_seconds`: cleanly, or by closing the connection."""
    settings = icws_simulator.sim.settings
    settings.stream_max_seconds = 0.15
    settings.stream_cut_abort = abort
    loop = asyncio.get_running_loop()
    started = loop.time()
    resp, reader = await open_stream(client_session, lg)
    async with resp:
        if abort:
            with pytest.raises(aiohttp.ClientPayloadError):
                await reader.next_block()
        else:
            assert await reader.next_block() is None
    assert 0.15 <= loop.time() - started < 2.0


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(stream_content_type="application/vnd.inin.icws+JSON")],
)
async def test_stream_content_type_json_answers_like_a_short_poll(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """A server ignoring Accept: the JSON array with that content type, queue drained."""
    await subscribe(client_session, lg)
    async with await request_stream(client_session, lg) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "application/vnd.inin.icws+JSON"
        messages = json.loads(await resp.read())
    assert messages[0]["isDelta"] is False
    assert await poll(client_session, lg) == []


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(stream_content_type="text/event-stream")]
)
async def test_stream_content_type_sse_variant_keeps_the_stream(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """A `text/event-stream...` value only changes the header (here: no charset)."""
    await subscribe(client_session, lg)
    async with await request_stream(client_session, lg) as resp:
        assert resp.headers["Content-Type"] == "text/event-stream"
        assert (await resp.content.readuntil(b"\n\n")).startswith(b"data: {")


async def test_write_stream_bytes_goes_out_unframed(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Raw bytes reach the open stream as they are: a huge line, many lines, retry."""
    sim = icws_simulator.sim
    assert sim.write_stream_bytes("alice", b"no stream open") == 0
    resp, reader = await open_stream(client_session, lg)
    async with resp:
        await eventually(lambda: sim.sessions[lg.session_id].streams_open == 1)
        assert sim.write_stream_bytes("alice", b"retry: 86400000\n\n") == 1
        assert await reader.next_block() == "retry: 86400000"
        many = b"data: x\n" * 200_000 + b"\n"
        sim.write_stream_bytes("alice", many)
        block = await reader.next_block()
        assert block is not None
        assert block.count("data: x") == 200_000
        long_line = b"data: " + b"y" * (8 * 1024 * 1024)
        sim.write_stream_bytes("alice", long_line)
        sim.write_stream_bytes("alice", b"\n\n")
        block = await reader.next_block()
        assert block is not None
        assert len(block) == len(long_line)


async def test_push_message_reaches_subscribed_sessions_verbatim(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """A dict or a verbatim (even malformed) string, only to voicemail subscribers."""
    sim = icws_simulator.sim
    odd = {"__type": f"{UM}:voicemailPlayStatusMessage", "isDelta": True, "x": 9}
    assert sim.push_message("alice", odd) == 0
    await subscribe(client_session, lg)
    await poll(client_session, lg)
    assert sim.push_message("alice", odd) == 1
    assert await poll(client_session, lg) == [odd]
    resp, reader = await open_stream(client_session, lg)
    async with resp:
        sim.push_message("alice", '{"__type": "broken"')
        sim.push_message("alice", '{"a":\n1}')
        assert await reader.next_block() == 'data: {"__type": "broken"'
        assert await reader.next_block() == 'data: {"a":\ndata: 1}'


async def test_sse_retry_still_works_with_new_settings(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """`sse_retry_ms` (existing) combines with the new limits."""
    settings = icws_simulator.sim.settings
    settings.sse_retry_ms = 86_400_000
    settings.stream_max_events = 1
    await subscribe(client_session, lg)
    async with client_session.get(
        lg.url("messaging/messages"), headers={**lg.auth(csrf=False), **SSE}
    ) as resp:
        raw = await resp.read()
    assert raw.startswith(b"retry: 86400000\n\ndata: {")
    assert raw.count(b"data: ") == 1
    assert ICWS_JSON not in resp.headers["Content-Type"]
