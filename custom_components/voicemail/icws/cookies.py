"""The cookies the server, and the proxies and load balancers in front of it, set.

The official JavaScript library relies on the browser's cookie jar, which returns every
cookie: the `icws_<sessionId>` session cookie and, for example, a load balancer's
`SERVERID=...` affinity cookie. aiohttp's jars re-quote the session cookie's value
(`<uuid>|languageId=en-us`) and refuse cookies of hosts given as IP addresses, so the
client keeps its own small jar (PROTOCOL.md §11, §12):

- every cookie is kept per host and sent back only to that host;
- values are kept and sent verbatim, exactly as `Set-Cookie` gave them;
- a later `Set-Cookie` replaces the value; `Max-Age=0` or an `Expires` in the past
  removes the cookie;
- paths and domains are not matched: behind a reverse proxy the paths differ from the
  server's, and a cookie never leaves the host that set it anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

SESSION_COOKIE_PREFIX = "icws_"


class CookieJar:
    """Cookies by host (lowercase), in the order they were first set."""

    def __init__(self) -> None:
        """Start empty."""
        self._hosts: dict[str, dict[str, str]] = {}

    def update(self, host: str, set_cookie_headers: Iterable[str]) -> None:
        """Apply the `Set-Cookie` headers of a response from `host`."""
        for header in set_cookie_headers:
            pair, _, attributes = header.partition(";")
            name, sep, value = pair.strip().partition("=")
            name = name.strip()
            if not sep or not name:
                continue
            cookies = self._hosts.setdefault(host.lower(), {})
            if _expired(attributes):
                cookies.pop(name, None)
            else:
                cookies[name] = value.strip()

    def forget_sessions(self, host: str) -> None:
        """Drop the `icws_` session cookies of a host (a new login brings its own)."""
        cookies = self._hosts.get(host.lower(), {})
        for name in [n for n in cookies if n.startswith(SESSION_COOKIE_PREFIX)]:
            del cookies[name]

    def session_cookie(self, host: str, session_id: str) -> str | None:
        """Return the name of the host's session cookie: `icws_<sessionId>`, else any `icws_`."""
        cookies = self._hosts.get(host.lower(), {})
        exact = f"{SESSION_COOKIE_PREFIX}{session_id}"
        if exact in cookies:
            return exact
        return next((n for n in cookies if n.startswith(SESSION_COOKIE_PREFIX)), None)

    def header(self, host: str) -> str | None:
        """Return the `Cookie` header for a request to `host` (None: no cookie)."""
        cookies = self._hosts.get(host.lower())
        if not cookies:
            return None
        return "; ".join(f"{name}={value}" for name, value in cookies.items())

    def values(self) -> tuple[str, ...]:
        """Every cookie value, for masking in messages (they are secrets)."""
        return tuple(v for c in self._hosts.values() for v in c.values() if v)


def _expired(attributes: str) -> bool:
    """Whether the attributes of a `Set-Cookie` say the cookie is gone.

    `Max-Age` wins over `Expires` (RFC 6265 §5.3); unreadable values are ignored.
    """
    max_age: int | None = None
    expires: datetime | None = None
    for attribute in attributes.split(";"):
        key, _, value = attribute.strip().partition("=")
        key = key.strip().lower()
        if key == "max-age":
            try:
                max_age = int(value.strip())
            except ValueError:
                continue
        elif key == "expires":
            try:
                expires = parsedate_to_datetime(value.strip())
            except TypeError, ValueError:
                continue
    if max_age is not None:
        return max_age <= 0
    if expires is None:
        return False
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return expires <= datetime.now(UTC)
