"""What the soak watches while it runs: the events Home Assistant fires, and samples.

- `EventLog`: every event the account's event entity fires (one WebSocket connection
  of its own), counted per event type and message id, as a state trigger sees them.
- `Samples`: every `SAMPLE_INTERVAL`, the live sessions of the user on the server, and
  Home Assistant's memory and asyncio tasks (the soak probe's WebSocket command).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from scripts._dev.hass_api import HassApi, HassWebSocket
from scripts._dev.simulator import SimulatorControl
from scripts._soak.stack import USER

SAMPLE_INTERVAL = 0.5


@dataclass
class EventLog:
    """The events of the account's event entity: (type, message id) -> how often."""

    entity_id: str
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def count(self, event_type: str, message_id: str) -> int:
        """How often this event fired for this message."""
        return self.counts[event_type, message_id]

    async def follow(self, api: HassApi) -> None:
        """Record every event of the entity (until cancelled)."""
        async with await api.websocket() as ws:
            subscription = await ws.subscribe(
                "subscribe_trigger",
                trigger={"platform": "state", "entity_id": self.entity_id},
            )
            while True:
                event = await ws.next_event(subscription, timeout=3600)
                trigger = event["variables"]["trigger"]
                old, new = trigger["from_state"], trigger["to_state"]
                # As an automation's state trigger counts them: a new timestamp after
                # a state that is not unavailable (coming back is no event).
                if (
                    new is None
                    or old is None
                    or new["state"] in ("unavailable", "unknown")
                    or old["state"] == "unavailable"
                    or old["state"] == new["state"]
                ):
                    continue
                attributes = new["attributes"]
                self.counts[attributes["event_type"], attributes["message_id"]] += 1


@dataclass
class Samples:
    """What was sampled, in order."""

    live_sessions: list[int] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    tasks: list[int] = field(default_factory=list)
    voicemail_tasks: list[int] = field(default_factory=list)

    async def follow(self, api: HassApi, control: SimulatorControl) -> None:
        """Sample until cancelled."""
        async with await api.websocket() as ws:
            while True:
                await self._sample(ws, control)
                await asyncio.sleep(SAMPLE_INTERVAL)

    async def _sample(self, ws: HassWebSocket, control: SimulatorControl) -> None:
        state = await control.state()
        self.live_sessions.append(
            sum(
                1
                for session in state["sessions"]
                if session["alive"] and session["user"] == USER
            )
        )
        stats: dict[str, Any] = await ws.command("soak_probe/stats")
        self.rss.append(stats["rss"])
        self.tasks.append(stats["tasks"])
        self.voicemail_tasks.append(stats["voicemail_tasks"])


async def stop(*tasks: asyncio.Task[None]) -> None:
    """Cancel the watchers and wait for them."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        with suppress(asyncio.CancelledError):
            await task
