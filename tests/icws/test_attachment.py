"""Downloading a message's recording at its `fileUri` (PROTOCOL.md §12 "Audio", question 15).

The real client against the simulator over loopback: every `fileUri` form the record
allows, the session's secrets kept to the server's own hosts, the size cap, the timeout,
and one re-login on a 401.
"""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.voicemail.icws import (
    IcwsAttachmentMissingError,
    IcwsAttachmentRefusedError,
    IcwsAttachmentTooLargeError,
    IcwsServerError,
    IcwsSession,
    IcwsTimeoutError,
    SessionInfo,
    VoicemailSnapshot,
)
from custom_components.voicemail.icws.attachment import Download, resolve
from custom_components.voicemail.icws.transport import TlsPolicy, Transport
from tests.icws_simulator import IcwsSimulator, SimulatorSettings
from tests.icws_simulator.attachments import content_of
from tests.icws_simulator.settings import AttachmentUriStyle

from .conftest import Connector, Running, logins

CAP = 1024 * 1024
ATTACHMENTS = "/unified-messaging/attachments/"


class Sink:
    """Collects the chunks a download writes."""

    def __init__(self) -> None:
        """Start empty."""
        self.chunks: list[bytes] = []

    async def __call__(self, chunk: bytes) -> None:
        """Keep one chunk."""
        self.chunks.append(chunk)

    @property
    def body(self) -> bytes:
        """Everything written."""
        return b"".join(self.chunks)


def newest_uri(run: Running) -> tuple[str, str]:
    """Return the id and `fileUri` of the newest voicemail of the first snapshot."""
    snapshot = next(e for e in run.recorder.seen if isinstance(e, VoicemailSnapshot))
    voicemail = next(vm for vm in reversed(snapshot.voicemails) if vm.audio is not None)
    assert voicemail.audio is not None
    return voicemail.message_id, voicemail.audio.file_uri


async def fetch(run: Running, uri: str, max_bytes: int = CAP) -> tuple[Download, bytes]:
    """Download through the connection (as the integration does); the answer and bytes."""
    sink = Sink()
    got = await run.connection.request(
        lambda session: session.download(uri, sink, max_bytes=max_bytes)
    )
    return got, sink.body


def expected(sim: IcwsSimulator, message_id: str) -> bytes:
    """Return the bytes the simulator serves for a message."""
    return content_of(sim, sim.get_voicemail("alice", message_id))[0]


@pytest.mark.parametrize("style", ["relative", "session_relative", "absolute_own_host"])
async def test_each_file_uri_form_downloads_the_recording(
    sim: IcwsSimulator, connect: Connector, style: AttachmentUriStyle
) -> None:
    """Server-relative, session-relative and absolute on the session's own host."""
    sim.settings.attachment_uri_style = style
    run = await connect()
    message_id, uri = newest_uri(run)
    got, body = await fetch(run, uri)
    assert body == expected(sim, message_id)
    assert got == Download("audio/wav", len(body))
    assert body.startswith(b"RIFF")


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(base_path="/api/ic", base_path_in_file_uri=True),
        SimulatorSettings(base_path="/api/ic", base_path_in_file_uri=False),
    ],
)
async def test_behind_a_reverse_proxy_with_or_without_its_base_path(
    sim: IcwsSimulator, connect: Connector
) -> None:
    """The base path is added once: whether the server knows its proxy or not."""
    run = await connect(base_path="/api/ic")
    message_id, uri = newest_uri(run)
    assert uri.startswith("/api/ic/icws/") is sim.settings.base_path_in_file_uri
    _, body = await fetch(run, uri)
    assert body == expected(sim, message_id)


@pytest.mark.parametrize("style", ["foreign", "absolute"])
async def test_another_host_is_refused_without_a_request(
    sim: IcwsSimulator, connect: Connector, style: AttachmentUriStyle
) -> None:
    """`https://media.example.net/...` (or the server's own name we never logged in to)."""
    sim.settings.attachment_uri_style = style
    run = await connect()
    _, uri = newest_uri(run)
    sim.clear_requests()
    with pytest.raises(IcwsAttachmentRefusedError, match="another host"):
        await fetch(run, uri)
    assert sim.requests_to(ATTACHMENTS) == []


async def test_a_missing_file_is_missing(
    sim: IcwsSimulator, connect: Connector
) -> None:
    """404 from the server: the file is gone (and the session stays)."""
    run = await connect()
    message_id, uri = newest_uri(run)
    sim.remove_audio("alice", message_id)
    with pytest.raises(IcwsAttachmentMissingError, match="404"):
        await fetch(run, uri)
    assert logins(sim) == 1


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (410, IcwsAttachmentMissingError, "410"),
        (403, IcwsAttachmentRefusedError, "refused the audio file"),
        (302, IcwsAttachmentRefusedError, "refused the audio file"),
        (500, IcwsServerError, "Audio download failed"),
    ],
)
async def test_error_answers(
    sim: IcwsSimulator,
    connect: Connector,
    status: int,
    error: type[Exception],
    text: str,
) -> None:
    """Each error status is its typed error; none costs the session."""
    run = await connect()
    _, uri = newest_uri(run)
    sim.inject_fault(ATTACHMENTS, status)
    with pytest.raises(error, match=text):
        await fetch(run, uri)
    assert logins(sim) == 1


async def test_a_401_logs_in_once_more_and_fetches_on_the_new_session(
    sim: IcwsSimulator, connect: Connector
) -> None:
    """The session expired silently: one re-login, then the file."""
    run = await connect()
    message_id, uri = newest_uri(run)
    old = run.session
    sim.expire_sessions("alice")
    _, body = await fetch(run, uri)
    assert body == expected(sim, message_id)
    assert logins(sim) == 2
    assert run.session is not old


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(attachment_content_length=True),
        SimulatorSettings(attachment_content_length=False),
    ],
)
async def test_the_size_cap_with_or_without_a_content_length(
    sim: IcwsSimulator, connect: Connector
) -> None:
    """Over the cap is an error whether the server says the size first or not."""
    run = await connect()
    message_id, uri = newest_uri(run)
    size = len(expected(sim, message_id))
    got, _ = await fetch(run, uri, max_bytes=size)
    assert got.size == size
    with pytest.raises(IcwsAttachmentTooLargeError) as caught:
        await fetch(run, uri, max_bytes=size - 1)
    assert caught.value.limit == size - 1


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(attachment_delay=0.8)])
async def test_a_slow_steady_file_completes_a_stalled_one_times_out(
    sim: IcwsSimulator, connect: Connector
) -> None:
    """The timeout is per pause: 8 chunks 0.1 s apart pass a 0.5 s timeout; 1 s pauses not."""
    run = await connect(request_timeout=0.5)
    message_id, uri = newest_uri(run)
    _, body = await fetch(run, uri)
    assert body == expected(sim, message_id)
    sim.settings.attachment_delay = 8.0
    with pytest.raises(IcwsTimeoutError):
        await fetch(run, uri)


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(attachment_requires_csrf=True)]
)
async def test_the_csrf_header_goes_along(
    sim: IcwsSimulator, connect: Connector
) -> None:
    """A server that wants the CSRF token on downloads too gets it."""
    run = await connect()
    message_id, uri = newest_uri(run)
    _, body = await fetch(run, uri)
    assert body == expected(sim, message_id)


def _session(http: aiohttp.ClientSession, use_https: bool) -> IcwsSession:
    """Return a session on `pbx.test` (nothing is sent: resolve() only reads it)."""
    transport = Transport(
        http,
        use_https=use_https,
        port=8019,
        base_path="",
        tls=TlsPolicy(),
        request_timeout=5.0,
    )
    info = SessionInfo("alice", None, None, "pbx.test", ("backup.test",))
    return IcwsSession(transport, info, "session-id", "csrf")


@pytest.mark.parametrize(
    ("use_https", "uri", "error", "text"),
    [
        (True, "http://pbx.test/icws/a.wav", IcwsAttachmentRefusedError, "not https"),
        (False, "ftp://pbx.test/a.wav", IcwsAttachmentRefusedError, "'ftp'"),
        (False, "http://[::1/a.wav", IcwsAttachmentRefusedError, "not a valid URL"),
        (False, "  ", IcwsAttachmentMissingError, "no audio file"),
    ],
)
async def test_addresses_that_are_not_fetched(
    client_session: aiohttp.ClientSession,
    use_https: bool,
    uri: str,
    error: type[Exception],
    text: str,
) -> None:
    """A downgrade to http, another scheme, a broken URL, an empty one."""
    with pytest.raises(error, match=text):
        resolve(_session(client_session, use_https), uri)


async def test_the_alternate_host_and_https_are_accepted(
    client_session: aiohttp.ClientSession,
) -> None:
    """An https URI on a named alternate host keeps its own port and path."""
    host, url = resolve(
        _session(client_session, True), "https://BACKUP.test:8443/icws/a%20b.wav?x=1"
    )
    assert (host, str(url)) == (
        "backup.test",
        "https://BACKUP.test:8443/icws/a%20b.wav?x=1",
    )
