"""Helpers of the audio tests: spoken voicemails into the mailbox, what is on disk."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.voicemail.const import DOMAIN
from custom_components.voicemail.coordinator import VoicemailConfigEntry
from custom_components.voicemail.helpers import message_digest
from tests.audio import VOICEMAILS
from tests.icws_simulator import IcwsSimulator
from tests.icws_simulator.fixtures import USER

from .integration_helpers import wait_until

BOB = next(vm for vm in VOICEMAILS if vm.name == "bob_mulaw.wav")
CAROL = next(vm for vm in VOICEMAILS if vm.name == "carol_gsm610.wav")


async def async_add_spoken(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    entry: VoicemailConfigEntry,
    audio: bytes,
    *,
    settle: bool = True,
    **options: Any,
) -> str:
    """Add a voicemail with this audio to the mailbox; return its id once HA has it.

    A new voicemail's audio is fetched at once (NewVoicemailWorker); `settle` waits
    until that fetch is over (whatever its outcome).
    """
    vm = sim.add_voicemail(USER, audio=audio, **options)
    audio_of = entry.runtime_data.audio
    await wait_until(hass, lambda: vm.message_id in entry.runtime_data.data.by_id)
    if settle:
        await wait_until(hass, lambda: not audio_of.busy)
    return vm.message_id


def media_id(entry: VoicemailConfigEntry, message_id: str) -> str:
    """Return the media source id of a message."""
    return f"media-source://{DOMAIN}/{entry.entry_id}/{message_digest(message_id)}"


def ffmpeg_children() -> list[int]:
    """Return the ids of ffmpeg processes this test process started that still run."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
        except OSError, ValueError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if int(fields[1]) == os.getpid() and "ffmpeg" in stat.split(")")[0]:
            found.append(int(proc.name))
    return found


def cache_files(entry: VoicemailConfigEntry) -> list[str]:
    """Return the names of the files in the account's cache directory."""
    directory = entry.runtime_data.audio.cache.directory
    return sorted(os.listdir(directory))
