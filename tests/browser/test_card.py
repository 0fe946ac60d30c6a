"""The voicemail card in a real browser: added from the card picker, then listened to and tidied.

Its own Home Assistant and simulator (the stack is per module): the account is added through the
API (tests/browser/test_ui.py adds it through the UI), a dashboard is created through the
WebSocket API, and the card is added to it as a user does: Edit dashboard -> Add card -> By card ->
search "Voicemail" -> Save. The tests run in file order, each continuing with the mailbox the previous
one left. Assertions are about what the card shows and what the ICWS server then holds.
"""

from __future__ import annotations

import base64
import re

from playwright.async_api import Locator, Page, expect

from scripts._dev.entry import EntryOutcome
from scripts._dev.hass_api import DEMO_USER, HassApi
from scripts._dev.simulator import SimulatorControl
from tests.audio import VOICEMAILS
from tests.browser.card_ui import (
    CARD_TYPE,
    DASHBOARD,
    DELETE,
    MARK_READ,
    MARK_UNREAD,
    PLAY_HERE,
    PLAY_THERE,
    action,
    caller,
    card,
    create_dashboard,
    newest_first,
    open_dashboard,
    row,
    server_message,
    unread_dot,
)
from tests.browser.ui import log_in, shoot
from tests.e2e.harness import (
    E2E_USER,
    EVENT_TIMEOUT,
    Stack,
    entry_entities,
    find_unique,
    wait_until,
)

PHONE_WIDTH = 360
BOB = next(vm for vm in VOICEMAILS if vm.name == "bob_mulaw.wav")


async def test_the_card_is_added_from_the_card_picker(
    page: Page, ui_stack: Stack, entry: EntryOutcome, api: HassApi
) -> None:
    """Edit dashboard -> Add card -> "Voicemail": the picker suggests the account's entity."""
    event_entity = find_unique(await entry_entities(api, entry.entry_id), "_events")
    await create_dashboard(api, [])
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
    """Every seeded message, newest first: its caller, unread dot, and a fax marked, not played.

    A fax has no audio: it is marked "Fax" and offers neither play button (read and delete
    stay); every voicemail offers both.
    """
    mailbox = newest_first(await control.voicemails())
    assert {vm["kind"] for vm in mailbox} == {"fax", "voicemail"}, mailbox
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
        fax = vm["kind"] == "fax"
        faxed = row(page, vm["message_id"]).get_by_text("Fax", exact=True)
        await expect(faxed).to_have_count(1 if fax else 0)
        plays = action(page, vm, PLAY_HERE).or_(action(page, vm, PLAY_THERE))
        await expect(plays).to_have_count(0 if fax else 2)
        await expect(action(page, vm, DELETE)).to_have_count(1)
    await shoot(page, "card")


async def test_a_message_plays_in_the_browser_and_is_then_read(
    page: Page, ui_stack: Stack, control: SimulatorControl
) -> None:
    """Play in the browser: the <audio> element plays and its time advances; marked read."""
    mailbox = newest_first(await control.voicemails())
    message = next(vm for vm in mailbox if vm["kind"] == "voicemail" and not vm["read"])
    await open_dashboard(page, ui_stack)
    await action(page, message, PLAY_HERE).click()

    audio = row(page, message["message_id"]).locator("audio")
    await expect(audio).to_have_count(1)
    await wait_until(
        lambda: _played_beyond(audio, 0.5), timeout=EVENT_TIMEOUT, what="audio plays"
    )
    bar = row(page, message["message_id"]).locator("progress")
    assert float(await bar.evaluate("el => el.value")) > 0
    # The time shown beside the bar moves on too.
    elapsed = row(page, message["message_id"]).locator(".elapsed")
    await expect(elapsed).not_to_have_text(re.compile(r"^0:00 /"))
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
    await open_dashboard(page, ui_stack)
    await expect(unread_dot(page, message["message_id"])).to_have_count(1)

    await action(page, message, MARK_READ).click()
    await expect(unread_dot(page, message["message_id"])).to_have_count(0)
    stored = await server_message(control, message["message_id"])
    assert stored is not None and stored["read"] is True

    await action(page, message, MARK_UNREAD).click()
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

    await action(page, message, DELETE).click()
    question = target.get_by_role("group", name=f"Delete the voicemail of {name}?")
    await expect(question).to_be_visible()
    await question.get_by_role("button", name="Cancel").click()
    await expect(question).to_have_count(0)
    assert await server_message(control, message["message_id"]) is not None

    await action(page, message, DELETE).click()
    await question.get_by_role("button", name="Delete", exact=True).click()
    await expect(target).to_have_count(0)
    assert await server_message(control, message["message_id"]) is None


async def test_a_new_voicemail_appears_without_reload(
    page: Page, ui_stack: Stack, control: SimulatorControl
) -> None:
    """A voicemail the server receives shows at the top of the open card, unread.

    Its duration follows once Home Assistant fetched its audio (no stt engine is set, so
    no `transcribed` event changes a state): pushed by `voicemail/subscribe`.
    """
    await open_dashboard(page, ui_stack)
    before = await card(page).locator("li").count()
    added = await control.command(
        "add-voicemail",
        user=E2E_USER,
        sender='"Carol Live" <+15557654321>',
        audio_base64=base64.b64encode(BOB.path.read_bytes()).decode(),
    )
    first = card(page).locator("li").first
    await expect(first).to_have_attribute("data-message-id", added["message_id"])
    await expect(first.locator(".caller")).to_have_text("Carol Live")
    await expect(unread_dot(page, added["message_id"])).to_have_count(1)
    await expect(card(page).locator("li")).to_have_count(before + 1)
    minutes, seconds = divmod(round(BOB.seconds), 60)
    await expect(first).to_contain_text(f"{minutes}:{seconds:02d}")


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
    button = action(page, message, MARK_UNREAD if message["read"] else MARK_READ)
    await expect(button).to_be_in_viewport()
    await button.focus()
    await page.keyboard.press("Enter")

    after = action(page, message, MARK_READ if message["read"] else MARK_UNREAD)
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


async def test_the_card_follows_the_dark_theme(page: Page, ui_stack: Stack) -> None:
    """Profile -> Theme mode -> Dark: the card turns dark with light text, as the theme says.

    Last in the file: the theme mode stays with the module's browser profile.
    """
    await open_dashboard(page, ui_stack)
    light = await _colours(page)
    assert _luminance(light["card"]) > 0.8, light

    await page.get_by_role("link", name=DEMO_USER.name).click()
    # The theme mode's options are slotted into a radio group: not its DOM descendants.
    dark_mode = page.get_by_role("radio", name="Dark", exact=True)
    await dark_mode.click()
    await expect(dark_mode).to_be_checked()
    await open_dashboard(page, ui_stack)
    dark = await _colours(page)
    # The card's colours are the theme's (resolved outside the card), and they are dark.
    assert {k: dark[k] for k in ("card", "caller", "meta")} == {
        "card": dark["theme_card"],
        "caller": dark["theme_text"],
        "meta": dark["theme_secondary"],
    }, dark
    assert _luminance(dark["card"]) < 0.1, dark
    assert _luminance(dark["caller"]) > 0.5, dark
    # Readable: WCAG AA contrast (4.5:1) for both the caller's name and the time line.
    assert _contrast(dark["caller"], dark["card"]) >= 4.5, dark
    assert _contrast(dark["meta"], dark["card"]) >= 4.5, dark
    await shoot(page, "card-dark")


# The computed colours of the card's background, of a caller and of a time line, and the
# theme's variables resolved in the page itself (outside the card's shadow root).
COLOURS = """el => {
  const root = el.shadowRoot;
  const colour = (node, property) => getComputedStyle(node)[property];
  const probe = document.createElement("span");
  document.body.append(probe);
  const theme = (variable) => { probe.style.color = `var(${variable})`; return colour(probe, "color"); };
  const found = {
    card: colour(root.querySelector(".card"), "backgroundColor"),
    caller: colour(root.querySelector(".caller"), "color"),
    meta: colour(root.querySelector(".meta"), "color"),
    theme_card: theme("--ha-card-background, var(--card-background-color)"),
    theme_text: theme("--primary-text-color"),
    theme_secondary: theme("--secondary-text-color"),
  };
  probe.remove();
  return found;
}"""


async def _colours(page: Page) -> dict[str, tuple[int, int, int]]:
    """Return the card's colours and the theme's, as (red, green, blue)."""
    found: dict[str, str] = await card(page).evaluate(COLOURS)
    return {key: _rgb(value) for key, value in found.items()}


def _rgb(css: str) -> tuple[int, int, int]:
    """Parse a computed colour, `rgb(r, g, b)` (an opaque one: a card is not see-through)."""
    match = re.fullmatch(r"rgb\((\d+), (\d+), (\d+)\)", css)
    assert match is not None, css
    red, green, blue = (int(part) for part in match.groups())
    return red, green, blue


def _luminance(rgb: tuple[int, int, int]) -> float:
    """Return the relative luminance of an sRGB colour (WCAG 2)."""
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in (part / 255 for part in rgb)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """Return the WCAG contrast ratio of two colours (1 to 21)."""
    lighter, darker = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
