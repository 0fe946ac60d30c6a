"""The client against the simulator over loopback HTTP: login and the voicemail operations."""

from __future__ import annotations

from datetime import UTC, datetime
import json

import pytest

from custom_components.voicemail.icws import (
    IcwsNotAllowedError,
    IcwsResponseError,
    IcwsSessionError,
    MessageState,
    MessageWaiting,
    PlayStatus,
    PlayStatusChange,
    ServerVersion,
    VoicemailDelta,
    VoicemailSnapshot,
    VoicemailStateChange,
)
from custom_components.voicemail.icws.client import quote_id
from tests.icws_simulator import IcwsSimulator, SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .conftest import ClientFactory, Secrets, Starter

VENDOR_JSON = "application/vnd.inin.icws+JSON"


async def test_login(sim: IcwsSimulator, make_client: ClientFactory) -> None:
    """Login posts the documented request and returns what the server told."""
    client = make_client()
    before = client.session_info
    assert before is None
    info = await client.login()
    assert info.user_id == "alice"
    assert info.user_display_name == "Alice Example"
    assert info.ic_server == "CIC-ICWS"
    assert info.host == client.host == "127.0.0.1"
    assert info.feature("unified-messaging") == 2
    assert info.feature("messaging") == 2
    assert info.feature("no-such-feature") is None
    assert isinstance(info.version, ServerVersion)
    assert info.version.display == "2015 R1 Patch 3"
    assert client.session_info == info

    [request] = sim.requests
    assert (request.method, request.path) == ("POST", "/icws/connection")
    assert request.query == "include=features,version"
    assert request.headers["Accept-Language"] == "en-us"
    assert request.headers["Content-Type"] == f"{VENDOR_JSON};charset=utf-8"
    assert request.headers["Accept"] == VENDOR_JSON
    assert json.loads(request.body) == {
        "__type": "urn:inin.com:connection:icAuthConnectionRequestSettings",
        "applicationName": "Home Assistant",
        "userID": "alice",
        "password": "secret",
    }
    assert request.status == 201


async def test_cookie_and_csrf_sent_verbatim_to_an_ip_host(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """With host 127.0.0.1 the `icws_<id>` cookie still goes out, verbatim, with the CSRF token."""
    client = make_client(host="127.0.0.1")
    await client.login()
    [session] = sim.sessions.values()
    assert "|languageId=en-us" in session.cookie_value
    message_id = sim.voicemails("alice")[-1].message_id
    await client.stop(message_id)
    stop = sim.requests[-1]
    assert (
        stop.path
        == f"/icws/{session.session_id}/unified-messaging/{message_id}/voicemail-message/play/stop"
    )
    assert stop.headers["Cookie"] == f"icws_{session.session_id}={session.cookie_value}"
    assert stop.headers["ININ-ICWS-CSRF-Token"] == session.csrf_token
    assert stop.status == 204


async def test_operations_and_their_events(
    sim: IcwsSimulator,
    started: Starter,
) -> None:
    """Subscribe, snapshot, play, stop, mark read/unread and delete, each with its event."""
    client, reader = await started()
    [snapshot] = reader.seen
    assert isinstance(snapshot, VoicemailSnapshot)
    stored = sim.voicemails("alice")
    assert [vm.message_id for vm in snapshot.voicemails] == [
        vm.message_id for vm in stored
    ]
    newest = snapshot.voicemails[-1]
    assert newest.sender == "Bob Smith <+15551234>"
    assert newest.received == datetime(2026, 11, 27, 16, 30, tzinfo=UTC)
    assert newest.state is MessageState.UNREAD
    assert newest.attachments[0].mime_type == "audio/wav"
    unread = sum(1 for vm in stored if vm.kind == "voicemail" and not vm.read)
    assert await reader.next_of(MessageWaiting) == MessageWaiting(unread)

    await client.play(newest.message_id, "1234", state=MessageState.READ)
    assert await reader.next_of(PlayStatusChange) == PlayStatusChange(
        newest.message_id, PlayStatus.PLAYING
    )
    await client.stop(newest.message_id)
    assert await reader.next_of(PlayStatusChange) == PlayStatusChange(
        newest.message_id, PlayStatus.STOPPED
    )
    await client.set_read(newest.message_id, False)
    delta = await reader.next_of(VoicemailDelta)
    assert VoicemailStateChange(newest.message_id, MessageState.UNREAD) in delta.changed
    await client.set_read(newest.message_id, True)
    await client.delete(newest.message_id)
    removed = await reader.next_of(VoicemailDelta)
    while not removed.removed:
        removed = await reader.next_of(VoicemailDelta)
    assert removed.removed == (newest.message_id,)
    assert newest.message_id not in [vm.message_id for vm in sim.voicemails("alice")]

    prefix = f"/icws/{next(iter(sim.sessions))}"
    calls = [(r.method, r.path.removeprefix(prefix), r.status) for r in sim.requests]
    segment = quote_id(newest.message_id)
    for call in [
        ("PUT", "/messaging/subscriptions/unified-messaging/voicemail-messages", 200),
        (
            "PUT",
            "/messaging/subscriptions/unified-messaging/messages-waiting-indicator",
            200,
        ),
        ("GET", "/messaging/messages", 200),
        ("POST", f"/unified-messaging/{segment}/voicemail-message/play/start", 204),
        ("POST", f"/unified-messaging/{segment}/voicemail-message/play/stop", 204),
        ("PUT", f"/unified-messaging/{segment}", 204),
        ("DELETE", f"/unified-messaging/{segment}", 204),
    ]:
        assert call in calls
    play = sim.requests_to("/play/start$")[0]
    assert json.loads(play.body) == {
        "state": 1,
        "playTarget": {
            "__type": "urn:inin.com:unifiedMessaging:voicemailPlayTarget",
            "target": "1234",
        },
    }
    assert [
        json.loads(r.body)
        for r in sim.requests_to(f"/unified-messaging/{segment}$", "PUT")
    ] == [
        {"state": 0},
        {"state": 1},
    ]
    stream = sim.requests_to("/messaging/messages$")[0]
    assert stream.headers["Accept"] == "text/event-stream"

    await client.unsubscribe_voicemail()
    assert [r.status for r in sim.requests[-2:]] == [204, 204]
    assert [r.method for r in sim.requests[-2:]] == ["DELETE", "DELETE"]


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(require_station_for_current_station=False)],
)
async def test_play_on_the_current_station(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """Without a target the play request names the current station."""
    client = make_client()
    await client.login()
    message_id = sim.voicemails("alice")[0].message_id
    await client.play(message_id)
    play = sim.requests[-1]
    assert json.loads(play.body) == {
        "state": 1,
        "playTarget": {"__type": "urn:inin.com:unifiedMessaging:currentStation"},
    }
    assert play.status == 204


async def test_current_station_without_a_station_is_not_allowed(
    sim: IcwsSimulator, make_client: ClientFactory, secrets: Secrets
) -> None:
    """The server's 400 becomes IcwsNotAllowedError with a message safe to show."""
    client = make_client()
    await client.login()
    message_id = sim.voicemails("alice")[0].message_id
    with pytest.raises(IcwsNotAllowedError) as caught:
        await client.play(message_id, state=MessageState.UNREAD)
    assert caught.value.status == 400
    assert str(caught.value).startswith("Play failed (400): ")
    secrets.assert_absent(str(caught.value))


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(message_id_style="imap")])
async def test_imap_ids_are_percent_encoded(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """IMAP-like ids reach the server as one encoded path segment, and it finds them."""
    client = make_client()
    await client.login()
    message_id = sim.voicemails("alice")[-1].message_id
    assert set("/;:@=") <= set(message_id)
    await client.set_read(message_id, True)
    await client.stop(message_id)
    update, stop = sim.requests[-2:]
    encoded = quote_id(message_id)
    assert "%3A%2F%2Falice%40voicestore%3A993%2FINBOX%3B" in encoded
    assert update.path.endswith(f"/unified-messaging/{encoded}")
    assert stop.path.endswith(
        f"/unified-messaging/{encoded}/voicemail-message/play/stop"
    )
    assert (update.status, stop.status) == (204, 204)
    assert sim.get_voicemail("alice", message_id).read


async def test_subscription_refused(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A 400 on a subscription is a plain IcwsResponseError, not 'not allowed'."""
    client = make_client()
    await client.login()
    sim.inject_fault("voicemail-messages$", 400, error_variant="malformed")
    with pytest.raises(IcwsResponseError) as caught:
        await client.subscribe_voicemail()
    assert type(caught.value) is IcwsResponseError
    assert caught.value.error_id == "error.request.invalidRepresentation.malformed"


async def test_logout(sim: IcwsSimulator, make_client: ClientFactory) -> None:
    """Logout deletes the connection and forgets the session; later calls need a login."""
    client = make_client()
    await client.login()
    [session] = sim.sessions.values()
    await client.logout()
    assert (sim.requests[-1].method, sim.requests[-1].path) == (
        "DELETE",
        f"/icws/{session.session_id}/connection",
    )
    assert not session.alive
    assert client.session_info is None
    with pytest.raises(IcwsSessionError):
        await client.stop("x")
    await client.logout()  # nothing to log out: no request
    assert len(sim.requests) == 2
    await client.login()
    assert client.session_info is not None


async def test_logout_of_a_dead_session_or_server_is_quiet(
    icws_simulator: RunningSimulator, make_client: ClientFactory
) -> None:
    """An expired session or an unreachable server is no error at logout."""
    client = make_client()
    await client.login()
    icws_simulator.sim.expire_sessions()
    await client.logout()
    assert icws_simulator.sim.requests[-1].status == 401
    await client.login()
    await icws_simulator.stop()
    await client.logout()
    assert client.session_info is None


async def test_operations_log_in_when_there_is_no_session(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """Before the first login an operation logs in itself."""
    client = make_client()
    message_id = sim.voicemails("alice")[0].message_id
    await client.stop(message_id)
    assert [r.method for r in sim.requests] == ["POST", "POST"]
    assert client.session_info is not None
    assert "secret" not in repr(client)
