"""JSON from the ICWS server -> typed values: the primitives, dates, login and error bodies.

Every function here either returns a value or raises `IcwsProtocolError`, whatever JSON it
is given; nothing else escapes (the property tests check this). `messages.py` builds the
event-channel messages on top of these.

Defaults for fields the server leaves out: ICWS is a .NET server, and .NET serializers
commonly omit a field that holds its type's default value. So a missing ``isDelta`` reads
as false (a full snapshot), a missing ``state`` as 0 (unread), a missing ``playStatus`` as
0 (playing) and a missing string as "". Reading a missing ``playStatus`` as "playing" also
errs on the side a user can recover from: the stop control stays available (stopping a
message that is not playing is harmless) instead of disappearing while audio plays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import re
from typing import Any, Final

from .errors import IcwsProtocolError
from .models import ServerVersion

type JsonObject = Mapping[str, Any]


def decode_json(body: bytes | str) -> object:
    """Decode a body as JSON, whatever its content type said."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as err:
        # UnicodeDecodeError and JSONDecodeError are ValueErrors.
        raise IcwsProtocolError(
            "The server sent a body that is not valid JSON"
        ) from err


def as_object(value: object, what: str) -> JsonObject:
    """Return `value` as a JSON object, else raise IcwsProtocolError naming `what`."""
    if not isinstance(value, dict):
        raise IcwsProtocolError(f"The server sent {what} that is not a JSON object")
    return value


def as_list(value: object, what: str) -> list[Any]:
    """Return `value` as a JSON array, else raise IcwsProtocolError naming `what`."""
    if not isinstance(value, list):
        raise IcwsProtocolError(f"The server sent {what} that is not a JSON array")
    return value


def get_str(obj: JsonObject, key: str, *, default: str | None = None) -> str:
    """Return a string field; a missing one is `default` (an error without default)."""
    value = obj.get(key)
    if isinstance(value, str):
        return value
    if value is None and default is not None:
        return default
    raise IcwsProtocolError(f"The field {key} is missing or not a string")


def get_optional_str(obj: JsonObject, key: str) -> str | None:
    """Return a string field that may be missing or null; anything else is an error."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise IcwsProtocolError(f"The field {key} is not a string")


def get_int(obj: JsonObject, key: str, *, default: int | None = None) -> int:
    """Return an integer field (not a boolean); a missing one is `default`."""
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is None and default is not None:
        return default
    raise IcwsProtocolError(f"The field {key} is missing or not an integer")


def get_bool(obj: JsonObject, key: str, *, default: bool | None = None) -> bool:
    """Return a boolean field; a missing one is `default` (an error without default)."""
    value = obj.get(key)
    if isinstance(value, bool):
        return value
    if value is None and default is not None:
        return default
    raise IcwsProtocolError(f"The field {key} is missing or not a boolean")


# The date forms of the official JavaScript library (`_util.js`): dashed
# `YYYY-MM-DDThh:mm[:ss[.fff]]Z` and compact `YYYYMMDD[T]hhmm[ss[.fff]]Z`.
_DASHED = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]*))?)?Z"
)
_COMPACT = re.compile(
    r"([0-9]{4})([0-9]{2})([0-9]{2})T?([0-9]{2})([0-9]{2})(?:([0-9]{2})(?:\.([0-9]*))?)?Z"
)
# .NET writes DateTime.MinValue / MaxValue for "no date". Kept a few days inside
# Python's range, so that converting to any time zone (UTC-12 ... UTC+14) and
# formatting never overflow.
EARLIEST: Final = datetime(1, 1, 3, tzinfo=UTC)
LATEST: Final = datetime(9999, 12, 29, tzinfo=UTC)


def parse_datetime(value: object) -> datetime:
    """Every date form of the library (or ISO 8601 with an offset); UTC, clamped.

    A naive ISO value counts as UTC. Dates outside [EARLIEST, LATEST] are clamped to
    it, so that no later conversion to local time can overflow.
    """
    if not isinstance(value, str):
        raise IcwsProtocolError("A date-time is not a string")
    match = _DASHED.fullmatch(value) or _COMPACT.fullmatch(value)
    try:
        if match is not None:
            year, month, day, hour, minute, second, fraction = match.groups()
            parsed = datetime(
                int(year),
                int(month),
                int(day),
                int(hour),
                int(minute),
                int(second or 0),
                int((fraction or "0")[:6].ljust(6, "0")),
                tzinfo=UTC,
            )
        else:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError) as err:
        raise IcwsProtocolError("A date-time is not in a form ICWS uses") from err
    # Clamp before converting: MinValue with an offset east of UTC (or MaxValue west
    # of it) is outside Python's range in UTC.
    return min(max(parsed, EARLIEST), LATEST).astimezone(UTC)


# --- Login ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginReply:
    """The parts of a login response the client keeps (secrets never in repr)."""

    session_id: str
    csrf_token: str
    user_id: str | None
    user_display_name: str | None
    ic_server: str | None
    alternate_hosts: tuple[str, ...]
    features: dict[str, int]
    version: ServerVersion | None

    def __repr__(self) -> str:
        """Leave out the session id and the CSRF token."""
        return f"LoginReply(user_id={self.user_id!r}, features={self.features!r})"


def parse_login(
    body: object, *, session_id: str | None = None, csrf_token: str | None = None
) -> LoginReply:
    """Parse a 201 login response (`connectionResponse`).

    The official library takes the session id and the CSRF token from the
    `ININ-ICWS-Session-ID` / `ININ-ICWS-CSRF-Token` headers (given here), and the
    body is the fallback for each.
    """
    obj: JsonObject = body if isinstance(body, dict) else {}
    if not session_id:
        session_id = _id_text(obj.get("sessionId"))
    if not session_id:
        raise IcwsProtocolError("The login response has no session id")
    if not csrf_token:
        csrf_token = _lenient_str(obj.get("csrfToken"))
    if not csrf_token:
        raise IcwsProtocolError("The login response has no CSRF token")
    return LoginReply(
        session_id=session_id,
        csrf_token=csrf_token,
        user_id=_lenient_str(obj.get("userID")),
        user_display_name=_lenient_str(obj.get("userDisplayName")),
        ic_server=_lenient_str(obj.get("icServer")),
        alternate_hosts=parse_alternate_hosts(obj),
        features=parse_features(obj.get("features")),
        version=parse_version(obj.get("version")),
    )


def _id_text(value: object) -> str | None:
    """Return an id the server may send as a string or a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _lenient_str(value)


def _lenient_str(value: object) -> str | None:
    """Return a string, or None for anything else (informative fields only)."""
    return value if isinstance(value, str) else None


def parse_alternate_hosts(obj: JsonObject) -> tuple[str, ...]:
    """`alternateHostList`: the host names that are strings and not blank."""
    hosts = obj.get("alternateHostList")
    if not isinstance(hosts, list):
        return ()
    return tuple(h.strip() for h in hosts if isinstance(h, str) and h.strip())


def parse_features(value: object) -> dict[str, int]:
    """`features`: `[{featureId, version}]`; entries of another shape are left out.

    Versions are JSON integers; a quoted number (as a documentation example shows) is
    accepted too.
    """
    features: dict[str, int] = {}
    if not isinstance(value, list):
        return features
    for entry in value:
        if not isinstance(entry, dict):
            continue
        feature_id = entry.get("featureId")
        version = entry.get("version")
        if isinstance(version, str) and version.isascii() and version.isdigit():
            version = int(version)
        if (
            isinstance(feature_id, str)
            and isinstance(version, int)
            and not isinstance(version, bool)
        ):
            features[feature_id] = version
    return features


def parse_version(value: object) -> ServerVersion | None:
    """`versionInfo` (all strings); None when absent or not of that shape."""
    if not isinstance(value, dict):
        return None
    major, minor, su = (value.get(k) for k in ("majorVersion", "minorVersion", "su"))
    if not (isinstance(major, str) and isinstance(minor, str) and isinstance(su, str)):
        return None
    return ServerVersion(
        major=major,
        minor=minor,
        su=su,
        build=_lenient_str(value.get("build")),
        product_id=_lenient_str(value.get("productId")),
        codebase_id=_lenient_str(value.get("codebaseId")),
        release_display=_lenient_str(value.get("productReleaseDisplayString")),
        patch_display=_lenient_str(value.get("productPatchDisplayString")),
    )


# --- Error bodies --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """The fields of an ICWS error body (`urn:inin.com:common:error` and derived)."""

    message: str | None = None
    error_id: str | None = None
    error_type: str | None = None
    property_name: str | None = None
    error_code: int | None = None
    alternate_hosts: tuple[str, ...] = ()


def parse_error(body: bytes) -> ErrorBody:
    """Read what an error body tells; never raises (the status decides the error)."""
    try:
        obj = json.loads(body)
    except ValueError, RecursionError:
        return ErrorBody()
    if not isinstance(obj, dict):
        return ErrorBody()
    code = obj.get("errorCode")
    return ErrorBody(
        message=_lenient_str(obj.get("message")),
        error_id=_id_text(obj.get("errorId")),
        error_type=_lenient_str(obj.get("__type")),
        property_name=_lenient_str(obj.get("propertyName")),
        error_code=code
        if isinstance(code, int) and not isinstance(code, bool)
        else None,
        alternate_hosts=parse_alternate_hosts(obj),
    )
