"""Sessions against the simulator: errors, re-login, single-flight, switchover, TLS."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from custom_components.voicemail.icws import (
    ConnectionState,
    ConnectionStateChange,
    IcwsAuthenticationError,
    IcwsCertificateError,
    IcwsClient,
    IcwsConnectionError,
    IcwsGoneError,
    IcwsNotAllowedError,
    IcwsResponseError,
    IcwsServerError,
    IcwsSessionError,
    IcwsTimeoutError,
    IcwsUnsupportedServerError,
    SessionReplaced,
    VoicemailSnapshot,
)
from tests.icws_simulator import IcwsSimulator, SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .conftest import ClientFactory, Readers, Secrets, Starter, logins, until

STOP = "/voicemail-message/play/stop$"


def newest_voicemail(sim: IcwsSimulator) -> str:
    """Return the id of alice's newest voicemail."""
    return next(
        vm.message_id
        for vm in reversed(sim.voicemails("alice"))
        if vm.kind == "voicemail"
    )


# --- Error statuses of the stop endpoint ----------------------------------------------


@pytest.mark.parametrize(
    ("variant", "error_id", "error_type", "property_name"),
    [
        (
            "invalidProperty",
            "error.request.invalidRepresentation.invalidProperty",
            "urn:inin.com:common:invalidPropertyError",
            "unifiedMessageId",
        ),
        (
            "missingRequiredParameter",
            "error.request.invalidRepresentation.missingRequiredParameter",
            "urn:inin.com:common:missingPropertyError",
            "unifiedMessageId",
        ),
        (
            "malformed",
            "error.request.invalidRepresentation.malformed",
            "urn:inin.com:common:error",
            None,
        ),
    ],
)
async def test_stop_400_variants(
    *,
    sim: IcwsSimulator,
    make_client: ClientFactory,
    secrets: Secrets,
    variant: str,
    error_id: str,
    error_type: str,
    property_name: str | None,
) -> None:
    """The three documented 400 bodies become IcwsNotAllowedError with their fields."""
    client = make_client()
    await client.login()
    sim.inject_fault(STOP, 400, error_variant=variant)
    with pytest.raises(IcwsNotAllowedError) as caught:
        await client.stop(newest_voicemail(sim))
    error = caught.value
    assert (error.status, error.error_id, error.error_type, error.property_name) == (
        400,
        error_id,
        error_type,
        property_name,
    )
    assert (
        error.server_message == "Stop is not allowed on a unified message of this type."
    )
    assert str(error) == f"Stop failed (400): {error.server_message}"
    secrets.assert_absent(str(error))


async def test_stop_on_a_fax_is_not_allowed(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """The simulator's own answer for a fax id (no fault injected)."""
    client = make_client()
    fax = next(vm.message_id for vm in sim.voicemails("alice") if vm.kind == "fax")
    with pytest.raises(IcwsNotAllowedError) as caught:
        await client.stop(fax)
    assert caught.value.error_type == "urn:inin.com:common:invalidPropertyError"


@pytest.mark.parametrize(
    ("status", "error_class", "error_id", "error_code"),
    [
        (410, IcwsGoneError, "error.request.resourceGone", None),
        (500, IcwsServerError, None, -2147467259),
        (404, IcwsResponseError, "error.request.notFound", None),
    ],
)
async def test_stop_other_statuses(
    *,
    sim: IcwsSimulator,
    make_client: ClientFactory,
    secrets: Secrets,
    status: int,
    error_class: type[IcwsResponseError],
    error_id: str | None,
    error_code: int | None,
) -> None:
    """410, 500 and other statuses: their typed errors."""
    client = make_client()
    await client.login()
    body = {"errorId": error_id, "message": "Nope."} if status == 404 else None
    sim.inject_fault(STOP, status, body=body)
    with pytest.raises(error_class) as caught:
        await client.stop(newest_voicemail(sim))
    assert type(caught.value) is error_class
    assert caught.value.status == status
    assert caught.value.error_id == error_id
    assert caught.value.error_code == error_code
    secrets.assert_absent(str(caught.value))
    assert logins(sim) == 1


# --- 401: log in again --------------------------------------------------------------


async def test_401_logs_in_again_and_retries(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A 401 (with its WWW-Authenticate header) means a new session, then one retry."""
    client = make_client()
    first = await client.login()
    message_id = newest_voicemail(sim)
    sim.inject_fault(STOP, 401)
    await client.stop(message_id)
    assert [(r.method, r.status) for r in sim.requests] == [
        ("POST", 201),
        ("POST", 401),
        ("POST", 201),
        ("POST", 204),
    ]
    first_id, second_id = list(sim.sessions)
    assert sim.requests[1].path.startswith(f"/icws/{first_id}/")
    assert sim.requests[3].path.startswith(f"/icws/{second_id}/")
    assert client.session_info is not None and client.session_info is not first


async def test_second_401_is_a_session_error(
    sim: IcwsSimulator, make_client: ClientFactory, secrets: Secrets
) -> None:
    """Still 401 after logging in again: IcwsSessionError, and no login loop."""
    client = make_client()
    await client.login()
    sim.inject_fault(STOP, 401, count=None)
    with pytest.raises(IcwsSessionError) as caught:
        await client.stop(newest_voicemail(sim))
    assert logins(sim) == 2
    secrets.assert_absent(str(caught.value))


async def test_single_flight_login(
    sim: IcwsSimulator,
    started: Starter,
) -> None:
    """20 stops and the event stream see the 401 together: exactly one login follows."""
    client, reader = await started()
    message_id = newest_voicemail(sim)
    sim.expire_sessions()
    sim.clear_requests()
    await asyncio.gather(*(client.stop(message_id) for _ in range(20)))
    replaced = await reader.next_of(SessionReplaced)
    assert replaced.session == client.session_info
    assert logins(sim) == 1
    assert [r.status for r in sim.requests_to(STOP)].count(204) == 20
    # The new session has no subscription: the owner subscribes again, a snapshot follows.
    await client.subscribe_voicemail()
    await reader.next_of(VoicemailSnapshot)
    assert logins(sim) == 1


async def test_failed_relogin_raises_authentication_error_everywhere(
    sim: IcwsSimulator,
    make_client: ClientFactory,
    readers: Readers,
) -> None:
    """The password changed while the session expired: every caller gets the auth error."""
    client = make_client()
    await client.login()
    reader = readers(client)
    message_id = newest_voicemail(sim)
    sim.add_user("alice", "changed")
    sim.expire_sessions()
    sim.clear_requests()
    results = await asyncio.gather(
        *(client.stop(message_id) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, IcwsAuthenticationError) for r in results)
    with pytest.raises(IcwsAuthenticationError):
        await reader.next()
    assert logins(sim) == 1
    assert client.session_info is None


# --- Login failures -----------------------------------------------------------------


async def test_bad_credentials(
    sim: IcwsSimulator, make_client: ClientFactory, secrets: Secrets
) -> None:
    """400 authenticationFailure: IcwsAuthenticationError."""
    client = make_client(password="wrong")
    with pytest.raises(IcwsAuthenticationError) as caught:
        await client.login()
    secrets.assert_absent(str(caught.value))
    assert client.session_info is None


async def test_bad_credentials_on_an_old_server(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """Before CIC 4.0.6 the body had only errorCode -2147221503."""
    sim.inject_fault(
        "^/icws/connection$",
        400,
        body={
            "errorCode": -2147221503,
            "message": "The authentication process failed.",
        },
    )
    with pytest.raises(IcwsAuthenticationError):
        await make_client().login()


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(sdk_license_error_status=400)]
)
async def test_other_login_refusals_are_not_bad_credentials(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """Another 400 at login (here: no SDK license) is a response error with its id."""
    with pytest.raises(IcwsResponseError) as caught:
        await make_client().login()
    assert type(caught.value) is IcwsResponseError
    assert caught.value.error_id == "error.request.connection.licenseNotAvailable"


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


# --- Switchover ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(
            refusing_hosts={"primary.test": ("primary.test", "backup.test")}
        )
    ],
)
async def test_login_follows_503_to_an_alternate_host(
    icws_simulator: RunningSimulator, make_client: ClientFactory
) -> None:
    """503 with alternateHostList: the same POST on those hosts, same scheme and port."""
    sim = icws_simulator.sim
    client = make_client(host="primary.test")
    info = await client.login()
    assert client.host == info.host == "backup.test"
    port = icws_simulator.port
    assert [(r.host, r.status) for r in sim.requests] == [
        (f"primary.test:{port}", 503),
        (f"backup.test:{port}", 201),
    ]
    assert sim.requests[1].query == "include=features,version"


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(
            refusing_hosts={
                f"h{i}.test": (f"h{i + 1}.test", "h0.test") for i in range(12)
            }
        )
    ],
)
async def test_switchover_hops_are_bounded(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """Refusing hosts naming each other: each host once, at most 8, then the 503 error."""
    with pytest.raises(IcwsServerError) as caught:
        await make_client(host="h0.test").login()
    assert caught.value.status == 503
    hosts = [r.host.partition(":")[0] for r in sim.requests]
    assert hosts == [f"h{i}.test" for i in range(8)]


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(refusing_hosts={"primary.test": ()})]
)
async def test_503_without_alternates(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A 503 naming no other host is a server error."""
    with pytest.raises(IcwsServerError) as caught:
        await make_client(host="primary.test").login()
    assert caught.value.error_id == "error.server.notAcceptingConnections"


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(login_redirect_status=302, login_redirect_host="backup.test")],
)
async def test_login_redirect_is_followed_like_a_503(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A 3xx at login (ruby-ic's reading): try the hosts it names."""
    client = make_client(host="primary.test")
    await client.login()
    assert client.host == "backup.test"
    assert [r.status for r in sim.requests] == [302, 201]


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(alternate_host_list=("backup.test",))]
)
async def test_switchover_while_running(
    sim: IcwsSimulator,
    started: Starter,
) -> None:
    """DOWN message: yielded, then one login on the new active host, then SessionReplaced."""
    client, reader = await started(host="primary.test")
    sim.switchover(["backup.test"])
    down = await reader.next_of(ConnectionStateChange)
    assert down == ConnectionStateChange(
        ConnectionState.UP, ConnectionState.DOWN, "Switchover", True
    )
    replaced = await reader.next()
    assert isinstance(replaced, SessionReplaced)
    assert replaced.session.host == client.host == "backup.test"
    assert logins(sim) == 3  # the first, the refused one on primary, the one on backup
    await client.subscribe_voicemail()
    assert isinstance(await reader.next(), VoicemailSnapshot)


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(alternate_host_list=("primary.test", "backup.test"))],
)
async def test_unreachable_server_login_tries_remembered_hosts(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """The alternateHostList of the last login is tried when the host cannot be reached."""
    client = make_client(host="primary.test")
    await client.login()
    sim.inject_fault(
        "^/icws/connection$", None, count=None, drop=True, host="primary.test"
    )
    await client.login()
    assert client.host == "backup.test"
    assert [
        r.host.partition(":")[0] for r in sim.requests_to("^/icws/connection$")
    ] == [
        "primary.test",
        "primary.test",
        "backup.test",
    ]


async def test_unreachable_server(
    icws_simulator: RunningSimulator, make_client: ClientFactory, secrets: Secrets
) -> None:
    """No server, no alternates: IcwsConnectionError (also from the event iterator)."""
    client = make_client()
    await client.login()
    await icws_simulator.stop()
    with pytest.raises(IcwsConnectionError) as caught:
        await client.login()
    assert "Cannot reach the ICWS server at 127.0.0.1" in str(caught.value)
    secrets.assert_absent(str(caught.value))
    with pytest.raises(IcwsConnectionError):
        await client.stop("m1")


async def test_unresolvable_alternate_and_invalid_host(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A host name that is not one is a connection error, not a crash."""
    with pytest.raises(IcwsConnectionError):
        await make_client(host="bad host").login()
    with pytest.raises(IcwsConnectionError):
        await make_client(host="unknown.invalid").login()


async def test_slow_server_times_out(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """No answer within request_timeout: IcwsTimeoutError (a connection error)."""
    client = make_client(request_timeout=0.5)
    await client.login()
    sim.inject_fault(STOP, None, delay=2.0)
    with pytest.raises(IcwsTimeoutError):
        await client.stop(newest_voicemail(sim))


# --- TLS ----------------------------------------------------------------------------


def tls_client(
    session: aiohttp.ClientSession, running: RunningSimulator, *, verify_ssl: bool
) -> IcwsClient:
    """Return alice's client of the HTTPS simulator (default options otherwise)."""
    return IcwsClient(
        session,
        "127.0.0.1",
        port=running.port,
        verify_ssl=verify_ssl,
        username="alice",
        password="secret",
    )


async def test_tls_certificate_checked_or_not(
    icws_tls_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    secrets: Secrets,
) -> None:
    """Self-signed certificate: refused with verification, accepted without."""
    sim = icws_tls_simulator.sim
    secrets.sims.append(sim)
    strict = tls_client(client_session, icws_tls_simulator, verify_ssl=True)
    with pytest.raises(IcwsCertificateError) as caught:
        await strict.login()
    assert "certificate" in str(caught.value)
    assert sim.requests == []
    lenient = tls_client(client_session, icws_tls_simulator, verify_ssl=False)
    await lenient.login()
    await lenient.stop(newest_voicemail(sim))
    assert sim.requests[-1].status == 204
    await lenient.logout()


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


async def test_logout_while_a_request_waits_for_its_401(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A 401 that arrives after logout does not log in again."""
    client = make_client()
    await client.login()
    sim.inject_fault(STOP, 401, delay=0.5)
    stop = asyncio.create_task(client.stop(newest_voicemail(sim)))
    await until(lambda: bool(sim.requests_to(STOP)))
    await client.logout()
    with pytest.raises(IcwsSessionError):
        await stop
    assert logins(sim) == 1


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(messaging_version=1)])
async def test_events_share_the_failure_of_another_callers_login(
    sim: IcwsSimulator,
    started: Starter,
) -> None:
    """The server fails the re-login a stop() started: the event iterator raises it too."""
    client, reader = await started(poll_interval=0.3)
    # Whichever meets the 401 first logs in; the other gets that login's error.
    sim.inject_fault("^/icws/connection$", 500, method="POST")
    sim.expire_sessions()
    with pytest.raises(IcwsServerError):
        await client.stop(newest_voicemail(sim))
    with pytest.raises(IcwsServerError):
        await reader.next_of(SessionReplaced)  # events queued before come first
    assert logins(sim) == 2


async def test_logout_during_a_login_wins(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A login that completes after logout() is logged out again, not kept."""
    client = make_client()
    sim.inject_fault("^/icws/connection$", None, method="POST", delay=0.5)
    login = asyncio.create_task(client.login())
    await until(lambda: bool(sim.requests))
    await client.logout()
    with pytest.raises(IcwsSessionError):
        await login
    assert client.session_info is None
    [session] = sim.sessions.values()
    assert not session.alive
    assert sim.requests[-1].method == "DELETE"


async def test_tls_verified_against_a_trusted_certificate(
    icws_tls_simulator: RunningSimulator, secrets: Secrets
) -> None:
    """verify_ssl=True uses the session connector's context: an owner can trust its CA."""
    sim = icws_tls_simulator.sim
    secrets.sims.append(sim)
    certificate = icws_tls_simulator.certificate
    assert certificate is not None
    connector = aiohttp.TCPConnector(ssl=certificate.client_context())
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(), connector=connector
    ) as session:
        client = tls_client(session, icws_tls_simulator, verify_ssl=True)
        await client.login()
        await client.stop(newest_voicemail(sim))
        assert sim.requests[-1].status == 204
        await client.logout()
