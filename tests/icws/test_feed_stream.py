"""The event stream of a session: how it is opened, reopened, and what it delivers."""

from __future__ import annotations

from dataclasses import replace
import logging

import pytest

from custom_components.voicemail.icws import MessageWaiting, Phase, VoicemailSnapshot
from tests.icws_simulator import IcwsSimulator, SimulatorSettings
from tests.icws_simulator.seed import seed_mailbox

from .conftest import (
    TEST_PACING,
    Connector,
    assert_new_voicemail_arrives,
    logins,
    resync_requests,
    stream_requests,
    until,
)


def opened(sim: IcwsSimulator) -> int:
    """Return how many event streams the simulator opened (answered 200)."""
    return sum(1 for r in stream_requests(sim) if r.status == 200)


async def test_event_stream_headers(sim: IcwsSimulator, start: Connector) -> None:
    """The stream asks for text/event-stream and carries cookie and CSRF token."""
    await start()
    [stream] = stream_requests(sim)
    [session] = sim.sessions.values()
    assert stream.headers["Accept"] == "text/event-stream"
    assert stream.headers["Cache-Control"] == "no-cache"
    assert (
        stream.headers["Cookie"] == f"icws_{session.session_id}={session.cookie_value}"
    )
    assert stream.headers["ININ-ICWS-CSRF-Token"] == session.csrf_token
    assert stream.headers.get("Last-Event-ID") is None
    assert stream.status == 200


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(), SimulatorSettings(sse_replay_queued=False)],
    ids=["replayed", "not-replayed"],
)
async def test_the_channel_is_open_before_the_subscription(
    sim: IcwsSimulator, start: Connector
) -> None:
    """Stream first, then the PUTs: the first snapshot cannot be missed (nor dropped)."""
    run = await start()  # waits for the first snapshot
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in sim.requests[:4]] == [
        ("POST", "connection"),
        ("GET", "messages"),
        ("PUT", "voicemail-messages"),
        ("PUT", "messages-waiting-indicator"),
    ]
    assert run.connection.phase is Phase.STREAMING
    assert await run.recorder.next_of(MessageWaiting) == MessageWaiting(2)


@pytest.mark.parametrize("abort", [False, True], ids=["clean", "aborted"])
@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(sse_event_ids=True, sse_retry_ms=10)]
)
async def test_dropped_stream_is_reopened(
    sim: IcwsSimulator, start: Connector, abort: bool
) -> None:
    """A stream that ends or breaks is reopened with Last-Event-ID; the session stays."""
    run = await start()
    assert sim.drop_event_streams(abort=abort) == 1
    await until(lambda: opened(sim) == 2)
    reopened = stream_requests(sim)[-1]
    assert reopened.headers["Last-Event-ID"].isdigit()
    await run.recorder.next_of(VoicemailSnapshot)  # a reopen asks for a resync
    assert len(resync_requests(sim)) == 1
    await assert_new_voicemail_arrives(sim, run.recorder)
    assert logins(sim) == 1
    assert len(run.recorder.sessions) == 1
    assert run.connection.phase is Phase.STREAMING


async def test_silent_stream_is_reopened(sim: IcwsSimulator, start: Connector) -> None:
    """No byte (not even a ping) for longer than stream_read_timeout: reopen."""
    # A silent stream lives the read timeout (0.3 s), longer than `short_stream`:
    # it ended after a healthy life, so it is reopened at once, again and again.
    run = await start(
        pacing=replace(TEST_PACING, short_stream=0.1), stream_read_timeout=0.3
    )
    await until(lambda: opened(sim) >= 3)
    await assert_new_voicemail_arrives(sim, run.recorder)
    assert logins(sim) == 1
    assert run.connection.stats.stream_fallbacks == 0
    assert run.connection.phase is Phase.STREAMING


async def test_malformed_and_unknown_messages_are_skipped(
    sim: IcwsSimulator, start: Connector, caplog: pytest.LogCaptureFixture
) -> None:
    """Not JSON, a broken known message, an unknown type: logged, skipped, stream goes on."""
    run = await start()
    sim.push_message("alice", "this is not JSON")
    sim.push_message(
        "alice",
        '{"__type":"urn:inin.com:unifiedMessaging:mwiMessage","messagesWaiting":"x"}',
    )
    sim.push_message(
        "alice",
        '{"__type":"urn:inin.com:unifiedMessaging:faxMessagesMessage","isDelta":true}',
    )
    sim.push_message("alice", {"__type": "urn:example:unknown", "isDelta": True})
    sim.push_message(
        "alice",
        '[{"__type":"urn:inin.com:unifiedMessaging:mwiMessage","messagesWaiting":7}]',
    )
    while (await run.recorder.next_of(MessageWaiting)).count != 7:
        pass  # the count of the subscription comes first
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "Skipping a server-sent event that is not JSON" in warnings
    assert any(w.startswith("Skipping a malformed ICWS message") for w in warnings)
    assert len(stream_requests(sim)) == 1
    assert logins(sim) == 1
    assert run.connection.phase is Phase.STREAMING


async def test_ten_thousand_voicemail_snapshot(
    sim: IcwsSimulator, start: Connector
) -> None:
    """One multi-megabyte event carries a 10,000-message mailbox; all of it arrives."""
    sim.add_user("bulk", "bulk-password")
    seed_mailbox(sim, "bulk", 10_000)
    run = await start(username="bulk", password="bulk-password")
    snapshot = next(
        e for e in reversed(run.recorder.seen) if isinstance(e, VoicemailSnapshot)
    )
    assert len(snapshot.voicemails) == 10_000
    assert [v.message_id for v in snapshot.voicemails] == [
        vm.message_id for vm in sim.voicemails("bulk")
    ]
    assert len(sim.snapshot_json(sim.users["bulk"])) > 2_000_000
    assert len(stream_requests(sim)) == 1


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(sse_event_ids=True)])
async def test_a_new_session_starts_without_the_old_last_event_id(
    sim: IcwsSimulator, start: Connector
) -> None:
    """Event ids belong to a session's stream: the next session's first stream has none."""
    run = await start()
    sim.drop_event_streams()
    await until(lambda: opened(sim) == 2)
    assert stream_requests(sim)[1].headers["Last-Event-ID"].isdigit()
    sim.expire_sessions()
    await run.recorder.next_of(VoicemailSnapshot)  # the new session's
    _, second = sim.sessions
    [first_of_second] = [
        r for r in stream_requests(sim) if r.path.startswith(f"/icws/{second}/")
    ][:1]
    assert first_of_second.headers.get("Last-Event-ID") is None
