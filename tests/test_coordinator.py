"""The coordinator: pushed mailbox changes, playback state, session loss, reconnects.

The connection's own rules (no login storms, stream fallback, ...) are proven against the
simulator in tests/icws/; these tests show what Home Assistant makes of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
import logging
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voicemail.const import (
    CONF_PASSWORD_REFUSED,
    CONF_PLAYBACK_TIMEOUT,
    DOMAIN,
    SETUP_TIMEOUT,
)
from custom_components.voicemail.coordinator import VoicemailCoordinator
from custom_components.voicemail.icws import (
    IcwsSession,
    MessageState,
    Pacing,
    Phase,
    Voicemail,
)
from custom_components.voicemail.mailbox import VoicemailData
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.server import RunningSimulator, start_simulator
from tests.icws_simulator.simulator import IcwsSimulator
from tests.icws_simulator.state import Session
from tests.integration_helpers import (
    advance,
    async_set_play_target,
    message_ids,
    wait_until,
)

SPIN_GUARD = 100_000
LOGIN = "^/icws/connection$"
SUBSCRIPTION = "/messaging/subscriptions/unified-messaging/voicemail-messages$"
PACING = Pacing()


async def spin_until(condition: Callable[[], bool]) -> None:
    """Let the loop run (network included) until `condition()` holds.

    Bounded by loop turns, not by time: tests that freeze the clock use it too.
    """
    for _ in range(SPIN_GUARD):
        if condition():
            return
        await asyncio.sleep(0)
    pytest.fail("the condition never held")


def _session(sim: RunningSimulator) -> Session:
    """Return alice's one live session."""
    (session,) = sim.sim.live_sessions(USER)
    return session


async def _report_playing(
    sim: RunningSimulator, coordinator: VoicemailCoordinator, message_id: str
) -> None:
    """Make the server say that a message plays (no end of its own), and wait for it."""
    _session(sim).push(sim.sim.play_status_json(message_id, 0))
    await wait_until(coordinator.hass, lambda: coordinator.data.playing == message_id)


def _messages(caplog: pytest.LogCaptureFixture, level: int, text: str) -> list[str]:
    """Return our log lines of one level that contain a text."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.voicemail")
        and record.levelno == level
        and text in record.getMessage()
    ]


@pytest.fixture
def coordinator(init_integration: MockConfigEntry) -> VoicemailCoordinator:
    """Return the coordinator of alice's loaded account."""
    coordinator: VoicemailCoordinator = init_integration.runtime_data
    return coordinator


# --- The data ------------------------------------------------------------------------


def _voicemail(message_id: str, received: datetime, *, read: bool = False) -> Voicemail:
    return Voicemail(
        message_id=message_id,
        state=MessageState.READ if read else MessageState.UNREAD,
        received=received,
        sender="Bob",
        subject="Voice mail from Bob",
    )


def test_data_newest_first() -> None:
    """Voicemails are ordered newest first, then by id; unread counts the unread."""
    day = datetime(2026, 11, 1, tzinfo=UTC)
    old = _voicemail("A", day, read=True)
    new_a = _voicemail("B", day + timedelta(days=1))
    new_b = _voicemail("C", day + timedelta(days=1))

    data = VoicemailData.build([old, new_a, new_b], None, 2)

    assert data.voicemails == (new_b, new_a, old)
    assert dict(data.by_id) == {"A": old, "B": new_a, "C": new_b}
    assert data.unread == 2
    assert data == VoicemailData.build([new_b, old, new_a], None, 2)


# --- Pushed changes -------------------------------------------------------------------


async def test_snapshot_at_setup(
    hass: HomeAssistant, sim: IcwsSimulator, coordinator: VoicemailCoordinator
) -> None:
    """Setup waits for the mailbox: all messages, newest first, and the waiting count."""
    data = coordinator.data
    stored = sorted(sim.voicemails(USER), key=lambda vm: vm.received, reverse=True)
    assert [vm.message_id for vm in data.voicemails] == [vm.message_id for vm in stored]
    assert data.playing is None
    await wait_until(hass, lambda: coordinator.data.messages_waiting is not None)
    assert coordinator.data.messages_waiting == sim.users[USER].unread_count()
    assert coordinator.session_info.user_id == USER


async def test_pushed_changes(
    hass: HomeAssistant, sim: IcwsSimulator, coordinator: VoicemailCoordinator
) -> None:
    """Added, changed and removed messages reach the data without polling."""
    requests_before = len(sim.requests)

    added = sim.add_voicemail(USER, sender="Erin <4004>")
    await wait_until(hass, lambda: added.message_id in coordinator.data.by_id)
    assert coordinator.data.voicemails[0].message_id == added.message_id

    sim.set_read(USER, added.message_id, True)
    await wait_until(hass, lambda: coordinator.data.by_id[added.message_id].read)

    oldest = message_ids(sim)[0]
    sim.remove_voicemail(USER, oldest)
    await wait_until(hass, lambda: oldest not in coordinator.data.by_id)

    assert coordinator.data.unread == sum(
        1 for vm in sim.voicemails(USER) if not vm.read
    )
    # Nothing was asked for: the server pushed it all on the open event stream.
    assert [r for r in sim.requests[requests_before:] if r.method != "GET"] == []


async def test_change_of_unknown_message_is_ignored(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    coordinator: VoicemailCoordinator,
) -> None:
    """A state change for a message the mailbox does not have adds nothing."""
    sim = icws_simulator.sim
    ghost = sim.add_voicemail(USER)
    await wait_until(hass, lambda: ghost.message_id in coordinator.data.by_id)
    # Forget it locally by replaying an older snapshot-free removal, then change it.
    sim.remove_voicemail(USER, ghost.message_id)
    await wait_until(hass, lambda: ghost.message_id not in coordinator.data.by_id)
    session = _session(icws_simulator)
    session.push(sim._delta_json(changed=[ghost]))
    sim.send_mwi(session, 42)
    await wait_until(hass, lambda: coordinator.data.messages_waiting == 42)

    assert ghost.message_id not in coordinator.data.by_id


# --- Playback ------------------------------------------------------------------------


async def test_playback_transitions(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    coordinator: VoicemailCoordinator,
) -> None:
    """PLAYING sets the message; STOPPED of another message does not end it; its own does."""
    sim = icws_simulator.sim
    first, second = message_ids(icws_simulator.sim)[-2:]
    session = _session(icws_simulator)

    sim.start_playback(session, sim.get_voicemail(USER, first), "1234")
    await wait_until(hass, lambda: coordinator.data.playing == first)

    # Another playback replaces it (the server ends the first one first).
    sim.start_playback(session, sim.get_voicemail(USER, second), "1234")
    await wait_until(hass, lambda: coordinator.data.playing == second)

    session.push(sim.play_status_json(first, 1))
    sim.send_mwi(session, 42)
    await wait_until(hass, lambda: coordinator.data.messages_waiting == 42)
    assert coordinator.data.playing == second

    sim.end_playback(sim.users[USER])
    await wait_until(hass, lambda: coordinator.data.playing is None)


async def test_playing_replaced_without_stop(
    icws_simulator: RunningSimulator, coordinator: VoicemailCoordinator
) -> None:
    """A PLAYING for another message ends the first even when no STOPPED came."""
    first, second = message_ids(icws_simulator.sim)[-2:]

    await _report_playing(icws_simulator, coordinator, first)
    await _report_playing(icws_simulator, coordinator, second)


async def test_playback_safety_timeout(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without a STOPPED, the playback ends after the configured timeout."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={**mock_config_entry.options, CONF_PLAYBACK_TIMEOUT: 120},
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    coordinator = mock_config_entry.runtime_data
    newest = message_ids(icws_simulator.sim)[-1]

    await _report_playing(icws_simulator, coordinator, newest)

    advance(hass, freezer, 119)
    await hass.async_block_till_done()
    assert coordinator.data.playing == newest

    advance(hass, freezer, 1)
    await wait_until(hass, lambda: coordinator.data.playing is None)


# --- Actions -------------------------------------------------------------------------


async def test_play_and_stop(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: MockConfigEntry,
    coordinator: VoicemailCoordinator,
) -> None:
    """Play goes to the option's target; stop ends it and says which message stopped."""
    newest = message_ids(sim)[-1]
    assert await coordinator.async_stop(None) == []

    with pytest.raises(ServiceValidationError) as err:
        await coordinator.async_play(newest, None)
    assert err.value.translation_key == "no_play_target"

    await coordinator.async_play(newest, "5678")
    await wait_until(hass, lambda: coordinator.data.playing == newest)
    assert sim.users[USER].playback.target == "5678"

    assert await coordinator.async_stop(None) == [newest]
    assert coordinator.data.playing is None

    await async_set_play_target(hass, init_integration, "1234")
    coordinator = init_integration.runtime_data
    await coordinator.async_play(newest, None)
    await wait_until(hass, lambda: coordinator.data.playing == newest)
    assert sim.users[USER].playback.target == "1234"
    assert await coordinator.async_stop(newest) == [newest]
    assert coordinator.data.playing is None


async def test_stop_message_that_does_not_play(
    icws_simulator: RunningSimulator, coordinator: VoicemailCoordinator
) -> None:
    """Stopping a message that does not play asks the server and changes nothing here."""
    newest, older = (
        message_ids(icws_simulator.sim)[-1],
        message_ids(icws_simulator.sim)[0],
    )
    await _report_playing(icws_simulator, coordinator, newest)

    assert await coordinator.async_stop(older) == [older]
    assert coordinator.data.playing == newest


async def test_mark_read_and_delete(
    hass: HomeAssistant, sim: IcwsSimulator, coordinator: VoicemailCoordinator
) -> None:
    """Read state and deletion go to the server, whose push updates the data."""
    newest = message_ids(sim)[-1]
    assert not coordinator.data.by_id[newest].read

    await coordinator.async_set_read(newest, True)
    await wait_until(hass, lambda: coordinator.data.by_id[newest].read)
    await coordinator.async_set_read(newest, False)
    await wait_until(hass, lambda: not coordinator.data.by_id[newest].read)

    await coordinator.async_delete(newest)
    await wait_until(hass, lambda: newest not in coordinator.data.by_id)
    assert newest not in {vm.message_id for vm in sim.voicemails(USER)}


@pytest.mark.parametrize(
    "action",
    [
        lambda c: c.async_play("nope", "1234"),
        lambda c: c.async_stop("nope"),
        lambda c: c.async_set_read("nope", True),
        lambda c: c.async_delete("nope"),
    ],
    ids=["play", "stop", "set_read", "delete"],
)
async def test_unknown_message(
    sim: IcwsSimulator,
    coordinator: VoicemailCoordinator,
    action: Callable[[VoicemailCoordinator], Awaitable[object]],
) -> None:
    """An id the mailbox does not have is refused before anything is sent."""
    sim.clear_requests()

    with pytest.raises(ServiceValidationError) as err:
        await action(coordinator)

    assert err.value.translation_key == "unknown_message"
    assert err.value.translation_placeholders == {"message_id": "nope"}
    assert [r for r in sim.requests if r.method != "GET"] == []


# --- Session loss, reconnects, safety-net refresh ----------------------------------------


@pytest.mark.parametrize(
    ("end_session", "reason"),
    [
        (lambda sim: sim.expire_sessions(), None),
        (lambda sim: sim.disconnect_sessions(reason="AdminLogoff"), "AdminLogoff"),
    ],
    ids=["expired", "connection_down"],
)
async def test_session_loss_recovered_without_unavailability(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    coordinator: VoicemailCoordinator,
    end_session: Callable[[object], object],
    reason: str | None,
) -> None:
    """A lost session is replaced and resubscribed; entities never go unavailable."""
    sim = icws_simulator.sim
    newest = message_ids(icws_simulator.sim)[-1]
    await _report_playing(icws_simulator, coordinator, newest)
    availability: list[bool] = []
    remove = coordinator.async_add_listener(
        lambda: availability.append(coordinator.last_update_success)
    )
    subscriptions = len(sim.requests_to(SUBSCRIPTION, "PUT"))
    added_meanwhile = None

    end_session(sim)
    if reason is None and not sim.live_sessions(USER):
        # While no session is subscribed, a message arrives: the new snapshot has it.
        added_meanwhile = sim.add_voicemail(USER).message_id
    await spin_until(lambda: len(sim.requests_to(SUBSCRIPTION, "PUT")) > subscriptions)
    await wait_until(
        hass,
        lambda: (
            coordinator.data.playing is None
            and (added_meanwhile is None or added_meanwhile in coordinator.data.by_id)
        ),
    )
    remove()

    assert all(availability)
    assert coordinator.last_update_success
    if reason is not None:
        assert f"Session down: {reason}" in coordinator.last_errors


async def test_dropped_stream_reopened(
    hass: HomeAssistant, sim: IcwsSimulator, coordinator: VoicemailCoordinator
) -> None:
    """A dropped event stream is reopened on the same session, then resynced.

    A server may drop what it queued while no stream was open: the fresh snapshot
    (DELETE then PUT) has it. The entities stay available, no login follows.
    """
    availability: list[bool] = []
    remove = coordinator.async_add_listener(
        lambda: availability.append(coordinator.last_update_success)
    )
    subscriptions = len(sim.requests_to(SUBSCRIPTION, "PUT"))
    logins = len(sim.requests_to(LOGIN, "POST"))

    assert sim.drop_event_streams(abort=True) == 1
    added = sim.add_voicemail(USER).message_id
    await wait_until(hass, lambda: added in coordinator.data.by_id)
    await spin_until(lambda: len(sim.requests_to(SUBSCRIPTION, "PUT")) > subscriptions)
    remove()

    assert all(availability)
    assert len(sim.requests_to(SUBSCRIPTION, "DELETE")) == 1
    assert len(sim.requests_to(LOGIN, "POST")) == logins


async def test_server_gone_and_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    icws_simulator: RunningSimulator,
    coordinator: VoicemailCoordinator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Unreachable: unavailable, one line; retried with backoff; back: one line."""
    sim = icws_simulator.sim
    logins = len(sim.requests_to(LOGIN, "POST"))

    await icws_simulator.stop()
    # The stream ended early: it is reopened after the policy's first delay, and fails.
    advance(hass, freezer, PACING.reconnect_min)
    await wait_until(hass, lambda: not coordinator.last_update_success)
    errors = len(coordinator.connection.stats.recent_errors)
    assert coordinator.connection.phase is Phase.BACKING_OFF

    # The first retry comes within 5 s: the server is still gone.
    advance(hass, freezer, PACING.reconnect_min)
    await spin_until(lambda: len(coordinator.connection.stats.recent_errors) > errors)
    assert not coordinator.last_update_success

    running = await start_simulator(sim, icws_simulator.host, icws_simulator.port)
    try:
        advance(hass, freezer, PACING.reconnect_min * 2)
        await wait_until(hass, lambda: coordinator.last_update_success)
        assert len(sim.requests_to(LOGIN, "POST")) > logins
        assert len(coordinator.data.voicemails) == 5

        assert len(_messages(caplog, logging.WARNING, "Lost the connection")) == 1
        assert len(_messages(caplog, logging.INFO, "restored")) == 1
        assert await hass.config_entries.async_unload(coordinator.config_entry.entry_id)
    finally:
        await running.stop()


async def test_resubscribe_failure_reconnects(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sim: IcwsSimulator,
    coordinator: VoicemailCoordinator,
) -> None:
    """A new session whose subscription fails backs off, then logs in again."""
    sim.inject_fault(SUBSCRIPTION, 500, method="PUT")

    sim.expire_sessions()
    await wait_until(hass, lambda: not coordinator.last_update_success)
    assert sim.live_sessions(USER) == []  # the failed session was logged out

    advance(hass, freezer, PACING.reconnect_min)
    await wait_until(hass, lambda: coordinator.last_update_success)
    assert len(sim.live_sessions(USER)) == 1


async def test_refused_credentials_start_reauth(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sim: IcwsSimulator,
    coordinator: VoicemailCoordinator,
) -> None:
    """A re-login the server refuses starts reauth; the password is never sent again."""
    entry = coordinator.config_entry
    sim.users[USER].password = "Ch4nged-Pa55"

    sim.expire_sessions()
    await wait_until(hass, lambda: not coordinator.last_update_success)
    await hass.async_block_till_done()

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert entry.data[CONF_PASSWORD_REFUSED] is True
    logins = len(sim.requests_to(LOGIN, "POST"))

    advance(hass, freezer, PACING.reconnect_max * 2)
    await hass.async_block_till_done()

    assert len(sim.requests_to(LOGIN, "POST")) == logins
    assert coordinator.connection.phase is Phase.AUTH_FAILED
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1

    # Not after a reload either: setup refuses before anything is sent.
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert len(sim.requests_to(LOGIN, "POST")) == logins
    assert entry.reason is not None


async def test_server_downgraded_at_relogin(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    coordinator: VoicemailCoordinator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A re-login that finds the server too old raises the repair issue and stops."""
    sim.settings.unified_messaging_version = 1

    sim.expire_sessions()
    await wait_until(hass, lambda: not coordinator.last_update_success)

    issue = issue_registry.async_get_issue(
        DOMAIN, f"unsupported_server_{coordinator.config_entry.entry_id}"
    )
    assert issue is not None
    assert coordinator.connection.phase is Phase.REFUSED


async def test_safety_net_resync(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sim: IcwsSimulator,
    coordinator: VoicemailCoordinator,
) -> None:
    """Every 30 minutes: DELETE and PUT for a fresh snapshot; a removal is confirmed first.

    A message the server lost without a delta (as if the push was lost) stays until a
    second snapshot confirms it is gone.
    """
    sim.users[USER].mailbox.popitem()
    gone = {vm.message_id for vm in coordinator.data.voicemails} - {
        vm.message_id for vm in sim.voicemails(USER)
    }
    stats = coordinator.connection.stats

    advance(hass, freezer, PACING.resync_interval)
    await spin_until(lambda: stats.resyncs == 1)
    await hass.async_block_till_done()
    assert len(coordinator.data.voicemails) == 5  # not confirmed yet

    advance(hass, freezer, PACING.resync_spacing)
    await wait_until(hass, lambda: len(coordinator.data.voicemails) == 4)
    assert gone.isdisjoint(coordinator.data.by_id)
    assert coordinator.last_update_success


async def test_resync_without_snapshot_keeps_entities(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sim: IcwsSimulator,
    coordinator: VoicemailCoordinator,
) -> None:
    """A resync the server answers without a snapshot, or with 500, changes nothing.

    While the stream is healthy, the safety net never makes an entity unavailable; a
    failed resubscription is retried by the reconnect policy.
    """
    availability: list[bool] = []
    remove = coordinator.async_add_listener(
        lambda: availability.append(coordinator.last_update_success)
    )
    stats = coordinator.connection.stats
    sim.inject_fault(SUBSCRIPTION, 200, method="PUT")  # accepted, nothing sent
    advance(hass, freezer, PACING.resync_interval)
    await spin_until(lambda: stats.resyncs == 1)

    sim.inject_fault(SUBSCRIPTION, 500, method="PUT")
    advance(hass, freezer, PACING.resync_interval)
    await spin_until(lambda: stats.resyncs == 2)
    assert (
        stats.last_error
        == "IcwsServerError: Subscribe failed (500): Unspecified error."
    )
    advance(hass, freezer, PACING.reconnect_min)  # the retry subscribes again
    await spin_until(lambda: stats.resyncs == 3)
    added = sim.add_voicemail(USER).message_id  # pushes still arrive
    await wait_until(hass, lambda: added in coordinator.data.by_id)
    remove()

    assert coordinator.last_update_success
    assert all(availability)


async def test_snapshot_timeout(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sim: IcwsSimulator,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A subscription whose snapshot never comes makes setup retry."""
    # The server accepts the subscription but sends nothing.
    sim.inject_fault(SUBSCRIPTION, 200, method="PUT")
    mock_config_entry.add_to_hass(hass)

    setup = hass.async_create_task(
        hass.config_entries.async_setup(mock_config_entry.entry_id)
    )
    # Once the client has the answer to the last subscription, setup waits.
    await spin_until(lambda: "messages-waiting-indicator -> 200" in caplog.text)
    advance(hass, freezer, SETUP_TIMEOUT)
    await setup

    assert mock_config_entry.error_reason_translation_key == "snapshot_timeout"
    assert mock_config_entry.error_reason_translation_placeholders == {
        "seconds": str(int(SETUP_TIMEOUT))
    }
    assert sim.live_sessions() == []


async def test_unload_during_a_login(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    coordinator: VoicemailCoordinator,
) -> None:
    """Unloading while a re-login waits for its answer logs out the session it made."""
    sim.inject_fault(LOGIN, None, method="POST", delay=1.0)  # a slow login
    logins = len(sim.requests_to(LOGIN, "POST"))
    sim.expire_sessions()
    await spin_until(lambda: len(sim.requests_to(LOGIN, "POST")) > logins)

    assert await hass.config_entries.async_unload(coordinator.config_entry.entry_id)
    await hass.async_block_till_done()

    assert len(sim.sessions) == 2  # the slow login did create a session ...
    assert sim.live_sessions() == []  # ... and it was logged out


async def test_unexpected_error_starts_over(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sim: IcwsSimulator,
    coordinator: VoicemailCoordinator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An error no one expected is logged, and the pushes come back after the delay."""
    subscribe = IcwsSession.subscribe_voicemail
    calls = 0

    async def first_call_fails(session: IcwsSession) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug")
        await subscribe(session)

    with patch.object(IcwsSession, "subscribe_voicemail", first_call_fails):
        sim.expire_sessions()
        await wait_until(hass, lambda: not coordinator.last_update_success)
        assert "Unexpected error following the ICWS session" in caplog.text
        assert coordinator.connection.stats.last_error == (
            "IcwsError: Unexpected error: RuntimeError"
        )

        advance(hass, freezer, PACING.reconnect_min)
        await wait_until(hass, lambda: coordinator.last_update_success)
