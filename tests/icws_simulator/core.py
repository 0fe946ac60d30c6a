"""Core state of the simulator: users, sessions, faults and the request log."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from typing import Any

from .settings import SimulatorSettings
from .state import Fault, MessageKind, RecordedRequest, Session, StoredVoicemail, User


class SimulatorCore:
    """What every part of the simulator shares (the state); see `IcwsSimulator`."""

    def __init__(
        self, settings: SimulatorSettings | None = None, *, tls: bool = False
    ) -> None:
        """Create an empty server state."""
        self.settings = settings if settings is not None else SimulatorSettings()
        self.tls = tls
        self.users: dict[str, User] = {}
        self.sessions: dict[str, Session] = {}
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self.switched_over_to: tuple[str, ...] | None = None
        """During a switchover: the hosts that accept logins (the others answer 503)."""
        self._session_counter = 0
        self._closing = asyncio.Event()
        self.down_until = 0.0
        """`time.monotonic()` until which every ICWS request answers 503 (`restart`)."""
        self.affinity_node = 1
        """The load balancer's current node (`affinity_cookie`): value `node<N>`."""
        self.affinity_responses = 0
        """Responses counted for `affinity_cookie_rotate_every`."""

    @property
    def is_closing(self) -> bool:
        """Whether the simulator is shutting down (or resetting)."""
        return self._closing.is_set()

    @property
    def affinity_value(self) -> str:
        """The value of the affinity cookie the balancer currently routes on."""
        return f"node{self.affinity_node}"

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

    def voicemails(self, user_id: str) -> list[StoredVoicemail]:
        """Return the messages of a user's mailbox, in mailbox order."""
        return list(self._user(user_id).mailbox.values())

    def get_voicemail(self, user_id: str, message_id: str) -> StoredVoicemail:
        """One message of a user's mailbox."""
        return self._user(user_id).mailbox[message_id]

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

    async def sleep(self, delay: float) -> None:
        """Sleep (a slow answer), cut short when the simulator closes."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._closing.wait()
