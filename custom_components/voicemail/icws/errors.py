"""Typed errors of the ICWS client.

Every message is safe to show to a user and to log: no password, CSRF token,
session cookie or session id ever goes into an error.
"""

from __future__ import annotations


class IcwsError(Exception):
    """Base class of every error the ICWS client raises."""


class IcwsConnectionError(IcwsError):
    """The server could not be reached (DNS, refused, reset, timeout)."""


class IcwsTimeoutError(IcwsConnectionError):
    """The server did not answer within the request timeout."""


class IcwsCertificateError(IcwsConnectionError):
    """TLS certificate verification failed (often a self-signed certificate)."""


class IcwsAuthenticationError(IcwsError):
    """The server refused the credentials at login (400 authenticationFailure)."""


class IcwsSessionError(IcwsError):
    """The session was rejected (401) even after logging in again once."""


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
    """The server answered with a body that is not what ICWS sends."""


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
