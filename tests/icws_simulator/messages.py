"""Message fan-out: snapshots, deltas, the message-waiting indicator, subscription states."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any, Literal

from .core import SimulatorCore
from .state import (
    FAX_MESSAGES_MESSAGE,
    UM,
    VOICEMAIL_MESSAGES_MESSAGE,
    Session,
    SnapshotGlitch,
    StoredVoicemail,
    StoreFault,
    User,
    dumps,
)

MWI_MESSAGE = f"{UM}:mwiMessage"
VOICEMAIL_STATE_MESSAGE = f"{UM}:voicemailMessageSubscriptionStateMessage"
MWI_STATE_MESSAGE = f"{UM}:mwiSubscriptionStateMessage"
STORE_FAULT_MESSAGE = "The mailbox store is unavailable."
MWI_FAULT_MESSAGE = "The message waiting indicator is unavailable."


class MessagesMixin(SimulatorCore):
    """Builds and queues the messages of the subscriptions."""

    def _in_voicemail_list(self, vm: StoredVoicemail) -> bool:
        return vm.kind == "voicemail" or self.settings.faxes_in_voicemail_list

    def item_origin(self, session: Session) -> str:
        """Return the origin a session's items are built for ("" unless fileUris name it)."""
        if self.settings.attachment_uri_style == "absolute_own_host":
            return session.origin
        return ""

    def _subscribers(self, user: User, kind: str) -> Iterator[Session]:
        for session in self.sessions.values():
            if session.alive and session.user is user:
                if (
                    (kind == "voicemail" and session.voicemail_subscribed)
                    or (kind == "fax" and session.fax_subscribed)
                    or (kind == "mwi" and session.mwi_subscribed)
                ):
                    yield session

    def _fan_out(
        self, sessions: Iterable[Session], build: Callable[[str], str]
    ) -> None:
        """Push `build(origin)` to each session, built once per origin."""
        built: dict[str, str] = {}
        for session in sessions:
            origin = self.item_origin(session)
            if origin not in built:
                built[origin] = build(origin)
            session.push(built[origin])

    def _broadcast_voicemail(self, user: User, build: Callable[[str], str]) -> None:
        if user.store_fault is None:
            self._fan_out(self._subscribers(user, "voicemail"), build)

    def _broadcast_fax(self, user: User, build: Callable[[str], str]) -> None:
        self._fan_out(self._subscribers(user, "fax"), build)

    def _notify_mwi(self, user: User) -> None:
        if user.mwi_fault is not None:
            return
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

    # --- Arbitrary messages and subscription states ------------------------------------

    def push_message(self, user_id: str, message: Mapping[str, Any] | str) -> int:
        """Queue any message to the user's sessions with the voicemail subscription.

        A dict is serialized, a string sent verbatim (even malformed JSON); returns how
        many sessions got it.
        """
        text = message if isinstance(message, str) else dumps(dict(message))
        sessions = list(self._subscribers(self._user(user_id), "voicemail"))
        for session in sessions:
            session.push(text)
        return len(sessions)

    @staticmethod
    def state_message_json(kind: str, state: int, message: str | None) -> str:
        """Serialize a subscription-state message (`error` only with a message)."""
        body: dict[str, Any] = {"__type": kind, "isDelta": True, "state": state}
        if message is not None:
            body["error"] = {"message": message}
        return dumps(body)

    def fault_mailbox_store(
        self, user_id: str, message: str = STORE_FAULT_MESSAGE, state: int = 3
    ) -> int:
        """Fault (3) or suspend (2) the user's mailbox store.

        Subscribed sessions get `voicemailMessageSubscriptionStateMessage {state, error}`;
        until `restore_mailbox_store`, voicemail deltas are not sent and a subscription PUT
        pushes the state message again instead of a snapshot (`faulted_subscription_put`).
        Returns the number of sessions told.
        """
        user = self._user(user_id)
        user.store_fault = StoreFault(state, message)
        text = self.state_message_json(VOICEMAIL_STATE_MESSAGE, state, message)
        sessions = list(self._subscribers(user, "voicemail"))
        for session in sessions:
            session.push(text)
        return len(sessions)

    def restore_mailbox_store(self, user_id: str) -> int:
        """End the fault: subscribed sessions get state 1 (normal) and a fresh snapshot."""
        user = self._user(user_id)
        user.store_fault = None
        text = self.state_message_json(VOICEMAIL_STATE_MESSAGE, 1, None)
        sessions = list(self._subscribers(user, "voicemail"))
        for session in sessions:
            session.push(text)
            self.send_snapshot(session)
        return len(sessions)

    def fault_mwi(
        self, user_id: str, message: str = MWI_FAULT_MESSAGE, state: int = 3
    ) -> int:
        """Like `fault_mailbox_store` for the indicator (`mwiSubscriptionStateMessage`)."""
        user = self._user(user_id)
        user.mwi_fault = StoreFault(state, message)
        text = self.state_message_json(MWI_STATE_MESSAGE, state, message)
        sessions = list(self._subscribers(user, "mwi"))
        for session in sessions:
            session.push(text)
        return len(sessions)

    def restore_mwi(self, user_id: str) -> int:
        """End the indicator's fault: state 1 and the current count to subscribed sessions."""
        user = self._user(user_id)
        user.mwi_fault = None
        text = self.state_message_json(MWI_STATE_MESSAGE, 1, None)
        sessions = list(self._subscribers(user, "mwi"))
        for session in sessions:
            session.push(text)
            self.send_mwi(session)
        return len(sessions)

    def glitch_next_snapshots(
        self,
        user_id: str,
        kind: Literal["empty", "omit"] = "empty",
        count: int = 1,
        omit_ids: Collection[str] = (),
    ) -> None:
        """Make the next `count` voicemail snapshots of the user wrong.

        They are empty (`kind="empty"`) or lack `omit_ids` (`kind="omit"`), although the
        mailbox still has those messages.
        """
        if kind not in {"empty", "omit"}:
            raise ValueError(f"unknown glitch kind {kind!r}")
        self._user(user_id).glitch = SnapshotGlitch(kind, count, frozenset(omit_ids))

    # --- Snapshots and deltas ----------------------------------------------------------

    def send_snapshot(self, session: Session) -> None:
        """Queue the voicemail snapshot (or the store's fault), applying a glitch."""
        user = session.user
        if user.store_fault is not None:
            fault = user.store_fault
            session.push(
                self.state_message_json(
                    VOICEMAIL_STATE_MESSAGE, fault.state, fault.message
                )
            )
            return
        glitch = user.glitch
        skip: Collection[str] | None = None
        if glitch is not None and glitch.remaining > 0:
            glitch.remaining -= 1
            if glitch.remaining <= 0:
                user.glitch = None
            skip = glitch.omit_ids if glitch.kind == "omit" else None
            if glitch.kind == "empty":
                session.push(self.snapshot_json(user, only=()))
                return
        session.push(self.snapshot_json(user, self.item_origin(session), skip=skip))

    def snapshot_json(
        self,
        user: User,
        origin: str = "",
        *,
        skip: Collection[str] | None = None,
        only: Collection[StoredVoicemail] | None = None,
    ) -> str:
        """Serialize the `voicemailMessagesMessage` snapshot (isDelta false).

        Built from each message's cached JSON, so a 10,000-message mailbox costs one join.
        `skip` leaves ids out; `only` replaces the mailbox (a glitch).
        """
        messages = user.mailbox.values() if only is None else only
        items = ",".join(
            vm.added_json(self.settings, origin)
            for vm in messages
            if self._in_voicemail_list(vm) and (not skip or vm.message_id not in skip)
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
        origin: str = "",
        *,
        added: Iterable[StoredVoicemail] = (),
        changed: Iterable[StoredVoicemail] = (),
        removed: Iterable[str] = (),
    ) -> str:
        body: dict[str, Any] = {"__type": VOICEMAIL_MESSAGES_MESSAGE, "isDelta": True}
        empty = self.settings.include_empty_delta_arrays
        added_items = [vm.added_item(self.settings, origin) for vm in added]
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
        origin: str = "",
        *,
        added: Iterable[StoredVoicemail] = (),
        changed: Iterable[StoredVoicemail] = (),
        removed: Iterable[str] = (),
    ) -> str:
        def fax_item(vm: StoredVoicemail) -> dict[str, Any]:
            item = vm.added_item(self.settings, origin)
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

    def fax_snapshot_json(self, user: User, origin: str = "") -> str:
        """Serialize the `faxMessagesMessage` snapshot."""
        return self._fax_json(
            False,
            origin,
            added=[vm for vm in user.mailbox.values() if vm.kind == "fax"],
        )
