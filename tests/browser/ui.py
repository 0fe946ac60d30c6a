"""Headless Chromium driven by Playwright, and the steps a user takes in Home Assistant's UI.

Home Assistant's frontend is web components with open shadow roots: Playwright's role and text
locators pierce them, so the steps find things by what a user reads (labels, headings, button
names), not by paths through the component tree. Slotted content is not inside a dialog's
shadow `<dialog>` element, so locators start from the page, with names unique on the screen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import os
from pathlib import Path
import re

from playwright.async_api import (
    BrowserContext,
    Locator,
    Page,
    ViewportSize,
    async_playwright,
)

from scripts._dev.config import REPO
from scripts._dev.entry import Connection
from scripts._dev.hass_api import Credentials

# Debian's chromium package; no browser is downloaded (scripts/_setup_browser.sh installs it).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Headless as root, and quiet: without the background-networking flags Chromium keeps trying
# to reach Google's services, which a machine without the internet refuses en masse.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
# scripts/screenshots sets this to docs/images: the tests then save what they show there.
SCREENSHOTS = "VOICEMAIL_SCREENSHOTS"


@asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[BrowserContext]:
    """Launch headless Chromium on the profile directory (created fresh by the caller)."""
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=list(CHROMIUM_ARGS),
            viewport=VIEWPORT,
            locale="en-US",
            timezone_id="UTC",
        )
        try:
            yield context
        finally:
            await context.close()


async def shoot(page: Page, name: str, *, height: int | None = None) -> None:
    """Save a screenshot for the README when scripts/screenshots asked for them.

    `height`: a taller window for the picture (a full-page capture would cut the sidebar).
    """
    if not (folder := os.environ.get(SCREENSHOTS)):
        return
    path = REPO / folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    if height is not None:
        await page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    try:
        await page.screenshot(path=path, animations="disabled")
    finally:
        await page.set_viewport_size(VIEWPORT)


async def log_in(page: Page, base_url: str, user: Credentials) -> None:
    """Open Home Assistant and sign in on its login page."""
    await page.goto(f"{base_url}/")
    await page.get_by_role("textbox", name="Username").fill(user.username)
    await page.get_by_role("textbox", name="Password").fill(user.password)
    await page.get_by_role("button", name="Log in").click()


async def open_devices_and_services(page: Page) -> None:
    """Open Settings -> Devices & services through the sidebar."""
    await page.get_by_role("link", name="Settings").click()
    await page.get_by_role("link", name="Devices & services").click()


async def pick_integration(page: Page, name: str) -> None:
    """Press "Add integration", search the brand list for `name` and choose it."""
    await page.get_by_role("button", name="Add integration").click()
    await page.get_by_placeholder("Search for a brand name").fill(name)
    await page.get_by_role("button", name=name, exact=True).click()


async def fill_account_form(page: Page, connection: Connection) -> None:
    """Fill the config flow's user step as a user would (HTTPS is on by default)."""
    await page.get_by_role("textbox", name="Host").fill(connection.host)
    await page.get_by_role("spinbutton", name="Port").fill(str(connection.port))
    await set_switch(page, "Use HTTPS", on=connection.ssl)
    await set_switch(page, "Verify the TLS certificate", on=connection.verify_ssl)
    await page.get_by_role("textbox", name="Username").fill(connection.username)
    await page.get_by_role("textbox", name="Password").fill(connection.password)


def switch(page: Page, label: str) -> Locator:
    """Return the switch of a boolean form field, found by the field's label.

    Frontend 2026.10 puts the label on the ha-switch element (the switch inside has no name);
    from 2026.11 the switch itself is named by the label (and its description).
    """
    return page.get_by_role("switch", name=label).or_(
        page.get_by_label(label, exact=True).get_by_role("switch")
    )


async def set_switch(page: Page, label: str, *, on: bool) -> None:
    """Click a form field's toggle (where a user clicks) when it is not in the wanted position."""
    if await switch(page, label).is_checked() != on:
        toggle = page.locator("ha-switch").filter(
            has=page.get_by_role("switch", name=label)
        )
        await toggle.or_(page.get_by_label(label, exact=True)).click()


def entity_row(page: Page, name: str) -> Locator:
    """Return an entity's row on a device page or card, found by the name it shows."""
    return page.locator("hui-generic-entity-row").filter(
        has=page.get_by_text(name, exact=True)
    )


def finish_button(page: Page) -> Locator:
    """Return the button that closes a flow's last step ("Finish", "Skip and finish")."""
    return page.get_by_role("button", name=re.compile(r"finish$", re.IGNORECASE))
