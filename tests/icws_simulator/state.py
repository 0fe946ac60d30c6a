"""In-memory state of the simulated server: users, mailboxes, sessions, faults, the request log."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
import json
import re
from typing import Any, Literal
from urllib.parse import quote

from multidict import CIMultiDict

from .settings import SimulatorSettings

type MessageKind = Literal["voicemail", "fax"]

UM = "urn:inin.com:unifiedMessaging"
VOICEMAIL_MESSAGES_MESSAGE = f"{UM}:voicemailMessagesMessage"
FAX_MESSAGES_MESSAGE = f"{UM}:faxMessagesMessage"


def dumps(value: Any) -> str:
    """Serialize compactly (no newlines, so one message fits one SSE `data:` line)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def format_date(value: datetime, style: str) -> str:
    """Format a date-time the ICWS way (`compact` `YYYYMMDDThhmmssZ` or dashed `iso`)."""
    utc = value.astimezone(UTC)
    if style == "iso":
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    return utc.strftime("%Y%m%dT%H%M%SZ")


@dataclass(slots=True, eq=False)
class StoredVoicemail:
    """One message of a mailbox (a voicemail or a fax)."""

    message_id: str
    sender: str
    subject: str
    received: datetime
    read: bool = False
    kind: MessageKind = "voicemail"
    duration: float = 30.0
    file_name: str = "VoiceMail.wav"
    _json: str | None = field(default=None, repr=False)

    @property
    def state(self) -> int:
        """`messageState`: 0 unread, 1 read."""
        return 1 if self.read else 0

    def invalidate(self) -> None:
        """Forget the cached JSON after a change."""
        self._json = None

    def added_json(self, settings: SimulatorSettings) -> str:
        """Return the full `voicemailMessageAdded` item, serialized once and cached."""
        if self._json is None:
            self._json = dumps(self.added_item(settings))
        return self._json

    def added_item(self, settings: SimulatorSettings) -> dict[str, Any]:
        """Return the full `voicemailMessageAdded` item."""
        is_fax = self.kind == "fax"
        mime = settings.fax_mime_type if is_fax else settings.voicemail_mime_type
        uri = f"/icws/unified-messaging/attachments/{quote(self.message_id, safe='')}/{quote(self.file_name)}"
        if settings.attachment_uri_style == "absolute":
            uri = f"https://{settings.ic_server.lower()}:8019{uri}"
        attachment: dict[str, Any] = {"fileUri": uri, "fileName": self.file_name}
        if mime is not None:
            attachment["mimeType"] = mime
        return {
            "__type": f"{UM}:voicemailMessageAdded",
            "unifiedMessageId": self.message_id,
            "state": self.state,
            "dateReceived": format_date(self.received, settings.date_format),
            "from": self.sender,
            "subject": self.subject,
            "attachments": [attachment],
        }


@dataclass(slots=True, eq=False)
class Playback:
    """A running playback of one message for a user."""

    message_id: str
    session_id: str
    target: str
    handle: asyncio.TimerHandle | None = None


@dataclass(slots=True, eq=False)
class User:
    """A user account and its mailbox (insertion ordered, O(1) lookups and removals)."""

    user_id: str
    password: str
    display_name: str
    locked: bool = False
    mailbox: dict[str, StoredVoicemail] = field(default_factory=dict)
    playback: Playback | None = None
    next_uid: int = 1

    def unread_count(self) -> int:
        """Messages waiting: unread voicemails (faxes do not light the lamp)."""
        return sum(
            1 for vm in self.mailbox.values() if not vm.read and vm.kind == "voicemail"
        )


@dataclass(slots=True, eq=False)
class Session:
    """A login session and its message queue."""

    session_id: str
    user: User
    csrf_token: str
    cookie_value: str
    application_name: str
    language: str
    host: str
    created: float
    last_activity: float
    alive: bool = True
    reason: str = ""
    station: str | None = None
    voicemail_subscribed: bool = False
    fax_subscribed: bool = False
    mwi_subscribed: bool = False
    last_mwi: int | None = None
    queue: deque[str] = field(default_factory=deque)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    stream_epoch: int = 0
    stream_abort: bool = False
    streams_open: int = 0
    event_counter: int = 0

    def push(self, message: str) -> None:
        """Queue one serialized message and wake a waiting event stream."""
        self.queue.append(message)
        self.wakeup.set()

    def end(self, reason: str) -> None:
        """Mark the session as down (later requests get 401)."""
        if self.alive:
            self.alive = False
            self.reason = reason
        self.wakeup.set()


@dataclass(slots=True)
class RecordedRequest:
    """A request the simulator received (control requests under `/_simulator/` excluded)."""

    method: str
    path: str
    """The path as received: raw, still percent-encoded, without the query."""
    headers: CIMultiDict[str]
    body: bytes
    status: int | None
    """Filled in once the answer is decided (200 for an event stream once it opens)."""
    host: str
    """The Host header (port included when the client sent one)."""
    query: str = ""
    """The raw query string (without `?`)."""

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """Parse the body as JSON."""
        return json.loads(self.body)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly form for the HTTP control API."""
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": self.text,
            "host": self.host,
            "status": self.status,
        }


@dataclass(slots=True)
class Fault:
    """An injected fault: matching requests get `status` (after `delay` seconds)."""

    path_regex: re.Pattern[str]
    status: int | None
    """None: only delay, then answer normally."""
    count: int | None = 1
    """How many requests it hits; None = until cleared."""
    method: str | None = None
    delay: float = 0.0
    body: Any = None
    """JSON body to send instead of the default body for the status."""
    error_variant: str | None = None
    """For 400: one of the documented variants (invalidProperty, missingRequiredParameter, malformed)."""
    drop: bool = False
    """Close the connection without answering."""
    host: str | None = None
    """Only requests whose Host (no port) is this."""

    def matches(self, method: str, path: str, host: str) -> bool:
        """Whether this fault applies to the request."""
        if self.count is not None and self.count <= 0:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.host is not None and self.host.lower() != host:
            return False
        return self.path_regex.search(path) is not None
