"""In-memory state of the simulated server: users, mailboxes, sessions, faults, the request log."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
import json
import re
import time
from typing import Any, Literal
from urllib.parse import quote

from multidict import CIMultiDict

from .settings import SimulatorSettings

type MessageKind = Literal["voicemail", "fax"]

UM = "urn:inin.com:unifiedMessaging"
VOICEMAIL_MESSAGES_MESSAGE = f"{UM}:voicemailMessagesMessage"
FAX_MESSAGES_MESSAGE = f"{UM}:faxMessagesMessage"
ATTACHMENTS_PATH = "unified-messaging/attachments"
FOREIGN_ORIGIN = "https://media.example.net"
"""Where `attachment_uri_style="foreign"` points (a host a client must not send secrets to)."""


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
    raw: Mapping[str, Any] | None = None
    """Fields merged into the item JSON as they are (odd data: `{"state": 7}`)."""
    omit: tuple[str, ...] = ()
    """Fields left out of the item JSON (after `raw` is merged)."""
    audio: bytes | None = None
    """The attachment's bytes; None = the default audio (a generated WAV, or a fax page)."""
    audio_mime: str | None = None
    """Content-Type of the download; None = the attachment's mimeType (or the default)."""
    audio_missing: bool = False
    """The file is gone: downloads answer 404 (`remove_audio`)."""
    _json: str | None = field(default=None, repr=False)
    _json_key: tuple[Any, ...] | None = field(default=None, repr=False)

    @property
    def state(self) -> int:
        """`messageState`: 0 unread, 1 read."""
        return 1 if self.read else 0

    def invalidate(self) -> None:
        """Forget the cached JSON after a change."""
        self._json = None

    def added_json(self, settings: SimulatorSettings, origin: str = "") -> str:
        """Return the full `voicemailMessageAdded` item, serialized once and cached.

        `origin` (`scheme://host:port`) is used by `attachment_uri_style="absolute_own_host"`;
        the cache is rebuilt when the settings that shape the item change.
        """
        key = (
            settings.attachment_uri_style,
            origin,
            settings.date_format,
            settings.voicemail_mime_type,
            settings.fax_mime_type,
            settings.base_path if settings.base_path_in_file_uri else "",
            settings.ic_server,
        )
        if self._json is None or self._json_key != key:
            self._json = dumps(self.added_item(settings, origin))
            self._json_key = key
        return self._json

    def mime_type(self, settings: SimulatorSettings) -> str | None:
        """Return the attachment's `mimeType` (None: left out)."""
        if self.kind == "fax":
            return settings.fax_mime_type
        return settings.voicemail_mime_type

    def file_uri(self, settings: SimulatorSettings, origin: str = "") -> str:
        """Return the attachment's `fileUri` in the form `attachment_uri_style` names."""
        path = (
            f"{ATTACHMENTS_PATH}/{segment(self.message_id)}/{segment(self.file_name)}"
        )
        style = settings.attachment_uri_style
        if style == "session_relative":
            return path
        base = settings.base_path.rstrip("/") if settings.base_path_in_file_uri else ""
        absolute_path = f"{base}/icws/{path}"
        if style == "absolute":
            return f"https://{settings.ic_server.lower()}:8019/icws/{path}"
        if style == "absolute_own_host":
            return f"{origin}{absolute_path}"
        if style == "foreign":
            return f"{FOREIGN_ORIGIN}/icws/{path}"
        return absolute_path

    def added_item(
        self, settings: SimulatorSettings, origin: str = ""
    ) -> dict[str, Any]:
        """Return the full `voicemailMessageAdded` item (with `raw` merged, `omit` left out)."""
        attachment: dict[str, Any] = {
            "fileUri": self.file_uri(settings, origin),
            "fileName": self.file_name,
        }
        if (mime := self.mime_type(settings)) is not None:
            attachment["mimeType"] = mime
        item: dict[str, Any] = {
            "__type": f"{UM}:voicemailMessageAdded",
            "unifiedMessageId": self.message_id,
            "state": self.state,
            "dateReceived": format_date(self.received, settings.date_format),
            "from": self.sender,
            "subject": self.subject,
            "attachments": [attachment],
        }
        if self.raw:
            item.update(self.raw)
        for name in self.omit:
            item.pop(name, None)
        return item


def segment(value: str) -> str:
    """Percent-encode one path segment (`.` and `..` too, so no one normalises them away)."""
    if value in {".", ".."}:
        return value.replace(".", "%2E")
    return quote(value, safe="")


@dataclass(slots=True)
class StoreFault:
    """A faulted or suspended mailbox store or indicator (subscription state 3 or 2)."""

    state: int
    message: str


@dataclass(slots=True)
class SnapshotGlitch:
    """The next `remaining` snapshots are empty or lack `omit_ids`."""

    kind: Literal["empty", "omit"]
    remaining: int
    omit_ids: frozenset[str] = frozenset()


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
    failed_logins: int = 0
    """Consecutive failed logins (reset by a successful one)."""
    store_fault: StoreFault | None = None
    """The mailbox store is faulted/suspended (`fault_mailbox_store`)."""
    mwi_fault: StoreFault | None = None
    """The messages-waiting indicator is faulted/suspended (`fault_mwi`)."""
    glitch: SnapshotGlitch | None = None

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
    """The Host header of the login, without port, lowercased."""
    created: float
    last_activity: float
    origin: str = ""
    """`scheme://Host` of the login (the Host header as sent, port included)."""
    alive: bool = True
    reason: str = ""
    forgotten: bool = False
    """The server restarted: it no longer knows this session (401 errorCode 1)."""
    station: str | None = None
    voicemail_subscribed: bool = False
    fax_subscribed: bool = False
    mwi_subscribed: bool = False
    last_mwi: int | None = None
    queue: deque[str] = field(default_factory=deque)
    raw_out: deque[bytes] = field(default_factory=deque)
    """Raw bytes for the open event stream (`write_stream_bytes`)."""
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


def parse_cookie_header(headers: list[str]) -> dict[str, str]:
    """Parse `Cookie` header values into name -> raw value (first occurrence wins)."""
    cookies: dict[str, str] = {}
    for header in headers:
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name.strip() and name.strip() not in cookies:
                cookies[name.strip()] = value.strip()
    return cookies


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
    received_at: float = field(default_factory=time.monotonic)
    """When the request arrived (`time.monotonic()`, the event loop's clock)."""

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies sent (every Cookie header; the first value of a name wins)."""
        return parse_cookie_header(self.headers.getall("Cookie", []))

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
            "received_at": self.received_at,
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
