"""The floor on the ICWS side: a bare aiohttp client of the simulator, no integration code.

It logs in with one request, keeps the session's CSRF token and cookie, and sends exactly
the requests the limits need: play/stop (one round trip), the voicemail subscription
with a server-sent-events reader that only splits events at blank lines, and the download
of a message's attachment into a file.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
from pathlib import Path
import time
from urllib.parse import quote

import aiohttp

ICWS_JSON = "application/vnd.inin.icws+JSON;charset=utf-8"
LOGIN_TYPE = "urn:inin.com:connection:icAuthConnectionRequestSettings"
VOICEMAIL_SUBSCRIPTION = "messaging/subscriptions/unified-messaging/voicemail-messages"
# The simulator's fileUri of an attachment (its default `relative` style).
ATTACHMENTS = "/icws/unified-messaging/attachments"
CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class BareSession:
    """One logged-in ICWS session: the base URL and the headers every request carries."""

    base: str
    headers: dict[str, str]


async def login(
    http: aiohttp.ClientSession, url: str, user: str, password: str
) -> BareSession:
    """POST /icws/connection; return the session (raises on anything but 201)."""
    body = {
        "__type": LOGIN_TYPE,
        "applicationName": "bench",
        "userID": user,
        "password": password,
    }
    async with http.post(
        f"{url}/icws/connection",
        data=json.dumps(body),
        headers={"Content-Type": ICWS_JSON, "Accept-Language": "en-us"},
    ) as resp:
        answer = await resp.json(content_type=None)
        if resp.status != 201:
            raise RuntimeError(f"login: {resp.status} {answer!r}")
        session_id = str(answer["sessionId"])
        cookie = next(
            header.partition(";")[0]
            for header in resp.headers.getall("Set-Cookie")
            if header.startswith(f"icws_{session_id}=")
        )
    return BareSession(
        base=f"{url}/icws/{session_id}/",
        headers={
            "ININ-ICWS-CSRF-Token": answer["csrfToken"],
            "Cookie": cookie,
            "Content-Type": ICWS_JSON,
        },
    )


async def logout(http: aiohttp.ClientSession, session: BareSession) -> None:
    """DELETE /icws/{id}/connection."""
    async with http.delete(f"{session.base}connection", headers=session.headers):
        pass


async def stop(
    http: aiohttp.ClientSession, session: BareSession, message_id: str
) -> None:
    """One POST .../play/stop; the answer must be 204."""
    path = f"unified-messaging/{quote(message_id, safe='')}/voicemail-message/play/stop"
    async with http.post(session.base + path, headers=session.headers) as resp:
        await resp.read()
        if resp.status != 204:
            raise RuntimeError(f"stop: {resp.status}")


async def download(
    http: aiohttp.ClientSession,
    session: BareSession,
    url: str,
    *,
    message_id: str,
    file_name: str,
    target: Path,
) -> int:
    """GET a message's attachment (server-relative fileUri) into `target`; return its bytes.

    Chunks of 64 KiB written as they come, as the integration's download does (there in
    the executor; here in the loop: the bench has nothing else to do meanwhile).
    """
    path = f"{ATTACHMENTS}/{quote(message_id, safe='')}/{quote(file_name, safe='')}"
    size = 0
    async with http.get(url + path, headers=session.headers) as resp:
        if resp.status != 200:
            raise RuntimeError(f"download: {resp.status}")
        with target.open("wb") as file:
            async for chunk in resp.content.iter_chunked(CHUNK):
                file.write(chunk)
                size += len(chunk)
    return size


class BareEventStream:
    """An open server-sent-events stream of a session subscribed to the voicemail list."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        """Wrap the open response."""
        self.response = response
        self._buffer = b""

    @classmethod
    async def open(
        cls, http: aiohttp.ClientSession, session: BareSession
    ) -> BareEventStream:
        """Subscribe to the voicemail list and open the stream (the snapshot is read)."""
        async with http.put(
            session.base + VOICEMAIL_SUBSCRIPTION, headers=session.headers
        ) as resp:
            await resp.read()
            if resp.status >= 300:
                raise RuntimeError(f"subscribe: {resp.status}")
        response = await http.get(
            session.base + "messaging/messages",
            headers={**session.headers, "Accept": "text/event-stream"},
            timeout=aiohttp.ClientTimeout(total=None, sock_read=None),
        )
        if response.content_type != "text/event-stream":
            response.close()
            raise RuntimeError("the simulator does not stream (messaging < 2?)")
        stream = cls(response)
        await stream.next_event(30.0)  # the snapshot
        return stream

    async def next_event(self, timeout: float) -> tuple[float, bytes]:
        """Return (perf_counter when it was complete, its bytes) of the next event."""
        async with asyncio.timeout(timeout):
            while True:
                end = self._buffer.find(b"\n\n")
                if end != -1:
                    event, self._buffer = self._buffer[:end], self._buffer[end + 2 :]
                    if event.startswith(b":"):  # a keep-alive comment
                        continue
                    return time.perf_counter(), event
                chunk = await self.response.content.readany()
                if not chunk:
                    raise RuntimeError("the event stream ended")
                self._buffer += chunk

    def close(self) -> None:
        """Close the connection."""
        self.response.close()
