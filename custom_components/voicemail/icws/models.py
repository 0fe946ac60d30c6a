"""Typed models of what the ICWS server sends."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Literal


class MessageState(IntEnum):
    """`urn:inin.com:unifiedMessaging:messageState`."""

    UNREAD = 0
    READ = 1


class PlayStatus(IntEnum):
    """`urn:inin.com:unifiedMessaging:voicemailPlayStatus`."""

    PLAYING = 0
    STOPPED = 1


class ConnectionState(IntEnum):
    """`connectionState` of a session: 0 none, 1 up, 2 down."""

    NONE = 0
    UP = 1
    DOWN = 2


class SubscriptionState(IntEnum):
    """`urn:inin.com:messaging:subscriptionState`: the health of a subscription."""

    NONE = 0
    NORMAL = 1
    SUSPENDED = 2
    FAULTED = 3


@dataclass(frozen=True, slots=True)
class ServerVersion:
    """`GET /icws/connection/version` or the login's `version` (all strings)."""

    major: str
    minor: str
    su: str
    build: str | None = None
    product_id: str | None = None
    codebase_id: str | None = None
    release_display: str | None = None
    patch_display: str | None = None

    @property
    def display(self) -> str:
        """A human readable version, e.g. `2015 R1 Patch 3` or `15.1.0`."""
        if self.release_display:
            if self.patch_display:
                return f"{self.release_display} {self.patch_display}"
            return self.release_display
        return f"{self.major}.{self.minor}.{self.su}"


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What a successful login tells about the session (never a secret)."""

    user_id: str
    user_display_name: str | None
    ic_server: str | None
    host: str
    alternate_hosts: tuple[str, ...]
    features: Mapping[str, int] = field(default_factory=dict)
    version: ServerVersion | None = None

    def feature(self, feature_id: str) -> int | None:
        """Version of a feature, None when the server does not have it."""
        return self.features.get(feature_id)


@dataclass(frozen=True, slots=True)
class Attachment:
    """`urn:inin.com:unifiedMessaging:attachment`."""

    file_uri: str
    file_name: str
    mime_type: str | None = None


@dataclass(frozen=True, slots=True)
class Voicemail:
    """`urn:inin.com:unifiedMessaging:voicemailMessageAdded`.

    `state` is the server's number: a `MessageState`, or a value this client does not
    know, which is kept and counts as not read.
    """

    message_id: str
    state: int
    received: datetime
    sender: str
    subject: str
    attachments: tuple[Attachment, ...] = ()

    @property
    def read(self) -> bool:
        """Whether the voicemail was read (listened to)."""
        return self.state == MessageState.READ

    @property
    def audio(self) -> Attachment | None:
        """The attachment that holds the recording: the first audio one.

        An attachment without a `mimeType` (the field is optional) counts as audio; a
        fax has only other kinds (`image/tiff`).
        """
        return next(
            (
                attachment
                for attachment in self.attachments
                if attachment.mime_type is None
                or attachment.mime_type.lower().startswith("audio/")
            ),
            None,
        )

    @property
    def is_fax(self) -> bool:
        """Whether the message is a fax: it has attachments, none of them audio.

        A message without any attachment is not a fax: its recording may be missing,
        it is still a voicemail.
        """
        return bool(self.attachments) and self.audio is None


@dataclass(frozen=True, slots=True)
class VoicemailStateChange:
    """`urn:inin.com:unifiedMessaging:voicemailMessage` (a `...Changed` entry)."""

    message_id: str
    state: int


# --- Messages from the event channel ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class VoicemailSnapshot:
    """`voicemailMessagesMessage` with `isDelta` false: the whole mailbox.

    `skipped` are the ids of entries that were malformed (they are in the mailbox,
    their data could not be read); `complete` is false when an entry was skipped
    without a readable id, so the snapshot cannot tell which messages are gone.
    """

    voicemails: tuple[Voicemail, ...]
    skipped: tuple[str, ...] = ()
    complete: bool = True


@dataclass(frozen=True, slots=True)
class VoicemailDelta:
    """`voicemailMessagesMessage` with `isDelta` true."""

    added: tuple[Voicemail, ...] = ()
    changed: tuple[VoicemailStateChange, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlayStatusChange:
    """`voicemailPlayStatusMessage`; `status` a `PlayStatus` or an unknown number."""

    message_id: str
    status: int

    @property
    def stopped(self) -> bool:
        """Whether the message stopped playing (an unknown status counts as playing)."""
        return self.status == PlayStatus.STOPPED


@dataclass(frozen=True, slots=True)
class ConnectionStateChange:
    """`connectionStateChangeMessage`."""

    previous: int
    new: int
    reason: str
    should_reconnect: bool | None = None

    @property
    def down(self) -> bool:
        """Whether the session went down."""
        return self.new == ConnectionState.DOWN


@dataclass(frozen=True, slots=True)
class MessageWaiting:
    """`mwiMessage`: the server's message-waiting count."""

    count: int


@dataclass(frozen=True, slots=True)
class SubscriptionStateChange:
    """`voicemailMessageSubscriptionStateMessage` or `mwiSubscriptionStateMessage`.

    A faulted mailbox store shows up here, not as an HTTP error. `state` is a
    `SubscriptionState` or an unknown number; `message` the server's error text.
    """

    subscription: Literal["voicemail", "mwi"]
    state: int
    message: str | None = None

    @property
    def healthy(self) -> bool:
        """Whether the subscription delivers (normal, or a state this client does not know)."""
        return self.state not in (
            SubscriptionState.SUSPENDED,
            SubscriptionState.FAULTED,
        )


type IcwsEvent = (
    VoicemailSnapshot
    | VoicemailDelta
    | PlayStatusChange
    | ConnectionStateChange
    | MessageWaiting
    | SubscriptionStateChange
)
