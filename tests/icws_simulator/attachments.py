"""Attachment downloads: `GET` of a message's `fileUri`, and the default audio.

Served at `/icws/unified-messaging/attachments/<id>/<file>` (server-relative; any live
session cookie of the mailbox's owner) and `/icws/<sessionId>/unified-messaging/
attachments/<id>/<file>` (below the session, the cookie of that session).
"""

from __future__ import annotations

import functools
import io
import math
import struct
from typing import TYPE_CHECKING
from urllib.parse import unquote
import wave

from aiohttp import web

from .handlers import find_cookie
from .responses import (
    COMMON_HEADERS,
    COOKIE_EXPECTED,
    CSRF_EXPECTED,
    not_found,
    unauthorized,
)
from .state import Session, StoredVoicemail

if TYPE_CHECKING:
    from .simulator import IcwsSimulator

SAMPLE_RATE = 8000
CHUNKS = 8
"""A slow download (`attachment_delay`) is sent in this many chunks."""
FAX_PAGE = b"II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"
"""The default fax attachment: a TIFF header without pages (enough for a content check)."""


@functools.cache
def default_audio(seconds: float = 0.5, frequency: float = 440.0) -> bytes:
    """Return an 8 kHz 16-bit mono PCM WAV: a tone for half the time, then silence."""
    frames = int(SAMPLE_RATE * seconds)
    tone = frames // 2
    samples = [
        int(8000 * math.sin(2 * math.pi * frequency * n / SAMPLE_RATE))
        if n < tone
        else 0
        for n in range(frames)
    ]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(struct.pack(f"<{frames}h", *samples))
    return buffer.getvalue()


def content_of(sim: IcwsSimulator, vm: StoredVoicemail) -> tuple[bytes, str]:
    """Return the bytes and Content-Type a download of the message's attachment gets."""
    if vm.audio is not None:
        body = vm.audio
    else:
        body = FAX_PAGE if vm.kind == "fax" else default_audio()
    content_type = (
        vm.audio_mime
        or vm.mime_type(sim.settings)
        or ("image/tiff" if vm.kind == "fax" else "audio/wav")
    )
    return body, content_type


def _sessions_of_cookies(sim: IcwsSimulator, request: web.Request) -> list[Session]:
    """Return the live sessions whose `icws_<id>` cookie the request carries."""
    found: list[Session] = []
    for header in request.headers.getall("Cookie", []):
        for part in header.split(";"):
            name = part.strip().partition("=")[0].strip()
            if not name.startswith("icws_"):
                continue
            session = sim.sessions.get(name[5:])
            if session is None or not session.alive or session.forgotten:
                continue
            value = find_cookie(
                request, name, accept_quoted=sim.settings.accept_quoted_cookie
            )
            if value == session.cookie_value and session not in found:
                found.append(session)
    return found


async def download(
    sim: IcwsSimulator,
    request: web.Request,
    session: Session | None,
    raw_id: str,
    raw_file: str,
) -> web.StreamResponse:
    """Serve an attachment (`session` None: find it from the request's cookies)."""
    settings = sim.settings
    if session is None:
        candidates = _sessions_of_cookies(sim, request)
        if not candidates:
            return unauthorized(COOKIE_EXPECTED, error_code=4)
        token = request.headers.get("ININ-ICWS-CSRF-Token")
        if settings.attachment_requires_csrf:
            candidates = [s for s in candidates if s.csrf_token == token]
            if not candidates:
                return unauthorized(CSRF_EXPECTED, error_code=2)
        message_id = unquote(raw_id)
        session = next(
            (s for s in candidates if message_id in s.user.mailbox), candidates[0]
        )
    vm = session.user.mailbox.get(unquote(raw_id))
    if vm is None or vm.audio_missing or unquote(raw_file) != vm.file_name:
        return not_found("The attachment could not be found.")
    body, content_type = content_of(sim, vm)
    headers = {**COMMON_HEADERS, "Content-Type": content_type}
    if settings.attachment_delay <= 0 and settings.attachment_content_length:
        return web.Response(status=200, body=body, headers=headers)
    response = web.StreamResponse(status=200, headers=headers)
    if settings.attachment_content_length:
        response.content_length = len(body)
    else:
        response.enable_chunked_encoding()
    await response.prepare(request)
    size = max(1, math.ceil(len(body) / CHUNKS))
    pause = settings.attachment_delay / CHUNKS
    try:
        for start in range(0, max(len(body), 1), size):
            await sim.sleep(pause)
            await response.write(body[start : start + size])
        await response.write_eof()
    except ConnectionError:
        pass
    return response
