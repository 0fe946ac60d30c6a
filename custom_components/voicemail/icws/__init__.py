"""Asyncio client for the voicemail part of Genesys PureConnect's ICWS API.

It imports nothing from Home Assistant and could be published on its own.

- `IcwsClient` (client.py): how to reach the server and log in; `login()` makes an
  `IcwsSession` (session.py) with the operations.
- `IcwsConnection` (connection.py): the state machine that keeps one session up and
  tells a `ConnectionListener` what the server pushes.
"""

from .backoff import Pacing
from .client import IcwsClient
from .connection import ConnectionListener, ConnectionStats, IcwsConnection
from .errors import (
    IcwsAttachmentError,
    IcwsAttachmentMissingError,
    IcwsAttachmentRefusedError,
    IcwsAttachmentTooLargeError,
    IcwsAuthenticationError,
    IcwsCertificateError,
    IcwsClosedError,
    IcwsConnectionError,
    IcwsError,
    IcwsGoneError,
    IcwsLoginRefusedError,
    IcwsNotAllowedError,
    IcwsProtocolError,
    IcwsReconnectingError,
    IcwsResponseError,
    IcwsServerError,
    IcwsSessionEndedError,
    IcwsSessionError,
    IcwsSessionRejectedError,
    IcwsStreamRefusedError,
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
    SubscriptionState,
    SubscriptionStateChange,
    Voicemail,
    VoicemailDelta,
    VoicemailSnapshot,
    VoicemailStateChange,
)
from .phase import FAILED, READY, WAITING_FOR_USER, Phase
from .session import IcwsSession

__all__ = [
    "FAILED",
    "READY",
    "WAITING_FOR_USER",
    "Attachment",
    "ConnectionListener",
    "ConnectionState",
    "ConnectionStateChange",
    "ConnectionStats",
    "IcwsAttachmentError",
    "IcwsAttachmentMissingError",
    "IcwsAttachmentRefusedError",
    "IcwsAttachmentTooLargeError",
    "IcwsAuthenticationError",
    "IcwsCertificateError",
    "IcwsClient",
    "IcwsClosedError",
    "IcwsConnection",
    "IcwsConnectionError",
    "IcwsError",
    "IcwsEvent",
    "IcwsGoneError",
    "IcwsLoginRefusedError",
    "IcwsNotAllowedError",
    "IcwsProtocolError",
    "IcwsReconnectingError",
    "IcwsResponseError",
    "IcwsServerError",
    "IcwsSession",
    "IcwsSessionEndedError",
    "IcwsSessionError",
    "IcwsSessionRejectedError",
    "IcwsStreamRefusedError",
    "IcwsTimeoutError",
    "IcwsUnsupportedServerError",
    "MessageState",
    "MessageWaiting",
    "Pacing",
    "Phase",
    "PlayStatus",
    "PlayStatusChange",
    "ServerVersion",
    "SessionInfo",
    "SubscriptionState",
    "SubscriptionStateChange",
    "Voicemail",
    "VoicemailDelta",
    "VoicemailSnapshot",
    "VoicemailStateChange",
]
