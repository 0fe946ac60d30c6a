"""The phases of a connection (connection.py) and the transitions between them."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Phase(StrEnum):
    """Where the connection is."""

    IDLE = "idle"
    CONNECTING = "connecting"
    SUBSCRIBING = "subscribing"
    STREAMING = "streaming"
    POLLING = "polling"
    BACKING_OFF = "backing_off"
    STOPPED_BY_SERVER = "stopped_by_server"
    AUTH_FAILED = "auth_failed"
    REFUSED = "refused"
    CLOSED = "closed"


READY: Final = frozenset({Phase.STREAMING, Phase.POLLING})
"""Phases with a subscribed session that actions may use."""
WAITING_FOR_USER: Final = frozenset(
    {Phase.STOPPED_BY_SERVER, Phase.AUTH_FAILED, Phase.REFUSED}
)
"""Phases that send nothing until the user acts (`reconnect()`, new credentials)."""
FAILED: Final = WAITING_FOR_USER | {Phase.BACKING_OFF}
"""Phases in which the account is unavailable."""

_SESSION_ENDS: Final = frozenset(
    {Phase.BACKING_OFF, Phase.STOPPED_BY_SERVER, Phase.CLOSED}
)
TRANSITIONS: Final[dict[Phase, frozenset[Phase]]] = {
    Phase.IDLE: frozenset({Phase.CONNECTING, Phase.CLOSED}),
    Phase.CONNECTING: frozenset(
        {
            Phase.SUBSCRIBING,
            Phase.BACKING_OFF,
            Phase.AUTH_FAILED,
            Phase.REFUSED,
            Phase.CLOSED,
        }
    ),
    Phase.SUBSCRIBING: _SESSION_ENDS
    | {Phase.STREAMING, Phase.POLLING, Phase.CONNECTING},
    Phase.STREAMING: _SESSION_ENDS | {Phase.POLLING, Phase.CONNECTING},
    Phase.POLLING: _SESSION_ENDS | {Phase.STREAMING, Phase.CONNECTING},
    Phase.BACKING_OFF: frozenset({Phase.CONNECTING, Phase.CLOSED}),
    Phase.STOPPED_BY_SERVER: frozenset({Phase.CONNECTING, Phase.CLOSED}),
    Phase.AUTH_FAILED: frozenset({Phase.CONNECTING, Phase.CLOSED}),
    Phase.REFUSED: frozenset({Phase.CONNECTING, Phase.CLOSED}),
    Phase.CLOSED: frozenset(),
}
"""Every transition the connection may take; any other is a bug (RuntimeError)."""
