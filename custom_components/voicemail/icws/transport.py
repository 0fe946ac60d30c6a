"""HTTP for the client: requests to one host, cookies, TLS policy, size caps, error mapping.

Everything that turns aiohttp into typed ICWS answers lives here: the transport and
certificate errors, the one table from an error status to an error class, and the masking
of secrets in server texts. Sessions and logins build on `Transport`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
import logging
import ssl
from typing import Final

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from .cookies import CookieJar
from .errors import (
    IcwsCertificateError,
    IcwsConnectionError,
    IcwsGoneError,
    IcwsNotAllowedError,
    IcwsProtocolError,
    IcwsResponseError,
    IcwsServerError,
    IcwsTimeoutError,
)
from .parse import ErrorBody, parse_error

_LOGGER = logging.getLogger(__name__)

CONTENT_TYPE: Final = "application/vnd.inin.icws+JSON;charset=utf-8"
ACCEPT: Final = "application/vnd.inin.icws+JSON"
DEFAULT_MAX_BODY_BYTES: Final = 32 * 1024 * 1024
_MAX_SERVER_MESSAGE: Final = 300
_CHUNK: Final = 64 * 1024


@dataclass(frozen=True, slots=True)
class Reply:
    """A response read to the end."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    @property
    def ok(self) -> bool:
        """Whether the status is a success (2xx)."""
        return 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class TlsPolicy:
    """How the certificate of each host is checked.

    `verify` False accepts any certificate. Otherwise a host with a pinned SHA-256
    fingerprint (of its DER certificate, hex) must present exactly that certificate;
    every other host must present one the session's connector trusts.
    """

    verify: bool = True
    pins: Mapping[str, str] | None = None

    def for_host(self, host: str) -> bool | aiohttp.Fingerprint:
        """Return aiohttp's `ssl` argument for a request to `host`."""
        if not self.verify:
            return False
        pin = (self.pins or {}).get(host.lower())
        if pin is not None:
            return aiohttp.Fingerprint(bytes.fromhex(pin))
        return True


def normalize_base_path(value: str | None) -> str:
    """Return a reverse proxy's base path as `/a/b` (or "" for none).

    A trailing `/icws` is dropped: the client adds it to every path.
    """
    parts = [part for part in (value or "").strip().split("/") if part]
    if parts and parts[-1].lower() == "icws":
        parts.pop()
    return "".join(f"/{part}" for part in parts)


class Transport:
    """Requests to the hosts of one server, each host with its own cookies."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        use_https: bool,
        port: int,
        base_path: str,
        tls: TlsPolicy,
        request_timeout: float,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        secrets: Iterable[str] = (),
    ) -> None:
        """Configure the transport; nothing is sent yet.

        `secrets` (the password) are masked in every error message, like the cookies.
        """
        self.http = http
        self.scheme = "https" if use_https else "http"
        self.port = port
        self.base_path = normalize_base_path(base_path)
        self.tls = tls
        self.request_timeout = request_timeout
        self.max_body_bytes = max_body_bytes
        self.cookies = CookieJar()
        self.secrets = tuple(secrets)

    def url(self, host: str, path: str) -> URL:
        """Return the URL of `path` (already percent-encoded, from `/icws/`) on `host`.

        Raises IcwsConnectionError when `host` is not a host name.
        """
        try:
            origin = URL.build(scheme=self.scheme, host=host, port=self.port)
        except ValueError as err:
            raise IcwsConnectionError(f"{host!r} is not a valid host name") from err
        return URL(f"{origin}{self.base_path}{path}", encoded=True)

    def headers(self, host: str, extra: Mapping[str, str]) -> dict[str, str]:
        """Return the request headers: the host's cookies plus `extra`."""
        headers = dict(extra)
        if (cookie := self.cookies.header(host)) is not None:
            headers["Cookie"] = cookie
        return headers

    async def send(
        self,
        method: str,
        host: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes | None = None,
        *,
        timeout: float | None = None,
    ) -> Reply:
        """Send a request and read the whole answer (at most `max_body_bytes`)."""
        url = self.url(host, path)
        try:
            async with asyncio.timeout(timeout or self.request_timeout):
                async with self.http.request(
                    method,
                    url,
                    headers=self.headers(host, headers),
                    data=body,
                    ssl=self.tls.for_host(host),
                    allow_redirects=False,
                ) as resp:
                    self.take_cookies(host, resp)
                    reply = Reply(resp.status, resp.headers, await self.read(resp))
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            raise self.connection_error(err, host) from err
        if _LOGGER.isEnabledFor(logging.DEBUG):
            _LOGGER.debug("%s %s -> %s", method, log_path(url), reply.status)
        return reply

    def take_cookies(self, host: str, resp: aiohttp.ClientResponse) -> None:
        """Keep the cookies a response sets."""
        self.cookies.update(host, resp.headers.getall("Set-Cookie", ()))

    async def read(self, resp: aiohttp.ClientResponse) -> bytes:
        """Read a body of at most `max_body_bytes`; a larger one is a protocol error."""
        limit = self.max_body_bytes
        if (resp.content_length or 0) > limit:
            raise IcwsProtocolError(
                f"The server sent a body of more than {limit} bytes"
            )
        body = bytearray()
        async for chunk in resp.content.iter_chunked(_CHUNK):
            body += chunk
            if len(body) > limit:
                raise IcwsProtocolError(
                    f"The server sent a body of more than {limit} bytes"
                )
        return bytes(body)

    def connection_error(self, err: BaseException, host: str) -> IcwsConnectionError:
        """Return the typed error for an aiohttp, TLS or timeout failure."""
        where = f"{host}:{self.port}"
        if _is_certificate_error(err):
            return IcwsCertificateError(
                f"The TLS certificate of the ICWS server at {where} could not be"
                " verified (self-signed?); trust it or turn certificate verification off",
                host=host,
            )
        if isinstance(err, TimeoutError):
            return IcwsTimeoutError(
                f"The ICWS server at {where} did not answer in time"
            )
        return IcwsConnectionError(f"Cannot reach the ICWS server at {where}")

    def error_for(
        self,
        reply: Reply,
        what: str,
        *,
        operation: bool,
        secrets: Iterable[str] = (),
        error: ErrorBody | None = None,
    ) -> IcwsResponseError:
        """Return the typed error for an error status, with a message safe to show.

        `operation`: the request was about one message, so a 400 means "not allowed
        on a message of this type".
        """
        if error is None:
            error = parse_error(reply.body)
        status = reply.status
        if status == 400 and operation:
            cls: type[IcwsResponseError] = IcwsNotAllowedError
            generic = "the server does not allow this on that message"
        elif status == 410:
            cls = IcwsGoneError
            generic = "the server no longer offers this resource"
        elif status >= 500:
            cls = IcwsServerError
            generic = "the server failed"
        else:
            cls = IcwsResponseError
            generic = "the server refused the request"
        masked = (*secrets, *self.secrets, *self.cookies.values())
        server_message = safe_text(error.message, masked) or generic
        return cls(
            status,
            f"{what} failed ({status}): {server_message}",
            error_id=safe_text(error.error_id, masked),
            error_type=safe_text(error.error_type, masked),
            property_name=safe_text(error.property_name, masked),
            error_code=error.error_code,
            server_message=server_message,
        )


def _is_certificate_error(err: BaseException) -> bool:
    """Tell whether a failure is (or was caused by) a refused certificate."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(
            current,
            aiohttp.ClientConnectorCertificateError
            | aiohttp.ServerFingerprintMismatch
            | ssl.SSLCertVerificationError,
        ):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def log_path(url: URL) -> str:
    """Return the path of a URL for a log line, the session id replaced by `***`."""
    parts = url.raw_path.split("/")
    for index, part in enumerate(parts[:-1]):
        if part == "icws":
            if parts[index + 1] != "connection":
                parts[index + 1] = "***"
            break
    return "/".join(parts)


def safe_text(text: str | None, secrets: Iterable[str]) -> str | None:
    """Return server text fit for an error message: secrets masked, one short line."""
    if text is None:
        return None
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = "".join(c if c.isprintable() else " " for c in text).strip()
    if len(text) > _MAX_SERVER_MESSAGE:
        text = text[: _MAX_SERVER_MESSAGE - 1] + "…"
    return text
