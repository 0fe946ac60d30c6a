"""The mailbox: kept in order as a full sort would have it, and each change reported once."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st

from custom_components.voicemail.icws import (
    MessageState,
    Voicemail,
    VoicemailDelta,
    VoicemailSnapshot,
    VoicemailStateChange,
)
from custom_components.voicemail.mailbox import (
    GONE_KEPT,
    Change,
    Mailbox,
    VoicemailData,
)

DAY = datetime(2026, 11, 1, tzinfo=UTC)


def _vm(message_id: str, hour: int = 0, *, read: bool = False) -> Voicemail:
    return Voicemail(
        message_id=message_id,
        state=MessageState.READ if read else MessageState.UNREAD,
        received=DAY + timedelta(hours=hour),
        sender="Bob",
        subject="Voice mail from Bob",
    )


def _kinds(changes: list[Change]) -> list[tuple[str, str]]:
    return [(change.kind, change.message_id) for change in changes]


# Few ids and few times: the same id comes back, and equal times are common.
ids = st.sampled_from([f"m{n}" for n in range(8)])
voicemails = st.builds(
    Voicemail,
    message_id=ids,
    state=st.sampled_from(MessageState),
    received=st.integers(0, 3).map(lambda n: DAY + timedelta(hours=n)),
    sender=st.just("Bob"),
    subject=st.just("Voice mail from Bob"),
)
operations = st.one_of(
    st.tuples(st.just("snapshot"), st.lists(voicemails, max_size=8)),
    st.tuples(st.just("add"), voicemails),
    st.tuples(st.just("change"), ids, st.sampled_from(MessageState)),
    st.tuples(st.just("remove"), ids),
)


@given(st.lists(operations, max_size=30))
def test_changes_keep_the_order_of_a_full_sort(
    steps: list[tuple[str, object, object] | tuple[str, object]],
) -> None:
    """Any sequence of snapshots and deltas: the view is as if sorted anew.

    A message a snapshot lacks stays until a second snapshot confirms it is gone.
    """
    mailbox = Mailbox(None)
    expected: dict[str, Voicemail] = {}
    doubted: set[str] = set()
    first = True
    for step in steps:
        match step:
            case ("snapshot", list() as snapshot):
                mailbox.apply_snapshot(VoicemailSnapshot(tuple(snapshot)))
                present = {vm.message_id: vm for vm in snapshot}
                lacking = set() if first else set(expected) - set(present)
                kept = {i: expected[i] for i in lacking - doubted}
                doubted = lacking - doubted
                expected = {**present, **kept}
                first = False
            case ("add", Voicemail() as voicemail):
                mailbox.apply_delta(VoicemailDelta(added=(voicemail,)))
                expected[voicemail.message_id] = voicemail
                doubted.discard(voicemail.message_id)
            case ("change", str() as message_id, MessageState() as state):
                mailbox.apply_delta(
                    VoicemailDelta(changed=(VoicemailStateChange(message_id, state),))
                )
                if (old := expected.get(message_id)) is not None:
                    expected[message_id] = replace(old, state=state)
                    doubted.discard(message_id)
            case ("remove", str() as message_id):
                mailbox.apply_delta(VoicemailDelta(removed=(message_id,)))
                expected.pop(message_id, None)
                doubted.discard(message_id)
        data = mailbox.data(None, None)
        full = sorted(
            expected.values(), key=lambda vm: (vm.received, vm.message_id), reverse=True
        )
        assert data.voicemails == tuple(full)
        assert list(data.by_id) == [vm.message_id for vm in full]
        assert dict(data.by_id) == expected
        assert data.unread == sum(not vm.read for vm in full)
        assert data == VoicemailData.build(expected.values(), None, None)


# --- Exactly once ------------------------------------------------------------------------

server_steps = st.lists(
    st.one_of(
        st.just(("add",)),
        st.tuples(st.just("remove"), st.integers(0, 20)),
        st.tuples(st.just("read"), st.integers(0, 20)),
        st.just(("snapshot",)),
        st.tuples(st.just("glitch"), st.sampled_from(["empty", "omit", "skip"])),
        st.just(("lost_delta",)),
    ),
    max_size=40,
)


def _no_two_glitches_in_a_row(steps: list[tuple[object, ...]]) -> bool:
    """Whether a true snapshot comes between any two odd ones."""
    odd = [s[0] for s in steps if s[0] in ("snapshot", "glitch")]
    return all(
        a != "glitch" or b != "glitch" for a, b in zip(odd, odd[1:], strict=False)
    )


@given(st.integers(0, 5), server_steps.filter(_no_two_glitches_in_a_row))
def test_each_change_is_reported_exactly_once(
    initial: int, steps: list[tuple[object, ...]]
) -> None:
    """Each new voicemail is `received` once, each removal `deleted` once.

    Whatever odd snapshot a server sends now and then (empty, lacking a message, an
    entry skipped for bad data) and whichever deltas are lost: once two true snapshots
    came, the mailbox is the server's, and nothing else was reported.
    """
    server: dict[str, Voicemail] = {f"i{n}": _vm(f"i{n}", n) for n in range(initial)}
    mailbox = Mailbox(None)
    mailbox.apply_snapshot(VoicemailSnapshot(tuple(server.values())))
    added: set[str] = set()
    removed: set[str] = set()
    reads: Counter[str] = Counter()
    changes: list[Change] = []
    seen = set(server)
    counter = 0

    def snapshot(*voicemails: Voicemail, complete: bool = True) -> list[Change]:
        seen.update(vm.message_id for vm in voicemails)
        return mailbox.apply_snapshot(VoicemailSnapshot(voicemails, complete=complete))

    for step in steps:
        match step:
            case ("add",):
                counter += 1
                vm = _vm(f"n{counter}", counter % 5)
                server[vm.message_id] = vm
                added.add(vm.message_id)
                seen.add(vm.message_id)
                changes += mailbox.apply_delta(VoicemailDelta(added=(vm,)))
            case ("remove", int() as index) if server:
                message_id = sorted(server)[index % len(server)]
                del server[message_id]
                if message_id in seen:
                    removed.add(message_id)
                else:  # came and went while its deltas were lost: no event at all
                    added.discard(message_id)
                changes += mailbox.apply_delta(VoicemailDelta(removed=(message_id,)))
            case ("read", int() as index) if server:
                message_id = sorted(server)[index % len(server)]
                if not server[message_id].read:
                    reads[message_id] += 1
                server[message_id] = replace(server[message_id], state=1)
                changes += mailbox.apply_delta(
                    VoicemailDelta(changed=(VoicemailStateChange(message_id, 1),))
                )
            case ("snapshot",):
                changes += snapshot(*server.values())
            case ("glitch", "empty"):
                changes += snapshot()
            case ("glitch", "omit"):
                changes += snapshot(*tuple(server.values())[1:])
            case ("glitch", "skip"):
                # One entry was skipped for bad data, its id unreadable.
                changes += snapshot(*tuple(server.values())[1:], complete=False)
            case ("lost_delta",):
                # A voicemail arrives, but its delta never reaches us.
                counter += 1
                vm = _vm(f"n{counter}", counter % 5)
                server[vm.message_id] = vm
                added.add(vm.message_id)
    for _ in range(2):
        changes += snapshot(*server.values())

    data = mailbox.data(None, None)
    assert dict(data.by_id) == server
    assert not mailbox.needs_confirmation
    kinds = Counter(_kinds(changes))
    assert {i for (kind, i) in kinds if kind == "received"} == added
    assert {i for (kind, i) in kinds if kind == "deleted"} == removed
    assert all(count == 1 for (kind, _), count in kinds.items() if kind != "read"), (
        kinds
    )
    for message_id, count in reads.items():
        assert kinds[("read", message_id)] <= count


# --- Examples ---------------------------------------------------------------------------


def test_an_unchanged_mailbox_is_handed_out_again() -> None:
    """Only the playback or the waiting count changed: the same tuple and mapping."""
    mailbox = Mailbox(None)
    mailbox.apply_snapshot(VoicemailSnapshot((_vm("A"),)))
    first = mailbox.data(None, None)
    again = mailbox.data("A", 1)

    assert again.voicemails is first.voicemails
    assert again.by_id is first.by_id
    assert (again.playing, again.messages_waiting, again.unread) == ("A", 1, 1)

    mailbox.apply_delta(VoicemailDelta(removed=("B",)))  # not there: nothing changes
    assert mailbox.data(None, None).by_id is first.by_id
    mailbox.apply_delta(VoicemailDelta(removed=("A",)))
    assert mailbox.data(None, None).by_id == {}


def test_first_setup_takes_the_mailbox_as_it_is() -> None:
    """A new account: the first snapshot is the starting point, nothing is reported."""
    mailbox = Mailbox(None)
    assert mailbox.apply_snapshot(VoicemailSnapshot((_vm("A"), _vm("B")))) == []
    assert mailbox.known() == {"A": False, "B": False}


def test_after_a_restart() -> None:
    """After a restart, the first snapshot is compared with the ids seen before.

    The new ones arrive (oldest first), reads count once, and one that went meanwhile
    is `deleted` only once a second snapshot confirms it.
    """
    mailbox = Mailbox({"A": False, "B": None, "GONE": True})
    changes = mailbox.apply_snapshot(
        VoicemailSnapshot(
            (_vm("A", read=True), _vm("B", read=True), _vm("N2", 2), _vm("N1", 1))
        )
    )

    assert _kinds(changes) == [("read", "A"), ("received", "N1"), ("received", "N2")]
    assert mailbox.needs_confirmation
    assert "GONE" in mailbox.known()
    assert "GONE" not in mailbox.data(None, None).by_id

    changes = mailbox.apply_snapshot(
        VoicemailSnapshot(
            (_vm("A", read=True), _vm("B", read=True), _vm("N2", 2), _vm("N1", 1))
        )
    )
    assert [(c.kind, c.message_id, c.voicemail) for c in changes] == [
        ("deleted", "GONE", None)
    ]
    assert not mailbox.needs_confirmation


def test_a_skipped_entry_keeps_its_message() -> None:
    """An entry skipped for bad data, its id readable: the message stays as it was."""
    mailbox = Mailbox(None)
    mailbox.apply_snapshot(VoicemailSnapshot((_vm("A"), _vm("B"))))

    for _ in range(3):
        changes = mailbox.apply_snapshot(VoicemailSnapshot((_vm("A"),), skipped=("B",)))
        assert changes == []
        assert set(mailbox.data(None, None).by_id) == {"A", "B"}
        assert not mailbox.needs_confirmation


def test_a_deleted_message_that_was_doubted_is_reported_once() -> None:
    """A removal delta for a message a snapshot lacked: one `deleted`, with its data."""
    mailbox = Mailbox(None)
    mailbox.apply_snapshot(VoicemailSnapshot((_vm("A"),)))
    assert mailbox.apply_snapshot(VoicemailSnapshot(())) == []

    changes = mailbox.apply_delta(VoicemailDelta(removed=("A",)))

    assert [(c.kind, c.voicemail) for c in changes] == [("deleted", _vm("A"))]
    assert mailbox.apply_snapshot(VoicemailSnapshot(())) == []
    assert mailbox.known() == {}


def test_two_odd_snapshots_in_a_row() -> None:
    """Two empty snapshots in a row confirm a removal; a return is no arrival.

    Should the message come back after all, it is not `received` a second time.
    """
    mailbox = Mailbox(None)
    mailbox.apply_snapshot(VoicemailSnapshot((_vm("A"),)))
    mailbox.apply_snapshot(VoicemailSnapshot(()))
    assert _kinds(mailbox.apply_snapshot(VoicemailSnapshot(()))) == [("deleted", "A")]

    assert mailbox.apply_snapshot(VoicemailSnapshot((_vm("A"),))) == []
    assert "A" in mailbox.data(None, None).by_id


def test_only_the_newest_removals_are_remembered() -> None:
    """The memory of removed ids is bounded: the oldest is forgotten first.

    A forgotten id that comes back counts as a new voicemail; a remembered one does not.
    """
    mailbox = Mailbox(None)
    count = GONE_KEPT + 1
    everything = tuple(_vm(f"m{n}") for n in range(count))
    mailbox.apply_snapshot(VoicemailSnapshot(everything))
    for n in range(count):  # removed one snapshot after the other: m0 first
        mailbox.apply_snapshot(VoicemailSnapshot(everything[n + 1 :]))
    assert mailbox.apply_snapshot(VoicemailSnapshot(())) != []
    assert mailbox.known() == {}

    back = mailbox.apply_snapshot(VoicemailSnapshot((everything[0], everything[-1])))
    assert _kinds(back) == [("received", "m0")]
