"""The HTTP control commands added for proxies, restarts, odd messages and audio."""

from __future__ import annotations

import base64

import aiohttp

from tests.icws_simulator.server import RunningSimulator

from .helpers import (
    Login,
    control,
    eventually,
    open_stream,
    poll,
    post_connection,
    subscribe,
)

UM = "urn:inin.com:unifiedMessaging"


async def test_message_commands(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """push-message, fault/restore of store and indicator, glitch-snapshots."""
    await subscribe(client_session, lg, mwi=True)
    await poll(client_session, lg)
    odd = {
        "__type": f"{UM}:voicemailPlayStatusMessage",
        "isDelta": True,
        "playStatus": 9,
    }
    assert await control(
        client_session,
        icws_simulator,
        "push-message",
        {"user": "alice", "message": odd},
    ) == {"sessions": 1}
    assert await poll(client_session, lg) == [odd]
    for command, body in (
        ("fault-mailbox-store", {"message": "down", "state": 2}),
        ("fault-mwi", {}),
        ("restore-mailbox-store", {}),
        ("restore-mwi", {}),
    ):
        answer = await control(
            client_session, icws_simulator, command, {"user": "alice", **body}
        )
        assert answer == {"sessions": 1}
    states = [
        (m["__type"].rpartition(":")[2], m.get("state"))
        for m in await poll(client_session, lg)
    ]
    assert states == [
        ("voicemailMessageSubscriptionStateMessage", 2),
        ("mwiSubscriptionStateMessage", 3),
        ("voicemailMessageSubscriptionStateMessage", 1),
        ("voicemailMessagesMessage", None),
        ("mwiSubscriptionStateMessage", 1),
        ("mwiMessage", None),
    ]
    await control(
        client_session,
        icws_simulator,
        "glitch-snapshots",
        {"user": "alice", "kind": "empty"},
    )
    await subscribe(client_session, lg)
    snapshot = (await poll(client_session, lg))[0]
    assert snapshot["voicemailMessagesAdded"] == []
    await control(
        client_session,
        icws_simulator,
        "glitch-snapshots",
        {"user": "alice", "kind": "late"},
        status=400,
    )


async def test_write_stream_bytes_command(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Text or base64 data reaches the open stream."""
    resp, reader = await open_stream(client_session, lg)
    async with resp:
        await eventually(
            lambda: icws_simulator.sim.sessions[lg.session_id].streams_open == 1
        )
        answer = await control(
            client_session,
            icws_simulator,
            "write-stream-bytes",
            {"user": "alice", "data": "retry: 5\n\n"},
        )
        assert answer == {"streams": 1}
        await control(
            client_session,
            icws_simulator,
            "write-stream-bytes",
            {"user": "alice", "data_base64": base64.b64encode(b":\xff\n\n").decode()},
        )
        assert await reader.next_block() == "retry: 5"
        expected = b":\xff\n\n"
        missing = len(expected) - len(reader.buffer)
        rest = await resp.content.readexactly(missing) if missing > 0 else b""
        assert reader.buffer + rest == expected


async def test_session_and_audio_commands(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """logon-elsewhere, failed-logins, add-voicemail with raw/omit/audio, remove-audio."""
    sim = icws_simulator.sim
    async with post_connection(
        client_session,
        icws_simulator.url,
        json={
            "__type": "urn:inin.com:connection:icAuthConnectionRequestSettings",
            "applicationName": "t",
            "userID": "alice",
            "password": "x",
        },
    ) as resp:
        assert resp.status == 400
    assert await control(
        client_session, icws_simulator, "failed-logins", {"user": "alice"}
    ) == {"failed_logins": 1}
    state = await control(client_session, icws_simulator, "state")
    assert state["users"]["alice"]["failed_logins"] == 1
    assert state["down"] is False
    assert await control(
        client_session, icws_simulator, "logon-elsewhere", {"user": "alice"}
    ) == {"disconnected": 1}
    (message,) = await poll(client_session, lg)
    assert (message["reason"], message["shouldReconnect"]) == ("AnotherLogOn", False)
    vm = await control(
        client_session,
        icws_simulator,
        "add-voicemail",
        {
            "user": "alice",
            "message_id": "odd",
            "raw": {"state": 7},
            "omit": ["from"],
            "audio_base64": base64.b64encode(b"RIFF").decode(),
            "audio_mime": "audio/x-wav",
        },
    )
    assert (vm["raw"], vm["omit"], vm["audio_bytes"]) == ({"state": 7}, ["from"], 4)
    stored = sim.get_voicemail("alice", "odd")
    assert (stored.audio, stored.audio_mime) == (b"RIFF", "audio/x-wav")
    await control(
        client_session,
        icws_simulator,
        "remove-audio",
        {"user": "alice", "message_id": "odd"},
    )
    assert stored.audio_missing
    await control(
        client_session,
        icws_simulator,
        "remove-audio",
        {"user": "bob", "message_id": "odd"},
        status=404,
    )
