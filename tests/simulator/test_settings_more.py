"""Settings not covered elsewhere: playback scope, targets, idle timeout with SSE, feature gaps."""

from __future__ import annotations

import aiohttp
import pytest

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .helpers import (
    START,
    VOICEMAIL_SUB,
    Login,
    count_refresh,
    login,
    open_stream,
    play_start,
    play_stop,
    play_to,
    poll,
    request_stream,
    set_state,
    status_of,
    subscribe,
    subscribed,
)

UM = "urn:inin.com:unifiedMessaging"


async def _two_sessions(
    client_session: aiohttp.ClientSession, running: RunningSimulator
) -> tuple[Login, Login, str]:
    first = await login(client_session, running.url)
    second = await login(client_session, running.url)
    for lg in (first, second):
        await subscribe(client_session, lg)
        await poll(client_session, lg)
    return first, second, running.sim.voicemails("alice")[-1].message_id


async def test_play_status_goes_to_every_subscribed_session(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Default: both sessions of the user see playStatus; the other may stop it."""
    first, second, message_id = await _two_sessions(client_session, icws_simulator)
    assert await play_start(client_session, first, message_id, play_to()) == 204
    for lg in (first, second):
        assert [m.get("playStatus") for m in await poll(client_session, lg)] == [
            None,
            0,
        ]
    assert await play_stop(client_session, second, message_id) == (204, None)
    assert icws_simulator.sim.users["alice"].playback is None
    for lg in (first, second):
        assert [m["playStatus"] for m in await poll(client_session, lg)] == [1]


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(play_status_to_all_sessions=False, stop_across_sessions=False)],
)
async def test_play_status_only_to_the_starter(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Only the starting session sees playStatus; another session's stop is an idle stop."""
    first, second, message_id = await _two_sessions(client_session, icws_simulator)
    assert await play_start(client_session, first, message_id, play_to()) == 204
    assert [m.get("playStatus") for m in await poll(client_session, first)] == [None, 0]
    assert [m.get("playStatus") for m in await poll(client_session, second)] == [None]
    assert await play_stop(client_session, second, message_id) == (204, None)
    assert icws_simulator.sim.users["alice"].playback is not None
    assert await play_stop(client_session, first, message_id) == (204, None)
    assert icws_simulator.sim.users["alice"].playback is None


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(valid_play_targets=("1234",), default_play_target="reject")],
)
async def test_play_target_settings(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Unknown targets: 400 not found; no playTarget: 400 missing property."""
    message_id = icws_simulator.sim.voicemails("alice")[-1].message_id
    async with client_session.post(
        lg.message_url(message_id, START), json=play_to("999"), headers=lg.auth()
    ) as resp:
        assert resp.status == 400
        assert (await resp.json(content_type=None))["errorId"] == "-2147221496"
    async with client_session.post(
        lg.message_url(message_id, START), json={"state": 1}, headers=lg.auth()
    ) as resp:
        assert resp.status == 400
        assert (await resp.json(content_type=None))["propertyName"] == "playTarget"
    assert await play_start(client_session, lg, message_id, play_to("1234")) == 204


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(play_applies_state=False, changed_delta_when_unchanged=False)],
)
async def test_state_settings(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Play does not change the state; setting the same state sends nothing."""
    lg, _ = await subscribed(client_session, icws_simulator.url)
    message_id = icws_simulator.sim.voicemails("alice")[-1].message_id
    assert await play_start(client_session, lg, message_id, play_to()) == 204
    assert [m.get("playStatus") for m in await poll(client_session, lg)] == [0]
    assert icws_simulator.sim.get_voicemail("alice", message_id).read is False
    assert await set_state(client_session, lg, message_id, 0) == 204
    assert await poll(client_session, lg) == []


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(session_idle_timeout=0.0)])
async def test_an_open_stream_keeps_the_session_alive(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """With an open event stream the idle timeout does not apply; after it ends it does."""
    # The login itself counts as activity only until the next request.
    async with await request_stream(client_session, lg) as resp:
        assert resp.status == 401
    icws_simulator.sim.settings.session_idle_timeout = None
    lg = await login(client_session, icws_simulator.url)
    stream, reader = await open_stream(client_session, lg)
    async with stream:
        icws_simulator.sim.settings.session_idle_timeout = 0.0
        async with client_session.put(lg.url(VOICEMAIL_SUB), headers=lg.auth()) as put:
            assert put.status == 200
        assert (await reader.next_message())["isDelta"] is False
        icws_simulator.sim.drop_event_streams()
    async with client_session.put(lg.url(VOICEMAIL_SUB), headers=lg.auth()) as put:
        assert put.status == 401


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(unified_messaging_version=None)]
)
async def test_no_unified_messaging_feature(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Without the feature the UM resources do not exist (404)."""
    assert await status_of(client_session, lg, "PUT", VOICEMAIL_SUB) == 404
    message_id = icws_simulator.sim.voicemails("alice")[-1].message_id
    status, _ = await play_stop(client_session, lg, message_id)
    assert status == 404


async def test_mwi_ignores_faxes_and_count_refresh_needs_the_subscription(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """A new fax does not change messagesWaiting; count-refresh without mwi sends nothing."""
    assert await count_refresh(client_session, lg) == 204
    assert await poll(client_session, lg) == []
    await subscribe(client_session, lg, mwi=True)
    await poll(client_session, lg)
    icws_simulator.sim.add_voicemail("alice", kind="fax")
    messages = await poll(client_session, lg)
    assert [m["__type"] for m in messages] == [f"{UM}:voicemailMessagesMessage"]
    assert (
        messages[0]["voicemailMessagesAdded"][0]["attachments"][0]["fileName"]
        == "Fax.tif"
    )


async def test_cookie_in_a_second_cookie_header(
    client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Several Cookie headers are all searched."""
    headers = [
        ("Cookie", "other=1"),
        ("Cookie", lg.cookie),
        ("ININ-ICWS-CSRF-Token", lg.csrf),
    ]
    async with client_session.put(lg.url(VOICEMAIL_SUB), headers=headers) as resp:
        assert resp.status == 200
