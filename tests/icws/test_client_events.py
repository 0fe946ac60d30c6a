"""The event channel against the simulator: server-sent events and short polling."""

from __future__ import annotations

import asyncio
from functools import partial
import logging

import pytest

from custom_components.voicemail.icws import (
    ConnectionState,
    ConnectionStateChange,
    IcwsClient,
    IcwsConnectionError,
    IcwsProtocolError,
    IcwsServerError,
    IcwsSessionError,
    MessageWaiting,
    SessionReplaced,
    VoicemailDelta,
    VoicemailSnapshot,
)
from tests.icws_simulator import IcwsSimulator, SimulatorSettings
from tests.icws_simulator.seed import seed_mailbox
from tests.icws_simulator.server import RunningSimulator

from .conftest import ClientFactory, EventReader, Readers, Starter, logins, until

MESSAGES = "/messaging/messages$"
POLLING = SimulatorSettings(messaging_version=1)


def streams_opened(sim: IcwsSimulator) -> int:
    """How many event streams (or polls) the simulator answered with 200."""
    return sum(1 for r in sim.requests_to(MESSAGES) if r.status == 200)


def _opened_exactly(sim: IcwsSimulator, count: int) -> bool:
    """Tell whether exactly `count` streams were answered."""
    return streams_opened(sim) == count


async def assert_new_voicemail_arrives(sim: IcwsSimulator, reader: EventReader) -> None:
    """Add a voicemail for alice: the next delta adds exactly that message."""
    vm = sim.add_voicemail("alice", sender="Eve <4004>")
    delta = await reader.next_of(VoicemailDelta)
    assert [v.message_id for v in delta.added] == [vm.message_id]


async def events_failed_with_500(
    sim: IcwsSimulator, make_client: ClientFactory, readers: Readers
) -> IcwsClient:
    """Return a logged-in client whose event request got a 500: IcwsServerError."""
    client = make_client()
    await client.login()
    sim.inject_fault(MESSAGES, 500)
    with pytest.raises(IcwsServerError):
        await readers(client).next()
    return client


@pytest.mark.parametrize("icws_settings", [POLLING])
async def test_short_polling_when_messaging_is_below_2(
    sim: IcwsSimulator,
    started: Starter,
) -> None:
    """With messaging 1, GET messages returns JSON arrays, polled every poll_interval."""
    client, reader = await started()
    assert await reader.next_of(MessageWaiting) == MessageWaiting(2)
    await assert_new_voicemail_arrives(sim, reader)
    await until(lambda: streams_opened(sim) >= 3)
    polls = sim.requests_to(MESSAGES)
    assert all(r.headers["Accept"] == "application/vnd.inin.icws+JSON" for r in polls)
    assert all("ININ-ICWS-CSRF-Token" in r.headers for r in polls)
    await client.logout()
    await asyncio.wait_for(reader.ended.wait(), 20)


@pytest.mark.parametrize("icws_settings", [POLLING])
async def test_polling_session_replaced_and_down(
    sim: IcwsSimulator,
    started: Starter,
) -> None:
    """Polling: a 401 and a DOWN message both lead to SessionReplaced."""
    client, reader = await started()
    sim.expire_sessions()
    assert isinstance(await reader.next_of(SessionReplaced), SessionReplaced)
    await client.subscribe_voicemail()
    await reader.next_of(VoicemailSnapshot)
    sim.disconnect_sessions(reason="AdminLogoff", should_reconnect=False)
    down = await reader.next_of(ConnectionStateChange)
    assert down.new is ConnectionState.DOWN
    assert down.should_reconnect is False
    assert isinstance(await reader.next(), SessionReplaced)
    assert logins(sim) == 3


@pytest.mark.parametrize("icws_settings", [POLLING])
async def test_polling_errors(
    sim: IcwsSimulator,
    make_client: ClientFactory,
    readers: Readers,
) -> None:
    """A 500 or a body that is not an array ends the iterator with a typed error."""
    client = await events_failed_with_500(sim, make_client, readers)
    sim.inject_fault(MESSAGES, 200, body={"__type": "not a list"})
    with pytest.raises(IcwsProtocolError):
        await readers(client).next()


async def test_event_stream_headers(
    sim: IcwsSimulator,
    started: Starter,
) -> None:
    """The stream asks for text/event-stream and carries cookie and CSRF token."""
    await started()
    [stream] = sim.requests_to(MESSAGES)
    [session] = sim.sessions.values()
    assert stream.headers["Accept"] == "text/event-stream"
    assert (
        stream.headers["Cookie"] == f"icws_{session.session_id}={session.cookie_value}"
    )
    assert stream.headers["ININ-ICWS-CSRF-Token"] == session.csrf_token
    assert "Last-Event-ID" not in stream.headers


@pytest.mark.parametrize("abort", [False, True])
@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(sse_event_ids=True, sse_retry_ms=10)]
)
async def test_dropped_stream_is_reopened(
    sim: IcwsSimulator,
    started: Starter,
    abort: bool,
) -> None:
    """A stream that ends or breaks is reopened (with Last-Event-ID); nothing is lost."""
    _, reader = await started()
    await until(lambda: streams_opened(sim) == 1)
    assert sim.drop_event_streams(abort=abort) == 1
    await until(lambda: streams_opened(sim) == 2)
    await assert_new_voicemail_arrives(sim, reader)
    reopened = sim.requests_to(MESSAGES)[-1]
    assert reopened.headers["Last-Event-ID"].isdigit()
    assert not any(isinstance(e, SessionReplaced) for e in reader.seen)


async def test_repeated_drops_back_off_then_recover(
    sim: IcwsSimulator,
    started: Starter,
) -> None:
    """Streams that end without a message are reopened with growing pauses, not in a loop."""
    _, reader = await started()
    await until(lambda: streams_opened(sim) == 1)
    for opened in (2, 3, 4):
        sim.drop_event_streams()
        await until(partial(_opened_exactly, sim, opened))
    await assert_new_voicemail_arrives(sim, reader)


async def test_silent_stream_is_reopened(
    sim: IcwsSimulator,
    started: Starter,
) -> None:
    """No byte (not even a ping) for longer than stream_read_timeout: reopen."""
    _, reader = await started(stream_read_timeout=0.2)
    await until(lambda: streams_opened(sim) >= 2)
    await assert_new_voicemail_arrives(sim, reader)


async def test_stream_401_replaces_the_session(
    sim: IcwsSimulator,
    started: Starter,
) -> None:
    """The session expires under the stream: new session, SessionReplaced, new snapshot."""
    client, reader = await started()
    sim.expire_sessions()
    replaced = await reader.next_of(SessionReplaced)
    assert replaced.session == client.session_info
    await client.subscribe_voicemail()
    snapshot = await reader.next_of(VoicemailSnapshot)
    assert len(snapshot.voicemails) == len(sim.voicemails("alice"))


async def test_explicit_login_replaces_the_stream(
    sim: IcwsSimulator,
    started: Starter,
) -> None:
    """login() while events run: the old stream is closed and SessionReplaced follows."""
    client, reader = await started()
    await until(lambda: streams_opened(sim) == 1)
    info = await client.login()
    assert (await reader.next_of(SessionReplaced)).session == info
    await until(lambda: streams_opened(sim) == 2)
    second = list(sim.sessions)[1]
    assert sim.requests_to(MESSAGES)[-1].path == f"/icws/{second}/messaging/messages"


async def test_events_before_login_and_after_logout(
    sim: IcwsSimulator,
    make_client: ClientFactory,
    readers: Readers,
) -> None:
    """events() logs in when needed; it ends at logout and refuses to start after it."""
    client = make_client()
    reader = readers(client)
    await until(lambda: streams_opened(sim) == 1)
    assert client.session_info is not None
    await client.logout()
    await asyncio.wait_for(reader.ended.wait(), 20)
    assert reader.queue.empty()
    with pytest.raises(IcwsSessionError):
        await readers(client).next()


async def test_malformed_and_unknown_messages_are_skipped(
    sim: IcwsSimulator,
    started: Starter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Not JSON, a broken known message, an unknown type: logged, skipped, stream goes on."""
    _, reader = await started()
    [session] = sim.sessions.values()
    session.push("this is not JSON")
    session.push(
        '{"__type":"urn:inin.com:unifiedMessaging:mwiMessage","messagesWaiting":"x"}'
    )
    session.push(
        '{"__type":"urn:inin.com:unifiedMessaging:faxMessagesMessage","isDelta":true}'
    )
    session.push(
        '[{"__type":"urn:inin.com:unifiedMessaging:mwiMessage","messagesWaiting":7}]'
    )
    while (await reader.next_of(MessageWaiting)).count != 7:
        pass  # the count of the subscription comes first
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "Skipping a server-sent event that is not JSON" in warnings
    assert any(w.startswith("Skipping a malformed ICWS message") for w in warnings)


async def test_stream_answered_with_json_falls_back_to_polling(
    sim: IcwsSimulator,
    make_client: ClientFactory,
    readers: Readers,
) -> None:
    """A server that answers the stream request with a JSON array is polled instead."""
    client = make_client()
    await client.login()
    sim.inject_fault(
        MESSAGES,
        200,
        body=[
            {"__type": "urn:inin.com:unifiedMessaging:mwiMessage", "messagesWaiting": 1}
        ],
    )
    reader = readers(client)
    assert await reader.next() == MessageWaiting(1)
    await until(lambda: len(sim.requests_to(MESSAGES)) >= 3)
    assert (
        sim.requests_to(MESSAGES)[-1].headers["Accept"]
        == "application/vnd.inin.icws+JSON"
    )


async def test_stream_errors(
    icws_simulator: RunningSimulator,
    make_client: ClientFactory,
    readers: Readers,
) -> None:
    """A 500 on the stream request, and an unreachable server, end the iterator typed."""
    client = await events_failed_with_500(icws_simulator.sim, make_client, readers)
    await icws_simulator.stop()
    with pytest.raises(IcwsConnectionError):
        await readers(client).next()


async def test_ten_thousand_voicemail_snapshot(
    sim: IcwsSimulator,
    make_client: ClientFactory,
    readers: Readers,
) -> None:
    """One multi-megabyte SSE event carries a 10,000-message mailbox; all of it arrives."""
    sim.add_user("bulk", "bulk-password")
    seed_mailbox(sim, "bulk", 10_000)
    client = make_client(username="bulk", password="bulk-password")
    await client.login()
    await client.subscribe_voicemail()
    snapshot = await readers(client).next_of(VoicemailSnapshot)
    assert len(snapshot.voicemails) == 10_000
    assert [v.message_id for v in snapshot.voicemails] == [
        vm.message_id for vm in sim.voicemails("bulk")
    ]
    assert len(sim.snapshot_json(sim.users["bulk"])) > 2_000_000
