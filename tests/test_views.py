"""The authenticated audio view: ranges, marking read, authentication, errors.

The real integration, the real client and the simulator over loopback, and the real
ffmpeg of `scripts/setup` (Home Assistant's `ffmpeg` integration finds it on PATH).
"""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

from homeassistant.components.http.auth import async_sign_path
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.voicemail.coordinator import VoicemailConfigEntry
from custom_components.voicemail.helpers import audio_url
from tests.icws_simulator import IcwsSimulator
from tests.icws_simulator.fixtures import USER

from .audio_helpers import BOB, async_add_spoken, cache_files
from .integration_helpers import wait_until

pytestmark = pytest.mark.usefixtures("media_source_loaded")


async def test_view_serves_ranges_and_marks_read_from_the_start(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Content-Length, 206 for a range; playing from the start marks the message read."""
    entry = init_integration
    message_id = await async_add_spoken(hass, sim, entry, BOB.path.read_bytes())
    client = await hass_client()
    url = audio_url(entry.entry_id, message_id)

    resp = await client.get(url, headers={"Range": "bytes=100-199"})
    assert resp.status == HTTPStatus.PARTIAL_CONTENT
    assert len(await resp.read()) == 100
    await hass.async_block_till_done()
    assert not sim.get_voicemail(USER, message_id).read

    resp = await client.get(url)
    assert resp.status == HTTPStatus.OK
    assert resp.headers["Content-Type"] == "audio/mpeg"
    body = await resp.read()
    assert int(resp.headers["Content-Length"]) == len(body) > 1000
    assert resp.headers["Accept-Ranges"] == "bytes"
    await wait_until(hass, lambda: entry.runtime_data.data.by_id[message_id].read)
    assert sim.get_voicemail(USER, message_id).read


async def test_view_needs_authentication_or_a_signed_path(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Without a token 401; a signed path (what media players get) works."""
    entry = init_integration
    message_id = await async_add_spoken(hass, sim, entry, BOB.path.read_bytes())
    client = await hass_client_no_auth()
    url = audio_url(entry.entry_id, message_id)
    assert (await client.get(url)).status == HTTPStatus.UNAUTHORIZED
    signed = async_sign_path(hass, url, timedelta(minutes=5))
    resp = await client.get(signed)
    assert resp.status == HTTPStatus.OK
    assert "icws" not in signed.lower()


@pytest.mark.parametrize("path", ["other-entry/0123", "{entry}/0123456789ab"])
async def test_view_unknown_account_or_message(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    hass_client: ClientSessionGenerator,
    path: str,
) -> None:
    """404 for an account that is not loaded or a message it does not have."""
    client = await hass_client()
    resp = await client.get(
        f"/api/voicemail/audio/{path.format(entry=init_integration.entry_id)}"
    )
    assert resp.status == HTTPStatus.NOT_FOUND


async def test_view_reports_a_missing_file(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """502 with the translated reason; nothing is cached."""
    entry = init_integration
    sim.inject_fault("/unified-messaging/attachments/", 404, count=None)
    message_id = await async_add_spoken(hass, sim, entry, BOB.path.read_bytes())
    client = await hass_client()
    resp = await client.get(audio_url(entry.entry_id, message_id))
    assert resp.status == HTTPStatus.BAD_GATEWAY
    assert "does not have the audio" in (await resp.json())["message"]
    assert cache_files(entry) == []
