"""The message queue: short polling and server-sent events (PROTOCOL.md §4; §9 point 4)."""

from __future__ import annotations

import json

import aiohttp
import pytest

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.seed import seed_mailbox
from tests.icws_simulator.server import RunningSimulator

from .helpers import (
    ICWS_JSON,
    Login,
    login,
    open_stream,
    poll,
    request_stream,
    subscribe,
    subscribed_stream,
)


async def test_short_poll_drains_the_queue(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """`[]` when empty; queued messages come once, in order."""
    assert await poll(client_session, lg) == []
    await subscribe(client_session, lg, mwi=True)
    messages = await poll(client_session, lg)
    assert [m["__type"] for m in messages] == [
        "urn:inin.com:unifiedMessaging:voicemailMessagesMessage",
        "urn:inin.com:unifiedMessaging:mwiMessage",
    ]
    assert await poll(client_session, lg) == []


async def test_sse_one_unnamed_data_event_per_message(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Each message is one `data:` line + blank line, no `event:`/`id:` by default."""
    resp, reader = await subscribed_stream(client_session, lg, mwi=True)
    async with resp:
        first = await reader.next_block()
        second = await reader.next_block()
        assert first is not None
        assert second is not None
        for block in (first, second):
            assert block.startswith("data: {")
            assert "\n" not in block
        snapshot, mwi = json.loads(first[6:]), json.loads(second[6:])
        assert snapshot["isDelta"] is False
        assert mwi == {
            "__type": "urn:inin.com:unifiedMessaging:mwiMessage",
            "isDelta": False,
            "messagesWaiting": 2,
        }
        # A message queued while the stream is open arrives on it.
        icws_simulator.sim.set_read(
            "alice", snapshot["voicemailMessagesAdded"][-1]["unifiedMessageId"], True
        )
        changed, mwi_after = await reader.messages(2)
        assert changed["voicemailMessagesChanged"][0]["state"] == 1
        assert mwi_after["messagesWaiting"] == 1
    # The queue was consumed by the stream.
    assert await poll(client_session, lg) == []


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(sse_ping_interval=0.01)])
async def test_sse_sends_ping_comments(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """`:ping` comment blocks keep the stream alive."""
    resp, reader = await open_stream(client_session, lg)
    async with resp:
        blocks = [await reader.next_block() for _ in range(3)]
    assert blocks == [":ping", ":ping", ":ping"]


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(sse_retry_ms=2500, sse_event_ids=True)]
)
async def test_sse_retry_and_ids_are_settings(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Optional `retry:` at the start and `id:` lines on events."""
    resp, reader = await subscribed_stream(client_session, lg, mwi=True)
    async with resp:
        assert await reader.next_block() == "retry: 2500"
        first = await reader.next_block()
        second = await reader.next_block()
    assert first is not None
    assert second is not None
    assert first.startswith("id: 1\ndata: {")
    assert second.startswith("id: 2\ndata: {")


async def test_sse_replays_messages_queued_while_down(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """By default a new stream first delivers what was queued without a stream."""
    resp, reader = await subscribed_stream(client_session, lg)
    async with resp:
        message = await reader.next_message()
    assert message["isDelta"] is False


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(sse_replay_queued=False, sse_ping_interval=0.01)],
)
async def test_sse_can_drop_messages_queued_while_down(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """With `sse_replay_queued=False` the queued snapshot is lost; later ones arrive."""
    resp, reader = await subscribed_stream(client_session, lg)
    async with resp:
        assert await reader.next_block() == ":ping"
        icws_simulator.sim.add_voicemail("alice", sender="Eve <4004>")
        message = await reader.next_message()
    assert message["isDelta"] is True
    assert message["voicemailMessagesAdded"][0]["from"] == "Eve <4004>"


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(messaging_version=1)])
async def test_no_sse_below_messaging_2(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """A messaging 1 server ignores Accept: text/event-stream and answers JSON."""
    await subscribe(client_session, lg)
    async with await request_stream(client_session, lg) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == ICWS_JSON
        messages = await resp.json(content_type=None)
    assert messages[0]["isDelta"] is False


@pytest.mark.parametrize("abort", [False, True])
async def test_drop_event_streams(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    lg: Login,
    abort: bool,
) -> None:
    """Dropped streams end (cleanly or by closing the connection); a new one works."""
    resp, reader = await open_stream(client_session, lg)
    async with resp:
        assert icws_simulator.sim.drop_event_streams(abort=abort) == 1
        if abort:
            with pytest.raises(aiohttp.ClientPayloadError):
                await reader.next_block()
        else:
            assert await reader.next_block() is None
    resp, reader = await subscribed_stream(client_session, lg)
    async with resp:
        assert (await reader.next_message())["isDelta"] is False


async def test_a_new_stream_replaces_the_old_one(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Opening a second stream on a session ends the first."""
    old, old_reader = await open_stream(client_session, lg)
    async with old:
        new, new_reader = await open_stream(client_session, lg)
        async with new:
            assert await old_reader.next_block() is None
            await subscribe(client_session, lg)
            assert (await new_reader.next_message())["isDelta"] is False


async def test_stream_ends_after_logout(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Logging out ends the session's stream; reopening it answers 401."""
    resp, reader = await open_stream(client_session, lg)
    async with resp:
        async with client_session.delete(
            lg.url("connection"), headers=lg.auth()
        ) as logout:
            assert logout.status == 200
        assert await reader.next_block() is None
    async with await request_stream(client_session, lg) as again:
        assert again.status == 401


async def test_large_snapshot_is_one_event(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """10,000 voicemails: one `data:` event of several MB, parsed whole."""
    icws_simulator.sim.add_user("bulk", "pw")
    seed_mailbox(icws_simulator.sim, "bulk", 10_000, seed=7)
    lg = await login(client_session, icws_simulator.url, user="bulk", password="pw")
    resp, reader = await subscribed_stream(client_session, lg)
    async with resp:
        block = await reader.next_block()
    assert block is not None
    assert block.startswith("data: ")
    assert len(block) > 2_000_000
    snapshot = json.loads(block[6:])
    assert len(snapshot["voicemailMessagesAdded"]) == 10_000
    ids = {item["unifiedMessageId"] for item in snapshot["voicemailMessagesAdded"]}
    assert len(ids) == 10_000
