"""Server-sent events on `GET /icws/{sessionId}/messaging/messages`."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING

from aiohttp import web

from .responses import COMMON_HEADERS

if TYPE_CHECKING:
    from .simulator import IcwsSimulator
    from .state import RecordedRequest, Session

SSE_HEADERS = {
    **COMMON_HEADERS,
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
}


def _closing(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


async def stream_messages(
    sim: IcwsSimulator, request: web.Request, session: Session, record: RecordedRequest
) -> web.StreamResponse:
    """Hold the stream open: one unnamed `data:` event per message, `:ping` comments between.

    A newer stream of the same session, `drop_event_streams()`, the end of the session
    (after its queue is flushed) or the server shutting down ends this one.
    """
    settings = sim.settings
    session.stream_epoch += 1
    epoch = session.stream_epoch
    session.stream_abort = False
    session.wakeup.set()  # an older stream of this session notices the new epoch and ends
    if not settings.sse_replay_queued:
        session.queue.clear()
    response = web.StreamResponse(status=200, headers=SSE_HEADERS)
    record.status = 200
    await response.prepare(request)
    session.streams_open += 1
    loop = asyncio.get_running_loop()
    try:
        if settings.sse_retry_ms is not None:
            await response.write(f"retry: {settings.sse_retry_ms}\n\n".encode())
        next_ping = loop.time() + settings.sse_ping_interval
        while True:
            session.wakeup.clear()
            if session.stream_epoch != epoch:
                if session.stream_abort and request.transport is not None:
                    request.transport.close()
                    return response
                break
            if _closing(request):
                return response
            if session.queue:
                chunks: list[str] = []
                while session.queue:
                    message = session.queue.popleft()
                    if settings.sse_event_ids:
                        session.event_counter += 1
                        chunks.append(f"id: {session.event_counter}\n")
                    chunks.append(f"data: {message}\n\n")
                session.last_activity = time.monotonic()
                await response.write("".join(chunks).encode())
                continue
            if not session.alive:
                break
            wait = next_ping - loop.time()
            if wait <= 0:
                await response.write(b":ping\n\n")
                next_ping = loop.time() + settings.sse_ping_interval
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await session.wakeup.wait()
    except ConnectionError:
        return response
    finally:
        session.streams_open -= 1
        session.last_activity = time.monotonic()
    with contextlib.suppress(ConnectionError):
        await response.write_eof()
    return response
