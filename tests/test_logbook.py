"""The logbook's lines of voicemail events, read through the logbook's WebSocket API.

Home Assistant's recorder (an in-memory database) records what the simulator's changes
make the integration fire; `logbook/get_events` reads it back and `logbook/event_stream`
follows it live, as the frontend does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import (
    MockHAClientWebSocket,
    RecorderInstanceContextManager,
    WebSocketGenerator,
)

from custom_components.voicemail.coordinator import VoicemailConfigEntry
from tests.audio import VOICEMAILS
from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import (
    HANG_GUARD,
    EventLog,
    registered_entity_id,
    wait_until,
)
from tests.stt_engine import RecordingEngine, async_add_engine, async_use_engine

BOB = next(vm for vm in VOICEMAILS if vm.name == "bob_mulaw.wav")
LONG_TRANSCRIPT = (
    "Hi Alice, it is Bob. Please call me back about the invoice from March, "
    "I think there is a mistake in it."
)


@pytest.fixture(autouse=True)
def mock_recorder_before_hass(
    async_test_recorder: RecorderInstanceContextManager,
) -> None:
    """Prepare the recorder's database before Home Assistant is made."""


@dataclass
class Logbook:
    """The logbook of alice's voicemail event entity, from the fixture's start on."""

    hass: HomeAssistant
    ws_client: WebSocketGenerator
    entity_id: str
    since: datetime

    async def entries(self, *, whole: bool = False) -> list[dict[str, Any]]:
        """Return the entity's logbook (`whole`: the logbook panel's), as recorded."""
        await async_wait_recording_done(self.hass)
        client = await self.ws_client()
        request: dict[str, Any] = {
            "type": "logbook/get_events",
            "start_time": self.since.isoformat(),
        }
        if not whole:
            request["entity_ids"] = [self.entity_id]
        await client.send_json_auto_id(request)
        response = await client.receive_json()
        assert response["success"], response
        entries: list[dict[str, Any]] = response["result"]
        return entries

    async def lines(self) -> list[tuple[str, str]]:
        """Return (name, message) of each line our events were described as."""
        return _lines(await self.entries())

    async def follow(self) -> MockHAClientWebSocket:
        """Open the entity's logbook live, as the frontend does while it is shown."""
        client = await self.ws_client()
        await client.send_json_auto_id(
            {
                "type": "logbook/event_stream",
                "start_time": dt_util.utcnow().isoformat(),
                "entity_ids": [self.entity_id],
            }
        )
        assert (await client.receive_json())["success"]
        return client


def _lines(entries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (entry["name"], entry["message"])
        for entry in entries
        if entry.get("domain") == "voicemail"
    ]


async def _next_lines(client: MockHAClientWebSocket) -> list[tuple[str, str]]:
    """Return the next lines of ours that the live logbook sends."""
    while True:
        message = await client.receive_json(timeout=HANG_GUARD)
        if lines := _lines(message["event"]["events"]):
            return lines


@pytest.fixture
async def logbook(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    init_integration: VoicemailConfigEntry,
) -> Logbook:
    """Record, load the logbook (default_config does both), then alice's account.

    A test takes it before the fixtures that set up the account, so that the
    recorder runs first.
    """
    assert await async_setup_component(hass, "logbook", {})
    entity_id = registered_entity_id(hass, init_integration, Platform.EVENT, "events")
    return Logbook(hass, hass_ws_client, entity_id, dt_util.utcnow())


@pytest.mark.parametrize("whole", [True, False])
async def test_a_new_voicemail_names_the_caller(
    hass: HomeAssistant,
    logbook: Logbook,
    sim: IcwsSimulator,
    events: EventLog,
    whole: bool,
) -> None:
    """The logbook (the panel's, the entity's) says who left the new voicemail.

    The entity's own row ("Received") stays, and names the caller as its cause.
    """
    sim.add_voicemail(USER, sender="Bob Smith <+15551234>")
    await wait_until(hass, lambda: bool(events.fired))

    entries = await logbook.entries(whole=whole)

    ours = [entry for entry in entries if entry.get("entity_id") == logbook.entity_id]
    assert [entry.get("message") for entry in ours] == [
        "New voicemail from Bob Smith",
        None,
    ]
    line, row = ours
    assert line["name"] == "Bob Smith"
    assert row["attributes"] == {"event_type": "received"}
    assert (row["context_domain"], row["context_name"], row["context_message"]) == (
        "voicemail",
        "Bob Smith",
        "New voicemail from Bob Smith",
    )


async def test_the_live_logbook_names_the_caller(
    hass: HomeAssistant, logbook: Logbook, sim: IcwsSimulator
) -> None:
    """The entity's logbook, open while a voicemail arrives, gets the caller's line."""
    client = await logbook.follow()

    sim.add_voicemail(USER, sender="Erin Stone <4004>")

    assert await _next_lines(client) == [
        ("Erin Stone", "New voicemail from Erin Stone")
    ]


async def test_each_event_names_the_caller(
    hass: HomeAssistant,
    logbook: Logbook,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    events: EventLog,
) -> None:
    """Read, played (how long, once the audio was fetched), deleted: one line each."""
    vm = sim.add_voicemail(
        USER, sender="Bob Smith <+15551234>", audio=BOB.path.read_bytes()
    )
    audio = init_integration.runtime_data.audio
    await wait_until(hass, lambda: audio.seconds(vm.message_id) is not None)
    session = sim.live_sessions(USER)[0]
    sim.start_playback(session, vm, "1234")
    await wait_until(hass, lambda: len(events.fired) == 2)
    sim.end_playback(session.user)
    sim.set_read(USER, vm.message_id, True)
    await wait_until(hass, lambda: len(events.fired) == 4)
    # A voicemail whose audio was never fetched: no duration.
    oldest = sim.voicemails(USER)[0]
    sim.start_playback(session, oldest, "1234")
    sim.remove_voicemail(USER, oldest.message_id)
    await wait_until(hass, lambda: len(events.fired) == 7)

    assert await logbook.lines() == [
        ("Bob Smith", "New voicemail from Bob Smith"),
        ("Bob Smith", "Playing the voicemail from Bob Smith (0:08)"),
        ("Bob Smith", "Stopped playing the voicemail from Bob Smith"),
        ("Bob Smith", "Voicemail from Bob Smith marked as read"),
        ("Carol Jones", "Playing the voicemail from Carol Jones"),
        ("Carol Jones", "Stopped playing the voicemail from Carol Jones"),
        ("Carol Jones", "Voicemail from Carol Jones deleted"),
    ]


@pytest.mark.parametrize(
    ("heard", "line"),
    [
        (
            "  please call\nme back ",
            "Transcribed the voicemail from Bob Smith: “please call me back”",
        ),
        (
            LONG_TRANSCRIPT,
            (
                "Transcribed the voicemail from Bob Smith: "
                "“Hi Alice, it is Bob. Please call me back about the invoice…”"
            ),
        ),
        (
            None,
            (
                "Could not transcribe the voicemail from Bob Smith: The "
                "speech-to-text engine stt.test_engine could not read this voicemail"
            ),
        ),
    ],
)
async def test_transcripts_are_quoted(
    hass: HomeAssistant,
    logbook: Logbook,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    events: EventLog,
    *,
    heard: str | None,
    line: str,
) -> None:
    """The line quotes the start of the transcript, or says why there is none."""
    await async_add_engine(hass, RecordingEngine(heard, ["en-US"]))
    await async_use_engine(hass, init_integration)
    sim.add_voicemail(USER, sender="Bob Smith <+15551234>", audio=BOB.path.read_bytes())
    await wait_until(hass, lambda: len(events.fired) == 2)

    assert await logbook.lines() == [
        ("Bob Smith", "New voicemail from Bob Smith"),
        ("Bob Smith", line),
    ]


async def test_a_fax_and_an_unknown_caller(
    hass: HomeAssistant, logbook: Logbook, sim: IcwsSimulator, events: EventLog
) -> None:
    """A fax says so; without a caller the line says what it can."""
    sim.add_voicemail(USER, sender="Dave Fax <+15559876>", kind="fax")
    sim.add_voicemail(USER, sender="")
    await wait_until(hass, lambda: len(events.fired) == 2)

    assert await logbook.lines() == [
        ("Dave Fax", "New fax from Dave Fax"),
        ("Voicemail", "New voicemail"),
    ]


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(faxes_in_voicemail_list=False)]
)
async def test_a_message_not_listed(
    hass: HomeAssistant, logbook: Logbook, sim: IcwsSimulator, events: EventLog
) -> None:
    """A message the list does not show plays: only its id is known, no caller."""
    [fax] = [vm for vm in sim.voicemails(USER) if vm.kind == "fax"]
    sim.start_playback(sim.live_sessions(USER)[0], fax, "1234")
    await wait_until(hass, lambda: len(events.fired) == 2)

    assert await logbook.lines() == [
        ("Voicemail", "Playing a voicemail"),
        ("Voicemail", "Stopped playing a voicemail"),
    ]
