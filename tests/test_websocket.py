"""`voicemail/subscribe`: the card hears of mailbox changes and of learned durations.

Against the real client and the ICWS simulator: a new voicemail is pushed once when
it arrives and once more when its audio was fetched (its duration is then listed).
"""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.voicemail.const import DOMAIN
from custom_components.voicemail.coordinator import VoicemailConfigEntry
from custom_components.voicemail.services import SERVICE_LIST
from tests.icws_simulator import IcwsSimulator
from tests.icws_simulator.fixtures import USER

from .audio_helpers import BOB
from .integration_helpers import async_call_action, wait_until

TIMEOUT = 10


async def _subscribe(client: MockHAClientWebSocket, entry_id: str) -> dict[str, Any]:
    await client.send_json_auto_id(
        {"type": "voicemail/subscribe", "config_entry_id": entry_id}
    )
    answer: dict[str, Any] = await asyncio.wait_for(client.receive_json(), TIMEOUT)
    return answer


async def _next_event(client: MockHAClientWebSocket) -> dict[str, Any]:
    message: dict[str, Any] = await asyncio.wait_for(client.receive_json(), TIMEOUT)
    assert message["type"] == "event"
    return message


@pytest.mark.parametrize("admin", [True, False])
async def test_a_new_voicemail_and_its_duration_are_pushed(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    hass_ws_client: WebSocketGenerator,
    *,
    hass_access_token: str,
    hass_read_only_access_token: str,
    admin: bool,
) -> None:
    """Any user hears of the arrival, then of the fetched audio (listed with duration)."""
    token = hass_access_token if admin else hass_read_only_access_token
    client = await hass_ws_client(hass, token)
    answer = await _subscribe(client, init_integration.entry_id)
    assert answer["success"] is True

    vm = sim.add_voicemail(USER, audio=BOB.path.read_bytes())
    arrived = await _next_event(client)
    assert arrived["id"] == answer["id"]
    assert arrived["event"] == {"message_ids": [vm.message_id]}
    assert init_integration.runtime_data.audio.seconds(vm.message_id) is None

    fetched = await _next_event(client)
    assert fetched["event"] == {"message_ids": [vm.message_id]}
    response = await async_call_action(hass, SERVICE_LIST)
    assert response is not None
    listed = next(v for v in response["voicemails"] if v["message_id"] == vm.message_id)
    assert listed["duration"] == pytest.approx(BOB.seconds, abs=0.1)


async def test_unsubscribing_stops_the_events(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """After `unsubscribe_events` a new voicemail and its audio push nothing."""
    client = await hass_ws_client(hass)
    answer = await _subscribe(client, init_integration.entry_id)
    await client.send_json_auto_id(
        {"type": "unsubscribe_events", "subscription": answer["id"]}
    )
    assert (await client.receive_json())["success"] is True

    vm = sim.add_voicemail(USER, audio=BOB.path.read_bytes())
    audio = init_integration.runtime_data.audio
    await wait_until(hass, lambda: audio.seconds(vm.message_id) is not None)
    await client.send_json_auto_id({"type": "ping"})
    # Nothing came before the answer to the ping.
    assert (await asyncio.wait_for(client.receive_json(), TIMEOUT))["type"] == "pong"
    assert not audio.listeners
    assert len(init_integration.runtime_data.change_listeners) == 2


async def test_only_loaded_voicemail_accounts_can_be_subscribed(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Unknown ids, other integrations' entries and unloaded accounts: not found."""
    other = MockConfigEntry(domain="demo")
    other.add_to_hass(hass)
    client = await hass_ws_client(hass)
    assert await hass.config_entries.async_unload(init_integration.entry_id)

    for entry_id in ("nope", other.entry_id, init_integration.entry_id):
        answer = await _subscribe(client, entry_id)
        assert answer["success"] is False
        assert answer["error"]["code"] == "not_found"
    assert hass.config_entries.async_entries(DOMAIN) == [init_integration]
