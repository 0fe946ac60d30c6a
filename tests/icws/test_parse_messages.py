"""Messages of the event channel -> typed events; tolerant where PROTOCOL.md §12 asks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
import logging
from typing import Any

import pytest

from custom_components.voicemail.icws import (
    Attachment,
    ConnectionState,
    ConnectionStateChange,
    IcwsProtocolError,
    MessageState,
    MessageWaiting,
    PlayStatus,
    PlayStatusChange,
    ServerVersion,
    SubscriptionState,
    SubscriptionStateChange,
    Voicemail,
    VoicemailDelta,
    VoicemailSnapshot,
    VoicemailStateChange,
)
from custom_components.voicemail.icws.messages import (
    fast_voicemail,
    parse_batch,
    parse_message,
)

from .samples import (
    ADDED,
    ATTACHMENT,
    CONNECTION_DOWN,
    CONNECTION_STATE_MESSAGE,
    DELTA,
    EXPECTED_VOICEMAIL,
    MWI,
    MWI_SUBSCRIPTION_NORMAL,
    MWI_SUBSCRIPTION_STATE,
    PLAY_STATUS,
    PLAY_STATUS_MESSAGE,
    SNAPSHOT,
    SUBSCRIPTION_FAULTED,
    UM,
    VOICEMAIL_MESSAGES,
    VOICEMAIL_SUBSCRIPTION_STATE,
)


def test_snapshot() -> None:
    """A message with isDelta false is the whole mailbox."""
    assert parse_message(SNAPSHOT) == VoicemailSnapshot(
        voicemails=(EXPECTED_VOICEMAIL,), skipped=(), complete=True
    )


def test_delta() -> None:
    """A message with isDelta true has added, changed, removed entries."""
    assert parse_message(DELTA) == VoicemailDelta(
        added=(EXPECTED_VOICEMAIL,),
        changed=(VoicemailStateChange("m2", MessageState.READ),),
        removed=("m3",),
    )


def test_other_messages() -> None:
    """Play status, connection state and message waiting."""
    stopped = parse_message(PLAY_STATUS)
    assert stopped == PlayStatusChange("m1", PlayStatus.STOPPED)
    assert isinstance(stopped, PlayStatusChange) and stopped.stopped
    down = parse_message(CONNECTION_DOWN)
    assert down == ConnectionStateChange(
        ConnectionState.UP, ConnectionState.DOWN, "Switchover", True
    )
    assert isinstance(down, ConnectionStateChange) and down.down
    assert parse_message(MWI) == MessageWaiting(3)


def test_subscription_state_messages() -> None:
    """The voicemail and messages-waiting subscription states, with the server's error."""
    faulted = parse_message(SUBSCRIPTION_FAULTED)
    assert faulted == SubscriptionStateChange(
        "voicemail", SubscriptionState.FAULTED, "The mailbox store is unavailable."
    )
    assert isinstance(faulted, SubscriptionStateChange) and not faulted.healthy
    normal = parse_message(MWI_SUBSCRIPTION_NORMAL)
    assert normal == SubscriptionStateChange("mwi", SubscriptionState.NORMAL, None)
    assert isinstance(normal, SubscriptionStateChange) and normal.healthy
    suspended = parse_message(
        {"__type": MWI_SUBSCRIPTION_STATE, "state": 2, "error": {"message": "Paused"}}
    )
    assert suspended == SubscriptionStateChange("mwi", 2, "Paused")
    assert isinstance(suspended, SubscriptionStateChange) and not suspended.healthy
    # A missing state reads as 0 (none); an error without a message, or of another
    # shape, carries no text; an unknown state is kept and does not alarm.
    assert parse_message(
        {"__type": VOICEMAIL_SUBSCRIPTION_STATE, "error": {"errorId": "x"}}
    ) == SubscriptionStateChange("voicemail", SubscriptionState.NONE, None)
    assert parse_message(
        {"__type": VOICEMAIL_SUBSCRIPTION_STATE, "state": 1, "error": "text"}
    ) == SubscriptionStateChange("voicemail", 1, None)
    unknown = parse_message({"__type": VOICEMAIL_SUBSCRIPTION_STATE, "state": 9})
    assert unknown == SubscriptionStateChange("voicemail", 9, None)
    assert isinstance(unknown, SubscriptionStateChange) and unknown.healthy


@pytest.mark.parametrize(
    "message",
    [
        dict(SUBSCRIPTION_FAULTED, state="3"),
        dict(SUBSCRIPTION_FAULTED, state=True),
        dict(SUBSCRIPTION_FAULTED, error={"message": 5}),
    ],
)
def test_malformed_subscription_state(message: dict[str, Any]) -> None:
    """A subscription state message of the wrong shape is a protocol error."""
    with pytest.raises(IcwsProtocolError):
        parse_message(message)


# --- Unknown enum values (the library accepts any number) --------------------------


def test_unknown_message_state_keeps_the_voicemail() -> None:
    """A voicemail in state 7 is kept with its number, and does not count as read."""
    snapshot = parse_message(
        dict(SNAPSHOT, voicemailMessagesAdded=[dict(ADDED, state=7)])
    )
    assert snapshot == VoicemailSnapshot((replace(EXPECTED_VOICEMAIL, state=7),))
    assert isinstance(snapshot, VoicemailSnapshot)
    assert not snapshot.voicemails[0].read
    assert fast_voicemail(dict(ADDED, state=7)) == replace(EXPECTED_VOICEMAIL, state=7)
    delta = parse_message(
        {
            "__type": VOICEMAIL_MESSAGES,
            "isDelta": True,
            "voicemailMessagesChanged": [{"unifiedMessageId": "m2", "state": 7}],
        }
    )
    assert delta == VoicemailDelta(changed=(VoicemailStateChange("m2", 7),))


def test_unknown_play_status_is_not_stopped() -> None:
    """A playStatus of 5 keeps its message; it does not count as stopped."""
    status = parse_message(dict(PLAY_STATUS, playStatus=5))
    assert status == PlayStatusChange("m1", 5)
    assert isinstance(status, PlayStatusChange) and not status.stopped


def test_unknown_connection_state_is_kept() -> None:
    """Connection state 9 keeps its message; it does not count as down."""
    change = parse_message(dict(CONNECTION_DOWN, newConnectionState=9))
    assert change == ConnectionStateChange(1, 9, "Switchover", True)
    assert isinstance(change, ConnectionStateChange) and not change.down


# --- Defaults and tolerance ---------------------------------------------------------


def test_missing_fields_read_as_defaults() -> None:
    """Fields a .NET server omits hold their type's default."""
    vm: dict[str, Any] = {
        "unifiedMessageId": "m1",
        "dateReceived": "2020-10-29T08:20:18Z",
    }
    assert parse_message(
        {"__type": VOICEMAIL_MESSAGES, "voicemailMessagesAdded": [vm]}
    ) == VoicemailSnapshot(
        (
            Voicemail(
                "m1",
                MessageState.UNREAD,
                datetime(2020, 10, 29, 8, 20, 18, tzinfo=UTC),
                sender="",
                subject="",
            ),
        )
    )
    assert (
        parse_message({"__type": VOICEMAIL_MESSAGES, "isDelta": True})
        == VoicemailDelta()
    )
    # A missing playStatus is "playing": the stop control stays available.
    assert parse_message(
        {"__type": PLAY_STATUS_MESSAGE, "unifiedMessageId": "m1"}
    ) == PlayStatusChange("m1", PlayStatus.PLAYING)
    assert parse_message(
        {"__type": CONNECTION_STATE_MESSAGE, "newConnectionState": 2}
    ) == ConnectionStateChange(ConnectionState.NONE, ConnectionState.DOWN, "")


def test_removed_entries_may_be_objects() -> None:
    """Tolerated: a removed entry given as `{unifiedMessageId}`."""
    message = {
        "__type": VOICEMAIL_MESSAGES,
        "isDelta": True,
        "voicemailMessagesRemoved": [{"unifiedMessageId": "m9"}, "m8"],
    }
    assert parse_message(message) == VoicemailDelta(removed=("m9", "m8"))


def test_malformed_entry_is_skipped_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One bad voicemail does not hide the others; the snapshot says what it skipped."""
    bad = dict(ADDED, unifiedMessageId="bad", dateReceived="not a date")
    message = dict(SNAPSHOT, voicemailMessagesAdded=[bad, ADDED, {"state": 0}])
    with caplog.at_level(logging.WARNING):
        assert parse_message(message) == VoicemailSnapshot(
            (EXPECTED_VOICEMAIL,), skipped=("bad",), complete=False
        )
    assert "Skipping a malformed entry of voicemailMessagesAdded" in caplog.text


@pytest.mark.parametrize(
    ("entries", "skipped", "complete"),
    [
        # The id is readable: the snapshot names it and is still complete.
        ([dict(ADDED, unifiedMessageId="bad", dateReceived="garbage")], ("bad",), True),
        ([dict(ADDED, unifiedMessageId="bad", attachments="none")], ("bad",), True),
        # No readable id: the snapshot cannot tell which message it lacks.
        ([dict(ADDED, unifiedMessageId="")], (), False),
        ([dict(ADDED, unifiedMessageId=5)], (), False),
        (["not an object"], (), False),
        ([None], (), False),
    ],
)
def test_snapshot_with_one_malformed_entry(
    entries: list[object], skipped: tuple[str, ...], complete: bool
) -> None:
    """`skipped` has the id of a malformed entry when readable; `complete` is False when not."""
    message = dict(SNAPSHOT, voicemailMessagesAdded=[*entries, ADDED])
    assert parse_message(message) == VoicemailSnapshot(
        (EXPECTED_VOICEMAIL,), skipped=skipped, complete=complete
    )


def test_unknown_type_is_none() -> None:
    """Messages the client does not use are skipped, not errors."""
    assert (
        parse_message({"__type": f"{UM}:faxMessagesMessage", "isDelta": False}) is None
    )
    assert parse_message({"isDelta": False}) is None
    assert parse_message({"__type": ["x"]}) is None


@pytest.mark.parametrize(
    "message",
    [
        [],
        "text",
        dict(SNAPSHOT, isDelta="no"),
        dict(SNAPSHOT, voicemailMessagesAdded={"a": 1}),
        dict(PLAY_STATUS, playStatus="1"),
        dict(PLAY_STATUS, playStatus=True),
        dict(PLAY_STATUS, unifiedMessageId=""),
        dict(PLAY_STATUS, unifiedMessageId=None),
        {k: v for k, v in CONNECTION_DOWN.items() if k != "newConnectionState"},
        dict(CONNECTION_DOWN, newConnectionState="2"),
        dict(CONNECTION_DOWN, shouldReconnect="yes"),
        dict(CONNECTION_DOWN, reason=5),
        dict(MWI, messagesWaiting=-1),
        dict(MWI, messagesWaiting="3"),
    ],
)
def test_malformed_known_messages(message: object) -> None:
    """A message of a known type that is malformed raises IcwsProtocolError."""
    with pytest.raises(IcwsProtocolError):
        parse_message(message)


def test_malformed_delta_entries() -> None:
    """Bad added / changed / removed / attachment entries are skipped one by one."""
    message = {
        "__type": VOICEMAIL_MESSAGES,
        "isDelta": True,
        "voicemailMessagesAdded": [
            dict(ADDED, attachments=[{"fileName": "no uri"}]),
            dict(ADDED, attachments=["not an object"]),
            dict(ADDED, attachments="none"),
            dict(ADDED, attachments=None),
            dict(ADDED, attachments=[dict(ATTACHMENT, mimeType=1)]),
        ],
        "voicemailMessagesChanged": [
            {"unifiedMessageId": "m2", "state": "7"},
            {"unifiedMessageId": "", "state": 1},
            "m3",
        ],
        "voicemailMessagesRemoved": ["", 5, None, "m4"],
    }
    assert parse_message(message) == VoicemailDelta(
        added=(replace(EXPECTED_VOICEMAIL, attachments=()),), removed=("m4",)
    )


def test_batches_skip_bad_messages() -> None:
    """A batch (a poll's array) yields its good messages; a bad one is skipped."""
    batch = [MWI, dict(MWI, messagesWaiting=-1), {"__type": "urn:x"}, PLAY_STATUS]
    assert list(parse_batch(batch)) == [
        MessageWaiting(3),
        PlayStatusChange("m1", PlayStatus.STOPPED),
    ]
    # One message on its own (an event's data) is a batch of one.
    assert list(parse_batch(MWI)) == [MessageWaiting(3)]
    assert list(parse_batch([])) == []


def test_model_conveniences() -> None:
    """The version's display text and a voicemail's read flag."""
    assert ServerVersion("15", "1", "3").display == "15.1.3"
    assert ServerVersion("15", "1", "0", release_display="2015 R1").display == "2015 R1"
    assert (
        ServerVersion(
            "15", "1", "3", release_display="2015 R1", patch_display="Patch 3"
        )
    ).display == "2015 R1 Patch 3"
    assert not EXPECTED_VOICEMAIL.read
    assert replace(EXPECTED_VOICEMAIL, state=MessageState.READ).read


@pytest.mark.parametrize(
    ("mime_types", "fax"),
    [
        (("audio/wav",), False),
        ((None,), False),
        (("image/tiff", "audio/WAV"), False),
        (("image/tiff",), True),
        (("image/tiff", "application/pdf"), True),
        ((), False),
    ],
)
def test_a_fax_has_attachments_and_none_of_them_audio(
    mime_types: tuple[str | None, ...], fax: bool
) -> None:
    """A fax: only other kinds than audio; a message without attachments is no fax."""
    voicemail = replace(
        EXPECTED_VOICEMAIL,
        attachments=tuple(
            Attachment(f"/attachments/{index}", f"file{index}", mime_type)
            for index, mime_type in enumerate(mime_types)
        ),
    )

    assert voicemail.is_fax is fax
    assert (voicemail.audio is None) is (fax or not mime_types)
