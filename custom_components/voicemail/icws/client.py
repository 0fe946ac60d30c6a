"""The ICWS client of one account: how to reach the server, and how to log in.

`IcwsClient.login()` makes one session (`IcwsSession`, with the operations); an
`IcwsConnection` (connection.py) keeps one session up for as long as it runs. The owner
creates the `aiohttp.ClientSession` (with `aiohttp.DummyCookieJar()`: the client keeps
the cookies itself, verbatim, per host) and closes it.
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from .backoff import Pacing
from .connection import ConnectionListener, IcwsConnection
from .errors import IcwsProtocolError
from .login import Credentials, Login, language_tag
from .session import IcwsSession
from .sse import DEFAULT_MAX_EVENT_BYTES
from .transport import TlsPolicy, Transport


class IcwsClient:
    """Reaches one PureConnect server (and its switchover partners) as one user."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        *,
        port: int = 8019,
        use_https: bool = True,
        verify_ssl: bool = True,
        username: str,
        password: str,
        application_name: str = "Home Assistant",
        language: str = "en-us",
        country: str | None = None,
        base_path: str = "",
        trusted_certificates: Mapping[str, str] | None = None,
        request_timeout: float = 10.0,
        poll_interval: float = 1.0,
        stream_read_timeout: float = 90.0,
        max_message_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        """Configure the client; nothing is sent before `login()`.

        `verify_ssl=True` verifies with the SSL context of the session's connector (the
        system's CAs, or e.g. `TCPConnector(ssl=context)` that trusts a private CA);
        `trusted_certificates` pins hosts to the SHA-256 fingerprint (hex) of their
        certificate instead; `verify_ssl=False` accepts any certificate.
        `base_path` is the path of a reverse proxy in front of ICWS (`/api/icserver1`).
        `language` (and `country`) become the session's `ll-rr` Accept-Language tag.
        `stream_read_timeout` is how long the event stream may stay silent before it is
        reopened (the server pings more often); `max_message_bytes` caps any one
        response body and any one event.
        """
        pins = {h.lower(): fp.lower() for h, fp in (trusted_certificates or {}).items()}
        self.transport = Transport(
            session,
            use_https=use_https,
            port=port,
            base_path=base_path,
            tls=TlsPolicy(verify_ssl, pins),
            request_timeout=request_timeout,
            max_body_bytes=max_message_bytes,
            secrets=(password,),
        )
        self._username = username
        self._login = Login(
            self.transport,
            Credentials(
                username=username,
                password=password,
                application_name=application_name,
                language=language_tag(language, country),
            ),
            host,
        )
        self.poll_interval = poll_interval
        self.stream_read_timeout = stream_read_timeout
        self.max_message_bytes = max_message_bytes

    def __repr__(self) -> str:
        """Host and user only: never a secret."""
        return f"IcwsClient(host={self.host!r}, port={self.transport.port}, user={self._username!r})"

    @property
    def host(self) -> str:
        """The host in use (changes after a switchover)."""
        return self._login.host

    @property
    def verifies_certificates(self) -> bool:
        """Whether certificates are checked (by the CAs, or by a pinned fingerprint)."""
        return self.transport.tls.verify

    @property
    def alternate_hosts(self) -> tuple[str, ...]:
        """The other hosts the server named at the last login."""
        return self._login.alternate_hosts

    async def login(self) -> IcwsSession:
        """Make a new session (following a switchover to another host if needed).

        The caller owns it and logs it out. Raises IcwsAuthenticationError for refused
        credentials, IcwsLoginRefusedError for another refusal for good,
        IcwsUnsupportedServerError when the server is too old for voicemail.
        """
        return await self._login.log_in()

    def connection(
        self, listener: ConnectionListener, pacing: Pacing | None = None
    ) -> IcwsConnection:
        """Return a connection that keeps a session of this client up (see `run()`)."""
        return IcwsConnection(self, listener, pacing)

    async def certificate_fingerprint(self, host: str | None = None) -> str:
        """Return the SHA-256 fingerprint (hex) of a host's TLS certificate.

        For the user to compare before trusting it. The handshake pins a fingerprint
        no certificate has, so aiohttp reports the one it got and closes the
        connection before a single byte of a request is sent.
        """
        host = host or self.host
        transport = self.transport
        impossible = aiohttp.Fingerprint(bytes(32))
        timeout = aiohttp.ClientTimeout(total=transport.request_timeout)
        url = transport.url(host, "/icws/connection/version")
        try:
            async with transport.http.get(url, ssl=impossible, timeout=timeout):
                pass
        except aiohttp.ServerFingerprintMismatch as err:
            return err.got.hex()
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            raise transport.connection_error(err, host) from err
        raise IcwsProtocolError(f"{host} presented no TLS certificate")
