"""A user in a real browser: logs in, adds the ICWS account, opens its device, plays and stops.

The tests run in file order on one Home Assistant (each one continues where the previous one
left the account); every assertion is about what the page shows, or what the ICWS server was
asked to do after a click. Texts of the integration come from its translations, so a change
there cannot leave these tests behind.
"""

from __future__ import annotations

from dataclasses import replace
import json
import re
from typing import Any
from urllib.parse import unquote

from playwright.async_api import Page, expect

from scripts._dev.config import INTEGRATION
from scripts._dev.hass_api import DEMO_USER, HassApi
from scripts._dev.simulator import SimulatorControl
from tests.browser.ui import (
    entity_row,
    fill_account_form,
    finish_button,
    log_in,
    open_devices_and_services,
    pick_integration,
    shoot,
    switch,
)
from tests.e2e.harness import (
    DOMAIN,
    EVENT_TIMEOUT,
    Stack,
    digest,
    entry_entities,
    find_unique,
    stop_requests,
    wait_until,
    with_buttons,
)

STRINGS: dict[str, Any] = json.loads(
    (INTEGRATION / "strings.json").read_text(encoding="utf-8")
)
NAME = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))["name"]
PLAY_TARGET = "1234"
# Tall enough for the whole device page of the seeded mailbox (README screenshots).
DEVICE_PAGE_HEIGHT = 1120


def entity_name(key: str) -> str:
    """Return the name of a sensor or event entity, from the translations."""
    for platform in ("sensor", "event"):
        if key in (names := STRINGS["entity"][platform]):
            return str(names[key]["name"])
    raise KeyError(key)


async def the_entry(api: HassApi) -> dict[str, Any]:
    """Return the one voicemail entry (the config flow test made it)."""
    entries = await api.config_entries(DOMAIN)
    assert len(entries) == 1, entries
    return entries[0]


async def open_device_page(page: Page, title: str) -> None:
    """Devices & services -> ICWS Voicemail -> the account's device."""
    await open_devices_and_services(page)
    await page.get_by_role("link", name=re.compile(rf"^{re.escape(NAME)}")).click()
    await page.get_by_role("button", name=re.compile(rf"^{re.escape(title)}")).click()
    await expect(page.get_by_text(title, exact=True).first).to_be_visible()


async def test_owner_logs_in_on_the_login_page(page: Page, ui_stack: Stack) -> None:
    """The login page takes the owner's name and password and opens the dashboard."""
    await log_in(page, ui_stack.hass.base_url, DEMO_USER)
    await expect(page.get_by_role("link", name="Settings")).to_be_visible()
    await expect(page.get_by_role("link", name=DEMO_USER.name)).to_be_visible()
    assert "/auth/" not in page.url


async def test_adding_the_account_refuses_a_wrong_password_then_succeeds(
    page: Page, ui_stack: Stack, api: HassApi
) -> None:
    """Add integration -> ICWS Voicemail: a wrong password is refused, the right one adds it."""
    await page.goto(ui_stack.hass.base_url)
    await open_devices_and_services(page)
    await pick_integration(page, NAME)
    step = STRINGS["config"]["step"]["user"]
    await expect(page.get_by_text(step["title"], exact=True)).to_be_visible()
    wrong = replace(ui_stack.connection, password="not-the-password")
    await fill_account_form(page, wrong)
    await shoot(page, "config-flow")
    await page.get_by_role("button", name="Submit").click()

    # The translated error, and the form as the user typed it (the password is asked again).
    await expect(
        page.get_by_text(STRINGS["config"]["error"]["invalid_auth"], exact=True)
    ).to_be_visible()
    labels = step["data"]
    await expect(page.get_by_role("textbox", name=labels["host"])).to_have_value(
        wrong.host
    )
    await expect(page.get_by_role("spinbutton", name=labels["port"])).to_have_value(
        str(wrong.port)
    )
    await expect(page.get_by_role("textbox", name=labels["username"])).to_have_value(
        wrong.username
    )
    await expect(switch(page, labels["ssl"])).to_be_checked()
    await expect(switch(page, labels["verify_ssl"])).not_to_be_checked()
    await expect(page.get_by_role("textbox", name=labels["password"])).to_have_value("")
    await shoot(page, "config-flow-error")
    assert await api.config_entries(DOMAIN) == []

    await page.get_by_role("textbox", name=labels["password"]).fill(
        ui_stack.connection.password
    )
    await page.get_by_role("button", name="Submit").click()

    # The login worked: where should voicemail play? Optional; left empty (decided later,
    # through the repair issue a Play raises: test_play_and_stop_buttons_on_the_device_page).
    play_step = STRINGS["config"]["step"]["play"]
    await expect(page.get_by_text(play_step["title"], exact=True)).to_be_visible()
    await expect(
        page.get_by_role("textbox", name=play_step["data"]["play_target"])
    ).to_have_value("")
    assert await api.config_entries(DOMAIN) == []
    await shoot(page, "config-flow-play")
    await page.get_by_role("button", name="Submit").click()

    # The success step names the account's device; closing it shows the integration.
    entry = await wait_until(
        lambda: _loaded_entry(api), timeout=EVENT_TIMEOUT, what="entry loaded"
    )
    await expect(page.get_by_role("textbox", name="Device name")).to_have_value(
        entry["title"]
    )
    await shoot(page, "config-flow-done")
    await finish_button(page).click()
    await expect(finish_button(page)).to_have_count(0)
    await open_devices_and_services(page)
    await expect(
        page.get_by_role("link", name=re.compile(rf"^{re.escape(NAME)}"))
    ).to_be_visible()
    await shoot(page, "integrations")


async def test_device_page_shows_the_mailbox(
    page: Page, ui_stack: Stack, api: HassApi, control: SimulatorControl
) -> None:
    """The device shows the counts, the playback state, the event and two buttons a message."""
    entry = await the_entry(api)
    mailbox = await control.voicemails()
    unread = sum(not vm["read"] for vm in mailbox)
    await page.goto(ui_stack.hass.base_url)
    await open_device_page(page, entry["title"])

    await expect(entity_row(page, entity_name("voicemails"))).to_contain_text(
        f"{len(mailbox)} voicemails"
    )
    await expect(entity_row(page, entity_name("unread_voicemails"))).to_contain_text(
        f"{unread} voicemails"
    )
    playback = STRINGS["entity"]["sensor"]["playback"]
    await expect(entity_row(page, playback["name"])).to_contain_text(
        playback["state"]["idle"]
    )
    await expect(entity_row(page, entity_name("voicemail"))).to_be_visible()
    # Per voicemail of the newest five (a fax has none) a Play and a Stop button, all of
    # them enabled: without a play target Play says why when pressed (the next test).
    buttoned = len(with_buttons(mailbox))
    rows = page.locator("hui-button-entity-row")
    await expect(rows).to_have_count(2 * buttoned)
    presses = page.get_by_role("button", name="Press")
    await expect(presses).to_have_count(2 * buttoned)
    await expect(presses.and_(page.locator(":disabled"))).to_have_count(0)
    await shoot(page, "device", height=DEVICE_PAGE_HEIGHT)


async def test_play_with_nowhere_to_play_leads_to_the_repair_that_sets_it(
    page: Page, ui_stack: Stack, api: HassApi, control: SimulatorControl
) -> None:
    """No play target yet: Play says where to set one; the repair issue's form sets it."""
    entry = await the_entry(api)
    newest = (await control.voicemails())[-1]
    play_name = await _button_name(api, entry, newest["message_id"], "play")
    await page.goto(ui_stack.hass.base_url)
    await open_device_page(page, entry["title"])

    await entity_row(page, play_name).get_by_role("button", name="Press").click()
    error = STRINGS["exceptions"]["no_play_target"]["message"].format(
        title=entry["title"]
    )
    await expect(page.get_by_text(error.rstrip(".")).first).to_be_visible()
    await shoot(page, "play-nowhere")
    assert (await control.state())["users"]["alice"]["playing"] is None

    # Settings shows the repair issue; its form asks where to play, as the options do.
    issue = STRINGS["issues"]["no_play_target"]
    await page.get_by_role("link", name="Settings").click()
    await page.get_by_text(issue["title"].format(title=entry["title"])).click()
    fix = issue["fix_flow"]["step"]["play"]
    await expect(
        page.get_by_text(fix["title"].format(title=entry["title"]), exact=True)
    ).to_be_visible()
    errors = issue["fix_flow"]["error"]
    await expect(page.get_by_text(errors["no_play_target_chosen"])).to_have_count(0)
    await page.get_by_role("textbox", name=fix["data"]["play_target"]).fill(PLAY_TARGET)
    await shoot(page, "repair-play-target")
    await page.get_by_role("button", name="Submit").click()
    await finish_button(page).click()
    await expect(
        page.get_by_text(issue["title"].format(title=entry["title"]))
    ).to_have_count(0)


async def test_play_and_stop_buttons_on_the_device_page(
    page: Page, ui_stack: Stack, api: HassApi, control: SimulatorControl
) -> None:
    """With a play target set (the repair above), Play rings it and Stop sends a stop."""
    entry = await the_entry(api)
    newest = (await control.voicemails())[-1]
    play_name = await _button_name(api, entry, newest["message_id"], "play")
    stop_name = await _button_name(api, entry, newest["message_id"], "stop")
    playback = STRINGS["entity"]["sensor"]["playback"]
    await page.goto(ui_stack.hass.base_url)
    await open_device_page(page, entry["title"])

    play = entity_row(page, play_name).get_by_role("button", name="Press")
    await expect(play).to_be_enabled()
    await play.click()
    await expect(entity_row(page, playback["name"])).to_contain_text(
        playback["state"]["playing"]
    )
    alice = (await control.state())["users"]["alice"]
    assert alice["playing"] == newest["message_id"]
    assert alice["play_target"] == PLAY_TARGET
    await shoot(page, "device-playing", height=DEVICE_PAGE_HEIGHT)

    before = len(await stop_requests(control))
    await entity_row(page, stop_name).get_by_role("button", name="Press").click()
    await expect(entity_row(page, playback["name"])).to_contain_text(
        playback["state"]["idle"]
    )
    stops = await stop_requests(control)
    assert len(stops) == before + 1
    assert newest["message_id"] in unquote(stops[-1]["path"])
    assert stops[-1]["status"] == 204


async def _loaded_entry(api: HassApi) -> dict[str, Any] | None:
    entries = await api.config_entries(DOMAIN)
    return entries[0] if entries and entries[0]["state"] == "loaded" else None


async def _button_name(
    api: HassApi, entry: dict[str, Any], message_id: str, key: str
) -> str:
    """Return the name a device page shows for a message's button (play or stop).

    That is the friendly name without the device's.
    """
    entities = await entry_entities(api, entry["entry_id"])
    state = await api.state(find_unique(entities, f"_{digest(message_id)}_{key}"))
    assert state is not None, message_id
    name = str(state["attributes"]["friendly_name"])
    return name.removeprefix(f"{entry['title']} ")
