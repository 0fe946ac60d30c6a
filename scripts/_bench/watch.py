"""Follow one entity's state over Home Assistant's WebSocket API (subscribe_entities)."""

from __future__ import annotations

from collections.abc import Callable
import time
from typing import Any

from scripts._dev.hass_api import HassApi, HassWebSocket


class StateWatcher:
    """The latest state of one entity, as a WebSocket client of Home Assistant sees it.

    `subscribe_entities` with an entity filter: Home Assistant sends the entity's state
    when subscribing ("a"), then only its changes ("c") and removal ("r"). The watcher has
    a WebSocket connection of its own, so that commands can be sent while it waits.
    """

    def __init__(self, ws: HassWebSocket, subscription: int, entity_id: str) -> None:
        """Use `subscribe()`."""
        self.ws = ws
        self.subscription = subscription
        self.entity_id = entity_id
        self.state: str | None = None

    @classmethod
    async def subscribe(cls, api: HassApi, entity_id: str) -> StateWatcher:
        """Connect, subscribe and read the current state."""
        ws = await api.websocket()
        subscription = await ws.subscribe("subscribe_entities", entity_ids=[entity_id])
        watcher = cls(ws, subscription, entity_id)
        await watcher._next(30.0)
        return watcher

    async def close(self) -> None:
        """Close the connection (which ends the subscription)."""
        await self.ws.close()

    async def _next(self, timeout: float) -> None:
        """Apply the next message of the subscription."""
        event: dict[str, Any] = await self.ws.next_event(self.subscription, timeout)
        if (added := event.get("a", {}).get(self.entity_id)) is not None:
            self.state = added.get("s")
        if (changed := event.get("c", {}).get(self.entity_id)) is not None:
            self.state = changed.get("+", {}).get("s", self.state)
        if self.entity_id in event.get("r", ()):
            self.state = None

    async def wait(
        self, predicate: Callable[[str | None], bool], timeout: float
    ) -> float:
        """Wait until the state satisfies `predicate`; return perf_counter at that moment."""
        deadline = time.perf_counter() + timeout
        while not predicate(self.state):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(
                    f"{self.entity_id}: state {self.state!r} did not change in time"
                )
            await self._next(remaining)
        return time.perf_counter()

    async def wait_changed(self, timeout: float) -> float:
        """Wait for a state other than the current one; return perf_counter then."""
        before = self.state
        return await self.wait(lambda state: state != before, timeout)
