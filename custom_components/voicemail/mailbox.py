"""The mailbox of an account: its voicemails in order, and what changed.

Snapshots and deltas from the server go in; out come the published view
(`VoicemailData`) and the changes (`Change`) the event entity fires, each exactly once:

- `received` for a voicemail never seen before: not for one that was only missing
  from a snapshot for a while, and not again after a reconnect, a resync or a restart of
  Home Assistant (the ids seen before are handed in, from the event entity's store).
- `deleted` once per removal: at once for a `...Removed` delta; for a message a
  snapshot lacks, only when the next snapshot lacks it too. A server can send a
  snapshot that briefly lacks messages (an empty one, or an entry skipped for bad data):
  until the confirmation, the message stays as it was, and the coordinator asks for a
  fresh snapshot to confirm. (Two such snapshots in a row do confirm a removal; should
  the message come back after all, it is not `received` a second time.)
- `read` when a message goes from unread to read.

A snapshot is sorted once; each later change costs a binary search (and a list insert
or delete), not a sort of the whole mailbox. The published view is built only when the
mailbox changed since the last one.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import attrgetter
from types import MappingProxyType
from typing import Final, Literal

from .icws import Voicemail, VoicemailDelta, VoicemailSnapshot

type ChangeKind = Literal[
    "received",
    "read",
    "deleted",
    "playback_started",
    "playback_stopped",
    "transcribed",
    "transcription_failed",
]
RECEIVED: Final = "received"
READ: Final = "read"
DELETED: Final = "deleted"
PLAYBACK_STARTED: Final = "playback_started"
PLAYBACK_STOPPED: Final = "playback_stopped"
TRANSCRIBED: Final = "transcribed"
TRANSCRIPTION_FAILED: Final = "transcription_failed"

GONE_KEPT: Final = 1000

type Known = Mapping[str, bool | None]
"""Message ids seen before, with their read state (None: not known)."""


@dataclass(frozen=True, slots=True)
class Change:
    """Something that happened to one message."""

    kind: ChangeKind
    message_id: str
    voicemail: Voicemail | None
    """The message as it is now (for `deleted`: as it was; None when never seen)."""
    error: str | None = None
    """Why it failed (`transcription_failed`: a translated text)."""


def _newest_first(voicemail: Voicemail) -> tuple[datetime, str]:
    """Sort key: received, then id (ids are unique, so a total order)."""
    return (voicemail.received, voicemail.message_id)


@dataclass(frozen=True, slots=True)
class VoicemailData:
    """What the entities show: the mailbox, the playback, the waiting count."""

    voicemails: tuple[Voicemail, ...]
    """Newest first (by received, then id)."""
    playing: str | None
    """Id of the message that is playing, if any."""
    messages_waiting: int | None
    """The server's message-waiting count, None until it sent one."""
    by_id: Mapping[str, Voicemail] = field(compare=False)
    """The same voicemails by id."""
    unread: int = field(compare=False)
    """How many voicemails were not listened to (counted once, when built)."""

    @classmethod
    def build(
        cls,
        voicemails: Iterable[Voicemail],
        playing: str | None,
        messages_waiting: int | None,
    ) -> VoicemailData:
        """Sort the voicemails and index them."""
        mailbox = Mailbox(None)
        mailbox.apply_snapshot(VoicemailSnapshot(tuple(voicemails)))
        return mailbox.data(playing, messages_waiting)


class Mailbox:
    """The voicemails of an account, kept in order as changes arrive."""

    def __init__(self, known: Known | None) -> None:
        """Start empty; `known`: the ids seen before (None: the account is new)."""
        self._by_id: dict[str, Voicemail] = {}
        self._order: list[Voicemail] = []
        """Oldest first: the reverse of what is published."""
        self._unread = 0
        self._view: (
            tuple[tuple[Voicemail, ...], Mapping[str, Voicemail], int] | None
        ) = None
        self._baseline: dict[str, bool | None] | None = (
            None if known is None else dict(known)
        )
        """Until the first snapshot: what was known before (None: take it as it is)."""
        self._first = True
        self._missing: dict[str, bool | None] = {}
        """Ids the last snapshot lacked, not confirmed gone yet (with the read state)."""
        self._gone: dict[str, None] = {}
        """Ids two snapshots in a row lacked (the newest `GONE_KEPT`): one that comes
        back after all was no new voicemail, and is not `received` again."""

    @property
    def needs_confirmation(self) -> bool:
        """Whether a snapshot left removals to confirm with a fresh snapshot."""
        return bool(self._missing)

    def get(self, message_id: str) -> Voicemail | None:
        """Return the voicemail with this id, if any."""
        return self._by_id.get(message_id)

    def known(self) -> dict[str, bool | None]:
        """Return the ids to remember (with their read state) across a restart."""
        known = dict(self._missing)
        known.update((vm.message_id, vm.read) for vm in self._order)
        return known

    # --- Applying what the server sends ------------------------------------------------

    def apply_snapshot(self, snapshot: VoicemailSnapshot) -> list[Change]:
        """Take a whole mailbox; return what changed (see the module doc)."""
        present = {vm.message_id: vm for vm in snapshot.voicemails}
        if self._first and self._baseline is None:
            self._first = False
            self._reset(present.values())
            return []
        previous: dict[str, bool | None] = (
            self._baseline
            if self._first and self._baseline is not None
            else {vm.message_id: vm.read for vm in self._order}
        )
        self._first = False
        self._baseline = None
        changes: list[Change] = []
        read: list[Change] = []
        received: list[Voicemail] = []
        for message_id, vm in present.items():
            before = previous.get(message_id, self._missing.get(message_id, ...))
            if before is ... and self._gone.pop(message_id, ...) is ...:
                received.append(vm)
            elif before is False and vm.read:
                read.append(Change(READ, message_id, vm))
        kept = {
            message_id: self._by_id[message_id]
            for message_id in snapshot.skipped
            if message_id in self._by_id and message_id not in present
        }
        missing: dict[str, bool | None] = {}
        for message_id, was_read in {**self._missing, **previous}.items():
            if message_id in present or message_id in snapshot.skipped:
                continue
            old = self._by_id.get(message_id)
            if message_id in self._missing and snapshot.complete:
                changes.append(Change(DELETED, message_id, old))
                self._remember_gone(message_id)
                continue
            if old is not None:
                kept[message_id] = old
            # A snapshot that skipped an entry without a readable id cannot tell what
            # is gone: it carries earlier doubts over and raises no new one.
            if snapshot.complete or message_id in self._missing:
                missing[message_id] = was_read
        self._missing = missing
        self._reset([*present.values(), *kept.values()])
        # Deletions, then reads, then arrivals oldest first (the newest comes last).
        received.sort(key=_newest_first)
        return [
            *changes,
            *read,
            *(Change(RECEIVED, vm.message_id, vm) for vm in received),
        ]

    def apply_delta(self, delta: VoicemailDelta) -> list[Change]:
        """Take the changes of a delta; return what changed."""
        changes: list[Change] = []
        for vm in delta.added:
            known = (
                vm.message_id in self._by_id
                or vm.message_id in self._missing
                or self._gone.pop(vm.message_id, ...) is None
            )
            self._missing.pop(vm.message_id, None)
            self._put(vm)
            if not known:
                changes.append(Change(RECEIVED, vm.message_id, vm))
        for change in delta.changed:
            if (old := self._by_id.get(change.message_id)) is None:
                continue
            self._missing.pop(change.message_id, None)
            new = replace(old, state=change.state)
            self._put(new)
            if not old.read and new.read:
                changes.append(Change(READ, new.message_id, new))
        for message_id in delta.removed:
            in_view = message_id in self._by_id
            if in_view or message_id in self._missing:
                changes.append(Change(DELETED, message_id, self._by_id.get(message_id)))
            self._missing.pop(message_id, None)
            if in_view:
                self._remove(message_id)
        return changes

    def _remember_gone(self, message_id: str) -> None:
        """Keep the id of a message that snapshots say is gone (bounded)."""
        self._gone[message_id] = None
        if len(self._gone) > GONE_KEPT:
            del self._gone[next(iter(self._gone))]

    # --- Ordering -------------------------------------------------------------------------

    def _reset(self, voicemails: Iterable[Voicemail]) -> None:
        """Replace the whole mailbox."""
        self._by_id = {vm.message_id: vm for vm in voicemails}
        self._order = sorted(self._by_id.values(), key=_newest_first)
        self._unread = sum(1 for vm in self._order if not vm.read)
        self._view = None

    def _put(self, voicemail: Voicemail) -> None:
        """Add a voicemail, or replace the one with the same id."""
        if (old := self._by_id.get(voicemail.message_id)) is not None:
            index = self._index(old)
            if _newest_first(old) == _newest_first(voicemail):
                self._order[index] = voicemail
            else:
                del self._order[index]
                insort(self._order, voicemail, key=_newest_first)
            self._unread -= not old.read
        else:
            insort(self._order, voicemail, key=_newest_first)
        self._by_id[voicemail.message_id] = voicemail
        self._unread += not voicemail.read
        self._view = None

    def _remove(self, message_id: str) -> None:
        """Remove the voicemail with this id (it is in the mailbox)."""
        old = self._by_id.pop(message_id)
        del self._order[self._index(old)]
        self._unread -= not old.read
        self._view = None

    def _index(self, voicemail: Voicemail) -> int:
        """Return the position of a voicemail that is in the mailbox."""
        return bisect_left(self._order, _newest_first(voicemail), key=_newest_first)

    def data(self, playing: str | None, messages_waiting: int | None) -> VoicemailData:
        """Return the mailbox as published, with the playback and waiting count.

        While the mailbox is unchanged, the same tuple and mapping are handed out
        again: listeners can tell with `is` that only the rest changed.
        """
        if self._view is None:
            ordered = tuple(reversed(self._order))
            index = dict(
                zip(map(attrgetter("message_id"), ordered), ordered, strict=True)
            )
            self._view = (ordered, MappingProxyType(index), self._unread)
        voicemails, by_id, unread = self._view
        return VoicemailData(
            voicemails=voicemails,
            playing=playing,
            messages_waiting=messages_waiting,
            by_id=by_id,
            unread=unread,
        )
