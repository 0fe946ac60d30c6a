"""A simulated Genesys PureConnect ICWS server (sessions, messaging, voicemail) for tests.

See README.md in this directory and docs/architecture.md ("The simulator").
"""

from __future__ import annotations

from .settings import SimulatorSettings
from .simulator import IcwsSimulator
from .state import Fault, RecordedRequest, Session, StoredVoicemail, User

__all__ = [
    "Fault",
    "IcwsSimulator",
    "RecordedRequest",
    "Session",
    "SimulatorSettings",
    "StoredVoicemail",
    "User",
]
