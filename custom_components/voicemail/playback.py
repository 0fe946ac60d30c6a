"""What plays: one message at a time, with a timeout for ends nobody reports.

"Playing" starts optimistically when the server accepted a play (2xx), or when it says
so (`playStatus` 0); it ends when the server says the message stopped, another message
starts, a stop request succeeds, the session is replaced, or the timeout passes (no
source promises a status when a message ends by itself).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later


class Playback:
    """The message that plays, if any."""

    def __init__(
        self,
        hass: HomeAssistant,
        timeout: Callable[[], float],
        on_timeout: Callable[[], None],
    ) -> None:
        """Nothing plays; `timeout()` gives the seconds after which a playback ends."""
        self._hass = hass
        self._timeout = timeout
        self._on_timeout = on_timeout
        self.playing: str | None = None
        self._unsub: CALLBACK_TYPE | None = None

    @callback
    def start(self, message_id: str) -> None:
        """Start playing a message (again: the timeout starts over)."""
        self._cancel_timer()
        self.playing = message_id
        self._unsub = async_call_later(self._hass, self._timeout(), self._timed_out)

    @callback
    def stop(self, message_id: str | None = None) -> bool:
        """End the playback of a message (None: any); return whether one ended."""
        if self.playing is None or message_id not in (None, self.playing):
            return False
        self._cancel_timer()
        self.playing = None
        return True

    @callback
    def _timed_out(self, _now: datetime) -> None:
        self._unsub = None
        self.playing = None
        self._on_timeout()

    @callback
    def _cancel_timer(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
