"""The simulated PureConnect server: state, control methods and message fan-out."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
import copy
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .sessions import SessionsMixin
from .settings import SimulatorSettings
from .state import MessageKind, StoredVoicemail, User


class IcwsSimulator(SessionsMixin):
    """A PureConnect server as far as ICWS sessions and voicemail go (see PROTOCOL.md §9).

    `app` is the aiohttp application. Everything else is the control API used by tests:
    it changes the mailbox, ends sessions, simulates a switchover, injects faults and
    records every request (except those to `/_simulator/`). The methods live in the
    mixins by concern: `core` (state, faults, request log), `messages` (fan-out),
    `playback`, `sessions`.
    """

    def __init__(
        self, settings: SimulatorSettings | None = None, *, tls: bool = False
    ) -> None:
        """Create an empty server (add users and voicemails with the control methods)."""
        from .app import build_app  # noqa: PLC0415  (app imports this module)

        super().__init__(settings, tls=tls)
        self._baseline: dict[str, User] | None = None
        self.app: web.Application = build_app(self)

    # --- Users and mailboxes ---------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        password: str,
        *,
        display_name: str | None = None,
        locked: bool = False,
    ) -> User:
        """Create (or replace the password of) a user; returns it.

        On an existing user this changes the password at runtime (live sessions stay),
        sets `locked` (False unlocks a user locked out by `lockout_after_failures`) and
        resets the failed-login count.
        """
        user = self.users.get(user_id)
        if user is None:
            user = User(user_id, password, display_name or user_id, locked=locked)
            self.users[user_id] = user
        else:
            user.password = password
            user.locked = locked
            user.failed_logins = 0
            if display_name is not None:
                user.display_name = display_name
        return user

    def add_voicemail(
        self,
        user_id: str,
        *,
        sender: str = "Bob Example <+15551234>",
        subject: str | None = None,
        received: datetime | None = None,
        read: bool = False,
        kind: MessageKind = "voicemail",
        message_id: str | None = None,
        duration: float = 30.0,
        file_name: str | None = None,
        raw: Mapping[str, Any] | None = None,
        omit: Sequence[str] = (),
        audio: bytes | None = None,
        audio_mime: str | None = None,
    ) -> StoredVoicemail:
        """Put a message into a mailbox; subscribed sessions get an Added delta (and mwi).

        `raw` is merged into the item JSON as it is and `omit` names fields left out (odd
        data, in snapshots and Added deltas); `audio` is the attachment's bytes (None: the
        default audio), `audio_mime` its download Content-Type (None: the mimeType).
        """
        user = self._user(user_id)
        if message_id is None:
            message_id = self.new_message_id(user, kind)
        elif message_id in user.mailbox:
            raise ValueError(f"message id {message_id!r} already exists")
        if subject is None:
            subject = f"{'Fax' if kind == 'fax' else 'Voice mail'} from {sender}"
        if file_name is None:
            file_name = "Fax.tif" if kind == "fax" else "VoiceMail.wav"
        vm = StoredVoicemail(
            message_id=message_id,
            sender=sender,
            subject=subject,
            received=received
            if received is not None
            else datetime.now(UTC).replace(microsecond=0),
            read=read,
            kind=kind,
            duration=duration,
            file_name=file_name,
            raw=dict(raw) if raw is not None else None,
            omit=tuple(omit),
            audio=audio,
            audio_mime=audio_mime,
        )
        user.mailbox[message_id] = vm
        if self._in_voicemail_list(vm):
            self._broadcast_voicemail(user, lambda o: self._delta_json(o, added=[vm]))
        if kind == "fax":
            self._broadcast_fax(user, lambda o: self._fax_json(True, o, added=[vm]))
        self._notify_mwi(user)
        return vm

    def remove_voicemail(self, user_id: str, message_id: str) -> None:
        """Delete a message; subscribed sessions get a Removed delta (and mwi)."""
        user = self._user(user_id)
        vm = user.mailbox.pop(message_id)
        if user.playback is not None and user.playback.message_id == message_id:
            self.end_playback(user)
        if self._in_voicemail_list(vm):
            self._broadcast_voicemail(
                user, lambda o: self._delta_json(o, removed=[message_id])
            )
        if vm.kind == "fax":
            self._broadcast_fax(
                user, lambda o: self._fax_json(True, o, removed=[message_id])
            )
        self._notify_mwi(user)

    def set_read(self, user_id: str, message_id: str, read: bool) -> None:
        """Mark a message read or unread; subscribed sessions get a Changed delta (and mwi)."""
        user = self._user(user_id)
        self.update_state(user, user.mailbox[message_id], read)

    def update_state(self, user: User, vm: StoredVoicemail, read: bool) -> None:
        """Change a message's state and tell the subscribed sessions."""
        if vm.read == read and not self.settings.changed_delta_when_unchanged:
            return
        if vm.read != read:
            vm.read = read
            vm.invalidate()
        if self._in_voicemail_list(vm):
            self._broadcast_voicemail(user, lambda o: self._delta_json(o, changed=[vm]))
        if vm.kind == "fax":
            self._broadcast_fax(user, lambda o: self._fax_json(True, o, changed=[vm]))
        self._notify_mwi(user)

    def remove_audio(self, user_id: str, message_id: str) -> None:
        """Delete the message's file: downloading its attachment answers 404."""
        self.get_voicemail(user_id, message_id).audio_missing = True

    # --- Baseline and reset ---------------------------------------------------------------

    def mark_baseline(self) -> None:
        """Remember users and mailboxes as they are now: `reset()` goes back to this."""
        self._baseline = self._copy_users(self.users)

    @staticmethod
    def _copy_users(users: dict[str, User]) -> dict[str, User]:
        copied: dict[str, User] = {}
        for user_id, user in users.items():
            clone = User(
                user.user_id,
                user.password,
                user.display_name,
                locked=user.locked,
                next_uid=user.next_uid,
            )
            clone.mailbox = {mid: copy.copy(vm) for mid, vm in user.mailbox.items()}
            copied[user_id] = clone
        return copied

    def reset(self) -> None:
        """Go back to the baseline.

        Ends every session and stream, clears faults, the request log and the switchover,
        and restores users and mailboxes to the baseline (empty without `mark_baseline()`).
        """
        self.close()
        self._closing = asyncio.Event()
        self.sessions.clear()
        self.faults.clear()
        self.requests.clear()
        self.switched_over_to = None
        self.down_until = 0.0
        self.affinity_node = 1
        self.affinity_responses = 0
        self.users = (
            self._copy_users(self._baseline) if self._baseline is not None else {}
        )

    def close(self) -> None:
        """Stop playback timers, slow answers and event streams (at app shutdown)."""
        self._closing.set()
        for user in self.users.values():
            if user.playback is not None:
                self.end_playback(user, notify=False)
        for session in self.sessions.values():
            session.end(session.reason or "ServerShutdown")
            session.stream_epoch += 1
            session.wakeup.set()
