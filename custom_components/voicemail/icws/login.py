"""Logging in: `POST /icws/connection`, the switchover hops, the language retry.

A login tries the current host first. A 503 (or a 3xx) names the hosts to try next (a
switchover pair, or session managers); a host that cannot be reached sends the login to
the hosts remembered from the last successful login. At most `MAX_LOGIN_HOSTS` hosts are
tried, each once. A certificate that is not trusted ends the login at once: the password
is never sent to a host whose certificate was refused (the handshake fails first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import json
import logging
from typing import Final

from multidict import CIMultiDictProxy
from yarl import URL

from .errors import (
    IcwsAuthenticationError,
    IcwsCertificateError,
    IcwsConnectionError,
    IcwsError,
    IcwsLoginRefusedError,
    IcwsProtocolError,
    IcwsUnsupportedServerError,
)
from .models import SessionInfo
from .parse import ErrorBody, decode_json, parse_error, parse_login
from .session import IcwsSession
from .transport import ACCEPT, CONTENT_TYPE, Reply, Transport, safe_text

_LOGGER = logging.getLogger(__name__)

UNIFIED_MESSAGING: Final = "unified-messaging"
UNIFIED_MESSAGING_REQUIRED: Final = 2
MAX_LOGIN_HOSTS: Final = 8
"""At most this many hosts are tried by one login (switchover hops)."""
AUTHENTICATION_FAILURE: Final = "error.request.connection.authenticationFailure"
AUTHENTICATION_FAILURE_CODE: Final = -2147221503
FALLBACK_LANGUAGE: Final = "en-us"
_LOGIN_PATH: Final = "/icws/connection?include=features%2Cversion"
_LOGIN_TYPE: Final = "urn:inin.com:connection:icAuthConnectionRequestSettings"
# Languages whose region is not simply the language code (`de` -> `de-de`).
_DEFAULT_REGIONS: Final = {
    "en": "us",
    "ja": "jp",
    "ko": "kr",
    "zh": "cn",
    "sv": "se",
    "da": "dk",
    "nb": "no",
    "cs": "cz",
    "el": "gr",
    "he": "il",
    "uk": "ua",
    "pt": "br",
}


def language_tag(language: str, country: str | None = None) -> str:
    """Return an `ll-rr` Accept-Language tag (ICWS servers list languages like `en-us`).

    `en-GB` -> `en-gb`; `de` with country `AT` -> `de-at`; `de` alone -> `de-de`;
    a script subtag (`zh-Hant`) is dropped. Anything unreadable is `en-us`.
    """
    parts = [p for p in language.replace("_", "-").lower().split("-") if p]
    if not parts or not parts[0].isalpha() or not 2 <= len(parts[0]) <= 3:
        return FALLBACK_LANGUAGE
    region = next((p for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    if region is None and country and len(country) == 2 and country.isalpha():
        region = country.lower()
    if region is None:
        region = _DEFAULT_REGIONS.get(parts[0], parts[0])
    return f"{parts[0]}-{region}"


@dataclass(frozen=True, slots=True)
class Credentials:
    """Who logs in (the password never in a repr)."""

    username: str
    password: str = field(repr=False)
    application_name: str = "Home Assistant"
    language: str = FALLBACK_LANGUAGE

    def body(self) -> bytes:
        """Return the `icAuthConnectionRequestSettings` body."""
        return json.dumps(
            {
                "__type": _LOGIN_TYPE,
                "applicationName": self.application_name,
                "userID": self.username,
                "password": self.password,
            }
        ).encode()


class Login:
    """Logs in on the current host or its alternates, remembering where it worked."""

    def __init__(
        self, transport: Transport, credentials: Credentials, host: str
    ) -> None:
        """Start from the configured host; nothing is sent yet."""
        self._transport = transport
        self._credentials = credentials
        self.host = host
        """The host of the last successful login (changes after a switchover)."""
        self.alternate_hosts: tuple[str, ...] = ()
        """The `alternateHostList` of the last successful login."""

    async def log_in(self) -> IcwsSession:
        """Create a session; raise the typed error of the last refusal otherwise.

        IcwsAuthenticationError: the credentials were refused. IcwsLoginRefusedError:
        another refusal that retrying does not cure. IcwsUnsupportedServerError: the
        server's unified-messaging feature is older than version 2.
        """
        queue = [self.host]
        tried: set[str] = set()
        connection_error: IcwsConnectionError | None = None
        last_refusal: Reply | None = None
        while queue and len(tried) < MAX_LOGIN_HOSTS:
            host = queue.pop(0)
            if host.lower() in tried:
                continue
            tried.add(host.lower())
            try:
                reply = await self._post(host)
            except IcwsCertificateError:
                raise
            except IcwsConnectionError as err:
                connection_error = connection_error or err
                queue.extend(self.alternate_hosts)
                continue
            if reply.ok:
                return await self._accepted(host, reply)
            if reply.status == 503 or 300 <= reply.status < 400:
                alternates = _next_hosts(reply)
                _LOGGER.info(
                    "The ICWS server %s does not accept sessions (%s), trying %s",
                    host,
                    reply.status,
                    ", ".join(alternates) or "no other host",
                )
                if not alternates and reply.status != 503:
                    raise IcwsProtocolError(
                        f"The server answered the login with a redirect ({reply.status})"
                        " that names no other host"
                    )
                queue.extend(alternates)
                last_refusal = reply
                continue
            raise self._refusal(reply)
        if last_refusal is not None:
            raise self._transport.error_for(
                last_refusal, "Login", operation=False, secrets=self._secrets()
            )
        # Every host tried either answered (and was handled above) or failed.
        assert connection_error is not None
        raise connection_error

    async def _post(self, host: str) -> Reply:
        """Send the login to one host, once more in `en-us` if it refuses the language."""
        self._transport.cookies.forget_sessions(host)
        reply = await self._send(host, self._credentials.language)
        if (
            reply.status == 400
            and self._credentials.language != FALLBACK_LANGUAGE
            and _about_language(parse_error(reply.body))
        ):
            _LOGGER.info(
                "The ICWS server %s refused the language %s, using %s",
                host,
                self._credentials.language,
                FALLBACK_LANGUAGE,
            )
            reply = await self._send(host, FALLBACK_LANGUAGE)
        return reply

    async def _send(self, host: str, language: str) -> Reply:
        return await self._transport.send(
            "POST",
            host,
            _LOGIN_PATH,
            {
                "Accept-Language": language,
                "Content-Type": CONTENT_TYPE,
                "Accept": ACCEPT,
            },
            self._credentials.body(),
        )

    async def _accepted(self, host: str, reply: Reply) -> IcwsSession:
        """Build the session of a 201; check the server is new enough for voicemail."""
        session = self._session(host, reply)
        unified_messaging = session.info.feature(UNIFIED_MESSAGING)
        if unified_messaging is None or unified_messaging < UNIFIED_MESSAGING_REQUIRED:
            await session.logout()
            raise IcwsUnsupportedServerError(
                UNIFIED_MESSAGING, unified_messaging, UNIFIED_MESSAGING_REQUIRED
            )
        self.host = host
        if session.info.alternate_hosts:
            self.alternate_hosts = session.info.alternate_hosts
        _LOGGER.debug(
            "Logged in to %s (features %s)", host, dict(session.info.features)
        )
        return session

    def _session(self, host: str, reply: Reply) -> IcwsSession:
        """Read session id and CSRF token (headers first, then the body) and the cookie."""
        try:
            body: object = decode_json(reply.body) if reply.body else None
        except IcwsProtocolError:
            body = None
        parsed = parse_login(
            body,
            session_id=_header(reply.headers, "ININ-ICWS-Session-ID"),
            csrf_token=_header(reply.headers, "ININ-ICWS-CSRF-Token"),
        )
        if self._transport.cookies.session_cookie(host, parsed.session_id) is None:
            raise IcwsProtocolError("The login response has no icws_ session cookie")
        info = SessionInfo(
            user_id=parsed.user_id or self._credentials.username,
            user_display_name=parsed.user_display_name,
            ic_server=parsed.ic_server,
            host=host,
            alternate_hosts=parsed.alternate_hosts,
            features=parsed.features,
            version=parsed.version,
        )
        return IcwsSession(
            self._transport,
            info,
            session_id=parsed.session_id,
            csrf_token=parsed.csrf_token,
        )

    def _refusal(self, reply: Reply) -> IcwsError:
        """Return the error of a refused login.

        400 authenticationFailure: the credentials. Another 400 or a 403 with the
        server's own error (no licence, a session limit), or any status naming a
        licence: refused for good. Everything else (404 from a proxy, 429, 5xx) may
        pass.
        """
        error = parse_error(reply.body)
        if reply.status == 400 and (
            error.error_id == AUTHENTICATION_FAILURE
            or (
                error.error_id is None
                and error.error_code == AUTHENTICATION_FAILURE_CODE
            )
        ):
            return IcwsAuthenticationError(
                "The ICWS server refused the user name or password"
            )
        refused_for_good = (
            reply.status in (400, 403) and (error.error_id or error.message)
        ) or "licen" in (error.error_id or "").lower()
        if refused_for_good:
            message = safe_text(error.message, self._secrets()) or "no reason given"
            return IcwsLoginRefusedError(
                f"The ICWS server refused the login ({reply.status}): {message}",
                error_id=safe_text(error.error_id, self._secrets()),
                status=reply.status,
            )
        return self._transport.error_for(
            reply, "Login", operation=False, secrets=self._secrets(), error=error
        )

    def _secrets(self) -> tuple[str, ...]:
        return (self._credentials.password, *self._transport.cookies.values())


def _header(headers: CIMultiDictProxy[str], name: str) -> str | None:
    value = headers.get(name, "").strip()
    return value or None


def _about_language(error: ErrorBody) -> bool:
    """Whether a 400 at login is about the Accept-Language header."""
    texts = (error.property_name, error.message, error.error_id)
    return any("language" in (text or "").lower() for text in texts)


def _next_hosts(reply: Reply) -> list[str]:
    """Return the hosts named by a 503 (`alternateHostList`) or a 3xx (or its Location)."""
    hosts = list(parse_error(reply.body).alternate_hosts)
    if not hosts and 300 <= reply.status < 400:
        location = reply.headers.get("Location")
        if location:
            try:
                host = URL(location).host
            except ValueError:
                host = None
            if host:
                hosts.append(host)
    return hosts
