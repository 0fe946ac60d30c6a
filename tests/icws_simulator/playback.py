"""Playback of a voicemail on the phone: start, natural end, stop, play-status messages."""

from __future__ import annotations

import asyncio

from .messages import MessagesMixin
from .state import UM, Playback, Session, StoredVoicemail, User, dumps

PLAY_STATUS_MESSAGE = f"{UM}:voicemailPlayStatusMessage"


class PlaybackMixin(MessagesMixin):
    """One playback per user at a time."""

    def start_playback(
        self, session: Session, vm: StoredVoicemail, target: str
    ) -> None:
        """Start playing (ending any other playback of the user) and queue playStatus 0."""
        user = session.user
        if user.playback is not None:
            self.end_playback(user)
        playback = Playback(vm.message_id, session.session_id, target)
        user.playback = playback
        loop = asyncio.get_running_loop()
        playback.handle = loop.call_later(
            max(vm.duration, 0.0), self._natural_end, user, playback
        )
        self._play_status(user, session.session_id, vm.message_id, 0)

    def _natural_end(self, user: User, playback: Playback) -> None:
        if user.playback is playback:
            user.playback = None
            if self.settings.play_status_on_natural_end:
                self._play_status(user, playback.session_id, playback.message_id, 1)

    def end_playback(self, user: User, *, notify: bool = True) -> None:
        """Stop the user's playback (queues playStatus 1 unless notify is False)."""
        playback = user.playback
        if playback is None:
            return
        user.playback = None
        if playback.handle is not None:
            playback.handle.cancel()
        if notify:
            self._play_status(user, playback.session_id, playback.message_id, 1)

    def play_status_json(self, message_id: str, status: int) -> str:
        """Serialize a `voicemailPlayStatusMessage`."""
        return dumps(
            {
                "__type": PLAY_STATUS_MESSAGE,
                "isDelta": True,
                "unifiedMessageId": message_id,
                "playStatus": status,
            }
        )

    def _play_status(
        self, user: User, session_id: str, message_id: str, status: int
    ) -> None:
        message = self.play_status_json(message_id, status)
        for session in self._subscribers(user, "voicemail"):
            if (
                self.settings.play_status_to_all_sessions
                or session.session_id == session_id
            ):
                session.push(message)
