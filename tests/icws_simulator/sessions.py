"""Sessions: login state, expiry, switchover, forced disconnects, event streams."""

from __future__ import annotations

import base64
from collections.abc import Sequence
import time
import uuid

from .playback import PlaybackMixin
from .state import Session, User, dumps

CONNECTION_STATE_CHANGE = "urn:inin.com:connection:connectionStateChangeMessage"


class SessionsMixin(PlaybackMixin):
    """Creating, ending and disconnecting sessions."""

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
        origin: str = "",
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
            origin=origin,
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
        should_reconnect: bool | None = True,
    ) -> int:
        """Push `connectionStateChangeMessage` (up -> down) to live sessions, then end them.

        `should_reconnect=None` leaves the field out of the message.
        """
        sessions = self.live_sessions(user)
        for session in sessions:
            self.disconnect_session(
                session, reason=reason, should_reconnect=should_reconnect
            )
        return len(sessions)

    def disconnect_session(
        self, session: Session, *, reason: str, should_reconnect: bool | None = True
    ) -> None:
        """Push `connectionStateChangeMessage` (up -> down) to one session, then end it."""
        message: dict[str, object] = {
            "__type": CONNECTION_STATE_CHANGE,
            "isDelta": True,
            "previousConnectionState": 1,
            "newConnectionState": 2,
            "reason": reason,
        }
        if should_reconnect is not None:
            message["shouldReconnect"] = should_reconnect
        session.push(dumps(message))
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

    def logon_elsewhere(self, user_id: str) -> int:
        """End the user's sessions as another logon of the same user would.

        `connectionStateChangeMessage` with reason AnotherLogOn and shouldReconnect false,
        then 401 (`disconnect_sessions`); returns how many.
        """
        self._user(user_id)
        return self.disconnect_sessions(
            user_id, reason="AnotherLogOn", should_reconnect=False
        )

    def restart(self, downtime: float = 0.0) -> int:
        """Restart the server.

        Every session ends silently (no message, queues lost; later
        requests on them 401 errorCode 1, the server forgot them), playbacks stop, streams
        are aborted; for `downtime` seconds every ICWS request answers 503
        `error.server.unavailable`. Users and mailboxes are kept. Returns the sessions ended.
        """
        ended = 0
        for session in self.sessions.values():
            if session.alive:
                ended += 1
            self.end_session(session, "ServerRestart")
            session.forgotten = True
            session.raw_out.clear()
            session.stream_epoch += 1
            session.stream_abort = True
            session.wakeup.set()
        for user in self.users.values():
            self.end_playback(user, notify=False)
        self.down_until = time.monotonic() + max(downtime, 0.0)
        return ended

    def write_stream_bytes(self, user_id: str, data: bytes) -> int:
        """Write raw bytes into every open event stream of the user.

        They go out before any message still queued, unframed and not counted by
        `stream_max_events`; returns the number of streams.
        """
        count = 0
        for session in self.sessions.values():
            if session.user.user_id == user_id and session.streams_open:
                session.raw_out.append(bytes(data))
                session.wakeup.set()
                count += 1
        return count

    def failed_logins(self, user_id: str) -> int:
        """Consecutive failed logins of the user (reset by a successful login)."""
        return self._user(user_id).failed_logins
