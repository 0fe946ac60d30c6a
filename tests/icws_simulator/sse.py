"""Server-sent events on `GET /icws/{sessionId}/messaging/messages`."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from typing import TYPE_CHECKING

from aiohttp import web

from .responses import COMMON_HEADERS

if TYPE_CHECKING:
    from .simulator import IcwsSimulator
    from .state import RecordedRequest, Session

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
SSE_HEADERS = {
    **COMMON_HEADERS,
    "Content-Type": SSE_CONTENT_TYPE,
    "Cache-Control": "no-cache",
}
GONE_STATUS = 599
"""Recorded status of a request whose client went away before it was answered."""


def client_gone(request: web.Request) -> bool:
    """Whether the client closed the connection."""
    transport = request.transport
    return transport is None or transport.is_closing()


async def hold(sim: IcwsSimulator, request: web.Request, seconds: float) -> bool:
    """Wait `seconds` (`inf`: until shutdown); False when the client left or we close."""
    loop = asyncio.get_running_loop()
    deadline = math.inf if math.isinf(seconds) else loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        if client_gone(request) or sim.is_closing:
            return False
        await sim.sleep(min(remaining, 0.02))
    return not client_gone(request)


def event(message: str, event_id: int | None) -> str:
    """Frame one message as an unnamed event (a newline in it starts another `data:` line)."""
    if "\n" in message:
        message = message.replace("\n", "\ndata: ")
    prefix = f"id: {event_id}\n" if event_id is not None else ""
    return f"{prefix}data: {message}\n\n"


def _as_short_poll(session: Session, content_type: str) -> web.Response:
    """Answer as a server that ignores Accept: a short poll's array as `content_type`."""
    items = list(session.queue)
    session.queue.clear()
    body = ("[" + ",".join(items) + "]").encode()
    return web.Response(
        status=200, body=body, headers={**COMMON_HEADERS, "Content-Type": content_type}
    )


async def stream_messages(
    sim: IcwsSimulator, request: web.Request, session: Session, record: RecordedRequest
) -> web.StreamResponse:
    """Hold the stream open: one unnamed `data:` event per message, `:ping` comments between.

    A newer stream of the same session, `drop_event_streams()`, the end of the session
    (after its queue is flushed), `stream_max_events`, `stream_max_seconds` or the server
    shutting down ends this one.
    """
    settings = sim.settings
    if settings.stream_header_delay is not None and settings.stream_header_delay > 0:
        if not await hold(sim, request, settings.stream_header_delay):
            return web.Response(status=GONE_STATUS)
    headers = SSE_HEADERS
    if (content_type := settings.stream_content_type) is not None:
        if not content_type.lower().startswith("text/event-stream"):
            return _as_short_poll(session, content_type)
        headers = {**SSE_HEADERS, "Content-Type": content_type}
    session.stream_epoch += 1
    epoch = session.stream_epoch
    session.stream_abort = False
    session.raw_out.clear()
    session.wakeup.set()  # an older stream of this session notices the new epoch and ends
    if not settings.sse_replay_queued:
        session.queue.clear()
    response = web.StreamResponse(status=200, headers=headers)
    record.status = 200
    await response.prepare(request)
    session.streams_open += 1
    loop = asyncio.get_running_loop()
    max_events = settings.stream_max_events
    sent = 0
    deadline = (
        loop.time() + settings.stream_max_seconds
        if settings.stream_max_seconds is not None
        else math.inf
    )
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
            if client_gone(request):
                return response
            if loop.time() >= deadline:
                if settings.stream_cut_abort and request.transport is not None:
                    request.transport.close()
                    return response
                break
            while session.raw_out:
                await response.write(session.raw_out.popleft())
            if session.queue:
                chunks: list[str] = []
                while session.queue and (max_events is None or sent < max_events):
                    message = session.queue.popleft()
                    event_id = None
                    if settings.sse_event_ids:
                        session.event_counter += 1
                        event_id = session.event_counter
                    chunks.append(event(message, event_id))
                    sent += 1
                session.last_activity = time.monotonic()
                if chunks:
                    await response.write("".join(chunks).encode())
            if max_events is not None and sent >= max_events:
                break
            if session.queue or session.raw_out:
                continue
            if not session.alive:
                break
            now = loop.time()
            if now >= next_ping:
                await response.write(b":ping\n\n")
                next_ping = now + settings.sse_ping_interval
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(next_ping, deadline) - now):
                    await session.wakeup.wait()
    except ConnectionError:
        return response
    finally:
        session.streams_open -= 1
        session.last_activity = time.monotonic()
    with contextlib.suppress(ConnectionError):
        await response.write_eof()
    return response
