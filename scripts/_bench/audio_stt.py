"""The audio section's transcription: a spoken voicemail added -> `transcribed`, and its floor.

With the entry's option stt_engine = stt.pocketsphinx (the dev component, loaded by the rig
when the Python of hass has pocketsphinx), each spoken file of tests/audio is added to the
simulator; the clock runs from sending the add to the event entity's `transcribed` state at
a WebSocket client (`subscribe_events` state_changed). Afterwards, on the same audio, the bench
times the floor's pieces one after the other: a bare download of the attachment, ffmpeg's MP3
transcode of it and its decode of that MP3 to 16 kHz PCM (the integration's command lines),
and the dev recognizer on that PCM (a Recognizer of the bench's own).
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
import time
from typing import Any

import aiohttp

from custom_components.voicemail.const import CONF_STT_ENGINE
from custom_components.voicemail.mailbox import TRANSCRIBED, TRANSCRIPTION_FAILED
from scripts._bench import bare
from scripts._bench.audio_pieces import (
    SENDER,
    WORK_DIR,
    mp3_command,
    pcm_command,
    run_ffmpeg,
)
from scripts._bench.rig import SIM_USER, Rig
from scripts._dev.audio_config import stt_available
from scripts._dev.components.dev_pocketsphinx.recognizer import Recognizer
from scripts._dev.entry import wait_entry_state
from scripts._dev.hass import hass_python
from scripts._dev.hass_api import HassWebSocket
from tests.audio import VOICEMAILS, Voicemail

STT_ENTITY = "stt.pocketsphinx"
EVENTS_KEY = "events"


@dataclass
class SttSample:
    """One spoken voicemail: add -> `transcribed` at a WebSocket client, and the floor."""

    file: str
    message_id: str
    file_name: str
    audio_seconds: float
    total: float
    """Seconds from sending add-voicemail to the `transcribed` state at a WebSocket client."""
    event: str
    transcript: str
    expected: str
    warmup: bool = False
    download: float = 0.0
    transcode: float = 0.0
    decode: float = 0.0
    engine: float = 0.0
    engine_transcript: str = ""

    @property
    def floor(self) -> float:
        """Download + MP3 transcode + PCM decode + the recognizer, seconds."""
        return self.download + self.transcode + self.decode + self.engine


async def set_stt_engine(rig: Rig, engine: str | None) -> None:
    """Run the options flow with stt_engine set (or left out); wait for the reload."""
    form: dict[str, Any] = await rig.api.post(
        "/api/config/config_entries/options/flow", {"handler": rig.entry_id}
    )
    values: dict[str, Any] = {}
    for item in form.get("data_schema", []):
        suggested = (item.get("description") or {}).get("suggested_value")
        value = suggested if suggested is not None else item.get("default")
        if value is not None:
            values[item["name"]] = value
    values.pop(CONF_STT_ENGINE, None)
    if engine is not None:
        values[CONF_STT_ENGINE] = engine
    await rig.api.post(
        f"/api/config/config_entries/options/flow/{form['flow_id']}", values
    )
    await asyncio.sleep(2.0)  # the options flow reloads the entry
    await wait_entry_state(rig.api, rig.entry_id, ("loaded",), timeout=60.0)


async def transcription(
    rig: Rig,
    sim: tuple[aiohttp.ClientSession, bare.BareSession],
    reps: int,
    events: str,
) -> tuple[list[SttSample], str]:
    """Spoken voicemails added -> `transcribed`; then the floor's pieces on the same audio.

    Returns the samples, or none and why the measurement was skipped.
    """
    if not stt_available(hass_python()):
        return [], "the Python of hass has no pocketsphinx: dev_pocketsphinx left out"
    if await rig.api.state(STT_ENTITY) is None:
        return [], f"{STT_ENTITY} is not loaded in the rig's hass"
    recognizer = await asyncio.to_thread(Recognizer)
    await set_stt_engine(rig, STT_ENTITY)
    ws = await rig.api.websocket()
    samples: list[SttSample] = []
    try:
        subscription = await ws.subscribe(
            "subscribe_events", event_type="state_changed"
        )
        # The first one warms both recognizers up (hass's, the bench's): not in the medians.
        for index in range(-1, reps):
            spoken = VOICEMAILS[index % len(VOICEMAILS)]
            sample = await _sample(rig, (ws, subscription, events), spoken)
            await _stt_floor(rig, sim, sample, recognizer)
            sample.warmup = index < 0
            samples.append(sample)
            await rig.control.command(
                "remove-voicemail", user=SIM_USER, message_id=sample.message_id
            )
            await asyncio.sleep(0.5)  # let the deletion settle
    finally:
        await ws.close()
        await set_stt_engine(rig, None)
    return samples, ""


async def _sample(
    rig: Rig, watch: tuple[HassWebSocket, int, str], spoken: Voicemail
) -> SttSample:
    """Add `spoken` to the simulator; wait for its `transcribed` event."""
    ws, subscription, events = watch
    started = time.perf_counter()
    added = await rig.control.command(
        "add-voicemail",
        user=SIM_USER,
        sender=SENDER,
        read=False,
        duration=spoken.seconds,
        file_name=spoken.name,
        audio_base64=base64.b64encode(spoken.path.read_bytes()).decode(),
        audio_mime=spoken.mime_type,
    )
    message_id = added["message_id"]
    while True:
        event = await ws.next_event(subscription, 120.0)
        data = event["data"]
        attributes = (data.get("new_state") or {}).get("attributes", {})
        if (
            data.get("entity_id") == events
            and attributes.get("message_id") == message_id
            and attributes.get("event_type") in (TRANSCRIBED, TRANSCRIPTION_FAILED)
        ):
            total = time.perf_counter() - started
            break
    return SttSample(
        file=spoken.name,
        message_id=message_id,
        file_name=added["file_name"],
        audio_seconds=spoken.seconds,
        total=total,
        event=attributes["event_type"],
        transcript=str(attributes.get("transcript") or ""),
        expected=spoken.text,
    )


async def _stt_floor(
    rig: Rig,
    sim: tuple[aiohttp.ClientSession, bare.BareSession],
    sample: SttSample,
    recognizer: Recognizer,
) -> None:
    """Time the floor's pieces on the sample's audio, one after the other, into `sample`.

    A bare download of the attachment, ffmpeg's MP3 transcode of it, ffmpeg's decode of
    that MP3 to 16 kHz PCM (read from its pipe to the end), the recognizer on that PCM.
    """
    sim_http, session = sim
    download, mp3 = WORK_DIR / "stt.download", WORK_DIR / "stt.mp3"
    started = time.perf_counter()
    await bare.download(
        sim_http,
        session,
        rig.sim_url,
        message_id=sample.message_id,
        file_name=sample.file_name,
        target=download,
    )
    sample.download = time.perf_counter() - started
    sample.transcode, _ = await run_ffmpeg(mp3_command(download, mp3))
    sample.decode, pcm = await run_ffmpeg(pcm_command(mp3))
    started = time.perf_counter()
    sample.engine_transcript = await asyncio.to_thread(recognizer.transcribe, pcm)
    sample.engine = time.perf_counter() - started
