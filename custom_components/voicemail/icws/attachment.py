"""Fetching a message's recording: the `fileUri` of its attachment, streamed.

PROTOCOL.md §12 "Audio" and open question 15: the form of `fileUri` is in no source. It
may be relative to the server (`/icws/...`, with or without a reverse proxy's base path),
relative to the session (`unified-messaging/...`) or absolute. An absolute URI is fetched
only on the session's host or one of the alternate hosts the server named: the session's
cookies and CSRF token never go to another host, and never from https down to http.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import logging
from typing import TYPE_CHECKING, Final

import aiohttp
from yarl import URL

from .errors import (
    IcwsAttachmentMissingError,
    IcwsAttachmentRefusedError,
    IcwsAttachmentTooLargeError,
    IcwsSessionRejectedError,
)
from .transport import Reply, log_path

if TYPE_CHECKING:
    from .session import IcwsSession

_LOGGER = logging.getLogger(__name__)

_CHUNK: Final = 64 * 1024
_ERROR_BODY: Final = 64 * 1024
"""At most this much of an error answer is read (for its ICWS error text)."""

type Sink = Callable[[bytes], Awaitable[None]]
"""Receives the file chunk by chunk (the caller writes it somewhere)."""


@dataclass(frozen=True, slots=True)
class Download:
    """What a finished download told: the server's Content-Type and the size in bytes."""

    content_type: str | None
    size: int


def resolve(session: IcwsSession, file_uri: str) -> tuple[str, URL]:
    """Return the host and URL a `fileUri` is fetched from.

    Raises IcwsAttachmentMissingError for an empty URI, IcwsAttachmentRefusedError for
    one on another host, with another scheme, or that is not a URL.
    """
    transport = session.transport
    file_uri = file_uri.strip()
    if not file_uri:
        raise IcwsAttachmentMissingError("The message has no audio file")
    try:
        url = URL(file_uri, encoded=True)
        if url.absolute:
            return _absolute(session, url)
        if file_uri.startswith("/"):
            base = transport.base_path
            if base and (file_uri == base or file_uri.startswith(f"{base}/")):
                origin = transport.url(session.host, "")
                return session.host, URL(f"{origin.origin()}{file_uri}", encoded=True)
            return session.host, transport.url(session.host, file_uri)
        return session.host, transport.url(session.host, session.path(file_uri))
    except ValueError as err:
        raise IcwsAttachmentRefusedError(
            "The audio file's address is not a valid URL"
        ) from err


def _absolute(session: IcwsSession, url: URL) -> tuple[str, URL]:
    """Check an absolute `fileUri`: a known host, http(s), no downgrade from https."""
    scheme = url.scheme.lower()
    host = (url.host or "").lower()
    if scheme not in {"http", "https"}:
        raise IcwsAttachmentRefusedError(
            f"The audio file's address uses {scheme!r}, not http or https"
        )
    if session.transport.scheme == "https" and scheme != "https":
        raise IcwsAttachmentRefusedError(
            "The audio file's address is not https, but the session is"
        )
    known = {session.host.lower(), *(h.lower() for h in session.info.alternate_hosts)}
    if host not in known:
        raise IcwsAttachmentRefusedError(
            f"The audio file is on another host ({host}), which is not one of the"
            " ICWS server's; the session's cookies are not sent there"
        )
    return host, url


async def download(
    session: IcwsSession, file_uri: str, sink: Sink, *, max_bytes: int
) -> Download:
    """Stream the file at `file_uri` into `sink`, at most `max_bytes`.

    The request timeout applies to the answer's headers and to each pause between
    chunks (a slow, steady file completes). Raises IcwsSessionRejectedError on a 401
    (the connection logs in again), IcwsAttachmentMissingError on a 404 or 410,
    IcwsAttachmentRefusedError on a 403 or a redirect, IcwsAttachmentTooLargeError over
    `max_bytes`, the transport's errors else. An error of the sink is not wrapped.
    """
    host, url = resolve(session, file_uri)
    transport = session.transport
    timeout = transport.request_timeout
    headers = transport.headers(
        host, {"ININ-ICWS-CSRF-Token": session.csrf_token, "Accept": "*/*"}
    )
    loop = asyncio.get_running_loop()
    size = 0
    try:
        async with asyncio.timeout(timeout) as deadline:
            async with transport.http.get(
                url,
                headers=headers,
                ssl=transport.tls.for_host(host),
                allow_redirects=False,
            ) as resp:
                transport.take_cookies(host, resp)
                _LOGGER.debug("GET %s -> %s", log_path(url), resp.status)
                if not 200 <= resp.status < 300:
                    reply = Reply(resp.status, resp.headers, await _error_body(resp))
                    raise _status_error(session, reply)
                if (resp.content_length or 0) > max_bytes:
                    raise _too_large(max_bytes)
                content_type = resp.headers.get("Content-Type")
                async for chunk in resp.content.iter_chunked(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise _too_large(max_bytes)
                    await sink(chunk)
                    deadline.reschedule(loop.time() + timeout)
    except (aiohttp.ClientError, TimeoutError) as err:
        raise transport.connection_error(err, host) from err
    return Download(content_type, size)


async def _error_body(resp: aiohttp.ClientResponse) -> bytes:
    """Read the start of an error answer (its ICWS error text, if any)."""
    return await resp.content.read(_ERROR_BODY)


def _status_error(session: IcwsSession, reply: Reply) -> Exception:
    """Return the error for a download's non-2xx answer."""
    status = reply.status
    if status == 401:
        return IcwsSessionRejectedError(
            "Audio download: the ICWS server rejected the session"
        )
    if status in {404, 410}:
        return IcwsAttachmentMissingError(
            f"The ICWS server no longer has the audio file ({status})"
        )
    if status == 403 or 300 <= status < 400:
        return IcwsAttachmentRefusedError(
            f"The ICWS server refused the audio file ({status})"
        )
    return session.transport.error_for(
        reply, "Audio download", operation=False, secrets=session.secrets()
    )


def _too_large(limit: int) -> IcwsAttachmentTooLargeError:
    return IcwsAttachmentTooLargeError(
        f"The audio file is larger than {limit // (1024 * 1024)} MiB", limit=limit
    )
