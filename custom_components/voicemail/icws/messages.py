"""Messages of the event channel -> typed events.

Like `parse.py`: a model or `IcwsProtocolError`, whatever JSON comes in. Tolerant in the
ways PROTOCOL.md §12 asks: an unknown enum value keeps its message (the number is kept),
one malformed voicemail does not hide the rest of the mailbox, every date form of the
official library is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
import logging
from typing import Any, Final, Literal

from .errors import IcwsProtocolError
from .models import (
    Attachment,
    ConnectionStateChange,
    IcwsEvent,
    MessageWaiting,
    PlayStatusChange,
    SubscriptionStateChange,
    Voicemail,
    VoicemailDelta,
    VoicemailSnapshot,
    VoicemailStateChange,
)
from .parse import (
    JsonObject,
    as_list,
    as_object,
    get_bool,
    get_int,
    get_optional_str,
    get_str,
    parse_datetime,
)

_LOGGER = logging.getLogger(__name__)

UM: Final = "urn:inin.com:unifiedMessaging"
URN_VOICEMAIL_MESSAGES: Final = f"{UM}:voicemailMessagesMessage"
URN_PLAY_STATUS: Final = f"{UM}:voicemailPlayStatusMessage"
URN_MWI: Final = f"{UM}:mwiMessage"
URN_VOICEMAIL_SUBSCRIPTION_STATE: Final = (
    f"{UM}:voicemailMessageSubscriptionStateMessage"
)
URN_MWI_SUBSCRIPTION_STATE: Final = f"{UM}:mwiSubscriptionStateMessage"
URN_CONNECTION_STATE: Final = "urn:inin.com:connection:connectionStateChangeMessage"


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
        when = parse_datetime(received)
    except IcwsProtocolError:
        return None
    return Voicemail(message_id, state, when, sender, subject, tuple(attachments))


def checked_voicemail(value: object) -> Voicemail:
    """Parse a voicemail field by field, raising IcwsProtocolError for the first bad one."""
    obj = as_object(value, "a voicemail")
    attachments = obj.get("attachments")
    return Voicemail(
        message_id=_message_id(obj),
        state=get_int(obj, "state", default=0),
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
        message_id=_message_id(obj), state=get_int(obj, "state", default=0)
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


def _readable_id(entry: object) -> str | None:
    """Return the id of a malformed entry when it can still be read."""
    if isinstance(entry, dict):
        message_id = entry.get("unifiedMessageId")
        if isinstance(message_id, str) and message_id:
            return message_id
    return None


def _items[T](
    obj: JsonObject,
    key: str,
    parse: Callable[[object], T],
    skipped: list[object] | None = None,
) -> tuple[T, ...]:
    """Parse the entries of an optional array; a malformed entry is logged and skipped.

    One bad voicemail must not hide the rest of the mailbox. The skipped entries go
    to `skipped` when given.
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
            if skipped is not None:
                skipped.append(entry)
    return tuple(items)


def parse_voicemail_messages(obj: JsonObject) -> VoicemailSnapshot | VoicemailDelta:
    """`voicemailMessagesMessage`: a snapshot (isDelta false) or a delta."""
    bad: list[object] = []
    added = _items(obj, "voicemailMessagesAdded", parse_voicemail, bad)
    if not get_bool(obj, "isDelta", default=False):
        readable = [_readable_id(entry) for entry in bad]
        return VoicemailSnapshot(
            voicemails=added,
            skipped=tuple(message_id for message_id in readable if message_id),
            complete=all(readable),
        )
    return VoicemailDelta(
        added=added,
        changed=_items(obj, "voicemailMessagesChanged", parse_state_change),
        removed=_items(obj, "voicemailMessagesRemoved", _removed_id),
    )


def parse_play_status(obj: JsonObject) -> PlayStatusChange:
    """`voicemailPlayStatusMessage`; a missing playStatus reads as playing (see parse.py)."""
    return PlayStatusChange(
        message_id=_message_id(obj), status=get_int(obj, "playStatus", default=0)
    )


def parse_connection_state(obj: JsonObject) -> ConnectionStateChange:
    """`connectionStateChangeMessage`."""
    should_reconnect = obj.get("shouldReconnect")
    if should_reconnect is not None and not isinstance(should_reconnect, bool):
        raise IcwsProtocolError("The field shouldReconnect is not a boolean")
    return ConnectionStateChange(
        previous=get_int(obj, "previousConnectionState", default=0),
        new=get_int(obj, "newConnectionState"),
        reason=get_str(obj, "reason", default=""),
        should_reconnect=should_reconnect,
    )


def parse_mwi(obj: JsonObject) -> MessageWaiting:
    """`mwiMessage`: the message-waiting count."""
    count = get_int(obj, "messagesWaiting")
    if count < 0:
        raise IcwsProtocolError("The field messagesWaiting is negative")
    return MessageWaiting(count=count)


def parse_subscription_state(
    obj: JsonObject, subscription: Literal["voicemail", "mwi"]
) -> SubscriptionStateChange:
    """Parse a `subscriptionStateMessage` (voicemail or messages-waiting subscription)."""
    error = obj.get("error")
    return SubscriptionStateChange(
        subscription=subscription,
        state=get_int(obj, "state", default=0),
        message=get_optional_str(error, "message") if isinstance(error, dict) else None,
    )


_PARSERS: dict[str, Callable[[JsonObject], IcwsEvent]] = {
    URN_VOICEMAIL_MESSAGES: parse_voicemail_messages,
    URN_PLAY_STATUS: parse_play_status,
    URN_CONNECTION_STATE: parse_connection_state,
    URN_MWI: parse_mwi,
    URN_VOICEMAIL_SUBSCRIPTION_STATE: partial(
        parse_subscription_state, subscription="voicemail"
    ),
    URN_MWI_SUBSCRIPTION_STATE: partial(parse_subscription_state, subscription="mwi"),
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


def parse_batch(value: object) -> Iterable[IcwsEvent]:
    """Yield the typed events of a message or an array of messages; skip bad messages."""
    messages = value if isinstance(value, list) else [value]
    for message in messages:
        try:
            event = parse_message(message)
        except IcwsProtocolError as err:
            _LOGGER.warning("Skipping a malformed ICWS message: %s", err)
            continue
        if event is not None:
            yield event
