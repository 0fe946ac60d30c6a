"""Attachment downloads at `fileUri` (PROTOCOL.md §12 "Audio", open question 15)."""

from __future__ import annotations

import asyncio
import io
import wave

import aiohttp
import pytest
from yarl import URL

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.server import RunningSimulator
from tests.icws_simulator.settings import AttachmentUriStyle

from .helpers import Login, login, poll, subscribe


async def _file_uris(client_session: aiohttp.ClientSession, lg: Login) -> list[str]:
    await subscribe(client_session, lg)
    (snapshot,) = await poll(client_session, lg)
    return [i["attachments"][0]["fileUri"] for i in snapshot["voicemailMessagesAdded"]]


async def _get(
    client_session: aiohttp.ClientSession, url: str | URL, headers: dict[str, str]
) -> tuple[int, bytes, aiohttp.ClientResponse]:
    async with client_session.get(url, headers=headers) as resp:
        return resp.status, await resp.read(), resp


async def test_relative_file_uri_serves_the_default_wav(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """The session cookie is enough; an 8 kHz 16-bit mono WAV with Content-Length."""
    uri = (await _file_uris(client_session, lg))[0]
    assert uri.startswith("/icws/unified-messaging/attachments/")
    status, body, resp = await _get(
        client_session, URL(icws_simulator.url + uri, encoded=True), lg.auth(csrf=False)
    )
    assert status == 200
    assert resp.headers["Content-Type"] == "audio/wav"
    assert int(resp.headers["Content-Length"]) == len(body)
    with wave.open(io.BytesIO(body)) as wav:
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (
            8000,
            2,
            1,
        )
        assert wav.getnframes() == 4000


async def test_download_needs_a_session_cookie_of_the_owner(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """401 without a cookie or with an ended session; 404 for another user's id."""
    sim = icws_simulator.sim
    uri = URL(
        icws_simulator.url + (await _file_uris(client_session, lg))[0], encoded=True
    )
    status, _, resp = await _get(client_session, uri, {})
    assert status == 401
    assert resp.headers["WWW-Authenticate"].startswith("ICWS ")
    sim.add_user("bob", "pw")
    bob = await login(client_session, icws_simulator.url, user="bob", password="pw")
    assert (await _get(client_session, uri, bob.auth()))[0] == 404
    sim.expire_sessions("alice")
    assert (await _get(client_session, uri, lg.auth()))[0] == 401


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(attachment_requires_csrf=True)]
)
async def test_attachment_requires_csrf(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """With the setting the CSRF header is needed too (errorCode 2 without it)."""
    uri = URL(
        icws_simulator.url + (await _file_uris(client_session, lg))[0], encoded=True
    )
    status, body, _ = await _get(client_session, uri, lg.auth(csrf=False))
    assert status == 401
    assert b'"errorCode":2' in body
    assert (await _get(client_session, uri, lg.auth()))[0] == 200


async def test_session_relative_file_uri(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """`session_relative`: resolved against `/icws/<sessionId>/`, the session's cookie."""
    icws_simulator.sim.settings.attachment_uri_style = "session_relative"
    uri = (await _file_uris(client_session, lg))[0]
    assert uri.startswith("unified-messaging/attachments/")
    url = lg.url(uri)
    assert (await _get(client_session, url, lg.auth(csrf=False)))[0] == 200
    assert (await _get(client_session, url, {}))[0] == 401


STYLES: list[tuple[AttachmentUriStyle, str]] = [
    ("absolute", "https://cic-icws:8019/icws/unified-messaging/attachments/"),
    ("absolute_own_host", "http://{host}/icws/unified-messaging/attachments/"),
    ("foreign", "https://media.example.net/icws/unified-messaging/attachments/"),
]


@pytest.mark.parametrize("case", STYLES)
async def test_absolute_file_uri_styles(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    case: tuple[AttachmentUriStyle, str],
) -> None:
    """Absolute forms; `absolute_own_host` names the host the session logged in to."""
    style, prefix = case
    icws_simulator.sim.settings.attachment_uri_style = style
    for host in ("primary.test", "backup.test"):
        base = icws_simulator.url_for(host)
        lg = await login(client_session, base)
        uri = (await _file_uris(client_session, lg))[-1]
        expected = prefix.format(host=f"{host}:{icws_simulator.port}")
        assert uri.startswith(expected)
        if style == "absolute_own_host":
            got = await _get(client_session, URL(uri, encoded=True), lg.auth())
            assert got[0] == 200


async def test_added_delta_uses_each_sessions_host(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Deltas are built per host for `absolute_own_host`."""
    sim = icws_simulator.sim
    sim.settings.attachment_uri_style = "absolute_own_host"
    sessions = []
    for host in ("primary.test", "backup.test"):
        lg = await login(client_session, icws_simulator.url_for(host))
        await subscribe(client_session, lg)
        await poll(client_session, lg)
        sessions.append((host, lg))
    sim.add_voicemail("alice", message_id="new")
    for host, lg in sessions:
        added = (await poll(client_session, lg))[0]["voicemailMessagesAdded"][0]
        assert added["attachments"][0]["fileUri"].startswith(f"http://{host}:")


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(base_path="/api/ic", base_path_in_file_uri=True)],
)
async def test_base_path_in_file_uri(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """A server that knows its proxy: the relative fileUri carries the base path."""
    lg = await login(client_session, f"{icws_simulator.url}/api/ic")
    uri = (await _file_uris(client_session, lg))[0]
    assert uri.startswith("/api/ic/icws/unified-messaging/attachments/")
    url = URL(icws_simulator.url + uri, encoded=True)
    assert (await _get(client_session, url, lg.auth()))[0] == 200


async def test_custom_audio_missing_file_and_fax(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Bytes and type per message; an empty file; a removed file 404; a fax's TIFF."""
    sim = icws_simulator.sim
    sim.add_voicemail(
        "alice", message_id="au", audio=b".snd1234", audio_mime="audio/basic"
    )
    sim.add_voicemail("alice", message_id="empty", audio=b"")
    uris = await _file_uris(client_session, lg)
    by_id = dict(
        zip([vm.message_id for vm in sim.voicemails("alice")], uris, strict=True)
    )

    def url(message_id: str) -> URL:
        return URL(icws_simulator.url + by_id[message_id], encoded=True)

    status, body, resp = await _get(client_session, url("au"), lg.auth())
    assert (status, body, resp.headers["Content-Type"]) == (
        200,
        b".snd1234",
        "audio/basic",
    )
    status, body, resp = await _get(client_session, url("empty"), lg.auth())
    assert (status, body, resp.headers["Content-Length"]) == (200, b"", "0")
    sim.remove_audio("alice", "au")
    assert (await _get(client_session, url("au"), lg.auth()))[0] == 404
    fax = next(vm for vm in sim.voicemails("alice") if vm.kind == "fax")
    status, body, resp = await _get(client_session, url(fax.message_id), lg.auth())
    assert (status, resp.headers["Content-Type"]) == (200, "image/tiff")
    assert body.startswith(b"II*\x00")
    wrong_name = URL(str(url("empty")).rsplit("/", 1)[0] + "/Other.wav", encoded=True)
    assert (await _get(client_session, wrong_name, lg.auth()))[0] == 404


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(attachment_delay=0.2)])
async def test_slow_attachment_comes_in_chunks(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """`attachment_delay`: Content-Length first, the bytes over the delay."""
    uri = URL(
        icws_simulator.url + (await _file_uris(client_session, lg))[0], encoded=True
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with client_session.get(uri, headers=lg.auth()) as resp:
        assert resp.status == 200
        headers_at = loop.time() - started
        body = await resp.read()
    assert headers_at < 0.2 <= loop.time() - started
    assert len(body) == int(resp.headers["Content-Length"])
