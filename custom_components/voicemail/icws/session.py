"""One ICWS session: its secrets, and the requests made on it.

A session never logs in again by itself: a 401 raises `IcwsSessionRejectedError`, and the
connection (connection.py), which owns the one live session, decides what follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import json
import logging
import time
from typing import Any, Final
from urllib.parse import quote

from .attachment import Download, Sink, download
from .errors import IcwsError, IcwsSessionRejectedError
from .models import MessageState, SessionInfo
from .transport import ACCEPT, CONTENT_TYPE, Reply, Transport

_LOGGER = logging.getLogger(__name__)

MESSAGING: Final = "messaging"
MESSAGING_SSE: Final = 2
"""`messaging` feature version from which the server offers server-sent events."""
VOICEMAIL_SUBSCRIPTION: Final = (
    "messaging/subscriptions/unified-messaging/voicemail-messages"
)
MWI_SUBSCRIPTION: Final = (
    "messaging/subscriptions/unified-messaging/messages-waiting-indicator"
)
MESSAGES: Final = "messaging/messages"
_CURRENT_STATION: Final = {"__type": "urn:inin.com:unifiedMessaging:currentStation"}
_PLAY_TARGET_TYPE: Final = "urn:inin.com:unifiedMessaging:voicemailPlayTarget"


def quote_id(value: str) -> str:
    """Percent-encode an opaque id for one URL path segment.

    Every character that is not unreserved (RFC 3986: letters, digits, ``-._~``) is
    encoded, so IMAP-style ids with ``/ ; : @ =`` stay one segment. The ids ``.`` and
    ``..`` are encoded as ``%2E``: sent literally, they are dot segments that a proxy
    (or the URL library) removes.
    """
    if value in {".", ".."}:
        return "%2E" * len(value)
    return quote(value, safe="")


@dataclass(slots=True, eq=False)
class IcwsSession:
    """A logged-in session on one host (secrets never in its repr)."""

    transport: Transport = field(repr=False)
    info: SessionInfo
    session_id: str = field(repr=False)
    csrf_token: str = field(repr=False)
    created: float = field(default_factory=time.monotonic)

    @property
    def host(self) -> str:
        """The host the session lives on."""
        return self.info.host

    @property
    def offers_stream(self) -> bool:
        """Whether the server offers server-sent events (`messaging` >= 2)."""
        return (self.info.feature(MESSAGING) or 0) >= MESSAGING_SSE

    def path(self, suffix: str) -> str:
        """Return the path of a session resource (`suffix` already percent-encoded)."""
        return f"/icws/{quote_id(self.session_id)}/{suffix}"

    def headers(self, **extra: str) -> dict[str, str]:
        """Return the headers of a session request (the cookies are the transport's)."""
        return {
            "ININ-ICWS-CSRF-Token": self.csrf_token,
            "Content-Type": CONTENT_TYPE,
            "Accept": ACCEPT,
            **extra,
        }

    def secrets(self) -> tuple[str, ...]:
        """Return the values that must never reach a log line or an error message."""
        return (self.session_id, self.csrf_token)

    async def request(
        self,
        method: str,
        suffix: str,
        what: str,
        body: object = None,
        *,
        operation: bool = False,
        timeout: float | None = None,
    ) -> Reply:
        """Send a session request; return the 2xx reply, raise the typed error else.

        A 401 raises IcwsSessionRejectedError: the session is gone (or a proxy lost
        it), and the connection decides whether and when to log in again.
        """
        data = None if body is None else json.dumps(body).encode()
        reply = await self.transport.send(
            method, self.host, self.path(suffix), self.headers(), data, timeout=timeout
        )
        if reply.ok:
            return reply
        if reply.status == 401:
            raise IcwsSessionRejectedError(
                f"{what}: the ICWS server rejected the session"
            )
        raise self.transport.error_for(
            reply, what, operation=operation, secrets=self.secrets()
        )

    # --- Subscriptions -------------------------------------------------------------

    async def subscribe_voicemail(self) -> None:
        """Subscribe to the voicemail list; its snapshot arrives on the event channel."""
        await self.request("PUT", VOICEMAIL_SUBSCRIPTION, "Subscribe")

    async def unsubscribe_voicemail(self) -> None:
        """Cancel the voicemail subscription."""
        await self.request("DELETE", VOICEMAIL_SUBSCRIPTION, "Unsubscribe")

    async def subscribe_mwi(self) -> None:
        """Subscribe to the message-waiting indicator (best-effort for the caller)."""
        await self.request("PUT", MWI_SUBSCRIPTION, "Subscribe to messages waiting")

    async def unsubscribe_mwi(self) -> None:
        """Cancel the message-waiting subscription."""
        await self.request("DELETE", MWI_SUBSCRIPTION, "Unsubscribe messages waiting")

    # --- Operations on one message ----------------------------------------------------

    async def play(
        self,
        message_id: str,
        target: str | None = None,
        *,
        state: int = MessageState.READ,
    ) -> None:
        """Play a voicemail over the phone: to `target`, or the session's station if None.

        `state` is the message state the server applies (its meaning is open).
        """
        play_target: dict[str, Any] = (
            dict(_CURRENT_STATION)
            if target is None
            else {"__type": _PLAY_TARGET_TYPE, "target": target}
        )
        await self.request(
            "POST",
            f"unified-messaging/{quote_id(message_id)}/voicemail-message/play/start",
            "Play",
            {"state": int(state), "playTarget": play_target},
            operation=True,
        )

    async def stop(self, message_id: str) -> None:
        """Stop playing a voicemail (the server answers 204)."""
        await self.request(
            "POST",
            f"unified-messaging/{quote_id(message_id)}/voicemail-message/play/stop",
            "Stop",
            operation=True,
        )

    async def set_read(self, message_id: str, read: bool) -> None:
        """Mark a voicemail read or unread."""
        state = MessageState.READ if read else MessageState.UNREAD
        await self.request(
            "PUT",
            f"unified-messaging/{quote_id(message_id)}",
            "Mark read" if read else "Mark unread",
            {"state": int(state)},
            operation=True,
        )

    async def delete(self, message_id: str) -> None:
        """Delete a voicemail."""
        await self.request(
            "DELETE",
            f"unified-messaging/{quote_id(message_id)}",
            "Delete",
            operation=True,
        )

    # --- Audio ---------------------------------------------------------------------

    async def download(self, file_uri: str, sink: Sink, *, max_bytes: int) -> Download:
        """Stream an attachment into `sink` (see attachment.py for where it is fetched)."""
        return await download(self, file_uri, sink, max_bytes=max_bytes)

    # --- End ---------------------------------------------------------------------------

    async def logout(self) -> None:
        """End the session; a dead session or an unreachable server is not an error.

        With the full request timeout: the connection logs in again only after this,
        so that a slow server does not end up with two live sessions of the account.
        """
        try:
            reply = await self.transport.send(
                "DELETE", self.host, self.path("connection"), self.headers()
            )
        except IcwsError as err:
            _LOGGER.debug("Logout did not reach the server: %s", err)
            return
        _LOGGER.debug("Logout answered %s", reply.status)
