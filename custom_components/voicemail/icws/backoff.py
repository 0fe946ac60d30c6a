"""The pacing of a connection, and its one reconnect policy.

Every failure waits by the reconnect policy (5 s doubling up to 5 minutes, with jitter),
whoever noticed it: a login, a subscription, the event stream, an action's request. The
pacing is the client's own: no server answer can shorten it below the policy, and a
server's `retry:` only ever lengthens the wait before reopening a stream, up to
`Pacing.max_server_retry`.

All the connection's timing lives in one `Pacing`, so that a test can run the same
machine on a faster clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import random


@dataclass(frozen=True, slots=True)
class Pacing:
    """How long the connection waits for what (seconds)."""

    reconnect_min: float = 5.0
    reconnect_max: float = 300.0
    """The reconnect policy: `reconnect_min` doubling up to this."""
    max_server_retry: float = 60.0
    """A server's `retry:` is honoured up to a minute: it must not silence us for hours."""
    healthy_after: float = 60.0
    """A session that delivered this long ago is healthy: its loss is forgiven at once."""
    short_stream: float = 60.0
    """A stream that ends sooner than this ended early."""
    stream_retry: float = 600.0
    """While polling instead of streaming, the stream is tried again this often."""
    resync_interval: float = 1800.0
    """The safety net: a fresh snapshot this often."""
    resync_spacing: float = 5.0
    """At least this long between two resyncs (IceLib refuses a refresh within 5 s)."""
    ready_timeout: float = 30.0
    """How long an action waits for a login or a subscription that is under way."""

    def reconnect_delay(
        self, attempt: int, rand: Callable[[float, float], float] = random.uniform
    ) -> float:
        """Return the wait before retry `attempt` (from 0): the minimum doubling to the cap.

        Jitter spreads the reconnects of many clients; it only ever shortens the wait,
        to no less than half of it.
        """
        delay = min(self.reconnect_max, self.reconnect_min * 2 ** min(attempt, 16))
        return rand(delay / 2, delay)

    def server_retry(self, retry_ms: int | None) -> float:
        """Return the wait a server's `retry:` asks for before reopening a stream, capped."""
        if retry_ms is None:
            return 0.0
        return min(retry_ms / 1000, self.max_server_retry)


class Backoff:
    """Counts consecutive failures and says how long the next wait is."""

    def __init__(self, pacing: Pacing) -> None:
        """Start with no failure."""
        self._pacing = pacing
        self.failures = 0

    def next_delay(self) -> float:
        """Count one more failure and return the wait before the next attempt."""
        delay = self._pacing.reconnect_delay(self.failures)
        self.failures += 1
        return delay

    def reset(self) -> None:
        """Forget the failures: after a success the next wait is the shortest again."""
        self.failures = 0
