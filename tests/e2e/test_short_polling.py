"""An older server (unified messaging feature 1, no server-sent events): short polling.

The same account, the same entities; changes arrive by polling instead of being pushed.
"""

from __future__ import annotations

from typing import Any

from scripts._dev.entry import EntryOutcome
from scripts._dev.hass_api import HassApi
from scripts._dev.simulator import SimulatorControl
from tests.e2e.harness import (
    EVENT_TIMEOUT,
    digest,
    entities_with,
    entry_entities,
    find_unique,
    new_state_is,
    wait_state_change,
)

MESSAGING_VERSION = 1


async def test_a_new_voicemail_arrives_by_polling(
    api: HassApi, control: SimulatorControl, entry: EntryOutcome
) -> None:
    """Counts and buttons follow the mailbox on a server the client has to poll."""
    entities = await entry_entities(api, entry.entry_id)
    count_entity = next(
        e["entity_id"]
        for e in entities.values()
        if e["entity_id"].startswith("sensor.") and e["translation_key"] == "voicemails"
    )
    mailbox = await control.voicemails()
    state = await api.state(count_entity)
    assert state is not None
    assert state["state"] == str(len(mailbox))

    async with await api.websocket() as ws:
        subscription = await ws.subscribe(
            "subscribe_events", event_type="state_changed"
        )
        vm: dict[str, Any] = await control.command(
            "add-voicemail", user="alice", sender="Carol <+15557654321>"
        )
        await wait_state_change(
            ws,
            subscription,
            new_state_is(count_entity, lambda s: s == str(len(mailbox) + 1)),
            timeout=EVENT_TIMEOUT,
        )
    stop_suffix = f"_{digest(vm['message_id'])}_stop"
    now = await entities_with(api, entry.entry_id, stop_suffix, timeout=EVENT_TIMEOUT)
    find_unique(now, stop_suffix)
    # Polling, not a stream: the server saw repeated message requests.
    polls = [
        r
        for r in await control.requests()
        if r["method"] == "GET" and r["path"].endswith("/messaging/messages")
    ]
    assert len(polls) > 1
    accepts = {
        value.lower()
        for r in polls
        for name, value in r["headers"]
        if name.lower() == "accept"
    }
    assert not any("text/event-stream" in accept for accept in accepts)
