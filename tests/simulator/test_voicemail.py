"""Voicemail subscription, deltas, MWI, mark read, delete (PROTOCOL.md §5, §6; §9 points 5, 7)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .helpers import (
    MWI_SUB,
    VOICEMAIL_SUB,
    Login,
    count_refresh,
    delete_message,
    play_stop,
    poll,
    set_state,
    status_of,
    subscribed,
)

UM = "urn:inin.com:unifiedMessaging"


async def _snapshot(
    client_session: aiohttp.ClientSession, icws_simulator: RunningSimulator
) -> tuple[Any, dict[str, Any]]:
    lg, (snapshot, mwi) = await subscribed(client_session, icws_simulator.url, mwi=True)
    assert mwi["messagesWaiting"] == 2
    return lg, snapshot


async def _newest(
    client_session: aiohttp.ClientSession, icws_simulator: RunningSimulator
) -> tuple[Login, str]:
    lg, snapshot = await _snapshot(client_session, icws_simulator)
    return lg, snapshot["voicemailMessagesAdded"][-1]["unifiedMessageId"]


async def test_snapshot_has_full_items(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """The first message after PUT is the whole mailbox with full items."""
    _, snapshot = await _snapshot(client_session, icws_simulator)
    assert snapshot["__type"] == f"{UM}:voicemailMessagesMessage"
    assert snapshot["isDelta"] is False
    assert set(snapshot) == {"__type", "isDelta", "voicemailMessagesAdded"}
    items = snapshot["voicemailMessagesAdded"]
    assert len(items) == 5
    newest = items[-1]
    assert newest == {
        "__type": f"{UM}:voicemailMessageAdded",
        "unifiedMessageId": newest["unifiedMessageId"],
        "state": 0,
        "dateReceived": "20261127T163000Z",
        "from": "Bob Smith <+15551234>",
        "subject": "Voice mail from Bob Smith",
        "attachments": [
            {
                "fileUri": newest["attachments"][0]["fileUri"],
                "fileName": "VoiceMail.wav",
                "mimeType": "audio/wav",
            }
        ],
    }
    assert newest["attachments"][0]["fileUri"].startswith("/icws/")
    fax = items[1]
    assert fax["attachments"][0]["mimeType"] == "image/tiff"
    assert [item["state"] for item in items] == [1, 0, 1, 0, 0]


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(
            date_format="iso",
            message_id_style="imap",
            include_empty_delta_arrays=True,
            attachment_uri_style="absolute",
            voicemail_mime_type=None,
        )
    ],
)
async def test_snapshot_format_settings(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Dashed ISO dates, IMAP-like ids, empty arrays, absolute fileUri, no mimeType."""
    _, snapshot = await _snapshot(client_session, icws_simulator)
    assert snapshot["voicemailMessagesChanged"] == []
    assert snapshot["voicemailMessagesRemoved"] == []
    newest = snapshot["voicemailMessagesAdded"][-1]
    assert newest["dateReceived"] == "2026-11-27T16:30:00Z"
    assert newest["unifiedMessageId"] == (
        "imap://alice@voicestore:993/INBOX;uidvalidity=1/;uid=5/;section=1"
    )
    assert newest["attachments"][0]["fileUri"].startswith("https://cic-icws:8019/icws/")
    assert "mimeType" not in newest["attachments"][0]


async def test_deltas_for_added_changed_removed(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Control-API changes reach subscribed sessions as deltas, with mwi on count changes."""
    sim = icws_simulator.sim
    lg, snapshot = await _snapshot(client_session, icws_simulator)
    vm = sim.add_voicemail(
        "alice",
        sender="Eve <4004>",
        subject="Call me",
        received=datetime(2026, 11, 28, 7, 0, tzinfo=UTC),
    )
    added, mwi = await poll(client_session, lg)
    assert added["isDelta"] is True
    assert set(added) == {"__type", "isDelta", "voicemailMessagesAdded"}
    assert added["voicemailMessagesAdded"][0]["unifiedMessageId"] == vm.message_id
    assert added["voicemailMessagesAdded"][0]["subject"] == "Call me"
    assert mwi["messagesWaiting"] == 3
    sim.set_read("alice", vm.message_id, True)
    changed, mwi = await poll(client_session, lg)
    assert changed == {
        "__type": f"{UM}:voicemailMessagesMessage",
        "isDelta": True,
        "voicemailMessagesChanged": [
            {
                "__type": f"{UM}:voicemailMessage",
                "unifiedMessageId": vm.message_id,
                "state": 1,
            }
        ],
    }
    assert mwi["messagesWaiting"] == 2
    read_id = snapshot["voicemailMessagesAdded"][0]["unifiedMessageId"]
    sim.remove_voicemail("alice", read_id)
    # Removing a read message does not change the count: no mwi.
    assert await poll(client_session, lg) == [
        {
            "__type": f"{UM}:voicemailMessagesMessage",
            "isDelta": True,
            "voicemailMessagesRemoved": [read_id],
        }
    ]
    assert len(sim.voicemails("alice")) == 5


async def test_unsubscribe_stops_deltas(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """DELETE on the subscriptions answers 204 and no more messages come."""
    lg, _ = await _snapshot(client_session, icws_simulator)
    for path in (VOICEMAIL_SUB, MWI_SUB):
        assert await status_of(client_session, lg, "DELETE", path) == 204
    icws_simulator.sim.add_voicemail("alice")
    assert await poll(client_session, lg) == []


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(subscription_put_status=204, subscription_delete_status=200)],
)
async def test_subscription_statuses_are_settings(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """PUT 204 / DELETE 200 when configured."""
    async with client_session.put(lg.url(VOICEMAIL_SUB), headers=lg.auth()) as resp:
        assert resp.status == 204
        assert await resp.read() == b""
    assert await status_of(client_session, lg, "DELETE", VOICEMAIL_SUB) == 200


async def test_mark_read_and_unread(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """PUT /unified-messaging/{id} {state} -> 204 + Changed + mwi."""
    lg, message_id = await _newest(client_session, icws_simulator)
    assert await set_state(client_session, lg, message_id, 1) == 204
    changed, mwi = await poll(client_session, lg)
    assert changed["voicemailMessagesChanged"] == [
        {"__type": f"{UM}:voicemailMessage", "unifiedMessageId": message_id, "state": 1}
    ]
    assert mwi["messagesWaiting"] == 1
    assert icws_simulator.sim.get_voicemail("alice", message_id).read is True
    assert await set_state(client_session, lg, message_id, 0) == 204
    changed, mwi = await poll(client_session, lg)
    assert changed["voicemailMessagesChanged"][0]["state"] == 0
    assert mwi["messagesWaiting"] == 2
    # Same state again: a Changed delta (setting), no mwi (count unchanged).
    assert await set_state(client_session, lg, message_id, 0) == 204
    assert [m["__type"] for m in await poll(client_session, lg)] == [
        f"{UM}:voicemailMessagesMessage"
    ]


@pytest.mark.parametrize(
    ("body", "property_name"),
    [
        ({}, "state"),
        ({"state": 2}, "state"),
        ({"state": True}, "state"),
        ({"state": "1"}, "state"),
    ],
)
async def test_mark_read_validates_state(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    body: dict[str, Any],
    property_name: str,
) -> None:
    """Missing or invalid `state`: 400 with propertyName."""
    lg, message_id = await _newest(client_session, icws_simulator)
    async with client_session.put(
        lg.message_url(message_id), json=body, headers=lg.auth()
    ) as resp:
        assert resp.status == 400
        assert (await resp.json(content_type=None))["propertyName"] == property_name


async def test_delete(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """DELETE /unified-messaging/{id} -> 204 + Removed (+ mwi for an unread one); then unknown."""
    lg, message_id = await _newest(client_session, icws_simulator)
    assert await delete_message(client_session, lg, message_id) == 204
    removed, mwi = await poll(client_session, lg)
    assert removed["voicemailMessagesRemoved"] == [message_id]
    assert mwi["messagesWaiting"] == 1
    async with client_session.delete(
        lg.message_url(message_id), headers=lg.auth()
    ) as resp:
        assert resp.status == 400
        body = await resp.json(content_type=None)
    assert body["propertyName"] == "unifiedMessageId"


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(unknown_message_status=404, delete_status=200)]
)
async def test_unknown_id_404_and_delete_status_settings(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Unknown ids can answer 404; delete can answer 200."""
    lg, message_id = await _newest(client_session, icws_simulator)
    assert await delete_message(client_session, lg, message_id) == 200
    assert await delete_message(client_session, lg, message_id) == 404
    status, _ = await play_stop(client_session, lg, message_id)
    assert status == 404


async def test_mwi_count_refresh(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """PUT count-refresh re-sends the count to an mwi subscriber."""
    lg, _ = await _snapshot(client_session, icws_simulator)
    assert await count_refresh(client_session, lg) == 204
    assert await poll(client_session, lg) == [
        {"__type": f"{UM}:mwiMessage", "isDelta": False, "messagesWaiting": 2}
    ]


async def test_fax_subscription(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """The fax subscription lists only faxes as faxMessageAdded."""
    assert (
        await status_of(
            client_session,
            lg,
            "PUT",
            "messaging/subscriptions/unified-messaging/fax-messages",
        )
        == 200
    )
    (snapshot,) = await poll(client_session, lg)
    assert snapshot["__type"] == f"{UM}:faxMessagesMessage"
    assert [item["__type"] for item in snapshot["faxMessagesAdded"]] == [
        f"{UM}:faxMessageAdded"
    ]


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(faxes_in_voicemail_list=False)]
)
async def test_faxes_can_stay_out_of_the_voicemail_list(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """With the setting off the voicemail snapshot has only voicemails."""
    _, (snapshot,) = await subscribed(client_session, icws_simulator.url)
    assert len(snapshot["voicemailMessagesAdded"]) == 4
