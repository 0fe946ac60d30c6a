"""The coordinator's mailbox: kept in order change by change, as a full sort would have it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st

from custom_components.voicemail.coordinator import Mailbox, VoicemailData
from custom_components.voicemail.icws import MessageState, Voicemail

DAY = datetime(2026, 11, 1, tzinfo=UTC)

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
    """Any sequence of snapshots, additions, changes and removals: as if sorted anew."""
    mailbox = Mailbox()
    expected: dict[str, Voicemail] = {}
    for step in steps:
        match step:
            case ("snapshot", list() as snapshot):
                mailbox.reset(snapshot)
                expected = {vm.message_id: vm for vm in snapshot}
            case ("add", Voicemail() as voicemail):
                mailbox.put(voicemail)
                expected[voicemail.message_id] = voicemail
            case ("change", str() as message_id, MessageState() as state):
                if (old := mailbox.get(message_id)) is not None:
                    mailbox.put(replace(old, state=state))
                    expected[message_id] = replace(old, state=state)
            case ("remove", str() as message_id):
                mailbox.remove(message_id)
                expected.pop(message_id, None)
        data = mailbox.data(None, None)
        full = sorted(
            expected.values(), key=lambda vm: (vm.received, vm.message_id), reverse=True
        )
        assert data.voicemails == tuple(full)
        assert list(data.by_id) == [vm.message_id for vm in full]
        assert dict(data.by_id) == expected
        assert data.unread == sum(not vm.read for vm in full)
        assert data == VoicemailData.build(expected.values(), None, None)


def test_an_unchanged_mailbox_is_handed_out_again() -> None:
    """Only the playback or the waiting count changed: the same tuple and mapping."""
    mailbox = Mailbox()
    mailbox.reset([Voicemail("A", MessageState.UNREAD, DAY, "Bob", "")])
    first = mailbox.data(None, None)
    again = mailbox.data("A", 1)

    assert again.voicemails is first.voicemails
    assert again.by_id is first.by_id
    assert (again.playing, again.messages_waiting, again.unread) == ("A", 1, 1)

    mailbox.remove("B")  # not there: nothing changes
    assert mailbox.data(None, None).by_id is first.by_id
    mailbox.remove("A")
    assert mailbox.data(None, None).by_id == {}
