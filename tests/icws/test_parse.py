"""JSON from the server -> typed models; nothing but IcwsProtocolError escapes."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
import json
import logging
from typing import Any

from hypothesis import given, strategies as st
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
    Voicemail,
    VoicemailDelta,
    VoicemailSnapshot,
    VoicemailStateChange,
)
from custom_components.voicemail.icws.parse import (
    ErrorBody,
    LoginReply,
    checked_voicemail,
    decode_json,
    fast_voicemail,
    parse_datetime,
    parse_error,
    parse_login,
    parse_message,
)

UM = "urn:inin.com:unifiedMessaging"
VOICEMAIL_MESSAGES = f"{UM}:voicemailMessagesMessage"
ATTACHMENT = {
    "__type": f"{UM}:attachment",
    "fileUri": "/icws/1/unified-messaging/x/attachments/0",
    "fileName": "VoiceMail.wav",
    "mimeType": "audio/wav",
}
ADDED = {
    "__type": f"{UM}:voicemailMessageAdded",
    "unifiedMessageId": "imap://alice@voicestore:993/INBOX;uid=574/;section=1",
    "state": 0,
    "dateReceived": "20201029T082018Z",
    "from": "Bob Example <+15551234>",
    "subject": "Voice mail from Bob",
    "attachments": [ATTACHMENT],
}
SNAPSHOT = {
    "__type": VOICEMAIL_MESSAGES,
    "isDelta": False,
    "voicemailMessagesAdded": [ADDED],
}
DELTA = {
    "__type": VOICEMAIL_MESSAGES,
    "isDelta": True,
    "voicemailMessagesAdded": [ADDED],
    "voicemailMessagesChanged": [
        {"__type": f"{UM}:voicemailMessage", "unifiedMessageId": "m2", "state": 1}
    ],
    "voicemailMessagesRemoved": ["m3"],
}
PLAY_STATUS = {
    "__type": f"{UM}:voicemailPlayStatusMessage",
    "isDelta": False,
    "unifiedMessageId": "m1",
    "playStatus": 1,
}
CONNECTION_DOWN = {
    "__type": "urn:inin.com:connection:connectionStateChangeMessage",
    "isDelta": False,
    "previousConnectionState": 1,
    "newConnectionState": 2,
    "reason": "Switchover",
    "shouldReconnect": True,
}
MWI = {"__type": f"{UM}:mwiMessage", "isDelta": False, "messagesWaiting": 3}
LOGIN = {
    "csrfToken": "WAhhbGljZQ==",
    "sessionId": "1731001",
    "alternateHostList": ["cic-icws", "", 5],
    "userID": "alice",
    "userDisplayName": "Alice Example",
    "icServer": "CIC-ICWS",
    "features": [
        {"featureId": "unified-messaging", "version": 2},
        {"featureId": "messaging", "version": "3"},
        {"featureId": "connection", "version": True},
        {"featureId": 7, "version": 1},
        "junk",
    ],
    "version": {
        "majorVersion": "15",
        "minorVersion": "1",
        "su": "3",
        "productReleaseDisplayString": "2015 R1",
    },
}
VALID_MESSAGES = [SNAPSHOT, DELTA, PLAY_STATUS, CONNECTION_DOWN, MWI]

EXPECTED_VOICEMAIL = Voicemail(
    message_id="imap://alice@voicestore:993/INBOX;uid=574/;section=1",
    state=MessageState.UNREAD,
    received=datetime(2020, 10, 29, 8, 20, 18, tzinfo=UTC),
    sender="Bob Example <+15551234>",
    subject="Voice mail from Bob",
    attachments=(
        Attachment(
            file_uri="/icws/1/unified-messaging/x/attachments/0",
            file_name="VoiceMail.wav",
            mime_type="audio/wav",
        ),
    ),
)


# --- Dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20201029T082018Z", datetime(2020, 10, 29, 8, 20, 18, tzinfo=UTC)),
        ("2020-10-29T08:20:18Z", datetime(2020, 10, 29, 8, 20, 18, tzinfo=UTC)),
        (
            "2020-10-29T08:20:18.250Z",
            datetime(2020, 10, 29, 8, 20, 18, 250000, tzinfo=UTC),
        ),
        (
            "2020-10-29T10:20:18+02:00",
            datetime(2020, 10, 29, 10, 20, 18, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2020-10-29T08:20:18", datetime(2020, 10, 29, 8, 20, 18, tzinfo=UTC)),
        ("20201029T082018", datetime(2020, 10, 29, 8, 20, 18, tzinfo=UTC)),
    ],
)
def test_dates_compact_and_dashed(text: str, expected: datetime) -> None:
    """Both forms are read; the result is always timezone-aware (naive means UTC)."""
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize(
    "value",
    ["", "yesterday", "2020-13-45T99:00:00Z", "20201029T082018Q", 20201029, None],
)
def test_invalid_dates(value: object) -> None:
    """Anything else is a protocol error."""
    with pytest.raises(IcwsProtocolError):
        parse_datetime(value)


# --- Messages --------------------------------------------------------------------------


def test_snapshot() -> None:
    """A message with isDelta false is the whole mailbox."""
    assert parse_message(SNAPSHOT) == VoicemailSnapshot(
        voicemails=(EXPECTED_VOICEMAIL,)
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
    assert parse_message(PLAY_STATUS) == PlayStatusChange("m1", PlayStatus.STOPPED)
    assert parse_message(CONNECTION_DOWN) == ConnectionStateChange(
        ConnectionState.UP, ConnectionState.DOWN, "Switchover", True
    )
    assert parse_message(MWI) == MessageWaiting(3)


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
        {"__type": f"{UM}:voicemailPlayStatusMessage", "unifiedMessageId": "m1"}
    ) == PlayStatusChange("m1", PlayStatus.PLAYING)
    assert parse_message(
        {
            "__type": "urn:inin.com:connection:connectionStateChangeMessage",
            "newConnectionState": 2,
        }
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
    """One bad voicemail does not hide the others."""
    bad = dict(ADDED, unifiedMessageId="bad", dateReceived="not a date")
    message = dict(SNAPSHOT, voicemailMessagesAdded=[bad, ADDED, {"state": 0}])
    with caplog.at_level(logging.WARNING):
        assert parse_message(message) == VoicemailSnapshot((EXPECTED_VOICEMAIL,))
    assert "Skipping a malformed entry of voicemailMessagesAdded" in caplog.text


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
        dict(PLAY_STATUS, playStatus=2),
        dict(PLAY_STATUS, playStatus=True),
        dict(PLAY_STATUS, unifiedMessageId=""),
        dict(PLAY_STATUS, unifiedMessageId=None),
        {k: v for k, v in CONNECTION_DOWN.items() if k != "newConnectionState"},
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


def test_malformed_delta_entries(caplog: pytest.LogCaptureFixture) -> None:
    """Bad changed / removed / attachment entries are skipped one by one."""
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
        "voicemailMessagesChanged": [{"unifiedMessageId": "m2", "state": 7}, "m3"],
        "voicemailMessagesRemoved": ["", 5, None, "m4"],
    }
    assert parse_message(message) == VoicemailDelta(
        added=(replace(EXPECTED_VOICEMAIL, attachments=()),), removed=("m4",)
    )


# --- Login and errors ------------------------------------------------------------------


def test_login_response() -> None:
    """Session id, CSRF token, alternate hosts, features (quoted versions too), version."""
    reply = parse_login(LOGIN)
    assert reply.session_id == "1731001"
    assert reply.csrf_token == "WAhhbGljZQ=="
    assert reply.alternate_hosts == ("cic-icws",)
    assert reply.features == {"unified-messaging": 2, "messaging": 3}
    assert reply.version == ServerVersion("15", "1", "3", release_display="2015 R1")
    assert reply.user_display_name == "Alice Example"
    # The secrets are not in its repr.
    assert "1731001" not in repr(reply)
    assert "WAhhbGljZQ==" not in repr(reply)


def test_login_response_minimal_and_numeric_session_id() -> None:
    """Only sessionId and csrfToken are required; a numeric session id is accepted."""
    reply = parse_login({"sessionId": 1731001, "csrfToken": "t", "version": {"su": 1}})
    assert reply.session_id == "1731001"
    assert reply.features == {}
    assert reply.version is None
    assert reply.alternate_hosts == ()


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"csrfToken": "t"},
        {"sessionId": "", "csrfToken": "t"},
        {"sessionId": True, "csrfToken": "t"},
        {"sessionId": "1"},
        {"sessionId": "1", "csrfToken": ""},
    ],
)
def test_bad_login_responses(body: object) -> None:
    """No session id or CSRF token: a protocol error."""
    with pytest.raises(IcwsProtocolError):
        parse_login(body)


def test_error_bodies() -> None:
    """Error bodies are read as far as possible and never raise."""
    assert parse_error(b"<html>") == ErrorBody()
    assert parse_error(b"[1]") == ErrorBody()
    body = {
        "__type": "urn:inin.com:common:invalidPropertyError",
        "errorId": "error.request.invalidRepresentation.invalidProperty",
        "message": "Not allowed",
        "propertyName": "unifiedMessageId",
        "errorCode": 5,
    }
    assert parse_error(json.dumps(body).encode()) == ErrorBody(
        message="Not allowed",
        error_id="error.request.invalidRepresentation.invalidProperty",
        error_type="urn:inin.com:common:invalidPropertyError",
        property_name="unifiedMessageId",
        error_code=5,
    )
    # Old servers: a numeric errorId; errorCode must be an integer.
    old = parse_error(b'{"errorId": -2147221496, "errorCode": true}')
    assert old.error_id == "-2147221496"
    assert old.error_code is None


@pytest.mark.parametrize("body", [b"", b"{", b"\xff\xfe\x00", b"[" * 100_000])
def test_decode_json_errors(body: bytes) -> None:
    """Invalid JSON, invalid UTF-8, or absurd nesting: a protocol error."""
    with pytest.raises(IcwsProtocolError):
        decode_json(body)


# --- Property tests --------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["20201029T082018Z", "2020-10-29T08:20:18Z", "m1", "", "0", "2"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "__type",
                    "isDelta",
                    "unifiedMessageId",
                    "state",
                    "dateReceived",
                    "attachments",
                    "playStatus",
                    "messagesWaiting",
                    "newConnectionState",
                    "voicemailMessagesAdded",
                    "voicemailMessagesChanged",
                    "voicemailMessagesRemoved",
                ]
            )
            | st.text(max_size=10),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)
message_types = st.sampled_from(
    [
        VOICEMAIL_MESSAGES,
        f"{UM}:voicemailPlayStatusMessage",
        "urn:inin.com:connection:connectionStateChangeMessage",
        f"{UM}:mwiMessage",
        "urn:inin.com:unknown",
    ]
)


MODELS = (
    VoicemailSnapshot,
    VoicemailDelta,
    PlayStatusChange,
    ConnectionStateChange,
    MessageWaiting,
    LoginReply,
    type(None),
)


def parses_or_protocol_error(value: object) -> None:
    """Each parser returns its model (or None) or raises IcwsProtocolError, nothing else."""
    for parse in (parse_message, parse_login):
        try:
            result = parse(value)
        except IcwsProtocolError:
            continue
        assert isinstance(result, MODELS)
    assert isinstance(parse_error(json.dumps(value).encode()), ErrorBody)


@given(json_values)
def test_any_json_is_a_model_or_a_protocol_error(value: object) -> None:
    """No JSON makes the parsers raise anything but IcwsProtocolError."""
    parses_or_protocol_error(value)


@given(message_types, st.dictionaries(st.text(max_size=25), json_values, max_size=8))
def test_any_object_of_a_known_type(message_type: str, fields: dict[str, Any]) -> None:
    """Objects that claim a known `__type` with arbitrary fields."""
    parses_or_protocol_error({**fields, "__type": message_type})


def _paths(value: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested JSON."""
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths.extend(_paths(child, (*prefix, index)))
    return paths


@given(st.sampled_from([*VALID_MESSAGES, LOGIN]), st.data())
def test_mutated_valid_messages(message: dict[str, Any], data: st.DataObject) -> None:
    """Valid messages with parts replaced or deleted parse or raise IcwsProtocolError."""
    mutated = copy.deepcopy(message)
    for _ in range(data.draw(st.integers(1, 4))):
        paths = [p for p in _paths(mutated) if p]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent: Any = mutated
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(json_values)
    parses_or_protocol_error(mutated)


def test_model_conveniences() -> None:
    """The version's display text and a voicemail's read flag."""
    assert ServerVersion("15", "1", "3").display == "15.1.3"
    assert ServerVersion("15", "1", "0", release_display="2015 R1").display == "2015 R1"
    assert not EXPECTED_VOICEMAIL.read
    assert replace(EXPECTED_VOICEMAIL, state=MessageState.READ).read


def mostly[T](valid: st.SearchStrategy[T]) -> st.SearchStrategy[object]:
    """Draw a valid value nine times in ten, else any JSON scalar."""
    return st.integers(0, 9).flatmap(lambda n: valid if n else json_scalars)


attachment_values = st.fixed_dictionaries(
    {"fileUri": mostly(st.text(max_size=8)), "fileName": mostly(st.text(max_size=8))},
    optional={"mimeType": mostly(st.none() | st.text(max_size=8))},
)
voicemail_values = st.fixed_dictionaries(
    {
        "unifiedMessageId": mostly(st.text(max_size=12)),
        "state": mostly(st.sampled_from([0, 1])),
        "dateReceived": mostly(
            st.sampled_from(
                [
                    "20201029T082018Z",
                    "2020-10-29T08:20:18",
                    "2020-10-29T10:20:18.5+02:00",
                    "2020-10-29",
                ]
            )
            | st.datetimes(timezones=st.none() | st.just(UTC)).map(datetime.isoformat)
        ),
        "from": mostly(st.text(max_size=12)),
        "subject": mostly(st.text(max_size=12)),
        "attachments": mostly(st.lists(mostly(attachment_values), max_size=3)),
    },
)


@given(voicemail_values)
def test_fast_voicemail_agrees_with_the_checked_path(value: dict[str, Any]) -> None:
    """The fast path for large snapshots returns what the checked path returns, or None."""
    fast = fast_voicemail(value)
    if fast is not None:
        assert fast == checked_voicemail(value)
        assert fast.received.tzinfo is not None


def test_fast_voicemail_reads_a_naive_date_as_utc() -> None:
    """A date without offset is UTC on the fast path too."""
    voicemail = fast_voicemail(dict(ADDED, dateReceived="2020-10-29T08:20:18"))
    assert voicemail == EXPECTED_VOICEMAIL
