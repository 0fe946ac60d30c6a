"""The voicemail intents, and the repository's custom sentences for the built-in agent.

Against the ICWS simulator over loopback. The clock is frozen on 2026-11-28 at 10:00
in the test time zone (US/Pacific), so "today" and "yesterday" are fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component
import pytest

from custom_components.voicemail.coordinator import VoicemailConfigEntry
from custom_components.voicemail.intent import (
    INTENT_COUNT,
    INTENT_PLAY_NEWEST,
    INTENT_STOP_PLAYBACK,
)
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import (
    PLAY_PATH,
    STOP_PATH,
    STRINGS,
    async_converse,
    async_empty_mailbox,
    async_set_play_target,
    async_setup_bob,
    async_start_playback,
    wait_until,
)

NOW = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)  # 10:00 in US/Pacific
TODAY_9_14 = datetime(2026, 11, 28, 17, 14, tzinfo=UTC)  # 9:14 in US/Pacific


@pytest.fixture(autouse=True)
def frozen_clock(freezer: FrozenDateTimeFactory) -> None:
    """Freeze the clock on 2026-11-28 10:00 local time."""
    freezer.move_to(NOW)


@pytest.fixture
async def intents(
    hass: HomeAssistant, init_integration: VoicemailConfigEntry
) -> VoicemailConfigEntry:
    """Load Home Assistant's intent integration, which loads our intent platform."""
    assert await async_setup_component(hass, "intent", {})
    await hass.async_block_till_done()
    return init_integration


async def _handle(hass: HomeAssistant, intent_type: str) -> intent.IntentResponse:
    return await intent.async_handle(hass, "test", intent_type, {}, language="en")


def _speech(response: intent.IntentResponse) -> str:
    speech: str = response.speech["plain"]["speech"]
    return speech


async def _mark_all_read(
    hass: HomeAssistant, sim: IcwsSimulator, entry: VoicemailConfigEntry
) -> None:
    for vm in sim.voicemails(USER):
        sim.set_read(USER, vm.message_id, True)
    await wait_until(hass, lambda: entry.runtime_data.data.unread == 0)


# --- how many -------------------------------------------------------------------------


def _a_new_one_today(sim: IcwsSimulator) -> int:
    """Add a new voicemail of today (who left the latest one, and when)."""
    sim.add_voicemail(USER, sender="Alice Cooper <1001>", received=TODAY_9_14)
    return 4


def _as_seeded(sim: IcwsSimulator) -> int:
    """Keep the seeded mailbox: the latest new one came yesterday (the fax counts too)."""
    return 3


def _one_new_from_a_number(sim: IcwsSimulator) -> int:
    """Leave one new voicemail, from a caller without a name, received days ago."""
    for vm in sim.voicemails(USER):
        if vm.sender != "+15559876543":
            sim.set_read(USER, vm.message_id, True)
    return 1


@pytest.mark.parametrize(
    ("arrange", "speech"),
    [
        (
            _a_new_one_today,
            (
                "You have 6 voicemails, 4 of them new; the latest new one is from"
                " Alice Cooper at 9:14."
            ),
        ),
        (
            _as_seeded,
            (
                "You have 5 voicemails, 3 of them new; the latest new one is from"
                " Bob Smith yesterday at 8:30."
            ),
        ),
        (
            _one_new_from_a_number,
            "You have 5 voicemails, 1 of them new, from +15559876543 on November 20 at 0:01.",
        ),
    ],
    ids=["with_a_new_one_today", "latest_yesterday", "one_new_from_a_number"],
)
async def test_count(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    intents: VoicemailConfigEntry,
    arrange: Callable[[IcwsSimulator], int],
    speech: str,
) -> None:
    """New voicemails (`arrange` returns how many): the count and the latest one."""
    unread = arrange(sim)
    await wait_until(hass, lambda: intents.runtime_data.data.unread == unread)

    response = await _handle(hass, INTENT_COUNT)

    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert _speech(response) == speech


async def test_count_nothing_new(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    intents: VoicemailConfigEntry,
) -> None:
    """Everything was listened to: no new ones, and how many old ones."""
    await _mark_all_read(hass, sim, intents)

    assert _speech(await _handle(hass, INTENT_COUNT)) == (
        "You have no new voicemails, and 5 old ones."
    )

    for vm in sim.voicemails(USER)[1:]:
        sim.remove_voicemail(USER, vm.message_id)
    await wait_until(hass, lambda: len(intents.runtime_data.data.voicemails) == 1)

    assert _speech(await _handle(hass, INTENT_COUNT)) == (
        "You have no new voicemails, and 1 old one."
    )


async def test_count_empty_mailbox(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    intents: VoicemailConfigEntry,
) -> None:
    """An empty mailbox."""
    await async_empty_mailbox(hass, sim, intents)

    assert _speech(await _handle(hass, INTENT_COUNT)) == "You have no voicemails."


async def test_count_when_every_voicemail_is_new(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    intents: VoicemailConfigEntry,
) -> None:
    """One voicemail, new; then two, both new: the total says it, not "of them"."""
    await async_empty_mailbox(hass, sim, intents)
    sim.add_voicemail(USER, sender="Alice Cooper <1001>", received=TODAY_9_14)
    await wait_until(hass, lambda: len(intents.runtime_data.data.voicemails) == 1)

    assert _speech(await _handle(hass, INTENT_COUNT)) == (
        "You have 1 voicemail, a new one from Alice Cooper at 9:14."
    )

    sim.add_voicemail(
        USER, sender="Dave Miller <3003>", received=TODAY_9_14 - timedelta(hours=1)
    )
    await wait_until(hass, lambda: len(intents.runtime_data.data.voicemails) == 2)

    assert _speech(await _handle(hass, INTENT_COUNT)) == (
        "You have 2 voicemails, all of them new; the latest is from Alice Cooper at 9:14."
    )


async def test_count_covers_every_account(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    intents: VoicemailConfigEntry,
) -> None:
    """With two accounts, both are counted."""
    bob = await async_setup_bob(hass, sim, intents)
    sim.add_voicemail("bob", sender="Grace Hill <6006>", received=TODAY_9_14)
    await wait_until(hass, lambda: bool(bob.runtime_data.data.voicemails))

    assert _speech(await _handle(hass, INTENT_COUNT)) == (
        "You have 6 voicemails, 4 of them new; the latest new one is from Grace Hill"
        " at 9:14."
    )


async def test_no_account_loaded(
    hass: HomeAssistant,
    intents: VoicemailConfigEntry,
) -> None:
    """No account loaded: the action's translated error is the answer."""
    assert await hass.config_entries.async_unload(intents.entry_id)

    response = await _handle(hass, INTENT_COUNT)

    assert response.response_type is intent.IntentResponseType.ERROR
    assert response.error_code is intent.IntentResponseErrorCode.FAILED_TO_HANDLE
    assert _speech(response) == "No voicemail account is loaded"


# --- play -------------------------------------------------------------------------------


async def test_play_newest(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    intents: VoicemailConfigEntry,
) -> None:
    """The newest unread voicemail plays on the configured phone, and says so."""
    await async_set_play_target(hass, intents, "1234")

    response = await _handle(hass, INTENT_PLAY_NEWEST)

    assert _speech(response) == (
        "Playing the voicemail from Bob Smith, received yesterday at 8:30."
    )
    [play] = sim.requests_to(PLAY_PATH, "POST")
    assert sim.voicemails(USER)[-1].message_id in play.path


async def test_play_without_a_target(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    intents: VoicemailConfigEntry,
) -> None:
    """Nowhere to play: the answer says where to choose it (the options, the repair)."""
    response = await _handle(hass, INTENT_PLAY_NEWEST)

    assert response.response_type is intent.IntentResponseType.ERROR
    assert _speech(response) == STRINGS["exceptions"]["no_play_target"][
        "message"
    ].format(title=intents.title).rstrip(".")
    assert sim.requests_to(PLAY_PATH) == []


async def test_play_with_an_empty_mailbox(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    intents: VoicemailConfigEntry,
) -> None:
    """Nothing to play: a friendly answer."""
    await async_empty_mailbox(hass, sim, intents)

    response = await _handle(hass, INTENT_PLAY_NEWEST)

    assert _speech(response) == "There is no voicemail to play"


# --- stop -------------------------------------------------------------------------------


async def test_stop(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    intents: VoicemailConfigEntry,
) -> None:
    """Stop what plays; with nothing playing, say so and send nothing."""
    await async_start_playback(hass, sim, intents)

    assert _speech(await _handle(hass, INTENT_STOP_PLAYBACK)) == (
        "Stopped the voicemail."
    )
    assert [r.status for r in sim.requests_to(STOP_PATH)] == [204]

    assert _speech(await _handle(hass, INTENT_STOP_PLAYBACK)) == (
        "No voicemail is playing."
    )
    assert len(sim.requests_to(STOP_PATH)) == 1


# --- the built-in conversation agent with the repository's sentences ---------------------


@pytest.mark.parametrize(
    "sentence",
    ["stop the voicemail", "stop playing the voicemail", "stop voicemail playback"],
)
async def test_assist_stops_the_voicemail(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    assist: VoicemailConfigEntry,
    sentence: str,
) -> None:
    """Saying "stop the voicemail" reaches our intent through the default agent."""
    await async_start_playback(hass, sim, assist)

    response = await async_converse(hass, sentence)

    assert response["speech"]["plain"]["speech"] == "Stopped the voicemail."
    assert [r.status for r in sim.requests_to(STOP_PATH)] == [204]


@pytest.mark.parametrize(
    "sentence",
    [
        "how many voicemails do I have",
        "how many new voicemails do I have",
        "do I have any new voicemails",
    ],
)
async def test_assist_counts_voicemails(
    hass: HomeAssistant,
    assist: VoicemailConfigEntry,
    sentence: str,
) -> None:
    """Asking how many voicemails there are reaches our intent through the default agent."""
    response = await async_converse(hass, sentence)

    assert response["response_type"] == "action_done"
    assert response["speech"]["plain"]["speech"] == (
        "You have 5 voicemails, 3 of them new; the latest new one is from Bob Smith"
        " yesterday at 8:30."
    )


async def test_assist_plays_the_newest_voicemail(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    assist: VoicemailConfigEntry,
) -> None:
    """Saying "play the latest voicemail" plays the newest unread one."""
    await async_set_play_target(hass, assist, "1234")

    response = await async_converse(hass, "play the latest voicemail")

    assert response["speech"]["plain"]["speech"] == (
        "Playing the voicemail from Bob Smith, received yesterday at 8:30."
    )
    assert len(sim.requests_to(PLAY_PATH, "POST")) == 1
