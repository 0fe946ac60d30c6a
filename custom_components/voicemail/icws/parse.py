"""JSON from the ICWS server -> typed models.

Every function here either returns a model or raises `IcwsProtocolError`, whatever JSON it
is given; nothing else escapes (the property tests check this).

Defaults for fields the server leaves out: ICWS is a .NET server, and .NET serializers
commonly omit a field that holds its type's default value. So a missing ``isDelta`` reads
as false (a full snapshot), a missing ``state`` as 0 (unread), a missing ``playStatus`` as
0 (playing) and a missing string as "". Reading a missing ``playStatus`` as "playing" also
errs on the side a user can recover from: the stop control stays available (stopping a
message that is not playing is harmless) instead of disappearing while audio plays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import logging
from typing import Any, Final

from .errors import IcwsProtocolError
from .models import (
    Attachment,
    ConnectionState,
    ConnectionStateChange,
    IcwsEvent,
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

_LOGGER = logging.getLogger(__name__)

URN_VOICEMAIL_MESSAGES = "urn:inin.com:unifiedMessaging:voicemailMessagesMessage"
URN_PLAY_STATUS = "urn:inin.com:unifiedMessaging:voicemailPlayStatusMessage"
URN_CONNECTION_STATE = "urn:inin.com:connection:connectionStateChangeMessage"
URN_MWI = "urn:inin.com:unifiedMessaging:mwiMessage"

type JsonObject = Mapping[str, Any]


def decode_json(body: bytes | str) -> object:
    """Decode a body as JSON, whatever its content type said."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as err:
        # UnicodeDecodeError and JSONDecodeError are ValueErrors.
        raise IcwsProtocolError(
            "The server sent a body that is not valid JSON"
        ) from err


def as_object(value: object, what: str) -> JsonObject:
    """Return `value` as a JSON object, else raise IcwsProtocolError naming `what`."""
    if not isinstance(value, dict):
        raise IcwsProtocolError(f"The server sent {what} that is not a JSON object")
    return value


def as_list(value: object, what: str) -> list[Any]:
    """Return `value` as a JSON array, else raise IcwsProtocolError naming `what`."""
    if not isinstance(value, list):
        raise IcwsProtocolError(f"The server sent {what} that is not a JSON array")
    return value


def get_str(obj: JsonObject, key: str, *, default: str | None = None) -> str:
    """Return a string field; a missing one is `default` (an error without default)."""
    value = obj.get(key)
    if isinstance(value, str):
        return value
    if value is None and default is not None:
        return default
    raise IcwsProtocolError(f"The field {key} is missing or not a string")


def get_optional_str(obj: JsonObject, key: str) -> str | None:
    """Return a string field that may be missing or null; anything else is an error."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise IcwsProtocolError(f"The field {key} is not a string")


def get_int(obj: JsonObject, key: str, *, default: int | None = None) -> int:
    """Return an integer field (not a boolean); a missing one is `default`."""
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is None and default is not None:
        return default
    raise IcwsProtocolError(f"The field {key} is missing or not an integer")


def get_bool(obj: JsonObject, key: str, *, default: bool | None = None) -> bool:
    """Return a boolean field; a missing one is `default` (an error without default)."""
    value = obj.get(key)
    if isinstance(value, bool):
        return value
    if value is None and default is not None:
        return default
    raise IcwsProtocolError(f"The field {key} is missing or not a boolean")


def parse_datetime(value: object) -> datetime:
    """`20201029T082018Z` or a dashed ISO-8601 form; always timezone-aware (naive = UTC)."""
    if not isinstance(value, str):
        raise IcwsProtocolError("A date-time is not a string")
    try:
        parsed = datetime.fromisoformat(value)
    except (ValueError, OverflowError) as err:
        raise IcwsProtocolError("A date-time is not in ISO-8601 form") from err
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed


def _enum[E: (MessageState, PlayStatus, ConnectionState)](
    enum: type[E], obj: JsonObject, key: str, default: int | None = None
) -> E:
    """Return an integer field that must be a value of `enum`."""
    number = get_int(obj, key, default=default)
    try:
        return enum(number)
    except ValueError as err:
        raise IcwsProtocolError(f"The field {key} has an unknown value") from err


# --- Login ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginReply:
    """The parts of a login response the client keeps (secrets never in repr)."""

    session_id: str
    csrf_token: str
    user_id: str | None
    user_display_name: str | None
    ic_server: str | None
    alternate_hosts: tuple[str, ...]
    features: dict[str, int]
    version: ServerVersion | None

    def __repr__(self) -> str:
        """Leave out the session id and the CSRF token."""
        return f"LoginReply(user_id={self.user_id!r}, features={self.features!r})"


def parse_login(body: object) -> LoginReply:
    """Parse the body of a 201 login response (`connectionResponse`)."""
    obj = as_object(body, "a login response")
    session_id = obj.get("sessionId")
    if isinstance(session_id, int) and not isinstance(session_id, bool):
        session_id = str(session_id)
    if not isinstance(session_id, str) or not session_id:
        raise IcwsProtocolError("The login response has no session id")
    csrf_token = obj.get("csrfToken")
    if not isinstance(csrf_token, str) or not csrf_token:
        raise IcwsProtocolError("The login response has no CSRF token")
    return LoginReply(
        session_id=session_id,
        csrf_token=csrf_token,
        user_id=_lenient_str(obj.get("userID")),
        user_display_name=_lenient_str(obj.get("userDisplayName")),
        ic_server=_lenient_str(obj.get("icServer")),
        alternate_hosts=parse_alternate_hosts(obj),
        features=parse_features(obj.get("features")),
        version=parse_version(obj.get("version")),
    )


def _lenient_str(value: object) -> str | None:
    """Return a string, or None for anything else (informative fields only)."""
    return value if isinstance(value, str) else None


def parse_alternate_hosts(obj: JsonObject) -> tuple[str, ...]:
    """`alternateHostList`: the host names that are strings and not blank."""
    hosts = obj.get("alternateHostList")
    if not isinstance(hosts, list):
        return ()
    return tuple(h.strip() for h in hosts if isinstance(h, str) and h.strip())


def parse_features(value: object) -> dict[str, int]:
    """`features`: `[{featureId, version}]`; entries of another shape are left out.

    Versions are JSON integers; a quoted number (as a documentation example shows) is
    accepted too.
    """
    features: dict[str, int] = {}
    if not isinstance(value, list):
        return features
    for entry in value:
        if not isinstance(entry, dict):
            continue
        feature_id = entry.get("featureId")
        version = entry.get("version")
        if isinstance(version, str) and version.isascii() and version.isdigit():
            version = int(version)
        if (
            isinstance(feature_id, str)
            and isinstance(version, int)
            and not isinstance(version, bool)
        ):
            features[feature_id] = version
    return features


def parse_version(value: object) -> ServerVersion | None:
    """`versionInfo` (all strings); None when absent or not of that shape."""
    if not isinstance(value, dict):
        return None
    major, minor, su = (value.get(k) for k in ("majorVersion", "minorVersion", "su"))
    if not (isinstance(major, str) and isinstance(minor, str) and isinstance(su, str)):
        return None
    return ServerVersion(
        major=major,
        minor=minor,
        su=su,
        build=_lenient_str(value.get("build")),
        product_id=_lenient_str(value.get("productId")),
        codebase_id=_lenient_str(value.get("codebaseId")),
        release_display=_lenient_str(value.get("productReleaseDisplayString")),
        patch_display=_lenient_str(value.get("productPatchDisplayString")),
    )


# --- Error bodies --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """The fields of an ICWS error body (`urn:inin.com:common:error` and derived)."""

    message: str | None = None
    error_id: str | None = None
    error_type: str | None = None
    property_name: str | None = None
    error_code: int | None = None
    alternate_hosts: tuple[str, ...] = ()


def parse_error(body: bytes) -> ErrorBody:
    """Read what an error body tells; never raises (the status decides the error)."""
    try:
        obj = json.loads(body)
    except ValueError, RecursionError:
        return ErrorBody()
    if not isinstance(obj, dict):
        return ErrorBody()
    code = obj.get("errorCode")
    error_id = obj.get("errorId")
    if isinstance(error_id, int) and not isinstance(error_id, bool):
        error_id = str(error_id)
    return ErrorBody(
        message=_lenient_str(obj.get("message")),
        error_id=_lenient_str(error_id),
        error_type=_lenient_str(obj.get("__type")),
        property_name=_lenient_str(obj.get("propertyName")),
        error_code=code
        if isinstance(code, int) and not isinstance(code, bool)
        else None,
        alternate_hosts=parse_alternate_hosts(obj),
    )


# --- Messages ------------------------------------------------------------------------


def parse_attachment(value: object) -> Attachment:
    """`urn:inin.com:unifiedMessaging:attachment`."""
    obj = as_object(value, "an attachment")
    return Attachment(
        file_uri=get_str(obj, "fileUri"),
        file_name=get_str(obj, "fileName", default=""),
        mime_type=get_optional_str(obj, "mimeType"),
    )


def parse_voicemail(value: object) -> Voicemail:
    """Parse a `urn:inin.com:unifiedMessaging:voicemailMessageAdded`."""
    if type(value) is dict:
        voicemail = fast_voicemail(value)
        if voicemail is not None:
            return voicemail
    return checked_voicemail(value)


_STATES: Final = (MessageState.UNREAD, MessageState.READ)


def fast_voicemail(obj: dict[str, Any]) -> Voicemail | None:
    """Parse the common, complete form in one pass; None for anything else.

    A large mailbox's snapshot has thousands of entries. Whatever this returns,
    `checked_voicemail` returns too (a property test checks it); entries it declines
    go there for the exact error.
    """
    message_id = obj.get("unifiedMessageId")
    state = obj.get("state")
    received = obj.get("dateReceived")
    sender = obj.get("from")
    subject = obj.get("subject")
    raw_attachments = obj.get("attachments")
    if not (
        type(message_id) is str
        and message_id
        and type(state) is int
        and 0 <= state <= 1
        and type(received) is str
        and type(sender) is str
        and type(subject) is str
        and type(raw_attachments) is list
    ):
        return None
    attachments: list[Attachment] = []
    for item in raw_attachments:
        if type(item) is not dict:
            return None
        uri = item.get("fileUri")
        name = item.get("fileName")
        mime = item.get("mimeType")
        if type(uri) is not str or type(name) is not str:
            return None
        if mime is not None and type(mime) is not str:
            return None
        attachments.append(Attachment(uri, name, mime))
    try:
        when = datetime.fromisoformat(received)
    except ValueError, OverflowError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return Voicemail(
        message_id, _STATES[state], when, sender, subject, tuple(attachments)
    )


def checked_voicemail(value: object) -> Voicemail:
    """Parse a voicemail field by field, raising IcwsProtocolError for the first bad one."""
    obj = as_object(value, "a voicemail")
    attachments = obj.get("attachments")
    return Voicemail(
        message_id=_message_id(obj),
        state=_enum(MessageState, obj, "state", 0),
        received=parse_datetime(obj.get("dateReceived")),
        sender=get_str(obj, "from", default=""),
        subject=get_str(obj, "subject", default=""),
        attachments=()
        if attachments is None
        else tuple(parse_attachment(a) for a in as_list(attachments, "attachments")),
    )


def parse_state_change(value: object) -> VoicemailStateChange:
    """`urn:inin.com:unifiedMessaging:voicemailMessage` (a `...Changed` entry)."""
    obj = as_object(value, "a changed voicemail")
    return VoicemailStateChange(
        message_id=_message_id(obj), state=_enum(MessageState, obj, "state", 0)
    )


def _message_id(obj: JsonObject) -> str:
    """Return `unifiedMessageId`: a non-empty string."""
    message_id = get_str(obj, "unifiedMessageId")
    if not message_id:
        raise IcwsProtocolError("The field unifiedMessageId is empty")
    return message_id


def _removed_id(value: object) -> str:
    """Parse a `...Removed` entry: an id, or (tolerated) an object with the id."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict):
        return _message_id(value)
    raise IcwsProtocolError("A removed voicemail id is not a string")


def _items[T](obj: JsonObject, key: str, parse: Callable[[object], T]) -> tuple[T, ...]:
    """Parse the entries of an optional array; a malformed entry is logged and skipped.

    One bad voicemail must not hide the rest of the mailbox.
    """
    value = obj.get(key)
    if value is None:
        return ()
    items: list[T] = []
    for entry in as_list(value, key):
        try:
            items.append(parse(entry))
        except IcwsProtocolError as err:
            _LOGGER.warning("Skipping a malformed entry of %s: %s", key, err)
    return tuple(items)


def parse_voicemail_messages(obj: JsonObject) -> VoicemailSnapshot | VoicemailDelta:
    """`voicemailMessagesMessage`: a snapshot (isDelta false) or a delta."""
    added = _items(obj, "voicemailMessagesAdded", parse_voicemail)
    if not get_bool(obj, "isDelta", default=False):
        return VoicemailSnapshot(voicemails=added)
    return VoicemailDelta(
        added=added,
        changed=_items(obj, "voicemailMessagesChanged", parse_state_change),
        removed=_items(obj, "voicemailMessagesRemoved", _removed_id),
    )


def parse_play_status(obj: JsonObject) -> PlayStatusChange:
    """`voicemailPlayStatusMessage`; a missing playStatus reads as playing (see above)."""
    return PlayStatusChange(
        message_id=_message_id(obj), status=_enum(PlayStatus, obj, "playStatus", 0)
    )


def parse_connection_state(obj: JsonObject) -> ConnectionStateChange:
    """`connectionStateChangeMessage`."""
    should_reconnect = obj.get("shouldReconnect")
    if should_reconnect is not None and not isinstance(should_reconnect, bool):
        raise IcwsProtocolError("The field shouldReconnect is not a boolean")
    return ConnectionStateChange(
        previous=_enum(ConnectionState, obj, "previousConnectionState", 0),
        new=_enum(ConnectionState, obj, "newConnectionState"),
        reason=get_str(obj, "reason", default=""),
        should_reconnect=should_reconnect,
    )


def parse_mwi(obj: JsonObject) -> MessageWaiting:
    """`mwiMessage`: the message-waiting count."""
    count = get_int(obj, "messagesWaiting")
    if count < 0:
        raise IcwsProtocolError("The field messagesWaiting is negative")
    return MessageWaiting(count=count)


_PARSERS: dict[str, Callable[[JsonObject], IcwsEvent]] = {
    URN_VOICEMAIL_MESSAGES: parse_voicemail_messages,
    URN_PLAY_STATUS: parse_play_status,
    URN_CONNECTION_STATE: parse_connection_state,
    URN_MWI: parse_mwi,
}


def parse_message(value: object) -> IcwsEvent | None:
    """One message of the event channel; None for a `__type` the client does not use.

    A message of a known type that is malformed raises IcwsProtocolError.
    """
    obj = as_object(value, "a message")
    message_type = obj.get("__type")
    parser = _PARSERS.get(message_type) if isinstance(message_type, str) else None
    if parser is None:
        _LOGGER.debug("Ignoring a message of type %.200r", message_type)
        return None
    return parser(obj)
