"""The simulated PureConnect server: state, control methods and message fan-out."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterable, Iterator, Sequence
import contextlib
import copy
from datetime import UTC, datetime
import hashlib
import re
import time
from typing import Any
import uuid

from aiohttp import web

from .settings import SimulatorSettings
from .state import (
    FAX_MESSAGES_MESSAGE,
    UM,
    VOICEMAIL_MESSAGES_MESSAGE,
    Fault,
    MessageKind,
    Playback,
    RecordedRequest,
    Session,
    StoredVoicemail,
    User,
    dumps,
)

CONNECTION_STATE_CHANGE = "urn:inin.com:connection:connectionStateChangeMessage"
PLAY_STATUS_MESSAGE = f"{UM}:voicemailPlayStatusMessage"
MWI_MESSAGE = f"{UM}:mwiMessage"


class IcwsSimulator:
    """A PureConnect server as far as ICWS sessions and voicemail go (see PROTOCOL.md §9).

    `app` is the aiohttp application. Everything else is the control API used by tests:
    it changes the mailbox, ends sessions, simulates a switchover, injects faults and
    records every request (except those to `/_simulator/`).
    """

    def __init__(
        self, settings: SimulatorSettings | None = None, *, tls: bool = False
    ) -> None:
        """Create an empty server (add users and voicemails with the control methods)."""
        from .app import build_app  # noqa: PLC0415  (app imports this module)

        self.settings = settings if settings is not None else SimulatorSettings()
        self.tls = tls
        self.users: dict[str, User] = {}
        self.sessions: dict[str, Session] = {}
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self.switched_over_to: tuple[str, ...] | None = None
        """During a switchover: the hosts that accept logins (the others answer 503)."""
        self._session_counter = 0
        self._baseline: dict[str, User] | None = None
        self._closing = asyncio.Event()
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
        """Create (or replace the password of) a user; returns it."""
        user = self.users.get(user_id)
        if user is None:
            user = User(user_id, password, display_name or user_id, locked=locked)
            self.users[user_id] = user
        else:
            user.password = password
            user.locked = locked
            if display_name is not None:
                user.display_name = display_name
        return user

    def _user(self, user_id: str) -> User:
        try:
            return self.users[user_id]
        except KeyError:
            raise KeyError(f"unknown user {user_id!r}") from None

    def new_message_id(self, user: User, kind: MessageKind = "voicemail") -> str:
        """Generate the next realistic id for a user's mailbox."""
        uid = user.next_uid
        user.next_uid += 1
        if self.settings.message_id_style == "imap":
            folder = "INBOX" if kind == "voicemail" else "Fax"
            return f"imap://{user.user_id}@voicestore:993/{folder};uidvalidity=1/;uid={uid}/;section=1"
        digest = hashlib.sha256(f"{user.user_id}/{kind}/{uid}".encode()).hexdigest()
        return digest[:32].upper()

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
    ) -> StoredVoicemail:
        """Put a message into a mailbox; subscribed sessions get an Added delta (and mwi)."""
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
        )
        user.mailbox[message_id] = vm
        if self._in_voicemail_list(vm):
            self._broadcast_voicemail(user, self._delta_json(added=[vm]))
        if kind == "fax":
            self._broadcast_fax(user, self._fax_json(True, added=[vm]))
        self._notify_mwi(user)
        return vm

    def remove_voicemail(self, user_id: str, message_id: str) -> None:
        """Delete a message; subscribed sessions get a Removed delta (and mwi)."""
        user = self._user(user_id)
        vm = user.mailbox.pop(message_id)
        if user.playback is not None and user.playback.message_id == message_id:
            self.end_playback(user)
        if self._in_voicemail_list(vm):
            self._broadcast_voicemail(user, self._delta_json(removed=[message_id]))
        if vm.kind == "fax":
            self._broadcast_fax(user, self._fax_json(True, removed=[message_id]))
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
            self._broadcast_voicemail(user, self._delta_json(changed=[vm]))
        if vm.kind == "fax":
            self._broadcast_fax(user, self._fax_json(True, changed=[vm]))
        self._notify_mwi(user)

    def voicemails(self, user_id: str) -> list[StoredVoicemail]:
        """Return the messages of a user's mailbox, in mailbox order."""
        return list(self._user(user_id).mailbox.values())

    def get_voicemail(self, user_id: str, message_id: str) -> StoredVoicemail:
        """One message of a user's mailbox."""
        return self._user(user_id).mailbox[message_id]

    # --- Sessions -----------------------------------------------------------------------

    def live_sessions(self, user_id: str | None = None) -> list[Session]:
        """Sessions that are up (optionally of one user)."""
        return [
            s
            for s in self.sessions.values()
            if s.alive and (user_id is None or s.user.user_id == user_id)
        ]

    def create_session(
        self,
        user: User,
        *,
        application_name: str,
        language: str,
        host: str,
        client_ip: str,
    ) -> Session:
        """Log a user in: a new numeric session id, CSRF token and cookie value."""
        session_id = str(self.settings.first_session_id + 1000 * self._session_counter)
        self._session_counter += 1
        record = b"".join(
            len(part).to_bytes(1, "big") + part
            for part in (
                user.user_id.encode(),
                application_name.encode()[:255],
                uuid.uuid4().hex.encode(),
                client_ip.encode(),
            )
        )
        now = time.monotonic()
        session = Session(
            session_id=session_id,
            user=user,
            csrf_token=base64.b64encode(record).decode(),
            cookie_value=f"{uuid.uuid4()}|languageId={language}",
            application_name=application_name,
            language=language,
            host=host,
            created=now,
            last_activity=now,
        )
        self.sessions[session_id] = session
        return session

    def end_session(
        self, session: Session, reason: str, *, keep_queue: bool = False
    ) -> None:
        """End a session (later requests get 401); stops its playback."""
        if not keep_queue:
            session.queue.clear()
        session.end(reason)
        user = session.user
        if user.playback is not None and user.playback.session_id == session.session_id:
            self.end_playback(user, notify=False)

    def expire_sessions(self, user: str | None = None) -> int:
        """Expire live sessions (of one user or all): later requests on them get 401."""
        sessions = self.live_sessions(user)
        for session in sessions:
            self.end_session(session, "SessionTimeout")
        return len(sessions)

    def expire_idle_sessions(self) -> None:
        """Apply `session_idle_timeout` (done lazily before each request)."""
        timeout = self.settings.session_idle_timeout
        if timeout is None:
            return
        now = time.monotonic()
        for session in self.live_sessions():
            if session.streams_open and self.settings.sse_keeps_session_alive:
                continue
            if now - session.last_activity > timeout:
                self.end_session(session, "SessionTimeout")

    def switchover(
        self,
        alternate_hosts: Sequence[str] = ("backup.test",),
        *,
        reason: str = "Switchover",
    ) -> int:
        """Simulate a switchover.

        Live sessions get `connectionStateChangeMessage` (1 -> 2, shouldReconnect true) and
        answer 401 afterwards; logins on any host not in `alternate_hosts` answer 503 with
        `alternateHostList = alternate_hosts`; hosts in the list accept logins.
        """
        self.switched_over_to = tuple(h.lower() for h in alternate_hosts)
        return self.disconnect_sessions(reason=reason, should_reconnect=True)

    def switch_back(self) -> None:
        """End the switchover: every host accepts logins again (sessions stay as they are)."""
        self.switched_over_to = None

    def disconnect_sessions(
        self,
        user: str | None = None,
        *,
        reason: str = "Switchover",
        should_reconnect: bool = True,
    ) -> int:
        """Push `connectionStateChangeMessage` (up -> down) to live sessions, then end them."""
        sessions = self.live_sessions(user)
        for session in sessions:
            self.disconnect_session(
                session, reason=reason, should_reconnect=should_reconnect
            )
        return len(sessions)

    def disconnect_session(
        self, session: Session, *, reason: str, should_reconnect: bool = True
    ) -> None:
        """Push `connectionStateChangeMessage` (up -> down) to one session, then end it."""
        session.push(
            dumps(
                {
                    "__type": CONNECTION_STATE_CHANGE,
                    "isDelta": True,
                    "previousConnectionState": 1,
                    "newConnectionState": 2,
                    "reason": reason,
                    "shouldReconnect": should_reconnect,
                }
            )
        )
        self.end_session(
            session, reason, keep_queue=self.settings.deliver_queue_after_down
        )

    def drop_event_streams(self, *, abort: bool = False) -> int:
        """End every open event stream (abort=True closes the connection mid-stream)."""
        count = 0
        for session in self.sessions.values():
            if session.streams_open:
                count += session.streams_open
                session.stream_epoch += 1
                session.stream_abort = abort
                session.wakeup.set()
        return count

    # --- Faults and request log -----------------------------------------------------------

    def inject_fault(
        self,
        path_regex: str,
        status: int | None,
        count: int | None = 1,
        method: str | None = None,
        delay: float = 0.0,
        *,
        body: Any = None,
        error_variant: str | None = None,
        drop: bool = False,
        host: str | None = None,
    ) -> Fault:
        """Make matching requests (regex searched in the raw path) fail.

        `status` None only delays (slow answer) and then answers normally; `drop` closes
        the connection without an answer; `error_variant` picks one of the three 400 bodies
        documented for stop (invalidProperty, missingRequiredParameter, malformed);
        `count` None keeps the fault until `clear_faults()`.
        """
        if error_variant not in {
            None,
            "invalidProperty",
            "missingRequiredParameter",
            "malformed",
        }:
            raise ValueError(f"unknown error variant {error_variant!r}")
        fault = Fault(
            path_regex=re.compile(path_regex),
            status=status,
            count=count,
            method=method,
            delay=delay,
            body=body,
            error_variant=error_variant,
            drop=drop,
            host=host.lower() if host else None,
        )
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self.faults.clear()

    def take_fault(self, method: str, path: str, host: str) -> Fault | None:
        """Return the first fault matching a request, its count decremented."""
        for fault in self.faults:
            if fault.matches(method, path, host):
                if fault.count is not None:
                    fault.count -= 1
                return fault
        return None

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        self.requests.clear()

    def requests_to(
        self, path_regex: str, method: str | None = None
    ) -> list[RecordedRequest]:
        """Return the recorded requests whose raw path matches (and method, if given)."""
        pattern = re.compile(path_regex)
        return [
            r
            for r in self.requests
            if pattern.search(r.path) and (method is None or r.method == method.upper())
        ]

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
        self.users = (
            self._copy_users(self._baseline) if self._baseline is not None else {}
        )

    async def sleep(self, delay: float) -> None:
        """Sleep (a slow answer), cut short when the simulator closes."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._closing.wait()

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

    # --- Playback -------------------------------------------------------------------------

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

    # --- Messages -------------------------------------------------------------------------

    def _in_voicemail_list(self, vm: StoredVoicemail) -> bool:
        return vm.kind == "voicemail" or self.settings.faxes_in_voicemail_list

    def _subscribers(self, user: User, kind: str) -> Iterator[Session]:
        for session in self.sessions.values():
            if session.alive and session.user is user:
                if (
                    (kind == "voicemail" and session.voicemail_subscribed)
                    or (kind == "fax" and session.fax_subscribed)
                    or (kind == "mwi" and session.mwi_subscribed)
                ):
                    yield session

    def _broadcast_voicemail(self, user: User, message: str) -> None:
        for session in self._subscribers(user, "voicemail"):
            session.push(message)

    def _broadcast_fax(self, user: User, message: str) -> None:
        for session in self._subscribers(user, "fax"):
            session.push(message)

    def _notify_mwi(self, user: User) -> None:
        sessions = list(self._subscribers(user, "mwi"))
        if not sessions:
            return
        count = user.unread_count()
        for session in sessions:
            if session.last_mwi != count:
                self.send_mwi(session, count)

    def send_mwi(self, session: Session, count: int | None = None) -> None:
        """Queue an `mwiMessage` with the user's unread voicemail count."""
        if count is None:
            count = session.user.unread_count()
        session.last_mwi = count
        session.push(
            dumps({"__type": MWI_MESSAGE, "isDelta": False, "messagesWaiting": count})
        )

    def snapshot_json(self, user: User) -> str:
        """Serialize the `voicemailMessagesMessage` snapshot (isDelta false).

        Built from each message's cached JSON, so a 10,000-message mailbox costs one join.
        """
        items = ",".join(
            vm.added_json(self.settings)
            for vm in user.mailbox.values()
            if self._in_voicemail_list(vm)
        )
        extra = (
            ',"voicemailMessagesChanged":[],"voicemailMessagesRemoved":[]'
            if self.settings.include_empty_delta_arrays
            else ""
        )
        return (
            f'{{"__type":"{VOICEMAIL_MESSAGES_MESSAGE}","isDelta":false,'
            f'"voicemailMessagesAdded":[{items}]{extra}}}'
        )

    def _delta_json(
        self,
        *,
        added: Iterable[StoredVoicemail] = (),
        changed: Iterable[StoredVoicemail] = (),
        removed: Iterable[str] = (),
    ) -> str:
        body: dict[str, Any] = {"__type": VOICEMAIL_MESSAGES_MESSAGE, "isDelta": True}
        empty = self.settings.include_empty_delta_arrays
        added_items = [vm.added_item(self.settings) for vm in added]
        changed_items = [
            {
                "__type": f"{UM}:voicemailMessage",
                "unifiedMessageId": vm.message_id,
                "state": vm.state,
            }
            for vm in changed
        ]
        removed_ids = list(removed)
        if added_items or empty:
            body["voicemailMessagesAdded"] = added_items
        if changed_items or empty:
            body["voicemailMessagesChanged"] = changed_items
        if removed_ids or empty:
            body["voicemailMessagesRemoved"] = removed_ids
        return dumps(body)

    def _fax_json(
        self,
        is_delta: bool,
        *,
        added: Iterable[StoredVoicemail] = (),
        changed: Iterable[StoredVoicemail] = (),
        removed: Iterable[str] = (),
    ) -> str:
        def fax_item(vm: StoredVoicemail) -> dict[str, Any]:
            item = vm.added_item(self.settings)
            item["__type"] = f"{UM}:faxMessageAdded"
            return item

        body: dict[str, Any] = {"__type": FAX_MESSAGES_MESSAGE, "isDelta": is_delta}
        added_items = [fax_item(vm) for vm in added]
        if added_items or not is_delta:
            body["faxMessagesAdded"] = added_items
        changed_items = [
            {
                "__type": f"{UM}:faxMessage",
                "unifiedMessageId": vm.message_id,
                "state": vm.state,
            }
            for vm in changed
        ]
        if changed_items:
            body["faxMessagesChanged"] = changed_items
        removed_ids = list(removed)
        if removed_ids:
            body["faxMessagesRemoved"] = removed_ids
        return dumps(body)

    def fax_snapshot_json(self, user: User) -> str:
        """Serialize the `faxMessagesMessage` snapshot."""
        return self._fax_json(
            False, added=[vm for vm in user.mailbox.values() if vm.kind == "fax"]
        )
