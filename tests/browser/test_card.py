"""The voicemail card in a real browser: added from the card picker, then listened to and tidied.

Its own Home Assistant and simulator (the stack is per module): the account is added through the
API (tests/browser/test_ui.py adds it through the UI), a dashboard is created through the
WebSocket API, and the card is added to it as a user does: Edit dashboard -> Add card -> By card ->
search "Voicemail" -> Save. The tests run in file order, each continuing with the mailbox the previous
one left. Assertions are about what the card shows and what the ICWS server then holds.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Locator, Page, expect

from scripts._dev.entry import EntryOutcome
from scripts._dev.hass_api import DEMO_USER, HassApi
from scripts._dev.simulator import SimulatorControl
from tests.browser.ui import log_in, shoot
from tests.e2e.harness import (
    E2E_USER,
    EVENT_TIMEOUT,
    Stack,
    entry_entities,
    find_unique,
    wait_until,
)

DASHBOARD = "voicemail-card"
CARD_TYPE = "custom:voicemail-card"
# English texts of the card (TEXTS.en in custom_components/voicemail/frontend/voicemail-card-texts.js).
PLAY_HERE = "Play {} in the browser"
MARK_READ = "Mark {} read"
MARK_UNREAD = "Mark {} unread"
DELETE = "Delete {}"
PHONE_WIDTH = 360


def caller(sender: str) -> str:
    """Return the name part of an ICWS `from`, as the card shows it (intent.caller_name)."""
    name, _, address = sender.partition("<")
    return (
        name.strip('" ') or address.rstrip(">").strip() if address else sender.strip()
    )


def newest_first(mailbox: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the simulator's messages in the order voicemail.list (and the card) shows them."""
    return sorted(
        mailbox, key=lambda vm: (vm["received"], vm["message_id"]), reverse=True
    )


def card(page: Page) -> Locator:
    """Return the card on the dashboard."""
    return page.locator("voicemail-card")


def row(page: Page, message_id: str) -> Locator:
    """Return a message's row in the card (CSS selectors pierce the open shadow root)."""
    return card(page).locator(f'li[data-message-id="{message_id}"]')


def unread_dot(page: Page, message_id: str) -> Locator:
    """Return a message's unread dot, by what it is called."""
    return row(page, message_id).get_by_role("img", name="Unread")


async def open_dashboard(page: Page, stack: Stack) -> None:
    """Open the card's dashboard; log in first when the profile has no session yet."""
    await page.goto(f"{stack.hass.base_url}/{DASHBOARD}/0")
    if "/auth/" in page.url:
        await log_in(page, f"{stack.hass.base_url}/{DASHBOARD}/0", DEMO_USER)
    await expect(card(page)).to_be_visible()


async def server_message(
    control: SimulatorControl, message_id: str
) -> dict[str, Any] | None:
    """Return the message as the ICWS server holds it (None: gone)."""
    return next(
        (vm for vm in await control.voicemails() if vm["message_id"] == message_id),
        None,
    )


async def test_the_card_is_added_from_the_card_picker(
    page: Page, ui_stack: Stack, entry: EntryOutcome, api: HassApi
) -> None:
    """Edit dashboard -> Add card -> "Voicemail": the picker suggests the account's entity."""
    event_entity = find_unique(await entry_entities(api, entry.entry_id), "_events")
    async with await api.websocket() as ws:
        await ws.command(
            "lovelace/dashboards/create", url_path=DASHBOARD, title="Voicemail"
        )
        await ws.command(
            "lovelace/config/save",
            url_path=DASHBOARD,
            config={"views": [{"title": "Voicemail", "cards": []}]},
        )
    await log_in(page, ui_stack.hass.base_url, DEMO_USER)
    await expect(page.get_by_role("link", name="Settings")).to_be_visible()
    await page.goto(f"{ui_stack.hass.base_url}/{DASHBOARD}/0")

    await page.get_by_role("button", name="Edit dashboard").click()
    await page.get_by_role("button", name="Add card").click()
    await page.get_by_role("tab", name="By card").click()
    await page.get_by_placeholder("Search cards").fill("Voicemail")
    # The picker's entry: its name above a live preview, under an overlay that takes the click.
    offered = page.locator("hui-card-picker .card").filter(
        has=page.locator("voicemail-card")
    )
    await expect(offered).to_contain_text("Voicemail")
    await offered.click()
    # The editor opens with the stub config: its preview (the only card of the dashboard so
    # far) is the real card, listing the mailbox.
    await expect(page.locator("voicemail-card-editor")).to_be_visible()
    await expect(card(page).locator("li").first).to_be_visible()
    await page.get_by_role("button", name="Save").click()
    await page.get_by_role("button", name="Done").click()

    async with await api.websocket() as ws:
        config = await ws.command("lovelace/config", url_path=DASHBOARD)
    cards = config["views"][0]["cards"]
    assert cards == [{"type": CARD_TYPE, "entity": event_entity}], cards
    await expect(card(page).locator("li").first).to_be_visible()


async def test_the_card_lists_the_mailbox_newest_first(
    page: Page, ui_stack: Stack, control: SimulatorControl
) -> None:
    """Every seeded message, newest first, with its caller, unread dots and the fax marked."""
    mailbox = newest_first(await control.voicemails())
    await open_dashboard(page, ui_stack)
    rows = card(page).locator("li")
    await expect(rows).to_have_count(len(mailbox))
    shown = [await r.get_attribute("data-message-id") for r in await rows.all()]
    assert shown == [vm["message_id"] for vm in mailbox]
    for vm in mailbox:
        await expect(row(page, vm["message_id"]).locator(".caller")).to_have_text(
            caller(vm["sender"])
        )
        await expect(unread_dot(page, vm["message_id"])).to_have_count(
            0 if vm["read"] else 1
        )
        faxed = row(page, vm["message_id"]).get_by_text("Fax", exact=True)
        await expect(faxed).to_have_count(1 if vm["kind"] == "fax" else 0)
    await shoot(page, "card")


async def test_a_message_plays_in_the_browser_and_is_then_read(
    page: Page, ui_stack: Stack, control: SimulatorControl
) -> None:
    """Play in the browser: the <audio> element plays and its time advances; marked read."""
    mailbox = newest_first(await control.voicemails())
    message = next(vm for vm in mailbox if vm["kind"] == "voicemail" and not vm["read"])
    await open_dashboard(page, ui_stack)
    name = caller(message["sender"])
    await (
        row(page, message["message_id"])
        .get_by_role("button", name=PLAY_HERE.format(name))
        .click()
    )

    audio = row(page, message["message_id"]).locator("audio")
    await expect(audio).to_have_count(1)
    await wait_until(
        lambda: _played_beyond(audio, 0.5), timeout=EVENT_TIMEOUT, what="audio plays"
    )
    bar = row(page, message["message_id"]).locator("progress")
    assert float(await bar.evaluate("el => el.value")) > 0
    await shoot(page, "card-playing")
    # Played from its start: the audio view marks it read, and the card shows it live.
    await expect(unread_dot(page, message["message_id"])).to_have_count(0)
    stored = await server_message(control, message["message_id"])
    assert stored is not None and stored["read"] is True


async def test_marking_read_and_unread(
    page: Page, ui_stack: Stack, control: SimulatorControl
) -> None:
    """Mark read: the dot goes and the server's message is read; mark unread brings it back."""
    mailbox = newest_first(await control.voicemails())
    message = next(vm for vm in mailbox if not vm["read"])
    name = caller(message["sender"])
    await open_dashboard(page, ui_stack)
    await expect(unread_dot(page, message["message_id"])).to_have_count(1)

    await (
        row(page, message["message_id"])
        .get_by_role("button", name=MARK_READ.format(name))
        .click()
    )
    await expect(unread_dot(page, message["message_id"])).to_have_count(0)
    stored = await server_message(control, message["message_id"])
    assert stored is not None and stored["read"] is True

    await (
        row(page, message["message_id"])
        .get_by_role("button", name=MARK_UNREAD.format(name))
        .click()
    )
    await expect(unread_dot(page, message["message_id"])).to_have_count(1)
    stored = await server_message(control, message["message_id"])
    assert stored is not None and stored["read"] is False


async def test_deleting_asks_first_and_the_message_goes(
    page: Page, ui_stack: Stack, control: SimulatorControl
) -> None:
    """Delete asks; Cancel keeps the message, Delete removes it from the card and the server."""
    message = newest_first(await control.voicemails())[-1]
    name = caller(message["sender"])
    await open_dashboard(page, ui_stack)
    target = row(page, message["message_id"])

    await target.get_by_role("button", name=DELETE.format(name)).click()
    question = target.get_by_role("group", name=f"Delete the voicemail of {name}?")
    await expect(question).to_be_visible()
    await question.get_by_role("button", name="Cancel").click()
    await expect(question).to_have_count(0)
    assert await server_message(control, message["message_id"]) is not None

    await target.get_by_role("button", name=DELETE.format(name)).click()
    await question.get_by_role("button", name="Delete", exact=True).click()
    await expect(target).to_have_count(0)
    assert await server_message(control, message["message_id"]) is None


async def test_a_new_voicemail_appears_without_reload(
    page: Page, ui_stack: Stack, control: SimulatorControl
) -> None:
    """A voicemail the server receives shows at the top of the open card, unread."""
    await open_dashboard(page, ui_stack)
    before = await card(page).locator("li").count()
    added = await control.command(
        "add-voicemail", user=E2E_USER, sender='"Carol Live" <+15557654321>'
    )
    first = card(page).locator("li").first
    await expect(first).to_have_attribute("data-message-id", added["message_id"])
    await expect(first.locator(".caller")).to_have_text("Carol Live")
    await expect(unread_dot(page, added["message_id"])).to_have_count(1)
    await expect(card(page).locator("li")).to_have_count(before + 1)


async def test_the_card_fits_a_phone_and_works_by_keyboard(
    page: Page, ui_stack: Stack, control: SimulatorControl
) -> None:
    """At 360 px nothing sticks out; Enter on a focused button acts and the focus stays."""
    await page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    await open_dashboard(page, ui_stack)
    widths = await card(page).evaluate(
        "el => [el.getBoundingClientRect().right, el.shadowRoot.querySelector('.card')"
        ".scrollWidth, el.shadowRoot.querySelector('.card').clientWidth]"
    )
    assert widths[0] <= PHONE_WIDTH and widths[1] <= widths[2], widths
    message = newest_first(await control.voicemails())[0]
    name = caller(message["sender"])
    label = (MARK_UNREAD if message["read"] else MARK_READ).format(name)
    button = row(page, message["message_id"]).get_by_role("button", name=label)
    await expect(button).to_be_in_viewport()
    await button.focus()
    await page.keyboard.press("Enter")

    toggled = (MARK_READ if message["read"] else MARK_UNREAD).format(name)
    after = row(page, message["message_id"]).get_by_role("button", name=toggled)
    await expect(after).to_be_focused()
    stored = await server_message(control, message["message_id"])
    assert stored is not None and stored["read"] is not message["read"]
    await shoot(page, "card-phone")


async def _played_beyond(audio: Locator, seconds: float) -> bool | None:
    """Return True once the element plays (not paused, no error) past `seconds`."""
    state = await audio.evaluate(
        "el => ({paused: el.paused, time: el.currentTime, error: el.error && el.error.code})"
    )
    assert state["error"] is None, state
    return True if not state["paused"] and state["time"] > seconds else None
