"""JSON from the server -> typed values: dates, the login response, error bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
import json
from zoneinfo import ZoneInfo

import pytest

from custom_components.voicemail.icws import IcwsProtocolError, ServerVersion
from custom_components.voicemail.icws.parse import (
    EARLIEST,
    LATEST,
    ErrorBody,
    decode_json,
    parse_datetime,
    parse_error,
    parse_login,
)

from .samples import LOGIN

# --- Dates -----------------------------------------------------------------------------

AT_0820 = datetime(2020, 10, 29, 8, 20, tzinfo=UTC)
AT_082018 = AT_0820.replace(second=18)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The compact form (observed), also without the T and without seconds.
        ("20201029T082018Z", AT_082018),
        ("20201029082018Z", AT_082018),
        ("20201029T0820Z", AT_0820),
        ("202010290820Z", AT_0820),
        ("20201029T082018.25Z", AT_082018.replace(microsecond=250000)),
        # The dashed form, with or without seconds and fractions.
        ("2020-10-29T08:20:18Z", AT_082018),
        ("2020-10-29T08:20Z", AT_0820),
        ("2020-10-29T08:20:18.250Z", AT_082018.replace(microsecond=250000)),
        # .NET writes seven fraction digits: the seventh is dropped, not rounded.
        ("2020-10-29T08:20:18.1234567Z", AT_082018.replace(microsecond=123456)),
        # ISO 8601 with an offset, and without one (naive means UTC).
        ("2020-10-29T10:20:18+02:00", AT_082018),
        ("2020-10-29T03:20:18-05:00", AT_082018),
        ("2020-10-29T08:20:18", AT_082018),
        ("20201029T082018", AT_082018),
    ],
)
def test_every_date_form_is_the_right_utc_time(text: str, expected: datetime) -> None:
    """Each form of the library (and ISO with offsets) is read, and the result is UTC."""
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00010101T000000Z", EARLIEST),
        ("0001-01-01T00:00:00Z", EARLIEST),
        ("0001-01-02T23:59:59Z", EARLIEST),
        ("99991231T235959Z", LATEST),
        ("9999-12-31T23:59:59.9999999Z", LATEST),
        # Json.NET writes MinValue / MaxValue of a local DateTime with the zone's offset.
        ("0001-01-01T00:00:00+01:00", EARLIEST),
        ("0001-01-01T00:00:00+14:00", EARLIEST),
        ("9999-12-31T23:59:59-05:00", LATEST),
        ("9999-12-31T23:59:59-12:00", LATEST),
    ],
)
def test_dotnet_min_and_max_values_clamp(text: str, expected: datetime) -> None:
    """DateTime.MinValue / MaxValue become the earliest / latest date the client keeps."""
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["00010101T000000Z", "99991231T235959Z"])
@pytest.mark.parametrize(
    "zone",
    [
        timezone(timedelta(hours=-12)),
        timezone(timedelta(hours=14)),
        ZoneInfo("America/Los_Angeles"),
        ZoneInfo("Pacific/Kiritimati"),
    ],
)
def test_clamped_dates_convert_to_any_time_zone(text: str, zone: timezone) -> None:
    """A clamped date can be shown in any local time: converting never overflows."""
    local = parse_datetime(text).astimezone(zone)
    assert local.isoformat()
    assert EARLIEST <= local <= LATEST


def test_dates_inside_the_range_are_not_clamped() -> None:
    """Only the ends move: a real date just inside the range stays as it is."""
    assert parse_datetime("00010103T000001Z") == EARLIEST + timedelta(seconds=1)
    assert parse_datetime("99991228T235959Z") == LATEST - timedelta(seconds=1)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "yesterday",
        "2020-13-45T99:00:00Z",
        "20201329T082018Z",
        "20201029T082018Q",
        "20201029T25",
        "garbage 20201029T082018Z",
        20201029,
        None,
        ["20201029T082018Z"],
    ],
)
def test_invalid_dates(value: object) -> None:
    """Anything else is a protocol error."""
    with pytest.raises(IcwsProtocolError):
        parse_datetime(value)


# --- Login -----------------------------------------------------------------------------


def test_login_response() -> None:
    """Session id, CSRF token, alternate hosts, features (quoted versions too), version."""
    reply = parse_login(LOGIN)
    assert reply.session_id == "1731001"
    assert reply.csrf_token == "WAhhbGljZQ=="
    assert reply.alternate_hosts == ("cic-icws",)
    assert reply.features == {"unified-messaging": 2, "messaging": 3}
    assert reply.version == ServerVersion("15", "1", "3", release_display="2015 R1")
    assert reply.user_display_name == "Alice Example"
    # The secrets are not in its repr.
    assert "1731001" not in repr(reply)
    assert "WAhhbGljZQ==" not in repr(reply)


def test_login_response_minimal_and_numeric_session_id() -> None:
    """Only sessionId and csrfToken are required; a numeric session id is accepted."""
    reply = parse_login({"sessionId": 1731001, "csrfToken": "t", "version": {"su": 1}})
    assert reply.session_id == "1731001"
    assert reply.features == {}
    assert reply.version is None
    assert reply.alternate_hosts == ()


def test_session_id_and_csrf_token_from_the_headers_first() -> None:
    """The headers (as the official library reads them) win over the body."""
    reply = parse_login(LOGIN, session_id="2000001", csrf_token="from-header")
    assert (reply.session_id, reply.csrf_token) == ("2000001", "from-header")
    # The body is the fallback for each one separately.
    reply = parse_login(LOGIN, session_id="2000001")
    assert (reply.session_id, reply.csrf_token) == ("2000001", "WAhhbGljZQ==")
    reply = parse_login(LOGIN, csrf_token="from-header")
    assert (reply.session_id, reply.csrf_token) == ("1731001", "from-header")
    # Headers alone are enough: a body without them, or no JSON body at all.
    body = {k: v for k, v in LOGIN.items() if k not in {"sessionId", "csrfToken"}}
    reply = parse_login(body, session_id="2000001", csrf_token="h")
    assert (reply.session_id, reply.csrf_token) == ("2000001", "h")
    assert reply.features == {"unified-messaging": 2, "messaging": 3}
    assert parse_login(None, session_id="2000001", csrf_token="h").features == {}
    # Empty headers count as missing.
    assert parse_login(LOGIN, session_id="", csrf_token="").session_id == "1731001"


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ([], {}),
        ({"csrfToken": "t"}, {}),
        ({"sessionId": "", "csrfToken": "t"}, {}),
        ({"sessionId": True, "csrfToken": "t"}, {}),
        ({"sessionId": "1"}, {}),
        ({"sessionId": "1", "csrfToken": ""}, {}),
        ({}, {"session_id": "1"}),
        ({}, {"csrf_token": "t"}),
        (None, {"session_id": "1", "csrf_token": ""}),
    ],
)
def test_bad_login_responses(body: object, headers: dict[str, str]) -> None:
    """No session id or CSRF token in headers or body: a protocol error."""
    with pytest.raises(IcwsProtocolError):
        parse_login(body, **headers)


# --- Error bodies ----------------------------------------------------------------------


def test_error_bodies() -> None:
    """Error bodies are read as far as possible and never raise."""
    assert parse_error(b"<html>") == ErrorBody()
    assert parse_error(b"[1]") == ErrorBody()
    assert parse_error(b"") == ErrorBody()
    body = {
        "__type": "urn:inin.com:common:invalidPropertyError",
        "errorId": "error.request.invalidRepresentation.invalidProperty",
        "message": "Not allowed",
        "propertyName": "unifiedMessageId",
        "errorCode": 5,
    }
    assert parse_error(json.dumps(body).encode()) == ErrorBody(
        message="Not allowed",
        error_id="error.request.invalidRepresentation.invalidProperty",
        error_type="urn:inin.com:common:invalidPropertyError",
        property_name="unifiedMessageId",
        error_code=5,
    )
    # Old servers: a numeric errorId; errorCode must be an integer.
    old = parse_error(b'{"errorId": -2147221496, "errorCode": true}')
    assert old.error_id == "-2147221496"
    assert old.error_code is None
    # A 503's alternateHostList (blank and non-string entries left out).
    hosts = parse_error(b'{"alternateHostList": ["backup.test", " ", 3, " b2.test "]}')
    assert hosts.alternate_hosts == ("backup.test", "b2.test")


@pytest.mark.parametrize("body", [b"", b"{", b"\xff\xfe\x00", b"[" * 100_000])
def test_decode_json_errors(body: bytes) -> None:
    """Invalid JSON, invalid UTF-8, or absurd nesting: a protocol error."""
    with pytest.raises(IcwsProtocolError):
        decode_json(body)
