"""Logging in against the simulator: the request, languages, refusals, a reverse proxy."""

from __future__ import annotations

import json

import pytest

from custom_components.voicemail.icws import (
    IcwsAuthenticationError,
    IcwsLoginRefusedError,
    IcwsResponseError,
    IcwsServerError,
    IcwsUnsupportedServerError,
    Phase,
    ServerVersion,
    VoicemailSnapshot,
)
from custom_components.voicemail.icws.login import language_tag
from custom_components.voicemail.icws.transport import normalize_base_path
from tests.icws_simulator import IcwsSimulator, SimulatorSettings

from .conftest import ClientFactory, Connector, Secrets, logins

VENDOR_JSON = "application/vnd.inin.icws+JSON"
LOGIN = "^/icws/connection$"
INVALID_PROPERTY = "error.request.invalidRepresentation.invalidProperty"


def languages(sim: IcwsSimulator) -> list[str]:
    """Return the Accept-Language of each login request, in order."""
    return [r.headers["Accept-Language"] for r in sim.requests_to(LOGIN, "POST")]


async def test_login(sim: IcwsSimulator, make_client: ClientFactory) -> None:
    """Login posts the documented request and returns what the server told."""
    client = make_client()
    session = await client.login()
    info = session.info
    assert info.user_id == "alice"
    assert info.user_display_name == "Alice Example"
    assert info.ic_server == "CIC-ICWS"
    assert info.host == session.host == client.host == "127.0.0.1"
    assert info.feature("unified-messaging") == 2
    assert info.feature("messaging") == 2
    assert info.feature("no-such-feature") is None
    assert session.offers_stream
    assert isinstance(info.version, ServerVersion)
    assert info.version.display == "2015 R1 Patch 3"
    [stored] = sim.sessions.values()
    assert (session.session_id, session.csrf_token) == (
        stored.session_id,
        stored.csrf_token,
    )

    [request] = sim.requests
    assert (request.method, request.path) == ("POST", "/icws/connection")
    # The library's encoding of the query (`,` as %2C); the server reads both.
    assert request.query == "include=features%2Cversion"
    assert request.headers["Accept-Language"] == "en-us"
    assert request.headers["Content-Type"] == f"{VENDOR_JSON};charset=utf-8"
    assert request.headers["Accept"] == VENDOR_JSON
    assert "Cookie" not in request.headers
    assert json.loads(request.body) == {
        "__type": "urn:inin.com:connection:icAuthConnectionRequestSettings",
        "applicationName": "Home Assistant",
        "userID": "alice",
        "password": "secret",
    }
    assert request.status == 201
    assert stored.application_name == "Home Assistant"


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(session_credentials_in="headers"),
        SimulatorSettings(session_credentials_in="body"),
        SimulatorSettings(session_credentials_in="both"),
    ],
)
async def test_session_credentials_from_headers_or_body(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """Session id and CSRF token only in the headers, only in the body, or in both."""
    session = await make_client().login()
    [stored] = sim.sessions.values()
    assert (session.session_id, session.csrf_token) == (
        stored.session_id,
        stored.csrf_token,
    )
    await session.stop(sim.voicemails("alice")[-1].message_id)
    stop = sim.requests[-1]
    assert stop.path.startswith(f"/icws/{stored.session_id}/")
    assert stop.headers["ININ-ICWS-CSRF-Token"] == stored.csrf_token
    assert stop.status == 204


# --- Languages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "country", "tag"),
    [
        ("en", None, "en-us"),
        ("en-GB", None, "en-gb"),
        ("EN-us", None, "en-us"),
        ("de", "AT", "de-at"),
        ("de", None, "de-de"),
        ("de-AT", "CH", "de-at"),
        ("fr", "CA", "fr-ca"),
        ("nb", None, "nb-no"),
        ("zh-Hant", None, "zh-cn"),
        ("zh-Hant-TW", None, "zh-tw"),
        ("pt_BR", None, "pt-br"),
        ("de", "1x", "de-de"),
        ("", None, "en-us"),
        ("123", None, "en-us"),
        ("!!", None, "en-us"),
        ("english", None, "en-us"),
        ("x-klingon", None, "en-us"),
    ],
)
def test_language_tag(language: str, country: str | None, tag: str) -> None:
    """An `ll-rr` tag from the language (and country); anything unreadable is en-us."""
    assert language_tag(language, country) == tag


async def test_the_tag_goes_out_as_accept_language(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """The session's language is the tag of the configured language and country."""
    await make_client(language="de", country="AT").login()
    await make_client(language="en-GB").login()
    assert languages(sim) == ["de-at", "en-gb"]
    assert [s.language for s in sim.sessions.values()] == ["de-at", "en-gb"]


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(supported_languages=("en-us",))]
)
async def test_a_refused_language_is_retried_in_en_us(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A 400 about Accept-Language: the same login once more in en-us."""
    session = await make_client(language="de", country="AT").login()
    assert languages(sim) == ["de-at", "en-us"]
    assert [r.status for r in sim.requests] == [400, 201]
    [stored] = sim.sessions.values()
    assert stored.language == "en-us"
    await session.stop(sim.voicemails("alice")[-1].message_id)
    assert sim.requests[-1].status == 204


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(supported_languages=("fr-fr",))]
)
async def test_the_language_is_retried_only_once(
    sim: IcwsSimulator, make_client: ClientFactory, secrets: Secrets
) -> None:
    """A server that refuses en-us too: its error after exactly two logins."""
    with pytest.raises(IcwsLoginRefusedError) as caught:
        await make_client(language="de").login()
    assert languages(sim) == ["de-de", "en-us"]
    assert (caught.value.error_id, caught.value.status) == (INVALID_PROPERTY, 400)
    assert "'en-us' is not supported" in str(caught.value)
    secrets.assert_absent(str(caught.value))
    # Configured in en-us already: no retry at all.
    sim.clear_requests()
    with pytest.raises(IcwsLoginRefusedError):
        await make_client().login()
    assert languages(sim) == ["en-us"]


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(require_region_in_language=True)]
)
async def test_a_bare_language_is_never_sent(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A server that needs a region: `en` goes out as `en-us`, at the first try."""
    await make_client(language="en").login()
    await make_client(language="de").login()
    assert languages(sim) == ["en-us", "de-de"]
    assert [r.status for r in sim.requests] == [201, 201]


# --- Credentials ---------------------------------------------------------------------


async def test_bad_credentials(
    sim: IcwsSimulator, make_client: ClientFactory, secrets: Secrets
) -> None:
    """400 authenticationFailure: IcwsAuthenticationError after one login."""
    with pytest.raises(IcwsAuthenticationError) as caught:
        await make_client(password="wrong").login()
    secrets.assert_absent(str(caught.value))
    assert logins(sim) == 1
    assert sim.sessions == {}


async def test_bad_credentials_on_an_old_server(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """Before CIC 4.0.6 the body had only errorCode -2147221503."""
    sim.inject_fault(
        LOGIN,
        400,
        body={
            "errorCode": -2147221503,
            "message": "The authentication process failed.",
        },
    )
    with pytest.raises(IcwsAuthenticationError):
        await make_client().login()


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(lockout_after_failures=1)])
async def test_a_refused_password_is_sent_once(
    sim: IcwsSimulator, connect: Connector, make_client: ClientFactory
) -> None:
    """A server that locks after one failure: exactly one failed login is sent."""
    run = await connect(ready=False, password="wrong", language="de")
    await run.phase(Phase.AUTH_FAILED)
    assert logins(sim) == 1
    assert sim.failed_logins("alice") == 1
    assert sim.users["alice"].locked
    # An action now fails at once with the refusal, and sends nothing.
    with pytest.raises(IcwsAuthenticationError):
        await run.connection.request(lambda session: session.stop("m1"))
    assert len(sim.requests) == 1
    # The account is locked: the right password is refused now too.
    with pytest.raises(IcwsAuthenticationError):
        await make_client().login()


# --- Refusals for good -------------------------------------------------------------


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(sdk_license_error_status=status) for status in (400, 403, 500)],
)
async def test_no_licence_is_a_refusal(
    sim: IcwsSimulator, make_client: ClientFactory, icws_settings: SimulatorSettings
) -> None:
    """No SDK licence (whatever the status): IcwsLoginRefusedError with the error id."""
    with pytest.raises(IcwsLoginRefusedError) as caught:
        await make_client().login()
    assert caught.value.error_id == "error.request.connection.licenseNotAvailable"
    assert caught.value.status == icws_settings.sdk_license_error_status
    assert "does not have the license" in str(caught.value)
    assert logins(sim) == 1


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(max_sessions_per_user=1, session_limit_evicts_oldest=False)],
)
async def test_the_session_limit_is_a_refusal(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A user at the session limit: IcwsLoginRefusedError; the live session stays."""
    client = make_client()
    first = await client.login()
    with pytest.raises(IcwsLoginRefusedError) as caught:
        await client.login()
    assert caught.value.error_id == "error.request.connection.sessionLimitReached"
    assert caught.value.status == 400
    assert [s.session_id for s in sim.live_sessions("alice")] == [first.session_id]


@pytest.mark.parametrize(
    ("login_error", "error_class"),
    [
        ((403, "error.request.accessDenied", "Access denied."), IcwsLoginRefusedError),
        ((400, "error.request.connection.x", "Not today."), IcwsLoginRefusedError),
        ((500, "error.licenseExpired", "Licence expired."), IcwsLoginRefusedError),
        ((429, "error.request.tooManyRequests", "Slow down."), IcwsResponseError),
        ((500, "error.server.failure", "It broke."), IcwsServerError),
    ],
)
async def test_login_errors(
    *,
    sim: IcwsSimulator,
    make_client: ClientFactory,
    secrets: Secrets,
    login_error: tuple[int, str, str],
    error_class: type[Exception],
) -> None:
    """400/403 with an error, or a licence: refused for good; others may pass."""
    status, error_id, message = login_error
    sim.settings.login_error = (status, error_id, f"{message} (password secret)")
    with pytest.raises(error_class) as caught:
        await make_client().login()
    error = caught.value
    assert type(error) is error_class
    assert isinstance(error, IcwsLoginRefusedError | IcwsResponseError)
    assert (error.error_id, error.status) == (error_id, status)
    assert f"{message} (password ***)" in str(error)
    secrets.assert_absent(str(error))
    assert logins(sim) == 1
    # A wrong password is still a wrong password.
    with pytest.raises(IcwsAuthenticationError):
        await make_client(password="wrong").login()


@pytest.mark.parametrize(
    ("icws_settings", "version"),
    [
        (SimulatorSettings(unified_messaging_version=1), 1),
        (SimulatorSettings(unified_messaging_version=None), None),
    ],
)
async def test_unsupported_server(
    sim: IcwsSimulator, make_client: ClientFactory, version: int | None
) -> None:
    """unified-messaging below 2 (or missing): the session is logged out, then the error."""
    with pytest.raises(IcwsUnsupportedServerError) as caught:
        await make_client().login()
    assert (caught.value.feature, caught.value.version, caught.value.required) == (
        "unified-messaging",
        version,
        2,
    )
    assert ("missing" if version is None else "version 1") in str(caught.value)
    [session] = sim.sessions.values()
    assert sim.requests[-1].method == "DELETE"
    assert sim.requests[-1].path == f"/icws/{session.session_id}/connection"
    assert not session.alive


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(unified_messaging_version=1)]
)
async def test_unsupported_server_whose_logout_fails(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """The feature error is raised even when the courtesy logout does not get through."""
    # count=None: aiohttp retries an idempotent request once on a dropped connection.
    sim.inject_fault("/connection$", None, count=None, method="DELETE", drop=True)
    with pytest.raises(IcwsUnsupportedServerError):
        await make_client().login()
    assert sim.requests[-1].method == "DELETE"


# --- Behind a reverse proxy ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("", ""),
        ("/", ""),
        ("api/icserver1/", "/api/icserver1"),
        ("/api/icserver1", "/api/icserver1"),
        ("/api/icserver1/icws", "/api/icserver1"),
        ("/apps/client/api/icserver1/ICWS/", "/apps/client/api/icserver1"),
        (" /api//icserver1 ", "/api/icserver1"),
        ("icws", ""),
    ],
)
def test_normalize_base_path(value: str, normalized: str) -> None:
    """The proxy's path as `/a/b`: slashes tidied, a trailing `/icws` dropped."""
    assert normalize_base_path(value) == normalized


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(base_path="/api/icserver1"),
        SimulatorSettings(
            base_path="/api/icserver1", base_path_rewrites_cookie_path=False
        ),
    ],
)
@pytest.mark.parametrize(
    "base_path", ["/api/icserver1", "api/icserver1/", "/api/icserver1/icws"]
)
async def test_behind_a_reverse_proxy(
    sim: IcwsSimulator, connect: Connector, base_path: str
) -> None:
    """With its base path the client logs in, streams and operates through the proxy."""
    run = await connect(base_path=base_path)
    await run.session.stop(sim.voicemails("alice")[-1].message_id)
    assert sim.requests[-1].status == 204
    assert sim.requests[0].path == "/api/icserver1/icws/connection"
    assert all(r.path.startswith("/api/icserver1/icws/") for r in sim.requests)
    stream = sim.requests_to("/messaging/messages$")[0]
    assert (stream.headers["Accept"], stream.status) == ("text/event-stream", 200)


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(base_path="/api/icserver1")]
)
async def test_without_the_proxys_base_path(
    sim: IcwsSimulator, make_client: ClientFactory, connect: Connector
) -> None:
    """The proxy's HTML 404: a response error naming the status, not a crash."""
    with pytest.raises(IcwsResponseError) as caught:
        await make_client().login()
    assert type(caught.value) is IcwsResponseError
    assert caught.value.status == 404
    assert str(caught.value) == "Login failed (404): the server refused the request"
    run = await connect(ready=False)
    await run.phase(Phase.BACKING_OFF)
    assert isinstance(run.connection.error, IcwsResponseError)
    assert not any(isinstance(e, VoicemailSnapshot) for e in run.recorder.seen)
