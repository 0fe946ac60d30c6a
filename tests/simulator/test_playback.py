"""Play start / stop (PROTOCOL.md §5.3, §6, §6.1; §9 point 6)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .helpers import (
    START,
    STOP,
    Login,
    delete_message,
    open_stream,
    play_start,
    play_stop,
    play_to,
    poll,
    set_station,
    subscribed,
)

UM = "urn:inin.com:unifiedMessaging"
CURRENT = {"__type": f"{UM}:currentStation"}


def status(message_id: str, play_status: int) -> dict[str, Any]:
    """Return a voicemailPlayStatusMessage."""
    return {
        "__type": f"{UM}:voicemailPlayStatusMessage",
        "isDelta": True,
        "unifiedMessageId": message_id,
        "playStatus": play_status,
    }


async def _ready(
    client_session: aiohttp.ClientSession, icws_simulator: RunningSimulator
) -> tuple[Login, list[dict[str, Any]]]:
    lg, (snapshot,) = await subscribed(client_session, icws_simulator.url)
    return lg, snapshot["voicemailMessagesAdded"]


async def test_play_to_a_target_then_stop(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Start: 204 + Changed (state applied) + playStatus 0; stop: 204 + playStatus 1."""
    lg, items = await _ready(client_session, icws_simulator)
    message_id = items[-1]["unifiedMessageId"]
    assert await play_start(client_session, lg, message_id, play_to()) == 204
    changed, playing = await poll(client_session, lg)
    assert changed["voicemailMessagesChanged"][0] == {
        "__type": f"{UM}:voicemailMessage",
        "unifiedMessageId": message_id,
        "state": 1,
    }
    assert playing == status(message_id, 0)
    user = icws_simulator.sim.users["alice"]
    assert user.playback is not None
    assert user.playback.target == "1234"
    assert await play_stop(client_session, lg, message_id) == (204, None)
    assert await poll(client_session, lg) == [status(message_id, 1)]
    assert user.playback is None


async def test_playback_ends_by_itself(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """After the message's duration a playStatus 1 arrives on its own."""
    vm = icws_simulator.sim.add_voicemail("alice", duration=0.01, read=True)
    lg, _ = await _ready(client_session, icws_simulator)
    assert await play_start(client_session, lg, vm.message_id, play_to()) == 204
    stream, reader = await open_stream(client_session, lg)
    async with stream:
        assert await reader.messages(2) == [
            status(vm.message_id, 0),
            status(vm.message_id, 1),
        ]


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(play_status_on_natural_end=False, play_start_status=202)],
)
async def test_natural_end_without_status_and_start_status_setting(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """No playStatus 1 on the natural end; start answers 202."""
    vm = icws_simulator.sim.add_voicemail("alice", duration=30.0, read=True)
    lg, _ = await _ready(client_session, icws_simulator)
    assert await play_start(client_session, lg, vm.message_id, play_to()) == 202
    user = icws_simulator.sim.users["alice"]
    playback = user.playback
    assert playback is not None
    assert playback.handle is not None
    # Run the natural end now instead of waiting for the timer.
    playback.handle.cancel()
    icws_simulator.sim._natural_end(user, playback)
    assert user.playback is None
    assert await poll(client_session, lg) == [status(vm.message_id, 0)]


async def test_current_station_needs_a_station(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """CurrentStation (or no playTarget) fails until PUT /connection/station."""
    lg, items = await _ready(client_session, icws_simulator)
    message_id = items[-1]["unifiedMessageId"]
    for body in ({"state": 1, "playTarget": CURRENT}, {"state": 1}):
        assert await play_start(client_session, lg, message_id, body) == 400
    async with client_session.post(
        lg.message_url(message_id, START),
        json={"state": 1, "playTarget": CURRENT},
        headers=lg.auth(),
    ) as resp:
        assert await resp.json(content_type=None) == {
            "errorId": "-2147221496",
            "errorCode": -2147221496,
            "message": "The station could not be found.",
        }
    await set_station(client_session, lg, "7001")
    assert (
        await play_start(
            client_session, lg, message_id, {"state": 0, "playTarget": CURRENT}
        )
        == 204
    )
    playback = icws_simulator.sim.users["alice"].playback
    assert playback is not None
    assert playback.target == "7001"


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(require_station_for_current_station=False)]
)
async def test_current_station_without_station_setting(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """With the setting off currentStation works without a station."""
    lg, items = await _ready(client_session, icws_simulator)
    assert (
        await play_start(
            client_session, lg, items[-1]["unifiedMessageId"], {"state": 0}
        )
        == 204
    )


@pytest.mark.parametrize(
    ("body", "property_name"),
    [
        ({}, "state"),
        ({"state": 5}, "state"),
        ({"state": 1, "playTarget": "1234"}, "playTarget"),
        ({"state": 1, "playTarget": {"__type": "nope"}}, "playTarget"),
        ({"state": 1, "playTarget": {"__type": f"{UM}:voicemailPlayTarget"}}, "target"),
        (
            {
                "state": 1,
                "playTarget": {"__type": f"{UM}:voicemailPlayTarget", "target": " "},
            },
            "target",
        ),
    ],
)
async def test_play_start_validation(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    body: dict[str, Any],
    property_name: str,
) -> None:
    """Bad play bodies: 400 with the property name."""
    lg, items = await _ready(client_session, icws_simulator)
    async with client_session.post(
        lg.message_url(items[-1]["unifiedMessageId"], START),
        json=body,
        headers=lg.auth(),
    ) as resp:
        assert resp.status == 400
        assert (await resp.json(content_type=None))["propertyName"] == property_name


async def test_play_and_stop_on_a_fax_are_refused(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """The documented 400 body for stop on a fax."""
    lg, items = await _ready(client_session, icws_simulator)
    fax_id = items[1]["unifiedMessageId"]
    assert await play_stop(client_session, lg, fax_id) == (
        400,
        {
            "__type": "urn:inin.com:common:invalidPropertyError",
            "errorId": "error.request.invalidRepresentation.invalidProperty",
            "propertyName": "unifiedMessageId",
            "message": "Stop is not allowed on a unified message of this type.",
        },
    )
    assert await play_start(client_session, lg, fax_id, play_to()) == 400


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        (
            "missingRequiredParameter",
            {
                "__type": "urn:inin.com:common:missingPropertyError",
                "errorId": "error.request.invalidRepresentation.missingRequiredParameter",
            },
        ),
        (
            "malformed",
            {
                "__type": "urn:inin.com:common:error",
                "errorId": "error.request.invalidRepresentation.malformed",
            },
        ),
    ],
)
async def test_fax_error_variant_setting(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    variant: str,
    expected: dict[str, str],
) -> None:
    """`fax_error_variant` picks one of the three documented bodies."""
    icws_simulator.sim.settings.fax_error_variant = variant  # type: ignore[assignment]  # test picks each literal
    lg, items = await _ready(client_session, icws_simulator)
    code, body = await play_stop(client_session, lg, items[1]["unifiedMessageId"])
    assert code == 400
    assert {key: body[key] for key in expected} == expected


async def test_stop_when_idle_default_204(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Stop with nothing playing: 204 and a playStatus 1."""
    lg, items = await _ready(client_session, icws_simulator)
    message_id = items[-1]["unifiedMessageId"]
    assert await play_stop(client_session, lg, message_id) == (204, None)
    assert await poll(client_session, lg) == [status(message_id, 1)]


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(stop_when_idle_status=400)]
)
async def test_stop_when_idle_400_setting(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Stop with nothing playing can answer 400."""
    lg, items = await _ready(client_session, icws_simulator)
    code, body = await play_stop(client_session, lg, items[-1]["unifiedMessageId"])
    assert code == 400
    assert body["propertyName"] == "unifiedMessageId"
    assert await poll(client_session, lg) == []


async def test_stop_unknown_id_is_400(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Unknown id: 400 by default."""
    lg, _ = await _ready(client_session, icws_simulator)
    code, body = await play_stop(client_session, lg, "no-such-id")
    assert code == 400
    assert body["errorId"] == "error.request.invalidRepresentation.invalidProperty"


async def test_starting_another_message_stops_the_first(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """One playback per user: the first gets playStatus 1 when the second starts."""
    lg, items = await _ready(client_session, icws_simulator)
    first, second = items[0]["unifiedMessageId"], items[2]["unifiedMessageId"]
    assert await play_start(client_session, lg, first, play_to()) == 204
    assert await play_start(client_session, lg, second, play_to()) == 204
    assert await poll(client_session, lg) == [
        status(first, 0),
        status(first, 1),
        status(second, 0),
    ]


async def test_missing_csrf_on_stop_is_401(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Stop without CSRF: 401 errorCode 2."""
    lg, items = await _ready(client_session, icws_simulator)
    async with client_session.post(
        lg.message_url(items[-1]["unifiedMessageId"], STOP),
        headers=lg.auth(csrf=False),
    ) as resp:
        assert resp.status == 401
        assert (await resp.json(content_type=None))["errorCode"] == 2


async def test_delete_while_playing_stops(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Deleting the playing message ends the playback."""
    lg, items = await _ready(client_session, icws_simulator)
    message_id = items[0]["unifiedMessageId"]
    assert await play_start(client_session, lg, message_id, play_to()) == 204
    assert await delete_message(client_session, lg, message_id) == 204
    messages = await poll(client_session, lg)
    assert messages[-2:] == [
        status(message_id, 1),
        {
            "__type": f"{UM}:voicemailMessagesMessage",
            "isDelta": True,
            "voicemailMessagesRemoved": [message_id],
        },
    ]
