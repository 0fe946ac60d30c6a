"""Polling: when the server has no stream, or a proxy refuses, holds or breaks it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
import math
import time
from typing import Any

import pytest

from custom_components.voicemail.icws import MessageWaiting, Phase, VoicemailSnapshot
from tests.icws_simulator import IcwsSimulator, SimulatorSettings
from tests.icws_simulator.settings import EmptyPoll

from .conftest import (
    MESSAGES,
    STOP,
    TEST_PACING,
    Connector,
    assert_new_voicemail_arrives,
    live_at_each_login,
    logins,
    newest_voicemail,
    policy_attempts,
    poll_requests,
    stream_requests,
    until,
)

JSON_ACCEPT = "application/vnd.inin.icws+JSON"
RETRY_SOON = replace(TEST_PACING, stream_retry=0.5)
"""While polling, the stream is tried again every 0.5 s."""
WINDOW = 2.0


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(stream_status=401)])
async def test_stream_401_while_the_session_works_polls_without_a_login_storm(
    sim: IcwsSimulator, start: Connector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every stream request 401 (a proxy strips its cookie): poll; one login, ever."""
    live = live_at_each_login(sim, monkeypatch)
    run = await start(pacing=RETRY_SOON)
    assert run.connection.phase is Phase.POLLING
    streams = len(stream_requests(sim))
    began = time.monotonic()
    await asyncio.sleep(WINDOW)
    elapsed = time.monotonic() - began
    # A 401 on the stream with a plain poll that works is no session loss: no login
    # at all follows, where the policy alone would allow 13 in the window.
    assert policy_attempts(RETRY_SOON, WINDOW) == 13
    assert logins(sim) == 1
    assert live == [0]
    assert len(sim.live_sessions()) == 1
    # The tries of the stream are at least stream_retry apart: 2.0 / 0.5 + 1 = 5 at
    # most in the window (more only if it ran longer).
    tries = len(stream_requests(sim)) - streams
    assert 1 <= tries <= elapsed // RETRY_SOON.stream_retry + 1
    assert all(r.status == 401 for r in stream_requests(sim))
    await assert_new_voicemail_arrives(sim, run.recorder)
    assert run.connection.phase is Phase.POLLING


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(stream_status=401)])
async def test_messages_of_the_poll_after_a_stream_401_are_kept(
    sim: IcwsSimulator, start: Connector
) -> None:
    """The poll that checks the session after the stream's 401 delivers what it got."""
    sim.inject_fault(MESSAGES, None, method="GET", delay=0.3)  # holds the first stream
    run = await start(ready=False)
    await until(lambda: len(stream_requests(sim)) == 1)
    [session] = sim.sessions.values()
    session.push(
        '{"__type":"urn:inin.com:unifiedMessaging:mwiMessage","messagesWaiting":9}'
    )
    assert await run.recorder.next() == MessageWaiting(9)
    await run.recorder.next_of(VoicemailSnapshot)
    assert run.connection.phase is Phase.POLLING
    assert logins(sim) == 1


REFUSALS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # id: (simulator settings that break the stream, client options)
    "502": ({"stream_status": 502}, {}),
    "504": ({"stream_status": 504}, {}),
    "500": ({"stream_status": 500}, {}),
    "headers-held": ({"stream_header_delay": math.inf}, {"request_timeout": 1.0}),
}


@pytest.mark.parametrize(("broken", "options"), REFUSALS.values(), ids=REFUSALS.keys())
async def test_refused_or_held_stream_is_polled_and_tried_again(
    sim: IcwsSimulator,
    start: Connector,
    broken: dict[str, Any],
    options: dict[str, Any],
) -> None:
    """A proxy refuses the stream or holds its headers: POLLING, the stream tried again.

    After stream_retry the stream is tried again, and used once it works.
    """
    for name, value in broken.items():
        setattr(sim.settings, name, value)
    run = await start(pacing=RETRY_SOON, **options)
    assert run.connection.phase is Phase.POLLING
    await assert_new_voicemail_arrives(sim, run.recorder)
    await until(lambda: len(stream_requests(sim)) >= 2)
    first, second = stream_requests(sim)[:2]
    assert second.received_at - first.received_at >= RETRY_SOON.stream_retry
    assert run.connection.phase is Phase.POLLING
    for name in broken:
        setattr(sim.settings, name, None)
    await run.phase(Phase.STREAMING)
    polls = len(poll_requests(sim))
    await assert_new_voicemail_arrives(sim, run.recorder)
    assert len(poll_requests(sim)) == polls  # it came over the stream
    assert run.connection.stats.stream_fallbacks >= 2
    assert logins(sim) == 1


async def test_stream_answered_with_json_keeps_its_messages_and_polls(
    sim: IcwsSimulator, start: Connector
) -> None:
    """A server that answers the stream request with a JSON array is polled instead."""
    mwi = {"__type": "urn:inin.com:unifiedMessaging:mwiMessage", "messagesWaiting": 1}
    sim.inject_fault(MESSAGES, 200, body=[mwi])
    run = await start(ready=False)
    assert await run.recorder.next() == MessageWaiting(1)
    await run.recorder.next_of(VoicemailSnapshot)
    assert run.connection.phase is Phase.POLLING
    await until(lambda: len(poll_requests(sim)) >= 2)
    assert all(r.headers["Accept"] == JSON_ACCEPT for r in poll_requests(sim))
    assert len(stream_requests(sim)) == 1


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(stream_content_type=JSON_ACCEPT)]
)
async def test_server_ignoring_accept_is_polled(
    sim: IcwsSimulator, start: Connector
) -> None:
    """Every stream request answered as a short poll: POLLING, nothing lost."""
    run = await start(pacing=RETRY_SOON)
    assert run.connection.phase is Phase.POLLING
    await until(lambda: len(stream_requests(sim)) >= 2)
    await assert_new_voicemail_arrives(sim, run.recorder)
    assert logins(sim) == 1


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(messaging_version=1)])
async def test_short_polling_when_messaging_is_below_2(
    sim: IcwsSimulator, start: Connector
) -> None:
    """Messaging feature 1: JSON arrays polled every poll_interval, never a stream."""
    run = await start(pacing=RETRY_SOON)
    assert run.connection.phase is Phase.POLLING
    assert await run.recorder.next_of(MessageWaiting) == MessageWaiting(2)
    await assert_new_voicemail_arrives(sim, run.recorder)
    await until(lambda: len(poll_requests(sim)) >= 3)
    await asyncio.sleep(RETRY_SOON.stream_retry)
    polls = poll_requests(sim)
    assert all(r.headers["Accept"] == JSON_ACCEPT for r in polls)
    assert all("ININ-ICWS-CSRF-Token" in r.headers for r in polls)
    assert not stream_requests(sim)
    assert run.connection.stats.stream_fallbacks == 0


@pytest.mark.parametrize("answer", ["array", "empty_200", "204"])
async def test_empty_poll_answers(
    sim: IcwsSimulator, start: Connector, answer: EmptyPoll
) -> None:
    """Nothing queued: `[]`, an empty 200 or a 204 are all an empty poll."""
    sim.settings.messaging_version = 1
    sim.settings.empty_poll_answer = answer
    run = await start()
    await until(lambda: len(poll_requests(sim)) >= 5)
    await assert_new_voicemail_arrives(sim, run.recorder)
    assert run.connection.phase is Phase.POLLING
    assert run.connection.stats.backoffs == 0
    assert logins(sim) == 1


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(affinity_cookie="SERVERID")]
)
async def test_load_balancer_affinity_cookie(
    sim: IcwsSimulator, start: Connector
) -> None:
    """A balancer routing on its cookie: the stream and requests carry it; all works."""
    run = await start()
    assert run.connection.phase is Phase.STREAMING
    [stream] = stream_requests(sim)
    assert stream.cookies["SERVERID"] == sim.affinity_value
    await assert_new_voicemail_arrives(sim, run.recorder)
    await run.connection.request(lambda session: session.stop(newest_voicemail(sim)))
    assert [r.status for r in sim.requests_to(STOP)] == [204]
    assert all(r.status != 401 for r in sim.requests)
    assert run.connection.phase is Phase.STREAMING
    assert logins(sim) == 1
