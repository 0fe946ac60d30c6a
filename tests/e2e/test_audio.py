"""Hearing and reading voicemail in a real Home Assistant, through its WebSocket and HTTP APIs.

The media source is browsed and resolved over the WebSocket API as the frontend does;
the signed URL is fetched without credentials, as a cast device would, and decoded by
ffmpeg. Where Home Assistant's Python has pocketsphinx (scripts/develop's .venv), the
development engine transcribes a new voicemail and the `transcribed` event says so.
"""

from __future__ import annotations

import base64
from pathlib import Path
import time
from typing import Any

import aiohttp
import pytest

from custom_components.voicemail.intent import caller_name
from scripts._dev.audio_config import stt_available
from scripts._dev.entry import EntryOutcome
from scripts._dev.ffmpeg import decoded_seconds
from scripts._dev.hass_api import HassApi, HassApiError
from scripts._dev.simulator import SimulatorControl
from tests.audio import VOICEMAILS
from tests.e2e.harness import TRANSCRIBE_TIMEOUT, Stack

ROOT = "media-source://voicemail"
BOB = next(vm for vm in VOICEMAILS if vm.name == "bob_mulaw.wav")


async def _browse(api: HassApi, media_content_id: str) -> dict[str, Any]:
    async with await api.websocket() as ws:
        result: dict[str, Any] = await ws.command(
            "media_source/browse_media", media_content_id=media_content_id
        )
    return result


async def test_browse_resolve_fetch_and_decode(
    stack: Stack,
    api: HassApi,
    session: aiohttp.ClientSession,
    control: SimulatorControl,
    *,
    entry: EntryOutcome,
    tmp_path: Path,
) -> None:
    """Voicemail → account → newest message; its signed URL serves an MP3 of its length."""
    root = await _browse(api, ROOT)
    [account] = [
        c for c in root["children"] if c["media_content_id"].endswith(entry.entry_id)
    ]
    messages = (await _browse(api, account["media_content_id"]))["children"]
    mailbox = await control.voicemails()
    newest = max(
        (vm for vm in mailbox if vm["kind"] == "voicemail"),
        key=lambda vm: vm["received"],
    )
    assert caller_name(newest["sender"]) in messages[0]["title"]
    assert all(m["can_play"] for m in messages)

    async with await api.websocket() as ws:
        resolved = await ws.command(
            "media_source/resolve_media",
            media_content_id=messages[0]["media_content_id"],
        )
    url: str = resolved["url"]
    assert url.startswith("/api/voicemail/audio/")
    assert "authSig=" in url
    assert resolved["mime_type"] == "audio/mpeg"

    async with session.get(f"{stack.hass.base_url}{url}") as response:
        assert response.status == 200
        body = await response.read()
        assert int(response.headers["Content-Length"]) == len(body)
    async with session.get(
        f"{stack.hass.base_url}{url}", headers={"Range": "bytes=0-99"}
    ) as response:
        assert response.status == 206
        assert len(await response.read()) == 100
    mp3 = tmp_path / "newest.mp3"
    mp3.write_bytes(body)
    spoken = {vm.name: vm for vm in VOICEMAILS}
    expected = next(
        (
            vm.seconds
            for vm in spoken.values()
            if vm.path.stat().st_size == newest["audio_bytes"]
        ),
        None,
    )
    assert expected is not None
    assert abs(decoded_seconds(mp3) - expected) < 0.2


async def test_a_new_voicemail_is_transcribed_by_the_development_engine(
    stack: Stack,
    api: HassApi,
    control: SimulatorControl,
    entry: EntryOutcome,
) -> None:
    """Options name stt.pocketsphinx; a new spoken voicemail fires `transcribed`.

    Home Assistant versions whose Python lacks pocketsphinx have no engine: there the
    failure is the translated "no engine" answer of `voicemail.transcribe`.
    """
    if not stt_available(stack.hass.python):
        with pytest.raises(HassApiError) as caught:
            await api.post("/api/services/voicemail/transcribe?return_response", {})
        assert caught.value.status == 400
        assert "No speech-to-text engine is set" in str(caught.value.body)
        return
    await api.set_options(entry.entry_id, {"stt_engine": "stt.pocketsphinx"})
    async with await api.websocket() as ws:
        subscription = await ws.subscribe(
            "subscribe_events", event_type="state_changed"
        )
        started = time.monotonic()
        added = await control.command(
            "add-voicemail",
            user="alice",
            sender="Bob Smith <+15551234>",
            audio_base64=base64.b64encode(BOB.path.read_bytes()).decode(),
        )
        transcript = None
        while transcript is None:
            remaining = TRANSCRIBE_TIMEOUT - (time.monotonic() - started)
            event = await ws.next_event(subscription, timeout=max(remaining, 0.1))
            new = event["data"].get("new_state") or {}
            attributes = new.get("attributes", {})
            if (
                new.get("entity_id", "").startswith("event.")
                and attributes.get("event_type") == "transcribed"
                and attributes.get("message_id") == added["message_id"]
            ):
                transcript = attributes["transcript"]
    assert "call me back" in transcript
    assert "five five five" in transcript
