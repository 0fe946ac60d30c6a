"""Typed errors of the ICWS client.

Every message is safe to show to a user and to log: no password, CSRF token,
session cookie or session id ever goes into an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import IcwsEvent


class IcwsError(Exception):
    """Base class of every error the ICWS client raises."""


class IcwsConnectionError(IcwsError):
    """The server could not be reached (DNS, refused, reset, timeout)."""


class IcwsTimeoutError(IcwsConnectionError):
    """The server did not answer within the request timeout."""


class IcwsCertificateError(IcwsConnectionError):
    """TLS certificate verification failed (often a self-signed certificate).

    `host` is the host whose certificate was refused: after a switchover it is not
    the configured one. Nothing was sent to it (the handshake failed first).
    """

    def __init__(self, message: str, *, host: str) -> None:
        """Name the host whose certificate is not trusted."""
        super().__init__(message)
        self.host = host


class IcwsStreamRefusedError(IcwsConnectionError):
    """The event stream could not be opened while the session itself works.

    A reverse proxy without the configuration server-sent events need refuses the
    stream (502, 504), or holds its response headers back. Short polling still works.
    `events` are messages the answer carried anyway (a server that answered the
    stream request with a JSON array): they must not be lost.
    """

    def __init__(self, message: str, events: Sequence[IcwsEvent] = ()) -> None:
        """Keep what the answer carried."""
        super().__init__(message)
        self.events = tuple(events)


class IcwsReconnectingError(IcwsConnectionError):
    """The connection is down and the next attempt is scheduled: nothing was sent."""

    def __init__(self, message: str, *, retry_in: float) -> None:
        """Say when the next attempt is due (seconds from now)."""
        super().__init__(message)
        self.retry_in = retry_in


class IcwsAuthenticationError(IcwsError):
    """The server refused the credentials at login (400 authenticationFailure).

    Once raised, the client never sends the refused password again.
    """


class IcwsLoginRefusedError(IcwsError):
    """The server refused the login for good: no licence, a session limit, ...

    Retrying does not help; the user has to act (and then choose to reconnect).
    """

    def __init__(self, message: str, *, error_id: str | None, status: int) -> None:
        """Keep the server's error id and the status."""
        super().__init__(message)
        self.error_id = error_id
        self.status = status


class IcwsSessionError(IcwsError):
    """The session was rejected (401) even after logging in again once."""


class IcwsSessionRejectedError(IcwsSessionError):
    """A 401 on one session: its token is missing, invalid or expired.

    The connection logs in again once and retries; `IcwsSessionError` is what a
    caller sees when the new session is rejected too.
    """


class IcwsSessionEndedError(IcwsSessionError):
    """The server ended the session and said not to log in again on our own.

    `connectionStateChangeMessage` with `shouldReconnect: false`: another logon of
    the same user, or an administrator logged the session off. `reason` is the
    server's (localized) reason.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        """Keep the server's reason."""
        super().__init__(message)
        self.reason = reason


class IcwsClosedError(IcwsError):
    """The connection was closed (the integration is unloading)."""


class IcwsUnsupportedServerError(IcwsError):
    """The server lacks a feature version the client needs."""

    def __init__(self, feature: str, version: int | None, required: int) -> None:
        """Name the feature, the version the server has, and the one needed."""
        have = "missing" if version is None else f"version {version}"
        super().__init__(
            f"The ICWS server's {feature} feature is {have}; version {required} or newer is needed"
        )
        self.feature = feature
        self.version = version
        self.required = required


class IcwsProtocolError(IcwsError):
    """The server answered with a body that is not what ICWS sends (or too large)."""


class IcwsResponseError(IcwsError):
    """The server answered a request with an error status and an ICWS error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_id: str | None = None,
        error_type: str | None = None,
        property_name: str | None = None,
        error_code: int | None = None,
        server_message: str | None = None,
    ) -> None:
        """Keep the status and the fields of the ICWS error body.

        `message` is the whole text (str of the error); `server_message` the server's
        own text (or a generic one), defaulting to `message`.
        """
        super().__init__(message)
        self.status = status
        self.server_message = message if server_message is None else server_message
        self.error_id = error_id
        self.error_type = error_type
        self.property_name = property_name
        self.error_code = error_code


class IcwsNotAllowedError(IcwsResponseError):
    """400 on a message operation: not allowed on a unified message of this type."""


class IcwsGoneError(IcwsResponseError):
    """410: the resource was deprecated and removed from the API."""


class IcwsServerError(IcwsResponseError):
    """500 (or another 5xx): the server failed."""


class IcwsAttachmentError(IcwsError):
    """The audio (attachment) of a message could not be fetched."""


class IcwsAttachmentRefusedError(IcwsAttachmentError):
    """The audio file is not fetched: another host or scheme, or the server refused it.

    The session's cookies never go to another host; a 403 or a redirect is a refusal.
    """


class IcwsAttachmentMissingError(IcwsAttachmentError):
    """The message has no audio, or the server no longer has the file (404, 410)."""


class IcwsAttachmentTooLargeError(IcwsAttachmentError):
    """The file is larger than the caller's size cap."""

    def __init__(self, message: str, *, limit: int) -> None:
        """Keep the cap that was exceeded (in bytes)."""
        super().__init__(message)
        self.limit = limit
