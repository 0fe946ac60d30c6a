"""Message fan-out: snapshots, deltas, the message-waiting indicator."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .core import SimulatorCore
from .state import (
    FAX_MESSAGES_MESSAGE,
    UM,
    VOICEMAIL_MESSAGES_MESSAGE,
    Session,
    StoredVoicemail,
    User,
    dumps,
)

MWI_MESSAGE = f"{UM}:mwiMessage"


class MessagesMixin(SimulatorCore):
    """Builds and queues the messages of the subscriptions."""

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
