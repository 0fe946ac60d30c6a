"""The asyncio ICWS client: one session, the voicemail operations and the event channel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
import json
import logging
import ssl
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from .errors import (
    IcwsAuthenticationError,
    IcwsCertificateError,
    IcwsConnectionError,
    IcwsError,
    IcwsGoneError,
    IcwsNotAllowedError,
    IcwsProtocolError,
    IcwsResponseError,
    IcwsServerError,
    IcwsSessionError,
    IcwsTimeoutError,
    IcwsUnsupportedServerError,
)
from .models import (
    ConnectionState,
    ConnectionStateChange,
    IcwsEvent,
    MessageState,
    SessionInfo,
    SessionReplaced,
)
from .parse import (
    ErrorBody,
    LoginReply,
    as_list,
    decode_json,
    parse_error,
    parse_login,
    parse_message,
)
from .sse import SseParser

_LOGGER = logging.getLogger(__name__)

CONTENT_TYPE: Final = "application/vnd.inin.icws+JSON;charset=utf-8"
ACCEPT: Final = "application/vnd.inin.icws+JSON"
EVENT_STREAM: Final = "text/event-stream"
UNIFIED_MESSAGING: Final = "unified-messaging"
UNIFIED_MESSAGING_REQUIRED: Final = 2
MESSAGING: Final = "messaging"
MESSAGING_SSE: Final = 2
"""`messaging` feature version from which the server offers server-sent events."""
MAX_LOGIN_HOSTS: Final = 8
"""At most this many hosts are tried by one login (switchover hops)."""
AUTHENTICATION_FAILURE: Final = "error.request.connection.authenticationFailure"
AUTHENTICATION_FAILURE_CODE: Final = -2147221503
MAX_RECONNECT_DELAY: Final = 30.0

_VOICEMAIL_SUBSCRIPTION: Final = (
    "messaging/subscriptions/unified-messaging/voicemail-messages"
)
_MWI_SUBSCRIPTION: Final = (
    "messaging/subscriptions/unified-messaging/messages-waiting-indicator"
)
_MESSAGES: Final = "messaging/messages"
_CURRENT_STATION: Final = {"__type": "urn:inin.com:unifiedMessaging:currentStation"}
_PLAY_TARGET_TYPE: Final = "urn:inin.com:unifiedMessaging:voicemailPlayTarget"
_LOGIN_TYPE: Final = "urn:inin.com:connection:icAuthConnectionRequestSettings"
_MAX_SERVER_MESSAGE: Final = 300


def quote_id(value: str) -> str:
    """Percent-encode an opaque id for one URL path segment.

    Every character that is not unreserved (RFC 3986: letters, digits, ``-._~``) is
    encoded, so IMAP-style ids with ``/ ; : @ =`` stay one segment.
    """
    return quote(value, safe="")


@dataclass(slots=True, eq=False)
class _Session:
    """One ICWS session: its secrets and the headers that carry them."""

    epoch: int
    info: SessionInfo
    session_id: str = field(repr=False)
    csrf_token: str = field(repr=False)
    cookie: str = field(repr=False)
    base: str = field(repr=False)
    """`scheme://host:port/icws/<quoted session id>/`, already encoded."""
    headers: Mapping[str, str] = field(repr=False)
    use_sse: bool = True

    def url(self, suffix: str) -> URL:
        """Return the URL of a session resource (`suffix` is already percent-encoded)."""
        return URL(self.base + suffix, encoded=True)

    def secrets(self) -> tuple[str, ...]:
        """Return the values that must never reach a log line or an error message."""
        value = self.cookie.partition("=")[2]
        return tuple(
            s for s in (self.session_id, self.csrf_token, self.cookie, value) if s
        )


@dataclass(frozen=True, slots=True)
class _Reply:
    """A response read to the end."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


class IcwsClient:
    """Client of one ICWS user session on a PureConnect server.

    The owner creates the `aiohttp.ClientSession` (with `aiohttp.DummyCookieJar()`: the
    client sends the session cookie itself, verbatim) and closes it.
    """

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
        request_timeout: float = 10.0,
        poll_interval: float = 1.0,
        stream_read_timeout: float = 90.0,
    ) -> None:
        """Configure the client; nothing is sent before `login()`.

        `verify_ssl=True` verifies with the SSL context of the session's connector (the
        system's CAs, or e.g. `TCPConnector(ssl=context)` that trusts a private CA);
        `verify_ssl=False` accepts any certificate.

        `stream_read_timeout` is how long the event stream may stay silent before it is
        reopened; the server pings more often than that.
        """
        self._http = session
        self._host = host
        self._port = port
        self._scheme = "https" if use_https else "http"
        self._ssl = verify_ssl
        self._username = username
        self._password = password
        self._application_name = application_name
        self._language = language
        self._request_timeout = request_timeout
        self._poll_interval = poll_interval
        self._stream_timeout = aiohttp.ClientTimeout(
            total=None, sock_read=stream_read_timeout
        )
        self._alternate_hosts: tuple[str, ...] = ()
        self._session: _Session | None = None
        self._epoch = 0
        """Counts login attempts; a session remembers the one that made it."""
        self._last_login_error: IcwsError | None = None
        self._login_lock = asyncio.Lock()
        self._logged_out = False
        self._streams: dict[aiohttp.ClientResponse, _Session] = {}
        self._last_event_id = ""

    def __repr__(self) -> str:
        """Host and user only: never a secret."""
        return f"IcwsClient(host={self.host!r}, port={self._port}, user={self._username!r})"

    @property
    def host(self) -> str:
        """The host in use (changes after a switchover)."""
        return self._host

    @property
    def session_info(self) -> SessionInfo | None:
        """The current session, None before login and after logout."""
        return None if self._session is None else self._session.info

    # --- Session lifecycle ----------------------------------------------------------

    async def login(self) -> SessionInfo:
        """Start a new session (following a switchover to another host if needed).

        Raises IcwsAuthenticationError for bad credentials and IcwsUnsupportedServerError
        when the server's unified-messaging feature is older than version 2.
        """
        async with self._login_lock:
            self._logged_out = False
            return (await self._login_locked()).info

    async def logout(self) -> None:
        """End the session. A dead session or an unreachable server is not an error."""
        session, self._session = self._session, None
        self._logged_out = True
        self._close_streams(None)
        if session is None:
            return
        try:
            reply = await self._send(
                "DELETE", session.url("connection"), session.headers
            )
        except IcwsError as err:
            _LOGGER.debug("Logout did not reach the server: %s", err)
            return
        _LOGGER.debug("Logout answered %s", reply.status)

    async def _login_locked(self) -> _Session:
        """Log in (the caller holds the login lock); replaces the current session."""
        self._epoch += 1
        epoch = self._epoch
        try:
            session = await self._login_any_host(epoch)
            if self._logged_out:
                # logout() was called while this login ran: logout wins.
                await self._logout_quietly(session)
                raise IcwsSessionError("The ICWS client was logged out during login")
        except IcwsError as err:
            self._last_login_error = err
            self._session = None
            raise
        self._session = session
        self._last_login_error = None
        self._close_streams(session)
        return session

    async def _login_any_host(self, epoch: int) -> _Session:
        """POST the login to the current host, then to alternate hosts.

        A 503 (or a 3xx) names the hosts to try next; a host that cannot be reached
        sends the login to the hosts remembered from the last successful login.
        """
        queue = [self._host]
        tried: set[str] = set()
        connection_error: IcwsConnectionError | None = None
        last_refusal: _Reply | None = None
        while queue and len(tried) < MAX_LOGIN_HOSTS:
            host = queue.pop(0)
            if host.lower() in tried:
                continue
            tried.add(host.lower())
            try:
                base = str(URL.build(scheme=self._scheme, host=host, port=self._port))
            except ValueError:
                _LOGGER.debug(
                    "Skipping the alternate host %.100r: not a host name", host
                )
                continue
            try:
                reply = await self._send(
                    "POST",
                    URL(
                        base + "/icws/connection?include=features,version", encoded=True
                    ),
                    {
                        "Accept-Language": self._language,
                        "Content-Type": CONTENT_TYPE,
                        "Accept": ACCEPT,
                    },
                    self._login_body(),
                    host=host,
                )
            except IcwsCertificateError:
                raise
            except IcwsConnectionError as err:
                connection_error = connection_error or err
                queue.extend(self._alternate_hosts)
                continue
            if 200 <= reply.status < 300:
                session = self._new_session(epoch, host, base, reply)
                break
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
            raise self._login_error(reply)
        else:
            if last_refusal is not None:
                raise self._error_for(last_refusal, "Login", operation=False)
            if connection_error is not None:
                raise connection_error
            raise IcwsConnectionError(f"{self._host!r} is not a valid host name")
        unified_messaging = session.info.feature(UNIFIED_MESSAGING)
        if unified_messaging is None or unified_messaging < UNIFIED_MESSAGING_REQUIRED:
            await self._logout_quietly(session)
            raise IcwsUnsupportedServerError(
                UNIFIED_MESSAGING, unified_messaging, UNIFIED_MESSAGING_REQUIRED
            )
        self._host = host
        if session.info.alternate_hosts:
            self._alternate_hosts = session.info.alternate_hosts
        _LOGGER.debug(
            "Logged in to %s (features %s)", host, dict(session.info.features)
        )
        return session

    def _login_body(self) -> bytes:
        """Return the `icAuthConnectionRequestSettings` body."""
        return json.dumps(
            {
                "__type": _LOGIN_TYPE,
                "applicationName": self._application_name,
                "userID": self._username,
                "password": self._password,
            }
        ).encode()

    def _new_session(self, epoch: int, host: str, base: str, reply: _Reply) -> _Session:
        """Read session id, CSRF token, cookie and features from a login response."""
        parsed: LoginReply = parse_login(decode_json(reply.body))
        cookie = _session_cookie(reply.headers, parsed.session_id)
        if cookie is None:
            raise IcwsProtocolError("The login response has no icws_ session cookie")
        info = SessionInfo(
            user_id=parsed.user_id or self._username,
            user_display_name=parsed.user_display_name,
            ic_server=parsed.ic_server,
            host=host,
            alternate_hosts=parsed.alternate_hosts,
            features=parsed.features,
            version=parsed.version,
        )
        return _Session(
            epoch=epoch,
            info=info,
            session_id=parsed.session_id,
            csrf_token=parsed.csrf_token,
            cookie=cookie,
            base=f"{base}/icws/{quote_id(parsed.session_id)}/",
            headers={
                "ININ-ICWS-CSRF-Token": parsed.csrf_token,
                "Cookie": cookie,
                "Content-Type": CONTENT_TYPE,
                "Accept": ACCEPT,
            },
            use_sse=(parsed.features.get(MESSAGING) or 0) >= MESSAGING_SSE,
        )

    def _login_error(self, reply: _Reply) -> IcwsError:
        """Return the error of a refused login (400 bad credentials, or another status)."""
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
        return self._error_for(reply, "Login", operation=False, error=error)

    async def _logout_quietly(self, session: _Session) -> None:
        """Log out a session the client will not use (errors only logged)."""
        try:
            await self._send("DELETE", session.url("connection"), session.headers)
        except IcwsError as err:
            _LOGGER.debug("Logout of an unused session failed: %s", err)

    async def _current(self) -> _Session:
        """Return the current session; log in when there is none (not after logout)."""
        session = self._session
        if session is not None:
            return session
        if self._logged_out:
            raise IcwsSessionError("The ICWS client is logged out")
        return await self._renew(self._epoch)

    async def _renew(self, seen_epoch: int) -> _Session:
        """Log in again, once for all callers whose session (made by `seen_epoch`) failed.

        However many callers arrive, one login runs: a caller that waited while another
        login attempt started after its own session gets that attempt's session, or its
        error.
        """
        async with self._login_lock:
            if self._epoch != seen_epoch:
                if self._session is not None:
                    return self._session
                if self._last_login_error is not None:
                    raise self._last_login_error
            if self._logged_out:
                raise IcwsSessionError("The ICWS client is logged out")
            _LOGGER.info("The ICWS session ended; logging in again")
            return await self._login_locked()

    # --- Requests -------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        url: URL,
        headers: Mapping[str, str],
        body: bytes | None = None,
        *,
        host: str | None = None,
    ) -> _Reply:
        """Send one request and read the answer; transport failures become typed errors."""
        try:
            async with asyncio.timeout(self._request_timeout):
                async with self._http.request(
                    method,
                    url,
                    headers=headers,
                    data=body,
                    ssl=self._ssl,
                    allow_redirects=False,
                ) as resp:
                    reply = _Reply(resp.status, resp.headers, await resp.read())
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            raise self._transport_error(err, host) from err
        if _LOGGER.isEnabledFor(logging.DEBUG):
            _LOGGER.debug("%s %s -> %s", method, _log_path(url), reply.status)
        return reply

    def _transport_error(
        self, err: BaseException, host: str | None = None
    ) -> IcwsConnectionError:
        """Return the typed error for an aiohttp, TLS or timeout failure."""
        where = f"{host or self._host}:{self._port}"
        if _is_certificate_error(err):
            return IcwsCertificateError(
                f"The TLS certificate of the ICWS server at {where} could not be"
                " verified (self-signed?); trust it or turn certificate verification off"
            )
        if isinstance(err, TimeoutError):
            return IcwsTimeoutError(
                f"The ICWS server at {where} did not answer in time"
            )
        return IcwsConnectionError(f"Cannot reach the ICWS server at {where}")

    async def _call(
        self,
        method: str,
        suffix: str,
        what: str,
        body: object = None,
        *,
        operation: bool = True,
    ) -> _Reply:
        """Send a session request; a 401 logs in again (single-flight) and retries once.

        Returns a 2xx reply; raises the typed error for any other status.
        """
        data = None if body is None else json.dumps(body).encode()
        session = await self._current()
        for attempt in range(2):
            reply = await self._send(method, session.url(suffix), session.headers, data)
            if 200 <= reply.status < 300:
                return reply
            if reply.status != 401:
                raise self._error_for(reply, what, operation=operation, session=session)
            if attempt:
                break
            session = await self._renew(session.epoch)
        raise IcwsSessionError(
            f"{what}: the ICWS server rejected the session even after logging in again"
        )

    def _error_for(
        self,
        reply: _Reply,
        what: str,
        *,
        operation: bool,
        session: _Session | None = None,
        error: ErrorBody | None = None,
    ) -> IcwsResponseError:
        """Return the typed error for an error status, with a message safe to show."""
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
        secrets = (self._password, *(session.secrets() if session else ()))
        if self._session is not None:
            secrets += self._session.secrets()
        server_message = _safe_text(error.message, secrets) or generic
        return cls(
            status,
            f"{what} failed ({status}): {server_message}",
            error_id=_safe_text(error.error_id, secrets),
            error_type=_safe_text(error.error_type, secrets),
            property_name=_safe_text(error.property_name, secrets),
            error_code=error.error_code,
            server_message=server_message,
        )

    # --- Operations -----------------------------------------------------------------

    async def subscribe_voicemail(self) -> None:
        """Subscribe to the voicemail list and the message-waiting indicator.

        The voicemail list arrives as a `VoicemailSnapshot` on `events()`.
        """
        await self._call("PUT", _VOICEMAIL_SUBSCRIPTION, "Subscribe", operation=False)
        await self._call("PUT", _MWI_SUBSCRIPTION, "Subscribe", operation=False)

    async def unsubscribe_voicemail(self) -> None:
        """Cancel both subscriptions."""
        await self._call(
            "DELETE", _VOICEMAIL_SUBSCRIPTION, "Unsubscribe", operation=False
        )
        await self._call("DELETE", _MWI_SUBSCRIPTION, "Unsubscribe", operation=False)

    async def play(
        self,
        message_id: str,
        target: str | None = None,
        *,
        state: MessageState = MessageState.READ,
    ) -> None:
        """Play a voicemail over the phone: to `target`, or the session's station if None.

        `state` is the message state the server applies (read, by default).
        """
        play_target: dict[str, Any] = (
            dict(_CURRENT_STATION)
            if target is None
            else {"__type": _PLAY_TARGET_TYPE, "target": target}
        )
        await self._call(
            "POST",
            f"unified-messaging/{quote_id(message_id)}/voicemail-message/play/start",
            "Play",
            {"state": int(state), "playTarget": play_target},
        )

    async def stop(self, message_id: str) -> None:
        """Stop playing a voicemail (the server answers 204)."""
        await self._call(
            "POST",
            f"unified-messaging/{quote_id(message_id)}/voicemail-message/play/stop",
            "Stop",
        )

    async def set_read(self, message_id: str, read: bool) -> None:
        """Mark a voicemail read or unread."""
        state = MessageState.READ if read else MessageState.UNREAD
        await self._call(
            "PUT",
            f"unified-messaging/{quote_id(message_id)}",
            "Mark read" if read else "Mark unread",
            {"state": int(state)},
        )

    async def delete(self, message_id: str) -> None:
        """Delete a voicemail."""
        await self._call(
            "DELETE", f"unified-messaging/{quote_id(message_id)}", "Delete"
        )

    # --- Events ---------------------------------------------------------------------

    async def events(self) -> AsyncIterator[IcwsEvent]:
        """Yield the messages of the session, typed, for as long as the client is logged in.

        Server-sent events when the server's `messaging` feature is 2 or newer, else short
        polling every `poll_interval` seconds. When the session is replaced (a 401 here or
        on any other request, or a connectionStateChange to DOWN) `SessionReplaced` is
        yielded: the new session has no subscriptions. Ends after `logout()`; raises
        IcwsConnectionError when the server cannot be reached. One consumer at a time: the
        server ends a session's older stream when a newer one opens.
        """
        session = await self._current()
        drops = 0
        while True:
            current = self._session
            if current is None:
                if self._logged_out:
                    return
                current = await self._renew(session.epoch)
            if current is not session:
                session = current
                drops = 0
                yield SessionReplaced(session.info)
            source = self._stream(session) if session.use_sse else self._poll(session)
            received = False
            async with aclosing(source) as messages:
                async for event in messages:
                    received = True
                    yield event
                    if (
                        isinstance(event, ConnectionStateChange)
                        and event.new is ConnectionState.DOWN
                    ):
                        await self._renew(session.epoch)
                        break
            if not session.use_sse or self._session is not session:
                continue
            # The stream ended on a live session: reopen at once, then back off.
            drops = 0 if received else drops + 1
            if drops > 1:
                await asyncio.sleep(min(0.5 * 2 ** (drops - 2), MAX_RECONNECT_DELAY))

    async def _poll(self, session: _Session) -> AsyncGenerator[IcwsEvent]:
        """Poll the message queue once, then wait the poll interval."""
        reply = await self._send(
            "GET", session.url(_MESSAGES), session.headers, host=session.info.host
        )
        if reply.status == 401:
            await self._renew(session.epoch)
            return
        if not 200 <= reply.status < 300:
            raise self._error_for(
                reply, "Reading messages", operation=False, session=session
            )
        for event in _parse_batch(as_list(decode_json(reply.body), "a message list")):
            yield event
        await asyncio.sleep(self._poll_interval)

    async def _stream(self, session: _Session) -> AsyncGenerator[IcwsEvent]:
        """Read one server-sent-events connection until it drops."""
        headers = {
            **session.headers,
            "Accept": EVENT_STREAM,
            "Cache-Control": "no-cache",
        }
        parser = SseParser(self._last_event_id)
        if parser.last_event_id:
            headers["Last-Event-ID"] = parser.last_event_id
        url = session.url(_MESSAGES)
        try:
            async with asyncio.timeout(self._request_timeout):
                resp = await self._http.get(
                    url,
                    headers=headers,
                    ssl=self._ssl,
                    allow_redirects=False,
                    timeout=self._stream_timeout,
                )
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            raise self._transport_error(err, session.info.host) from err
        _LOGGER.debug("GET %s (event stream) -> %s", _log_path(url), resp.status)
        try:
            if resp.status == 401:
                resp.release()
                await self._renew(session.epoch)
                return
            if not 200 <= resp.status < 300:
                reply = _Reply(resp.status, resp.headers, await resp.read())
                raise self._error_for(
                    reply, "Reading messages", operation=False, session=session
                )
            if resp.content_type != EVENT_STREAM:
                # Not a stream after all: read the body as a poll and poll from now on.
                body = await resp.read()
                _LOGGER.debug("The server answered the event stream with JSON; polling")
                session.use_sse = False
                for event in _parse_batch(as_list(decode_json(body), "a message list")):
                    yield event
                return
            self._streams[resp] = session
            async for chunk in resp.content.iter_any():
                for sse in parser.feed(chunk):
                    self._last_event_id = sse.last_event_id
                    for event in _parse_batch(_decode_event_data(sse.data)):
                        yield event
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            _LOGGER.debug("The event stream dropped: %s", type(err).__name__)
        finally:
            self._streams.pop(resp, None)
            resp.close()
        if parser.retry is not None:
            await asyncio.sleep(parser.retry / 1000)

    def _close_streams(self, keep: _Session | None) -> None:
        """Close the event streams of sessions other than `keep`."""
        for resp, session in list(self._streams.items()):
            if session is not keep:
                resp.close()


def _parse_batch(value: object) -> Iterable[IcwsEvent]:
    """Yield typed events of a message or an array of messages; skip bad messages."""
    messages = value if isinstance(value, list) else [value]
    for message in messages:
        try:
            event = parse_message(message)
        except IcwsProtocolError as err:
            _LOGGER.warning("Skipping a malformed ICWS message: %s", err)
            continue
        if event is not None:
            yield event


def _decode_event_data(data: str) -> object:
    """Return the JSON of one server-sent event; an empty batch when it is not JSON."""
    try:
        return decode_json(data)
    except IcwsProtocolError:
        _LOGGER.warning("Skipping a server-sent event that is not JSON")
        return []


def _session_cookie(headers: CIMultiDictProxy[str], session_id: str) -> str | None:
    """Return the `icws_<sessionId>` cookie as `name=value`, verbatim up to the first `;`."""
    fallback = None
    for header in headers.getall("Set-Cookie", ()):
        pair = header.partition(";")[0].strip()
        name = pair.partition("=")[0].strip()
        if name == f"icws_{session_id}":
            return pair
        if fallback is None and name.startswith("icws_"):
            fallback = pair
    return fallback


def _next_hosts(reply: _Reply) -> list[str]:
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


def _is_certificate_error(err: BaseException) -> bool:
    """Tell whether a failure is (or was caused by) a failed certificate verification."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(
            current,
            aiohttp.ClientConnectorCertificateError | ssl.SSLCertVerificationError,
        ):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _log_path(url: URL) -> str:
    """Return the path of a URL for a log line, the session id replaced by `***`."""
    parts = url.raw_path.split("/", 3)
    if len(parts) > 3 and parts[1] == "icws" and parts[2] != "connection":
        parts[2] = "***"
    return "/".join(parts)


def _safe_text(text: str | None, secrets: Iterable[str]) -> str | None:
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
