"""The coordinator when the connection struggles.

Session loss, reconnects, resyncs, setup timeouts and unloads. The connection's own
rules (no login storms, stream fallback, ...) are proven against the simulator in
tests/icws/.
"""

from __future__ import annotations

from collections.abc import Callable
import logging
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voicemail.const import (
    CONF_PASSWORD_REFUSED,
    DOMAIN,
    SETUP_TIMEOUT,
)
from custom_components.voicemail.coordinator import VoicemailCoordinator
from custom_components.voicemail.icws import IcwsSession, Pacing, Phase
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.server import RunningSimulator, start_simulator
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import (
    LOGIN_PATH,
    SUBSCRIPTION_PATH,
    advance,
    async_report_playing,
    log_messages,
    message_ids,
    wait_until,
)

PACING = Pacing()


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
    await async_report_playing(
        coordinator.hass, icws_simulator.sim, coordinator.config_entry, newest
    )
    availability: list[bool] = []
    remove = coordinator.async_add_listener(
        lambda: availability.append(coordinator.last_update_success)
    )
    subscriptions = len(sim.requests_to(SUBSCRIPTION_PATH, "PUT"))
    added_meanwhile = None

    end_session(sim)
    if reason is None and not sim.live_sessions(USER):
        # While no session is subscribed, a message arrives: the new snapshot has it.
        added_meanwhile = sim.add_voicemail(USER).message_id
    await wait_until(
        hass, lambda: len(sim.requests_to(SUBSCRIPTION_PATH, "PUT")) > subscriptions
    )
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
    subscriptions = len(sim.requests_to(SUBSCRIPTION_PATH, "PUT"))
    logins = len(sim.requests_to(LOGIN_PATH, "POST"))

    assert sim.drop_event_streams(abort=True) == 1
    added = sim.add_voicemail(USER).message_id
    await wait_until(hass, lambda: added in coordinator.data.by_id)
    await wait_until(
        hass, lambda: len(sim.requests_to(SUBSCRIPTION_PATH, "PUT")) > subscriptions
    )
    remove()

    assert all(availability)
    assert len(sim.requests_to(SUBSCRIPTION_PATH, "DELETE")) == 1
    assert len(sim.requests_to(LOGIN_PATH, "POST")) == logins


async def test_server_gone_and_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    icws_simulator: RunningSimulator,
    coordinator: VoicemailCoordinator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Unreachable: unavailable, one line; retried with backoff; back: one line."""
    sim = icws_simulator.sim
    logins = len(sim.requests_to(LOGIN_PATH, "POST"))

    await icws_simulator.stop()
    # The stream ended early: it is reopened after the policy's first delay, and fails.
    advance(hass, freezer, PACING.reconnect_min)
    await wait_until(hass, lambda: not coordinator.last_update_success)
    errors = len(coordinator.connection.stats.recent_errors)
    assert coordinator.connection.phase is Phase.BACKING_OFF

    # The first retry comes within 5 s: the server is still gone.
    advance(hass, freezer, PACING.reconnect_min)
    await wait_until(
        hass, lambda: len(coordinator.connection.stats.recent_errors) > errors
    )
    assert not coordinator.last_update_success

    running = await start_simulator(sim, icws_simulator.host, icws_simulator.port)
    try:
        advance(hass, freezer, PACING.reconnect_min * 2)
        await wait_until(hass, lambda: coordinator.last_update_success)
        assert len(sim.requests_to(LOGIN_PATH, "POST")) > logins
        assert len(coordinator.data.voicemails) == 5

        assert len(log_messages(caplog, logging.WARNING, "Lost the connection")) == 1
        assert len(log_messages(caplog, logging.INFO, "restored")) == 1
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
    sim.inject_fault(SUBSCRIPTION_PATH, 500, method="PUT")

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
    logins = len(sim.requests_to(LOGIN_PATH, "POST"))

    advance(hass, freezer, PACING.reconnect_max * 2)
    await hass.async_block_till_done()

    assert len(sim.requests_to(LOGIN_PATH, "POST")) == logins
    assert coordinator.connection.phase is Phase.AUTH_FAILED
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1

    # Not after a reload either: setup refuses before anything is sent.
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert len(sim.requests_to(LOGIN_PATH, "POST")) == logins
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
    await wait_until(hass, lambda: stats.resyncs == 1)
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
    sim.inject_fault(SUBSCRIPTION_PATH, 200, method="PUT")  # accepted, nothing sent
    advance(hass, freezer, PACING.resync_interval)
    await wait_until(hass, lambda: stats.resyncs == 1)

    sim.inject_fault(SUBSCRIPTION_PATH, 500, method="PUT")
    advance(hass, freezer, PACING.resync_interval)
    await wait_until(hass, lambda: stats.resyncs == 2)
    assert (
        stats.last_error
        == "IcwsServerError: Subscribe failed (500): Unspecified error."
    )
    advance(hass, freezer, PACING.reconnect_min)  # the retry subscribes again
    await wait_until(hass, lambda: stats.resyncs == 3)
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
    # The server accepts every subscription but sends nothing (not after a resync
    # either: the waiting count asks for one).
    sim.inject_fault(SUBSCRIPTION_PATH, 200, method="PUT", count=None)
    mock_config_entry.add_to_hass(hass)

    # In the background: `wait_until` settles the tracked tasks, and this one waits
    # on the frozen clock.
    setup = hass.async_create_background_task(
        hass.config_entries.async_setup(mock_config_entry.entry_id), "setup"
    )
    # Once the client has the answer to the last subscription, setup waits.
    await wait_until(hass, lambda: "messages-waiting-indicator -> 200" in caplog.text)
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
    sim.inject_fault(LOGIN_PATH, None, method="POST", delay=1.0)  # a slow login
    logins = len(sim.requests_to(LOGIN_PATH, "POST"))
    sim.expire_sessions()
    await wait_until(hass, lambda: len(sim.requests_to(LOGIN_PATH, "POST")) > logins)

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


async def test_a_higher_waiting_count_resyncs_once(
    hass: HomeAssistant, sim: IcwsSimulator, coordinator: VoicemailCoordinator
) -> None:
    """The server counts more unread voicemails than the mailbox has: one resync.

    The voicemail's Added delta was lost; the waiting count shows it, and the fresh
    snapshot brings it. The same count again costs no second resync.
    """
    (session,) = sim.live_sessions(USER)
    # The fax counts as unread in the list, not in the server's count: mark it read.
    [fax] = message_ids(sim, kind="fax")
    sim.set_read(USER, fax, True)
    await wait_until(hass, lambda: coordinator.data.by_id[fax].read)
    new = sim.add_voicemail(USER, sender="Erin Stone <4004>").message_id
    session.queue.clear()  # the delta (and the count) never reach Home Assistant
    stats = coordinator.connection.stats

    sim.send_mwi(session)
    await wait_until(hass, lambda: new in coordinator.data.by_id)
    assert stats.resyncs == 1

    sim.send_mwi(session, sim.users[USER].unread_count())
    await wait_until(
        hass,
        lambda: coordinator.data.messages_waiting == sim.users[USER].unread_count(),
    )
    assert stats.resyncs == 1


async def test_a_manual_refresh_while_reconnecting_sends_nothing(
    hass: HomeAssistant,
    icws_simulator: RunningSimulator,
    coordinator: VoicemailCoordinator,
) -> None:
    """Asked to refresh while the connection backs off: the reason, and no request."""
    await icws_simulator.stop()
    await wait_until(hass, lambda: coordinator.connection.phase is Phase.BACKING_OFF)
    requests = len(icws_simulator.sim.requests)

    await coordinator.async_refresh()

    assert not coordinator.last_update_success
    assert getattr(coordinator.last_exception, "translation_key", None) == (
        "cannot_connect"
    )
    assert len(icws_simulator.sim.requests) == requests


async def test_a_faulted_mailbox_store(
    hass: HomeAssistant, sim: IcwsSimulator, coordinator: VoicemailCoordinator
) -> None:
    """A faulted mailbox store is told in the diagnostics; the entities stay.

    Once it is back, a fresh snapshot comes and the problem is gone.
    """
    sim.fault_mailbox_store(USER, message="The mailbox store is unavailable.")
    await wait_until(hass, lambda: coordinator.subscription_problem is not None)
    assert coordinator.subscription_problem == "The mailbox store is unavailable."
    assert coordinator.last_update_success
    assert "Voicemail subscription: The mailbox store is unavailable." in (
        coordinator.last_errors
    )

    added = sim.add_voicemail(USER, sender="Erin Stone <4004>").message_id
    sim.restore_mailbox_store(USER)
    await wait_until(hass, lambda: added in coordinator.data.by_id)
    assert coordinator.subscription_problem is None
