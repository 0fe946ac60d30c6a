"""The voicemail account at work in a real Home Assistant, seen through its REST and WebSocket APIs.

One simulator and one Home Assistant serve the module; the tests run in file order and each
one states what it needs from the simulator's current mailbox instead of fixed numbers.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from scripts._dev.entry import EntryOutcome, wait_entry_state
from scripts._dev.hass_api import DEMO_USER, HassApi
from scripts._dev.simulator import SimulatorControl
from tests.e2e.harness import (
    E2E_PASSWORD,
    EVENT_TIMEOUT,
    RECONNECT_TIMEOUT,
    Stack,
    digest,
    entities_with,
    entry_entities,
    find_unique,
    new_state_is,
    stop_requests,
    wait_state_change,
    wait_state_changes,
    wait_until,
    with_buttons,
)

PLAY_TARGET = "1234"


@pytest.fixture
async def entities(api: HassApi, entry: EntryOutcome) -> dict[str, dict[str, Any]]:
    """Return the entry's entity registry entries by unique id."""
    return await entry_entities(api, entry.entry_id)


def sensor(entities: dict[str, dict[str, Any]], key: str) -> str:
    """Return the entity id of one of the account's sensors (by translation key)."""
    return next(
        str(e["entity_id"])
        for e in entities.values()
        if e["entity_id"].startswith("sensor.") and e["translation_key"] == key
    )


def entities_by_id(entities: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return the registry entries by entity id."""
    return {str(e["entity_id"]): e for e in entities.values()}


async def state_of(api: HassApi, entity_id: str) -> str:
    """Return an entity's state."""
    state = await api.state(entity_id)
    assert state is not None, entity_id
    return str(state["state"])


async def test_sensors_buttons_and_event_entity_show_the_mailbox(
    api: HassApi,
    control: SimulatorControl,
    entities: dict[str, dict[str, Any]],
) -> None:
    """One device with the mailbox counts, a Play and a Stop button per newest voicemail, an event."""
    mailbox = await control.voicemails()
    assert mailbox, "the simulator seeds a mailbox"
    unread = sum(not vm["read"] for vm in mailbox)
    assert await state_of(api, sensor(entities, "voicemails")) == str(len(mailbox))
    assert await state_of(api, sensor(entities, "unread_voicemails")) == str(unread)
    assert await state_of(api, sensor(entities, "playback")) == "idle"
    # The server's own waiting count repeats the unread count: it starts disabled.
    waiting = sensor(entities, "messages_waiting")
    assert entities_by_id(entities)[waiting]["disabled_by"] == "integration"
    assert await api.state(waiting) is None

    device_ids = {e["device_id"] for e in entities.values()}
    assert len(device_ids) == 1
    buttons = [e for e in entities.values() if e["entity_id"].startswith("button.")]
    assert len(buttons) == 2 * len(with_buttons(mailbox))
    for vm in with_buttons(mailbox):
        find_unique(entities, f"_{digest(vm['message_id'])}_play")
        find_unique(entities, f"_{digest(vm['message_id'])}_stop")
    events = [e for e in entities.values() if e["entity_id"].startswith("event.")]
    assert len(events) == 1
    assert await state_of(api, events[0]["entity_id"]) != "unavailable"


async def test_play_then_stop_buttons_reach_the_phone_with_session_headers(
    api: HassApi,
    control: SimulatorControl,
    entry: EntryOutcome,
    entities: dict[str, dict[str, Any]],
) -> None:
    """With a play target set in the options, Play plays the message and Stop stops it."""
    newest = (await control.voicemails())[-1]
    play = find_unique(entities, f"_{digest(newest['message_id'])}_play")
    stop = find_unique(entities, f"_{digest(newest['message_id'])}_stop")
    # Without a play target there is nowhere to play to: Play is pressable and says so.
    assert await state_of(api, play) not in {"unavailable", None}
    status, body = await api.call_service(
        "button", "press", {"entity_id": play}, expect=(400,)
    )
    assert status == 400
    assert "has nowhere to play voicemail" in str(body)
    assert (await control.state())["users"]["alice"]["playing"] is None

    await set_play_target(api, entry, play)

    await api.call_service("button", "press", {"entity_id": play})
    state = await control.state()
    assert state["users"]["alice"]["playing"] == newest["message_id"]
    playback = sensor(entities, "playback")
    await wait_until(
        lambda: _state_if(api, playback, lambda s: s == "playing"),
        timeout=EVENT_TIMEOUT,
        what="playback sensor playing",
    )

    before = len(await stop_requests(control))
    await api.call_service("button", "press", {"entity_id": stop})
    assert (await control.state())["users"]["alice"]["playing"] is None
    stops = await stop_requests(control)
    assert len(stops) == before + 1
    request = stops[-1]
    headers = {name.lower(): value for name, value in request["headers"]}
    assert headers.get("inin-icws-csrf-token")
    # The session's own cookie, icws_<session id>=<value> (the id is the path's first part).
    session_id = request["path"].split("/")[2]
    cookie_name, _, cookie_value = headers.get("cookie", "").partition("=")
    assert cookie_name == f"icws_{session_id}"
    assert cookie_value
    assert request["status"] == 204
    await wait_until(
        lambda: _state_if(api, playback, lambda s: s == "idle"),
        timeout=EVENT_TIMEOUT,
        what="playback sensor idle",
    )


async def test_stop_playback_action_with_and_without_message_id(
    api: HassApi,
    control: SimulatorControl,
    entry: EntryOutcome,
    entities: dict[str, dict[str, Any]],
) -> None:
    """voicemail.stop_playback stops the given message, or whatever plays; a bad id is refused."""
    mailbox = await control.voicemails()
    first, second = mailbox[-1], mailbox[-2]
    await set_play_target(
        api, entry, find_unique(entities, f"_{digest(first['message_id'])}_play")
    )
    for vm, data in (
        (first, {"message_id": first["message_id"]}),
        (second, {}),
    ):
        play = find_unique(entities, f"_{digest(vm['message_id'])}_play")
        await api.call_service("button", "press", {"entity_id": play})
        assert (await control.state())["users"]["alice"]["playing"] == vm["message_id"]
        before = len(await stop_requests(control))
        status, _ = await api.call_service("voicemail", "stop_playback", data)
        assert status == 200
        assert (await control.state())["users"]["alice"]["playing"] is None
        assert len(await stop_requests(control)) == before + 1

    before_requests = len(await control.requests())
    enabled = [
        str(e["entity_id"]) for e in entities.values() if e["disabled_by"] is None
    ]
    states_before = {entity_id: await state_of(api, entity_id) for entity_id in enabled}
    status, body = await api.call_service(
        "voicemail",
        "stop_playback",
        {"message_id": "no-such-message"},
        expect=None,
    )
    assert status == 400
    assert "no-such-message" in body["message"]
    # Nothing reached the server, nothing changed.
    assert len(await control.requests()) == before_requests
    states_after = {entity_id: await state_of(api, entity_id) for entity_id in enabled}
    assert states_after == states_before


async def test_a_new_voicemail_arrives_as_state_changes(
    api: HassApi,
    control: SimulatorControl,
    entry: EntryOutcome,
    entities: dict[str, dict[str, Any]],
) -> None:
    """A message left on the server shows up over the WebSocket API: counts, event, buttons."""
    count_entity = sensor(entities, "voicemails")
    count = int(await state_of(api, count_entity))
    event_entity = next(
        e["entity_id"] for e in entities.values() if e["entity_id"].startswith("event.")
    )
    async with await api.websocket() as ws:
        subscription = await ws.subscribe(
            "subscribe_events", event_type="state_changed"
        )
        vm = await control.command(
            "add-voicemail",
            user="alice",
            sender="Bob Example <+15551234>",
            subject="Call me",
        )
        _, fired = await wait_state_changes(
            ws,
            subscription,
            [
                new_state_is(count_entity, lambda s: s == str(count + 1)),
                lambda d: (
                    d["entity_id"] == event_entity
                    and d["new_state"]["attributes"].get("event_type") == "received"
                ),
            ],
        )
    assert fired["new_state"]["attributes"]["message_id"] == vm["message_id"]
    # The logbook (REST, as recorded) names the caller (logbook.py).
    since = quote(fired["old_state"]["last_changed"])

    async def caller_line() -> bool | None:
        entries = await api.get(f"/api/logbook/{since}?entity={event_entity}")
        messages = [entry.get("message") for entry in entries]
        return True if "New voicemail from Bob Example" in messages else None

    await wait_until(caller_line, timeout=EVENT_TIMEOUT, what="the caller's line")
    play_suffix = f"_{digest(vm['message_id'])}_play"
    stop_suffix = f"_{digest(vm['message_id'])}_stop"
    now = await entities_with(
        api, entry.entry_id, play_suffix, stop_suffix, timeout=EVENT_TIMEOUT
    )
    find_unique(now, play_suffix)
    stop = find_unique(now, stop_suffix)
    assert await state_of(api, stop) != "unavailable"


async def test_an_expired_session_is_recovered_without_going_unavailable(
    api: HassApi,
    control: SimulatorControl,
    entities: dict[str, dict[str, Any]],
) -> None:
    """The server forgets the session: the integration logs in again, entities stay available."""
    count_entity = sensor(entities, "voicemails")
    ours = {e["entity_id"] for e in entities.values()}
    async with await api.websocket() as ws:
        subscription = await ws.subscribe(
            "subscribe_events", event_type="state_changed"
        )
        expired = await control.command("expire-sessions", user="alice")
        assert expired["expired"] >= 1
        await wait_until(
            lambda: _live_session(control),
            timeout=RECONNECT_TIMEOUT,
            what="a new session",
        )
        # Proof that the new session gets the pushes: a message left now shows up.
        count = int(await state_of(api, count_entity))
        await control.command("add-voicemail", user="alice", sender="+15550001111")
        seen: list[dict[str, Any]] = []
        await wait_state_change(
            ws,
            subscription,
            new_state_is(count_entity, lambda s: s == str(count + 1)),
            timeout=RECONNECT_TIMEOUT,
            seen=seen,
        )
    unavailable = [
        d["entity_id"]
        for d in seen
        if d["entity_id"] in ours
        and (d["new_state"] or {}).get("state") == "unavailable"
    ]
    assert unavailable == []


async def test_server_down_makes_entities_unavailable_and_back_up_available(
    stack: Stack,
    api: HassApi,
    entities: dict[str, dict[str, Any]],
) -> None:
    """The simulator stopped: entities unavailable; started again on the same port: back."""
    count_entity = sensor(entities, "voicemails")
    async with await api.websocket() as ws:
        subscription = await ws.subscribe(
            "subscribe_events", event_type="state_changed"
        )
        stack.sim.stop()
        await wait_state_change(
            ws,
            subscription,
            new_state_is(count_entity, lambda s: s == "unavailable"),
            timeout=RECONNECT_TIMEOUT,
        )
        await stack.sim.start()
        await wait_state_change(
            ws,
            subscription,
            new_state_is(count_entity, lambda s: s != "unavailable"),
            timeout=RECONNECT_TIMEOUT,
        )
    async with aiohttp.ClientSession() as fresh:
        mailbox = await stack.sim.control(fresh).voicemails()
    assert await state_of(api, count_entity) == str(len(mailbox))


async def test_a_restart_keeps_the_entry_and_its_entities(
    stack: Stack,
    session: aiohttp.ClientSession,
    api: HassApi,
    control: SimulatorControl,
    entry: EntryOutcome,
) -> None:
    """Restart from Home Assistant itself: the account comes back with the same entities."""
    # Buttons follow the mailbox a moment after the counts: wait until they match it.
    digests = {
        digest(vm["message_id"]) for vm in with_buttons(await control.voicemails())
    }

    async def settled() -> dict[str, dict[str, Any]] | None:
        entities = await entry_entities(api, entry.entry_id)
        buttons = {
            e["unique_id"].split("_")[-2]
            for e in entities.values()
            if e["entity_id"].startswith("button.")
        }
        return entities if buttons == digests else None

    before = await wait_until(
        settled, timeout=EVENT_TIMEOUT, what="buttons match the mailbox"
    )
    # Home Assistant may close the connection while it answers: that is fine.
    with suppress(aiohttp.ClientError):
        await api.call_service("homeassistant", "restart", expect=None)
    # Exit status 100 asks its supervisor (the harness here, scripts/develop) to restart it.
    assert await stack.hass.wait_exit(timeout=120.0) == 100
    stack.hass.spawn()
    again = await stack.hass.ready(session, DEMO_USER)

    assert await wait_entry_state(again, entry.entry_id, ("loaded",)) == "loaded"
    after = await entry_entities(again, entry.entry_id)
    assert {uid: e["entity_id"] for uid, e in after.items()} == {
        uid: e["entity_id"] for uid, e in before.items()
    }
    count_entity = sensor(after, "voicemails")
    mailbox = await control.voicemails()
    await wait_until(
        lambda: _state_if(again, count_entity, lambda s: s == str(len(mailbox))),
        timeout=RECONNECT_TIMEOUT,
        what="voicemail count after the restart",
    )
    # Debug logging was on the whole time: no password in the log.
    log = (stack.hass.config_dir / "home-assistant.log").read_text(encoding="utf-8")
    assert E2E_PASSWORD not in log


async def set_play_target(api: HassApi, entry: EntryOutcome, play: str) -> None:
    """Set the play target in the options flow; wait until the entry and Play are back."""
    result = await api.set_options(entry.entry_id, {"play_target": PLAY_TARGET})
    assert result["type"] == "create_entry"
    await wait_entry_state(api, entry.entry_id, ("loaded",))
    await wait_until(
        lambda: _state_if(api, play, lambda s: s != "unavailable"),
        timeout=EVENT_TIMEOUT,
        what="Play available",
    )


async def _state_if(api: HassApi, entity_id: str, accept: Any) -> str | None:
    state = await api.state(entity_id)
    if state is not None and accept(state["state"]):
        return str(state["state"])
    return None


async def _live_session(control: SimulatorControl) -> bool | None:
    state = await control.state()
    return True if any(s["alive"] for s in state["sessions"]) else None
