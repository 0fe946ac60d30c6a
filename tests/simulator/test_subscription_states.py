"""Subscription answers and states (PROTOCOL.md §12, open question 13).

Repeated PUTs, a missing indicator, subscription-state messages, glitches, odd items.
"""

from __future__ import annotations

import aiohttp
import pytest

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .helpers import MWI_SUB, VOICEMAIL_SUB, Login, poll, status_of, subscribe

UM = "urn:inin.com:unifiedMessaging"
VM_STATE = f"{UM}:voicemailMessageSubscriptionStateMessage"
MWI_STATE = f"{UM}:mwiSubscriptionStateMessage"


async def _put(client_session: aiohttp.ClientSession, lg: Login, path: str) -> int:
    return await status_of(client_session, lg, "PUT", path)


async def test_repeated_put_resends_the_snapshot_by_default(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Today's behaviour: each PUT queues a snapshot (and the count)."""
    await subscribe(client_session, lg, mwi=True)
    await subscribe(client_session, lg, mwi=True)
    types = [(m["__type"], m["isDelta"]) for m in await poll(client_session, lg)]
    assert (
        types
        == [(f"{UM}:voicemailMessagesMessage", False), (f"{UM}:mwiMessage", False)] * 2
    )


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(repeated_subscription_put="nothing")]
)
async def test_repeated_put_can_send_nothing(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Setting "nothing": a second PUT answers 200 and queues nothing; DELETE + PUT resends."""
    await subscribe(client_session, lg, mwi=True)
    assert len(await poll(client_session, lg)) == 2
    await subscribe(client_session, lg, mwi=True)
    assert await poll(client_session, lg) == []
    assert await status_of(client_session, lg, "DELETE", VOICEMAIL_SUB) == 204
    assert await status_of(client_session, lg, "DELETE", MWI_SUB) == 204
    await subscribe(client_session, lg, mwi=True)
    assert len(await poll(client_session, lg)) == 2


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(repeated_subscription_put="error")]
)
async def test_repeated_put_can_be_an_error(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Setting "error": 400 on an active subscription (voicemail and mwi alike)."""
    await subscribe(client_session, lg, mwi=True)
    await poll(client_session, lg)
    async with client_session.put(lg.url(VOICEMAIL_SUB), headers=lg.auth()) as resp:
        assert resp.status == 400
        body = await resp.json(content_type=None)
    assert body["errorId"] == "error.request.subscription.alreadyExists"
    assert await _put(client_session, lg, MWI_SUB) == 400
    assert await poll(client_session, lg) == []


@pytest.mark.parametrize("status", [400, 403, 404, 410, 500])
async def test_mwi_subscription_status(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    lg: Login,
    status: int,
) -> None:
    """The indicator PUT fails with the status; the voicemail subscription still works."""
    icws_simulator.sim.settings.mwi_subscription_status = status
    async with client_session.put(lg.url(MWI_SUB), headers=lg.auth()) as resp:
        assert resp.status == status
        assert "message" in await resp.json(content_type=None)
    assert await _put(client_session, lg, VOICEMAIL_SUB) == 200
    icws_simulator.sim.set_read(
        "alice", icws_simulator.sim.voicemails("alice")[0].message_id, False
    )
    types = [m["__type"] for m in await poll(client_session, lg)]
    assert types == [f"{UM}:voicemailMessagesMessage"] * 2


async def test_fault_and_restore_the_mailbox_store(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """State 3 with the error; no deltas or snapshots while faulted; restore: 1 + snapshot."""
    sim = icws_simulator.sim
    await subscribe(client_session, lg)
    await poll(client_session, lg)
    assert sim.fault_mailbox_store("alice") == 1
    assert await poll(client_session, lg) == [
        {
            "__type": VM_STATE,
            "isDelta": True,
            "state": 3,
            "error": {"message": "The mailbox store is unavailable."},
        }
    ]
    sim.add_voicemail("alice", sender="Eve <4004>")
    assert await poll(client_session, lg) == []
    assert await _put(client_session, lg, VOICEMAIL_SUB) == 200
    assert [m["__type"] for m in await poll(client_session, lg)] == [VM_STATE]
    assert sim.restore_mailbox_store("alice") == 1
    state, snapshot = await poll(client_session, lg)
    assert state == {"__type": VM_STATE, "isDelta": True, "state": 1}
    assert snapshot["isDelta"] is False
    assert len(snapshot["voicemailMessagesAdded"]) == 6


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(faulted_subscription_put="error")]
)
async def test_faulted_put_can_answer_500(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Suspended (2) with a message; a PUT meanwhile answers 500 with that message."""
    sim = icws_simulator.sim
    sim.fault_mailbox_store("alice", "Suspended for maintenance.", state=2)
    async with client_session.put(lg.url(VOICEMAIL_SUB), headers=lg.auth()) as resp:
        assert resp.status == 500
        assert (await resp.json(content_type=None))["message"] == (
            "Suspended for maintenance."
        )
    sim.restore_mailbox_store("alice")
    assert await _put(client_session, lg, VOICEMAIL_SUB) == 200


async def test_fault_and_restore_the_indicator(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """mwiSubscriptionStateMessage; counts paused while faulted; restore sends the count."""
    sim = icws_simulator.sim
    await subscribe(client_session, lg, mwi=True)
    await poll(client_session, lg)
    assert sim.fault_mwi("alice", "No MWI.") == 1
    sim.add_voicemail("alice", sender="Eve <4004>")
    fault, added = await poll(client_session, lg)
    assert fault == {
        "__type": MWI_STATE,
        "isDelta": True,
        "state": 3,
        "error": {"message": "No MWI."},
    }
    assert added["isDelta"] is True
    assert await _put(client_session, lg, MWI_SUB) == 200
    assert [m["__type"] for m in await poll(client_session, lg)] == [MWI_STATE]
    assert sim.restore_mwi("alice") == 1
    assert await poll(client_session, lg) == [
        {"__type": MWI_STATE, "isDelta": True, "state": 1},
        {"__type": f"{UM}:mwiMessage", "isDelta": False, "messagesWaiting": 3},
    ]


async def test_glitched_snapshots(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Next snapshots empty, then lacking ids; the mailbox keeps them; then normal."""
    sim = icws_simulator.sim
    ids = [vm.message_id for vm in sim.voicemails("alice")]
    sim.glitch_next_snapshots("alice", "empty", count=2)
    for _ in range(2):
        await subscribe(client_session, lg)
        (snapshot,) = await poll(client_session, lg)
        assert snapshot["isDelta"] is False
        assert snapshot["voicemailMessagesAdded"] == []
    sim.glitch_next_snapshots("alice", "omit", omit_ids=ids[:2])
    await subscribe(client_session, lg)
    (snapshot,) = await poll(client_session, lg)
    assert [i["unifiedMessageId"] for i in snapshot["voicemailMessagesAdded"]] == ids[
        2:
    ]
    await subscribe(client_session, lg)
    (snapshot,) = await poll(client_session, lg)
    assert [i["unifiedMessageId"] for i in snapshot["voicemailMessagesAdded"]] == ids
    with pytest.raises(ValueError, match="glitch kind"):
        sim.glitch_next_snapshots("alice", "late")  # type: ignore[arg-type]  # refused kind


@pytest.mark.parametrize(
    "raw",
    [
        {"dateReceived": "00010101T000000Z"},
        {"dateReceived": "garbage"},
        {"state": 7},
        {"attachments": None, "extra": {"nested": True}},
    ],
)
async def test_raw_fields_in_snapshots_and_added_deltas(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    lg: Login,
    raw: dict[str, object],
) -> None:
    """`raw` is merged into the item as it is (Added delta, later snapshots); `omit` drops."""
    sim = icws_simulator.sim
    await subscribe(client_session, lg)
    await poll(client_session, lg)
    vm = sim.add_voicemail("alice", message_id="odd", raw=raw, omit=("subject",))
    (delta,) = await poll(client_session, lg)
    (item,) = delta["voicemailMessagesAdded"]
    assert item["unifiedMessageId"] == "odd"
    assert {k: item[k] for k in raw} == raw
    assert "subject" not in item
    await subscribe(client_session, lg)
    (snapshot,) = await poll(client_session, lg)
    assert snapshot["voicemailMessagesAdded"][-1] == item
    assert vm.subject == "Voice mail from Bob Example <+15551234>"
