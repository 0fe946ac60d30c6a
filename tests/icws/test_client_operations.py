"""Session operations against the simulator over loopback HTTP, and what they push."""

from __future__ import annotations

from datetime import UTC, datetime
import json

import pytest

from custom_components.voicemail.icws import (
    ConnectionStateChange,
    IcwsNotAllowedError,
    IcwsResponseError,
    IcwsSessionRejectedError,
    MessageState,
    MessageWaiting,
    PlayStatus,
    PlayStatusChange,
    SubscriptionState,
    SubscriptionStateChange,
    VoicemailDelta,
    VoicemailSnapshot,
    VoicemailStateChange,
)
from custom_components.voicemail.icws.channel import poll
from custom_components.voicemail.icws.session import quote_id
from tests.icws_simulator import IcwsSimulator, SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .conftest import ClientFactory, Connector, Secrets, logins
from .samples import CONNECTION_STATE_MESSAGE, PLAY_STATUS_MESSAGE

VOICEMAIL_SUBSCRIPTION = "/messaging/subscriptions/unified-messaging/voicemail-messages"
MWI_SUBSCRIPTION = (
    "/messaging/subscriptions/unified-messaging/messages-waiting-indicator"
)


async def test_operations_and_their_events(
    sim: IcwsSimulator, connect: Connector
) -> None:
    """Subscribe, snapshot, play, stop, mark read/unread and delete, each with its event."""
    run = await connect()
    recorder, session = run.recorder, run.session
    [snapshot] = recorder.seen
    assert isinstance(snapshot, VoicemailSnapshot)
    stored = sim.voicemails("alice")
    assert [vm.message_id for vm in snapshot.voicemails] == [
        vm.message_id for vm in stored
    ]
    assert (snapshot.skipped, snapshot.complete) == ((), True)
    newest = snapshot.voicemails[-1]
    assert newest.sender == "Bob Smith <+15551234>"
    assert newest.received == datetime(2026, 11, 27, 16, 30, tzinfo=UTC)
    assert newest.state == MessageState.UNREAD
    assert not newest.read
    assert newest.attachments[0].mime_type == "audio/wav"
    unread = sum(1 for vm in stored if vm.kind == "voicemail" and not vm.read)
    assert await recorder.next_of(MessageWaiting) == MessageWaiting(unread)

    await session.play(newest.message_id, "1234", state=MessageState.READ)
    assert await recorder.next_of(PlayStatusChange) == PlayStatusChange(
        newest.message_id, PlayStatus.PLAYING
    )
    await session.stop(newest.message_id)
    stopped = await recorder.next_of(PlayStatusChange)
    assert stopped == PlayStatusChange(newest.message_id, PlayStatus.STOPPED)
    assert stopped.stopped
    await session.set_read(newest.message_id, False)
    delta = await recorder.next_of(VoicemailDelta)
    assert VoicemailStateChange(newest.message_id, MessageState.UNREAD) in delta.changed
    await session.set_read(newest.message_id, True)
    await session.delete(newest.message_id)
    removed = await recorder.next_of(VoicemailDelta)
    while not removed.removed:
        removed = await recorder.next_of(VoicemailDelta)
    assert removed.removed == (newest.message_id,)
    assert newest.message_id not in [vm.message_id for vm in sim.voicemails("alice")]

    prefix = f"/icws/{session.session_id}"
    calls = [(r.method, r.path.removeprefix(prefix), r.status) for r in sim.requests]
    segment = quote_id(newest.message_id)
    for call in [
        ("PUT", VOICEMAIL_SUBSCRIPTION, 200),
        ("PUT", MWI_SUBSCRIPTION, 200),
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

    await session.unsubscribe_voicemail()
    await session.unsubscribe_mwi()
    assert [
        (r.method, r.path.removeprefix(prefix), r.status) for r in sim.requests[-2:]
    ] == [
        ("DELETE", VOICEMAIL_SUBSCRIPTION, 204),
        ("DELETE", MWI_SUBSCRIPTION, 204),
    ]


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(require_station_for_current_station=False)],
)
async def test_play_on_the_current_station(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """Without a target the play request names the current station (state read)."""
    session = await make_client().login()
    message_id = sim.voicemails("alice")[0].message_id
    await session.play(message_id)
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
    session = await make_client().login()
    message_id = sim.voicemails("alice")[0].message_id
    with pytest.raises(IcwsNotAllowedError) as caught:
        await session.play(message_id, state=MessageState.UNREAD)
    assert caught.value.status == 400
    assert str(caught.value).startswith("Play failed (400): ")
    assert json.loads(sim.requests[-1].body)["state"] == 0
    secrets.assert_absent(str(caught.value))


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(message_id_style="imap")])
async def test_imap_ids_are_percent_encoded(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """IMAP-like ids reach the server as one encoded path segment, and it finds them."""
    session = await make_client().login()
    message_id = sim.voicemails("alice")[-1].message_id
    assert set("/;:@=") <= set(message_id)
    await session.set_read(message_id, True)
    await session.stop(message_id)
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
    session = await make_client().login()
    sim.inject_fault("voicemail-messages$", 400, error_variant="malformed")
    with pytest.raises(IcwsResponseError) as caught:
        await session.subscribe_voicemail()
    assert type(caught.value) is IcwsResponseError
    assert caught.value.error_id == "error.request.invalidRepresentation.malformed"


# --- Logout ----------------------------------------------------------------------------


async def test_logout(sim: IcwsSimulator, make_client: ClientFactory) -> None:
    """Logout deletes the connection; the session is then rejected and never logs in."""
    client = make_client()
    session = await client.login()
    [stored] = sim.sessions.values()
    await session.logout()
    logout = sim.requests[-1]
    assert (logout.method, logout.path, logout.status) == (
        "DELETE",
        f"/icws/{stored.session_id}/connection",
        200,
    )
    assert not stored.alive
    with pytest.raises(IcwsSessionRejectedError):
        await session.stop(sim.voicemails("alice")[-1].message_id)
    assert logins(sim) == 1
    await session.logout()  # again: the server answers 401, which is no error
    assert sim.requests[-1].status == 401
    second = await client.login()
    assert second.session_id != session.session_id
    await second.stop(sim.voicemails("alice")[-1].message_id)
    assert sim.requests[-1].status == 204


async def test_logout_of_a_dead_session_or_server_is_quiet(
    icws_simulator: RunningSimulator, make_client: ClientFactory
) -> None:
    """An expired session or an unreachable server is no error at logout."""
    client = make_client()
    session = await client.login()
    icws_simulator.sim.expire_sessions()
    await session.logout()
    assert icws_simulator.sim.requests[-1].status == 401
    session = await client.login()
    await icws_simulator.stop()
    await session.logout()
    assert icws_simulator.sim.requests[-1].method == "POST"


async def test_a_rejected_session_never_logs_in_by_itself(
    sim: IcwsSimulator, make_client: ClientFactory, secrets: Secrets
) -> None:
    """A 401 on an operation raises IcwsSessionRejectedError; no login is sent."""
    client = make_client()
    session = await client.login()
    message_id = sim.voicemails("alice")[-1].message_id
    sim.expire_sessions()
    for operation in (
        session.stop(message_id),
        session.set_read(message_id, True),
        session.subscribe_voicemail(),
    ):
        with pytest.raises(IcwsSessionRejectedError) as caught:
            await operation
        secrets.assert_absent(str(caught.value))
    assert [r.status for r in sim.requests[1:]] == [401, 401, 401]
    assert logins(sim) == 1
    for text in (repr(client), repr(session)):
        assert "secret" not in text
        secrets.assert_absent(text)


# --- The event channel's short poll ----------------------------------------------------


@pytest.mark.parametrize(
    ("icws_settings", "status"),
    [
        (SimulatorSettings(empty_poll_answer="array"), 200),
        (SimulatorSettings(empty_poll_answer="empty_200"), 200),
        (SimulatorSettings(empty_poll_answer="204"), 204),
    ],
)
async def test_an_empty_poll_answer_is_no_messages(
    sim: IcwsSimulator, make_client: ClientFactory, status: int
) -> None:
    """`[]`, a 200 without body and a 204 all mean: nothing queued."""
    session = await make_client().login()
    assert await poll(session) == []
    assert sim.requests[-1].status == status
    await session.subscribe_mwi()
    assert await poll(session) == [MessageWaiting(2)]
    assert await poll(session) == []
    assert sim.requests[-1].status == status


async def test_odd_values_come_through_the_channel(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """Unknown enum numbers keep their message; malformed entries are named or counted."""
    sim.add_voicemail("alice", sender="Odd <9>", message_id="odd", raw={"state": 7})
    sim.add_voicemail(
        "alice", sender="Bad <8>", message_id="bad", raw={"dateReceived": "x"}
    )
    session = await make_client().login()
    await session.subscribe_voicemail()
    [snapshot] = await poll(session)
    assert isinstance(snapshot, VoicemailSnapshot)
    odd = snapshot.voicemails[-1]
    assert (odd.message_id, odd.state, odd.read) == ("odd", 7, False)
    assert (snapshot.skipped, snapshot.complete) == (("bad",), True)
    sim.push_message(
        "alice",
        {
            "__type": PLAY_STATUS_MESSAGE,
            "isDelta": False,
            "unifiedMessageId": "odd",
            "playStatus": 5,
        },
    )
    sim.push_message(
        "alice",
        {
            "__type": CONNECTION_STATE_MESSAGE,
            "isDelta": False,
            "previousConnectionState": 1,
            "newConnectionState": 9,
            "reason": "Maintenance",
        },
    )
    status, change = await poll(session)
    assert status == PlayStatusChange("odd", 5)
    assert isinstance(status, PlayStatusChange) and not status.stopped
    assert change == ConnectionStateChange(1, 9, "Maintenance")
    assert isinstance(change, ConnectionStateChange) and not change.down
    # An entry without its id: the snapshot says it is not complete.
    sim.add_voicemail("alice", sender="Anon <7>", omit=("unifiedMessageId",))
    await session.unsubscribe_voicemail()
    await session.subscribe_voicemail()
    events = await poll(session)
    snapshot = events[-1]
    assert isinstance(snapshot, VoicemailSnapshot)
    assert (snapshot.skipped, snapshot.complete) == (("bad",), False)
    assert snapshot.voicemails[-1].message_id == "odd"


async def test_subscription_states_come_through_the_channel(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A faulted mailbox store and indicator show up as state messages, then recover."""
    session = await make_client().login()
    await session.subscribe_voicemail()
    await session.subscribe_mwi()
    await poll(session)
    sim.fault_mailbox_store("alice")
    sim.fault_mwi("alice", state=2)
    assert await poll(session) == [
        SubscriptionStateChange(
            "voicemail", SubscriptionState.FAULTED, "The mailbox store is unavailable."
        ),
        SubscriptionStateChange(
            "mwi",
            SubscriptionState.SUSPENDED,
            "The message waiting indicator is unavailable.",
        ),
    ]
    sim.restore_mailbox_store("alice")
    restored, snapshot = await poll(session)
    assert restored == SubscriptionStateChange("voicemail", SubscriptionState.NORMAL)
    assert isinstance(snapshot, VoicemailSnapshot)
    assert len(snapshot.voicemails) == len(sim.voicemails("alice"))
