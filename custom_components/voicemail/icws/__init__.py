"""Asyncio client for the voicemail part of Genesys PureConnect's ICWS API.

It imports nothing from Home Assistant and could be published on its own.
"""

from .client import IcwsClient
from .errors import (
    IcwsAuthenticationError,
    IcwsCertificateError,
    IcwsConnectionError,
    IcwsError,
    IcwsGoneError,
    IcwsNotAllowedError,
    IcwsProtocolError,
    IcwsResponseError,
    IcwsServerError,
    IcwsSessionError,
    IcwsTimeoutError,
    IcwsUnsupportedServerError,
)
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
    SessionInfo,
    SessionReplaced,
    Voicemail,
    VoicemailDelta,
    VoicemailSnapshot,
    VoicemailStateChange,
)

__all__ = [
    "Attachment",
    "ConnectionState",
    "ConnectionStateChange",
    "IcwsAuthenticationError",
    "IcwsClient",
    "IcwsCertificateError",
    "IcwsConnectionError",
    "IcwsError",
    "IcwsEvent",
    "IcwsGoneError",
    "IcwsNotAllowedError",
    "IcwsProtocolError",
    "IcwsResponseError",
    "IcwsServerError",
    "IcwsSessionError",
    "IcwsTimeoutError",
    "IcwsUnsupportedServerError",
    "MessageState",
    "MessageWaiting",
    "PlayStatus",
    "PlayStatusChange",
    "ServerVersion",
    "SessionInfo",
    "SessionReplaced",
    "Voicemail",
    "VoicemailDelta",
    "VoicemailSnapshot",
    "VoicemailStateChange",
]
