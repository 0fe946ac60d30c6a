"""The voicemail card with what the account's options add: play on the phone, transcripts.

Its own Home Assistant and simulator (tests/browser/test_card.py adds the card from the card
picker; here the dashboard holding it is saved over the WebSocket API). The options are set
through the options flow's API as the other e2e tests do; what is asserted is what the card then
shows, and what the ICWS server was asked.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import unquote

import aiohttp
from playwright.async_api import Page, expect
import pytest

from scripts._dev.audio_config import stt_available
from scripts._dev.entry import EntryOutcome, wait_entry_state
from scripts._dev.hass_api import HassApi, HassApiError
from scripts._dev.simulator import SimulatorControl
from tests.audio import VOICEMAILS
from tests.browser.card_ui import (
    CARD_TYPE,
    PLAY_HERE,
    PLAY_THERE,
    STOP,
    action,
    create_dashboard,
    open_dashboard,
    row,
)
from tests.browser.ui import shoot
from tests.e2e.harness import (
    E2E_USER,
    TRANSCRIBE_TIMEOUT,
    Stack,
    entry_entities,
    find_unique,
    play_requests,
    run_in_thread,
    sockets_enabled,
    stop_requests,
)

PLAY_TARGET = "1234"
BOB, DAVE = (
    next(vm for vm in VOICEMAILS if vm.name == name)
    for name in ("bob_mulaw.wav", "dave_pcm16.wav")
)


@pytest.fixture(scope="module")
def dashboard(ui_stack: Stack, entry: EntryOutcome) -> None:
    """Save the dashboard with the card of the account's event entity."""

    async def save() -> None:
        async with aiohttp.ClientSession() as client_session:
            api = ui_stack.api(client_session)
            events = find_unique(await entry_entities(api, entry.entry_id), "_events")
            await create_dashboard(api, [{"type": CARD_TYPE, "entity": events}])

    with sockets_enabled():
        run_in_thread(save)


async def set_options(api: HassApi, entry: EntryOutcome, **options: str) -> None:
    """Set options through the options flow; wait until the entry it reloads is loaded."""
    result = await api.set_options(entry.entry_id, options)
    assert result["type"] == "create_entry", result
    await wait_entry_state(api, entry.entry_id, ("loaded",))


@pytest.mark.usefixtures("dashboard")
async def test_play_on_the_phone_from_the_card_and_stop(
    page: Page,
    ui_stack: Stack,
    api: HassApi,
    control: SimulatorControl,
    entry: EntryOutcome,
) -> None:
    """With a play target set, the phone button rings it; the card shows Stop, which stops."""
    await set_options(api, entry, play_target=PLAY_TARGET)
    # Dave's recording, which the simulated phone plays for long enough that it is still
    # playing when Stop is pressed.
    message = await control.command(
        "add-voicemail",
        user=E2E_USER,
        sender='"Dave Garage" <+15553142>',
        audio_base64=base64.b64encode(DAVE.path.read_bytes()).decode(),
        duration=600,
    )
    await open_dashboard(page, ui_stack)
    await expect(row(page, message["message_id"])).to_be_visible()
    played = len(await play_requests(control))

    await action(page, message, PLAY_THERE).click()
    await expect(action(page, message, STOP)).to_be_visible()
    await expect(action(page, message, PLAY_THERE)).to_be_disabled()
    assert (await control.state())["users"][E2E_USER]["playing"] == message[
        "message_id"
    ]
    plays = await play_requests(control)
    assert len(plays) == played + 1
    assert message["message_id"] in unquote(plays[-1]["path"])
    assert json.loads(plays[-1]["body"])["playTarget"]["target"] == PLAY_TARGET
    await shoot(page, "card-play-on-phone")

    stopped = len(await stop_requests(control))
    await action(page, message, STOP).click()
    await expect(action(page, message, PLAY_HERE)).to_be_visible()
    await expect(action(page, message, PLAY_THERE)).to_be_enabled()
    stops = await stop_requests(control)
    assert len(stops) == stopped + 1
    assert message["message_id"] in unquote(stops[-1]["path"])
    assert stops[-1]["status"] == 204
    assert (await control.state())["users"][E2E_USER]["playing"] is None


@pytest.mark.usefixtures("dashboard")
async def test_a_new_voicemail_shows_its_transcript(
    page: Page,
    ui_stack: Stack,
    api: HassApi,
    control: SimulatorControl,
    entry: EntryOutcome,
) -> None:
    """With stt.pocketsphinx in the options, a spoken voicemail shows what it says.

    The development engine (scripts/_dev/components/dev_pocketsphinx) transcribes the new
    voicemail in this Home Assistant; the card lists it at once, and shows the transcript
    (and the duration) when the `transcribed` event comes. A Home Assistant whose Python
    lacks pocketsphinx (the other versions of scripts/test) has no engine: the card shows
    no transcript, and `voicemail.transcribe` gives the translated "no engine" answer.
    """
    engine = stt_available(ui_stack.hass.python)
    if engine:
        await set_options(api, entry, stt_engine="stt.pocketsphinx")
    await open_dashboard(page, ui_stack)
    message = await control.command(
        "add-voicemail",
        user=E2E_USER,
        sender="Bob Smith <+15551234>",
        audio_base64=base64.b64encode(BOB.path.read_bytes()).decode(),
    )
    shown = row(page, message["message_id"])
    await expect(shown.locator(".caller")).to_have_text("Bob Smith")
    transcript = shown.locator(".transcript")
    if not engine:
        await expect(transcript).to_have_count(0)
        with pytest.raises(HassApiError) as caught:
            await api.post("/api/services/voicemail/transcribe?return_response", {})
        assert "No speech-to-text engine is set" in str(caught.value.body)
        return
    await expect(transcript).to_contain_text(
        "call me back", timeout=TRANSCRIBE_TIMEOUT * 1000
    )
    await expect(transcript).to_contain_text("five five five")
    # Listed again with it: the recording's length (m:ss), known once its audio was fetched.
    seconds = round(BOB.seconds)
    await expect(shown.locator(".meta")).to_contain_text(
        f"{seconds // 60}:{seconds % 60:02d}"
    )
    await shoot(page, "card-transcript")
