"""The event channel of a session: one server-sent-events stream, or one short poll.

Nothing here retries or waits: each call is one attempt, and its outcome is typed. The
connection (connection.py) decides what to do next, with the one reconnect policy.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import logging
import time
from typing import Final

import aiohttp

from .errors import IcwsProtocolError, IcwsSessionRejectedError, IcwsStreamRefusedError
from .messages import parse_batch
from .models import IcwsEvent
from .parse import as_list, decode_json
from .session import MESSAGES, IcwsSession
from .sse import SseParser
from .transport import log_path

_LOGGER = logging.getLogger(__name__)

EVENT_STREAM: Final = "text/event-stream"


def _decode_event_data(data: str) -> object:
    """Return the JSON of one server-sent event; an empty batch when it is not JSON."""
    try:
        return decode_json(data)
    except IcwsProtocolError:
        _LOGGER.warning("Skipping a server-sent event that is not JSON")
        return []


def _batch(body: bytes) -> list[IcwsEvent]:
    """Return the events of a poll's answer: a JSON array (an empty body is none)."""
    if not body.strip():
        return []
    return list(parse_batch(as_list(decode_json(body), "a message list")))


async def poll(session: IcwsSession) -> list[IcwsEvent]:
    """Read the session's message queue once (a short poll drains it)."""
    transport = session.transport
    reply = await transport.send(
        "GET", session.host, session.path(MESSAGES), session.headers()
    )
    if reply.status == 401:
        raise IcwsSessionRejectedError(
            "Reading messages: the ICWS server rejected the session"
        )
    if not reply.ok:
        raise transport.error_for(
            reply, "Reading messages", operation=False, secrets=session.secrets()
        )
    return _batch(reply.body)


class EventStream:
    """One open server-sent-events response of a session."""

    def __init__(self, resp: aiohttp.ClientResponse, parser: SseParser) -> None:
        """Take over an open response."""
        self._resp = resp
        self._parser = parser
        self.opened = time.monotonic()
        self.delivered = 0
        """How many messages the stream delivered."""

    @property
    def retry(self) -> int | None:
        """The reconnection time the server asked for (`retry:`, milliseconds)."""
        return self._parser.retry

    @property
    def last_event_id(self) -> str:
        """The last event id the server gave (sent back when reopening)."""
        return self._parser.last_event_id

    async def events(self) -> AsyncGenerator[IcwsEvent]:
        """Yield the stream's messages until it ends.

        Ends normally when the server closes the stream or the connection drops (or
        stays silent for longer than the read timeout); raises IcwsProtocolError for an
        event over the size cap.
        """
        try:
            async for chunk in self._resp.content.iter_any():
                for sse in self._parser.feed(chunk):
                    for event in parse_batch(_decode_event_data(sse.data)):
                        self.delivered += 1
                        yield event
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            _LOGGER.debug("The event stream dropped: %s", type(err).__name__)
        finally:
            self.close()

    def close(self) -> None:
        """Close the stream's connection."""
        self._resp.close()


async def open_stream(
    session: IcwsSession,
    *,
    last_event_id: str,
    read_timeout: float,
    max_event_bytes: int,
) -> EventStream:
    """Open the session's event stream and wait for its response headers.

    Raises IcwsSessionRejectedError on 401, IcwsStreamRefusedError when the stream
    cannot be had although the server may still answer plain requests (another
    status, no headers within the request timeout, or an answer that is no event
    stream: its messages come with the error), IcwsConnectionError when the server
    cannot be reached.
    """
    transport = session.transport
    headers = session.headers(Accept=EVENT_STREAM, **{"Cache-Control": "no-cache"})
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    url = transport.url(session.host, session.path(MESSAGES))
    try:
        async with asyncio.timeout(transport.request_timeout):
            resp = await transport.http.get(
                url,
                headers=transport.headers(session.host, headers),
                ssl=transport.tls.for_host(session.host),
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=None, sock_read=read_timeout),
            )
    except TimeoutError as err:
        raise IcwsStreamRefusedError(
            "The event stream sent no response headers in time"
        ) from err
    except (aiohttp.ClientError, OSError) as err:
        raise transport.connection_error(err, session.host) from err
    _LOGGER.debug("GET %s (event stream) -> %s", log_path(url), resp.status)
    transport.take_cookies(session.host, resp)
    if resp.status == 401:
        resp.release()
        raise IcwsSessionRejectedError("The ICWS server rejected the event stream")
    if not 200 <= resp.status < 300:
        resp.close()
        raise IcwsStreamRefusedError(f"The event stream was refused ({resp.status})")
    if resp.content_type != EVENT_STREAM:
        # Not a stream after all: the answer is a poll's, and the server polls.
        try:
            events = _batch(await transport.read(resp))
        finally:
            resp.close()
        raise IcwsStreamRefusedError(
            "The server answered the event stream with JSON", events
        )
    return EventStream(resp, SseParser(last_event_id, max_event_bytes=max_event_bytes))
