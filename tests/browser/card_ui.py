"""The voicemail card as the browser tests see it: its dashboard, its rows, its texts.

Shared by the card's test modules (tests/browser/test_card*.py); each has its own Home
Assistant, so each makes the dashboard (test_card.py then adds the card from the picker).
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Locator, Page, expect

from scripts._dev.hass_api import DEMO_USER, HassApi
from scripts._dev.simulator import SimulatorControl
from tests.browser.ui import log_in
from tests.e2e.harness import Stack

DASHBOARD = "voicemail-card"
CARD_TYPE = "custom:voicemail-card"
# English texts of the card (TEXTS.en in custom_components/voicemail/frontend/voicemail-card-texts.js).
PLAY_HERE = "Play {} in the browser"
PLAY_THERE = "Play {} on the phone or speaker"
STOP = "Stop playback of {}"
MARK_READ = "Mark {} read"
MARK_UNREAD = "Mark {} unread"
DELETE = "Delete {}"


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


def action(page: Page, message: dict[str, Any], label: str) -> Locator:
    """Return a button of a message's row by its label (a text above, e.g. PLAY_HERE)."""
    return row(page, message["message_id"]).get_by_role(
        "button", name=label.format(caller(message["sender"]))
    )


def unread_dot(page: Page, message_id: str) -> Locator:
    """Return a message's unread dot, by what it is called."""
    return row(page, message_id).get_by_role("img", name="Unread")


async def create_dashboard(api: HassApi, cards: list[dict[str, Any]]) -> None:
    """Create the card's dashboard (one view holding `cards`) over the WebSocket API."""
    async with await api.websocket() as ws:
        await ws.command(
            "lovelace/dashboards/create", url_path=DASHBOARD, title="Voicemail"
        )
        await ws.command(
            "lovelace/config/save",
            url_path=DASHBOARD,
            config={"views": [{"title": "Voicemail", "cards": cards}]},
        )


async def open_dashboard(page: Page, stack: Stack) -> None:
    """Open the card's dashboard; log in first when the profile has no session yet.

    Without a session the frontend itself goes to the login page, after the page loaded.
    """
    url = f"{stack.hass.base_url}/{DASHBOARD}/0"
    await page.goto(url)
    username = page.get_by_role("textbox", name="Username")
    await expect(card(page).or_(username)).to_be_visible()
    if await username.is_visible():
        await log_in(page, url, DEMO_USER)
    await expect(card(page)).to_be_visible()


async def server_message(
    control: SimulatorControl, message_id: str
) -> dict[str, Any] | None:
    """Return the message as the ICWS server holds it (None: gone)."""
    return next(
        (vm for vm in await control.voicemails() if vm["message_id"] == message_id),
        None,
    )
