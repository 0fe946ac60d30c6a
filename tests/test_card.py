"""The card is served from the integration and loaded on every dashboard (card.py)."""

from __future__ import annotations

from pathlib import Path

from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.voicemail import card
from custom_components.voicemail.card import (
    CARD_DIR,
    CARD_FILE,
    CARD_URL_BASE,
    files_version,
)
from custom_components.voicemail.const import DOMAIN

EDITOR_FILE = "voicemail-card-editor.js"


async def test_card_url_is_an_extra_module_of_the_frontend(hass: HomeAssistant) -> None:
    """Once per Home Assistant, without any account: one URL, versioned by the files."""
    assert await async_setup_component(hass, DOMAIN, {})
    urls = [
        url
        for url in hass.data[DATA_EXTRA_MODULE_URL].urls
        if url.startswith(CARD_URL_BASE)
    ]
    assert urls == [f"{CARD_URL_BASE}/{CARD_FILE}?v={files_version()}"]


async def test_card_files_are_served_without_login(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """The browser loads the card (and the files it imports) before anyone logs in."""
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_client_no_auth()
    names = sorted(path.name for path in CARD_DIR.glob("*.js"))
    assert {CARD_FILE, EDITOR_FILE} < set(names)  # and the texts and hash it imports
    for name in names:
        response = await client.get(f"{CARD_URL_BASE}/{name}?v={files_version()}")
        assert response.status == 200, name
        assert response.content_type in ("application/javascript", "text/javascript")
        assert await response.read() == (CARD_DIR / name).read_bytes()
    assert (await client.get(f"{CARD_URL_BASE}/missing.js")).status == 404


def test_version_changes_with_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A changed card gets a new URL, so browsers do not keep the old one cached."""
    monkeypatch.setattr(card, "CARD_DIR", tmp_path)
    (tmp_path / CARD_FILE).write_text("// one\n")
    (tmp_path / EDITOR_FILE).write_text("// editor\n")
    first = files_version()
    assert len(first) == 12
    assert files_version() == first
    (tmp_path / EDITOR_FILE).write_text("// editor, changed\n")
    assert files_version() != first
